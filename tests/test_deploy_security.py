"""docker compose redirects plain http to https by default (no check --deploy W008); only
an explicit NZR_SECURE_SSL_REDIRECT=0 in .env turns it off, for a localhost try-out."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_redirects_to_https_by_default():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["x-app-env"]
    assert env["NZR_PRODUCTION"] == "1"
    assert env["NZR_SECURE_SSL_REDIRECT"] == "${NZR_SECURE_SSL_REDIRECT:-1}"


def test_env_example_does_not_turn_the_redirect_off():
    lines = (ROOT / ".env.example").read_text().splitlines()
    assert not [line for line in lines if line.startswith("NZR_SECURE_SSL_REDIRECT")]
    assert "# NZR_SECURE_SSL_REDIRECT=0" in lines  # documented, commented out
