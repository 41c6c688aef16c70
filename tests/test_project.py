"""The project's wiring: settings from the environment, and the docker-compose file
(Docker cannot run here, so its wiring is checked by reading it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from influence_db.settings import envbool, envint, envlist

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("raw", "expected"), [("True", True), ("False", False), ("", False)])
def test_envbool_reads_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert envbool("FLAG", False) is expected


@pytest.mark.parametrize("raw", ["true", "1", "yes", "on"])
def test_envbool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="FLAG must be True or False"):
        envbool("FLAG", False)


def test_envint_refuses_non_integers(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        envint("N", 1)


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert envlist("HOSTS", ["x"]) == ["a.example", "b.example"]


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: settings are read once per process.
    return subprocess.run(
        [sys.executable, "-c", "import influence_db.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )


def test_secret_key_is_required_without_debug():
    result = _import_settings({"DEBUG": "False"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_sqlite_by_default_and_postgres_from_database_url():
    assert _import_settings({"DEBUG": "True"}).stdout.strip() == "django.db.backends.sqlite3"
    postgres = _import_settings({"DEBUG": "True", "DATABASE_URL": "postgres://u@db:5432/influence_db"})
    assert postgres.stdout.strip() == "django.db.backends.postgresql"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_database_has_volume_and_health_check(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_web_waits_for_healthy_db_and_points_at_it(compose):
    web = compose["services"]["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    db_env = compose["services"]["db"]["environment"]
    url = web["environment"]["DATABASE_URL"]
    assert url.startswith("postgres://") and "@db:5432/" in url
    assert url.rsplit("/", 1)[1] == db_env["POSTGRES_DB"]
    assert web["build"] == "."


def test_dockerfile_migrates_on_start_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert cmd.index("migrate") < cmd.index("gunicorn influence_db.wsgi")
