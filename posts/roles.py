"""The two moderation roles, as groups with permissions on posts.

Written against an ``apps`` registry so the data migration (historical models) and tests
(after a flush removed the rows) create exactly the same groups.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Permissions on posts.Post that no model Meta declares: the moves a role may make.
CUSTOM_PERMISSIONS = {
    "approve_post": "Can approve, decline, retry and regenerate posts",
    "publish_post": "Can upload and take down videos",
}
# (app label, model, codename): the post page shows the short (generation) and its uploads
# (publishing) inline, so a role needs those too. Labels, not imports: posts imports no app.
MODERATOR_PERMISSIONS = [
    ("posts", "post", "view_post"), ("posts", "post", "change_post"), ("posts", "post", "approve_post"),
    ("posts", "comment", "view_comment"), ("posts", "statuschange", "view_statuschange"),
    ("generation", "short", "view_short"), ("generation", "short", "change_short"),
    ("publishing", "upload", "view_upload"),
    # Compilations are chosen, ordered and narrated by the same people who moderate posts.
    ("generation", "compilation", "view_compilation"), ("generation", "compilation", "add_compilation"),
    ("generation", "compilation", "change_compilation"),
    *(("generation", "compilationitem", f"{action}_compilationitem") for action in ("view", "add", "change", "delete")),
]
# A publisher follows what publishing did: failed tasks (a take-down that failed), quota, slots.
PUBLISHER_PERMISSIONS = [
    *MODERATOR_PERMISSIONS, ("posts", "post", "publish_post"),
    ("django_q", "failure", "view_failure"), ("publishing", "quotausage", "view_quotausage"),
    ("publishing", "publishslot", "view_publishslot"),
]
ROLES = {"Moderators": MODERATOR_PERMISSIONS, "Publishers": PUBLISHER_PERMISSIONS}
# The group names are data (grant_role, the groups table); the console shows these.
ROLE_LABELS = {"Moderators": _("Moderators"), "Publishers": _("Publishers")}


def roles_sync(apps) -> None:
    """Create (or complete) the Moderators and Publishers groups; safe to run again."""
    Group = apps.get_model("auth", "Group")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*(_permission(apps, *permission) for permission in wanted))


def _permission(apps, app_label: str, model: str, codename: str):
    # Default permissions are created by post_migrate, after every migration ran: make them
    # here with the names Django would give them, so the later post_migrate finds them present.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    action, _, _ = codename.partition("_")
    name = CUSTOM_PERMISSIONS.get(codename) or f"Can {action} {_verbose_name(model)}"
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def _verbose_name(model: str) -> str:
    names = {"statuschange": "status change", "failure": "Failed task", "quotausage": "quota usage",
             "publishslot": "publish slot", "compilationitem": "compilation item"}
    return names.get(model, model)


def user_role_grant(user, role: str) -> None:
    """Give ``user`` one role: its group (the other role's removed) and staff status, in one step.

    Staff status is what lets a user into the admin at all: a group member without it was told
    at the login that the password is wrong.
    """
    from django.contrib.auth.models import Group

    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))


def role_members_make_staff(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """m2m_changed on User.groups: whoever joins a role group, however, becomes staff too."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    if action != "post_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(users)
        users = pk_set if instance.name in ROLES else set()
    else:  # user.groups.add(groups)
        users = {instance.pk} if Group.objects.filter(pk__in=pk_set, name__in=ROLES).exists() else set()
    get_user_model().objects.filter(pk__in=users, is_staff=False).update(is_staff=True)
