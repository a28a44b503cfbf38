"""Production settings refuse to start on a bad environment and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_PRODUCTION = {
    "NZR_PRODUCTION": "1",
    "SECRET_KEY": "x" * 20 + "-production-test-key-that-is-long-enough-0123456789",
    "ALLOWED_HOSTS": "zorgreserve.example.nl",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}


def _manage(args, env_overrides, drop=()):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NZR_", "DJANGO_")) and k not in drop
    }
    env.update(env_overrides)
    for key in drop:
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"]
)
def test_production_refuses_to_start_without_required_setting(missing):
    env = {k: v for k, v in GOOD_PRODUCTION.items() if k != missing}
    result = _manage(["check"], env, drop=(missing,))
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage(["check"], {**GOOD_PRODUCTION, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_bad_boolean_fails_loudly():
    result = _manage(["check"], {"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], GOOD_PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
