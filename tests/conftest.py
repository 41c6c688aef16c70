"""Personas for the suite, in the cookiecutter-django style.

The three roles are the Django groups that the `0002_roles` data migration creates;
the fixtures fetch them rather than create them, so a test fails if the migration
stops providing them.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns on every request that STATIC_ROOT has not been collected; the
    # suite never serves static files, so the warning is noise here.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning:django.core.handlers.base")


def _staff_user_in(role: str, username: str):
    # No password: force_login does not need one, and hashing one costs a quarter second per test.
    user = get_user_model().objects.create_user(username=username, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


class HttpsClient(Client):
    """A test client whose every request arrives over HTTPS.

    The suite runs with the production settings, which redirect plain HTTP to HTTPS
    (SECURE_SSL_REDIRECT); requests should arrive the way a browser's do.
    """

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def _client_for(user) -> Client:
    client = HttpsClient()
    client.force_login(user)
    return client


@pytest.fixture
def anonymous_client() -> Client:
    """A visitor who has not logged in. (pytest-django's `client` is the same over plain HTTP.)"""
    return HttpsClient()


@pytest.fixture
def coder(db):
    return _staff_user_in("Coder", "coder")


@pytest.fixture
def supervisor(db):
    return _staff_user_in("Supervisor", "supervisor")


@pytest.fixture
def viewer(db):
    return _staff_user_in("Viewer", "viewer")


@pytest.fixture
def coder_client(coder) -> Client:
    return _client_for(coder)


@pytest.fixture
def supervisor_client(supervisor) -> Client:
    return _client_for(supervisor)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return _client_for(viewer)
