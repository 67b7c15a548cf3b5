"""Moderation accounts in one step: the command, the add-user form, the group, and a login that says why."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from posts.roles import ROLES

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


def groups_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_the_command_creates_a_moderator_who_can_log_in_with_the_printed_password(roles, client, capsys):
    call_command("grant_role", "minji")
    password = re.search(r"password: (\S+)", capsys.readouterr().out).group(1)

    user = User.objects.get(username="minji")
    assert user.is_staff and not user.is_superuser and groups_of(user) == {"Moderators"}
    response = client.post(LOGIN, {"username": "minji", "password": password, "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"


def test_the_command_moves_an_existing_user_to_publishers_and_keeps_the_password(roles, capsys):
    user = User.objects.create_user("jisoo", password="old-password-123")
    user.groups.add(Group.objects.get(name="Moderators"))

    call_command("grant_role", "jisoo", "--role", "publisher")

    user.refresh_from_db()
    assert user.is_staff and groups_of(user) == {"Publishers"} and user.check_password("old-password-123")
    assert "password unchanged" in capsys.readouterr().out


def test_the_command_refuses_a_username_the_admin_would_refuse(roles):
    with pytest.raises(CommandError):
        call_command("grant_role", "bad name!")
    assert not User.objects.exists()


def test_adding_a_user_to_a_role_group_gives_staff_status_either_way(roles):
    one, two = User.objects.create_user("one"), User.objects.create_user("two")
    one.groups.add(Group.objects.get(name="Moderators"))
    Group.objects.get(name="Publishers").user_set.add(two)
    assert User.objects.get(pk=one.pk).is_staff and User.objects.get(pk=two.pk).is_staff


def test_a_group_that_is_not_a_role_gives_no_staff_status(roles):
    user = User.objects.create_user("three")
    user.groups.add(Group.objects.create(name="Readers"))
    assert not User.objects.get(pk=user.pk).is_staff


def test_the_add_user_form_sets_staff_status_and_the_group_from_one_role_choice(roles, admin_client):
    response = admin_client.post(reverse("admin:auth_user_add"), {
        "username": "haneul", "usable_password": "true", "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-42", "role": "Publishers",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="haneul")
    assert user.is_staff and groups_of(user) == {"Publishers"}


def test_the_add_user_form_offers_every_role_group_by_its_label(admin_client):
    """The labels are translated; the values stay the group names that grant_role and the migration use."""
    form = admin_client.get(reverse("admin:auth_user_add")).context["adminform"].form
    choices = [(value, str(label)) for value, label in form.fields["role"].choices]
    assert choices == [("", "— none —"), ("Moderators", "Moderators"), ("Publishers", "Publishers")]
    assert [value for value, _ in choices[1:]] == list(ROLES)


def login_error_codes(client, username: str, password: str) -> set[str]:
    form = client.post(LOGIN, {"username": username, "password": password}).context["form"]
    return {error.code for error in form.non_field_errors().as_data()}


def test_a_right_password_without_staff_status_is_told_so_not_that_the_password_is_wrong(client):
    User.objects.create_user("nostaff", password="right-password-1")
    assert login_error_codes(client, "nostaff", "right-password-1") == {"not_staff"}
    page = client.post(LOGIN, {"username": "nostaff", "password": "right-password-1"}).content.decode()
    assert "ask an administrator to give it the Moderators or Publishers role" in page


def test_a_wrong_password_still_gets_the_usual_answer(client):
    User.objects.create_user("someone", password="right-password-1")
    assert login_error_codes(client, "someone", "wrong") == {"invalid_login"}
