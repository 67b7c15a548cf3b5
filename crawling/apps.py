from django.apps import AppConfig


class CrawlingConfig(AppConfig):
    name = "crawling"
    verbose_name = "Crawling"

    def ready(self) -> None:
        from crawling.registry import site_choices
        from posts.sites import sites_register

        sites_register(dict(site_choices()))
