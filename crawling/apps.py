from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrawlingConfig(AppConfig):
    name = "crawling"
    verbose_name = _("Crawling")

    def ready(self) -> None:
        from crawling.registry import site_choices
        from posts.sites import sites_register

        sites_register(dict(site_choices()))
