from django.apps import AppConfig
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("Posts")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from posts.roles import role_members_make_staff

        m2m_changed.connect(role_members_make_staff, sender=get_user_model().groups.through,
                            dispatch_uid="posts.role_members_make_staff")
