"""The admin login lockout behind the TLS proxy, and usernames that cannot be confused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request that came through the proxy


@pytest.fixture(autouse=True)
def _plain_static(settings):
    """The login form is rendered again on failure; no collectstatic manifest in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # dozens of logins
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20


@pytest.fixture
def admin_user_(db):
    return User.objects.create_superuser("admin", "admin@example.com", "correct-horse")


def login(username: str, password: str, *, client_ip: str, forwarded: str = "") -> int:
    """POST the admin login form as the proxy forwards it; the status (302 = logged in)."""
    chain = f"{forwarded}, {client_ip}" if forwarded else client_ip
    response = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain).post(
        reverse("admin:login"), {"username": username, "password": password}
    )
    return response.status_code


def test_wrong_passwords_from_one_client_do_not_lock_out_the_admin_elsewhere(behind_proxy, admin_user_):
    for _ in range(6):
        login("admin", "guess", client_ip="203.0.113.7")

    assert login("admin", "correct-horse", client_ip="203.0.113.7") == 429  # that client is locked
    assert login("admin", "correct-horse", client_ip="198.51.100.9") == 302  # the admin is not


def test_a_forged_forwarded_header_does_not_escape_the_lock(behind_proxy, admin_user_):
    for n in range(6):
        login("admin", "guess", client_ip="203.0.113.7", forwarded=f"192.0.2.{n}")

    assert login("admin", "correct-horse", client_ip="203.0.113.7", forwarded="192.0.2.99") == 429


def test_spraying_many_usernames_from_one_address_is_limited(behind_proxy, admin_user_):
    for n in range(20):
        login(f"user{n}", "guess", client_ip="203.0.113.7")

    assert login("admin", "correct-horse", client_ip="203.0.113.7") == 429
    assert login("admin", "correct-horse", client_ip="198.51.100.9") == 302


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings, admin_user_):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(6):
        login("admin", "guess", client_ip=f"203.0.113.{n}")  # a client inventing a new address each time

    assert login("admin", "correct-horse", client_ip="198.51.100.9") == 429


@pytest.mark.parametrize("lookalike", ["ADMIN", "Admin", "ádmin", "a\u0301dmin"])
def test_a_lookalike_username_does_not_log_in(admin_user_, lookalike):
    """The login form itself strips spaces and NFKC-normalises ("ａｄｍｉｎ " is "admin"); what
    differs after that is another name, whatever the database collation says."""
    assert login(lookalike, "correct-horse", client_ip="198.51.100.9") == 200  # the form again
    assert login("admin", "correct-horse", client_ip="198.51.100.9") == 302


@pytest.mark.parametrize("lookalike", ["ADMIN", "ádmin", " admin", "admin ", "ａｄｍｉｎ"])
def test_a_lookalike_username_cannot_be_created(admin_user_, lookalike):
    with pytest.raises(ValidationError):
        User._meta.get_field("username").clean(lookalike, None)


def test_the_admin_user_form_refuses_a_lookalike(admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {"username": "Ádmin", "password1": "x-long-pass-1", "password2": "x-long-pass-1", "usable_password": "true"},
    )

    # On MariaDB the unique check may answer first ("already exists"); either way it is refused.
    assert response.status_code == 200 and "username" in response.context["adminform"].form.errors
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]
