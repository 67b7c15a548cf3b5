from django.contrib import admin
from django.urls import path

from posts import views as posts_views

urlpatterns = [
    path("", posts_views.status_page, name="home"),
    path("status/", posts_views.status_page, name="status"),
    path("healthz", posts_views.healthz, name="healthz"),
    path("media/<path:path>", posts_views.media_file, name="media"),
    path("admin/", admin.site.urls),
]
