from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from ops import checks  # noqa: F401  (registers the project's system checks)
        from ops.usernames import username_validate

        field = get_user_model()._meta.get_field("username")
        if username_validate not in field.validators:
            field.validators.append(username_validate)
