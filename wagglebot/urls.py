from django.contrib import admin
from django.urls import include, path

from ops import views as ops_views
from ops.console import console_urls
from ops.metrics import metrics_view
from posts import views as posts_views

urlpatterns = [
    path("", ops_views.overview, name="home"),
    path("status/", ops_views.overview, name="status"),
    path("healthz", ops_views.healthz, name="healthz"),
    # Not MEDIA_URL: whatever serves MEDIA_URL as plain files (a test live server, a web server
    # rule) would bypass the staff check.
    path("staff-media/<path:path>", posts_views.media_file, name="media"),
    path("admin/", include(console_urls())),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # the language menu posts to set_language
    path("metrics", metrics_view, name="metrics"),
]
