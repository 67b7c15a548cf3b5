from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from posts.notices import inbox_notice_register, upload_blocker_register
        from publishing import checks  # noqa: F401  (registers the system checks)
        from publishing.uploaders import upload_problem, upload_problem_notice

        inbox_notice_register(upload_problem_notice)
        upload_blocker_register(upload_problem)
