"""Security: login throttling through the real login form (django-axes), the deployment
checklist, and the headers production responses carry.

The production checks run in a fresh interpreter with production environment variables:
settings are read once per process, and the test process's settings come from pytest-env.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.helpers import needs_django_csp

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
HOME_IP, OTHER_IP = "203.0.113.7", "198.51.100.23"  # documentation addresses (RFC 5737)


# --- Login throttling ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Every login attempt hashes a password; the default hasher costs a quarter second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(username="rasool", password=PASSWORD, is_staff=True)


def log_in(username: str, password: str, ip: str = HOME_IP):
    """One attempt through the admin's login form, from a fresh browser at `ip`, over HTTPS."""
    client = Client(REMOTE_ADDR=ip)
    data = {"username": username, "password": password, "next": "/admin/"}
    response = client.post(reverse("admin:login"), data, secure=True)
    return response, client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(times: int, username: str = "rasool", ip: str = HOME_IP) -> list[int]:
    return [log_in(username, "wrong password", ip)[0].status_code for _ in range(times)]


def age_attempts(minutes: int) -> None:
    """Move the recorded failures `minutes` into the past, as if that much time had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_right_password_logs_in(staff):
    response, client = log_in("rasool", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert logged_in(client)


def test_failures_below_the_limit_only_show_the_form_again(staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail(4) == [200, 200, 200, 200]
    response, client = log_in("rasool", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_after_five_failures_even_the_right_password_is_refused(staff):
    assert fail(4) == [200, 200, 200, 200]
    assert fail(1) == [429]  # the fifth failure locks
    response, client = log_in("rasool", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_lock_is_per_username_and_address(staff):
    get_user_model().objects.create_user(username="maryam", password=PASSWORD, is_staff=True)
    fail(5)
    assert log_in("rasool", PASSWORD)[0].status_code == 429
    # The same user from elsewhere, and another user from the same address, are not locked out.
    response, client = log_in("rasool", PASSWORD, ip=OTHER_IP)
    assert response.status_code == 302 and logged_in(client)
    response, client = log_in("maryam", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_lock_holds_until_the_cool_off_ends(staff, settings):
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    fail(5)
    age_attempts(14)
    response, client = log_in("rasool", PASSWORD)
    assert response.status_code == 429, "still locked a minute before the cool-off ends"
    assert not logged_in(client)


def test_lock_lifts_after_the_fifteen_minute_cool_off(staff):
    fail(5)
    age_attempts(16)
    response, client = log_in("rasool", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_trying_during_the_lockout_does_not_extend_it(staff):
    fail(5)
    age_attempts(14)
    assert log_in("rasool", PASSWORD)[0].status_code == 429
    age_attempts(2)  # 16 minutes since the fifth failure
    response, client = log_in("rasool", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_success_clears_earlier_failures(staff):
    fail(4)
    assert log_in("rasool", PASSWORD)[0].status_code == 302
    # Four more failures: with the earlier four forgotten, this is still below the limit.
    assert fail(4) == [200, 200, 200, 200]
    response, client = log_in("rasool", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


# --- Production settings, in a fresh interpreter -------------------------------------


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "influence_db.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "influence.example.org",
        # Nothing here needs a database; this keeps the subprocess away from any real one.
        "DATABASE_URL": "sqlite://:memory:",
        **overrides,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_deploy_check_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_would_catch_a_plain_http_setup():
    # The check above is not vacuous: without HTTPS hardening the same command fails.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(HTTPS="False"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no HTTPS redirect


FETCH = """
import json
import django
django.setup()
from django.test import Client

client = Client(HTTP_HOST="influence.example.org")
https = client.get("/admin/login/", secure=True)
http = client.get("/admin/login/")
print(json.dumps({
    "https": {"status": https.status_code, "headers": dict(https.headers),
              "csrf_cookie_secure": bool(https.cookies["csrftoken"]["secure"])},
    "http": {"status": http.status_code, "location": http.headers.get("Location")},
}))
"""


@pytest.fixture(scope="module")
def production_responses() -> dict[str, dict]:
    # STATIC_MANIFEST=False: the page's static URLs need no collectstatic run; it does not
    # touch the headers under test.
    result = run(["-c", FETCH], production_env(STATIC_MANIFEST="False"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_http_is_redirected_to_https(production_responses):
    http = production_responses["http"]
    assert http["status"] == 301
    assert http["location"] == "https://influence.example.org/admin/login/"


def test_https_responses_carry_hsts(production_responses):
    https = production_responses["https"]
    assert https["status"] == 200
    assert https["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@needs_django_csp
def test_https_responses_carry_a_content_security_policy(production_responses):
    policy = production_responses["https"]["headers"]["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


def test_other_hardening_headers_and_cookies(production_responses):
    https = production_responses["https"]
    assert https["headers"]["X-Frame-Options"] == "DENY"
    assert https["headers"]["X-Content-Type-Options"] == "nosniff"
    assert https["headers"]["Referrer-Policy"] == "same-origin"
    assert https["csrf_cookie_secure"] is True
