from django.contrib import admin
from django.urls import path

from posts import views as posts_views
from wagglebot.metrics import metrics_view

urlpatterns = [
    path("", posts_views.status_page, name="home"),
    path("status/", posts_views.status_page, name="status"),
    path("healthz", posts_views.healthz, name="healthz"),
    # Not MEDIA_URL: whatever serves MEDIA_URL as plain files (a test live server, a web server
    # rule) would bypass the staff check.
    path("staff-media/<path:path>", posts_views.media_file, name="media"),
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
]
