from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "hooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from hooks import events
        from posts.signals import posts_collected, status_changed

        status_changed.connect(events.on_status_changed, dispatch_uid="hooks.status_changed")
        posts_collected.connect(events.on_posts_collected, dispatch_uid="hooks.posts_collected")
