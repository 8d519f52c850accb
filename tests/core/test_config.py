import subprocess
import sys

import pytest

from lms import create_app
from lms.config import DEV_SECRET_KEY, from_environment


def test_defaults_are_development_with_sqlite_in_the_instance_folder(tmp_path):
    config = from_environment({}, str(tmp_path))
    assert config["LMS_ENV"] == "development"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_environment_variables_are_read(tmp_path):
    env = {
        "LMS_ENV": "production",
        "LMS_SECRET_KEY": "k" * 40,
        "LMS_DATABASE_URL": "postgresql+psycopg://db.internal/lms",
        "LMS_REDIS_URL": "redis://cache.internal:6379/0",
        "LMS_MAIL_SERVER": "smtp.internal",
        "LMS_MAIL_PORT": "2525",
        "LMS_MAIL_USE_TLS": "false",
        "LMS_MAIL_SENDER": "LMS <lms@example.org>",
    }
    config = from_environment(env, str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == env["LMS_DATABASE_URL"]
    assert config["RATELIMIT_STORAGE_URI"] == env["LMS_REDIS_URL"]
    assert config["LMS_MAIL_PORT"] == 2525
    assert config["LMS_MAIL_USE_TLS"] is False
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["LMS_HSTS"] is True


def test_a_malformed_number_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="LMS_MAIL_PORT must be a whole number"):
        from_environment({"LMS_MAIL_PORT": "twenty"}, str(tmp_path))


@pytest.mark.parametrize("key", [None, DEV_SECRET_KEY, "too-short"])
def test_production_refuses_a_weak_secret_key(key, monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    if key is None:
        monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("LMS_SECRET_KEY", key)
    with pytest.raises(SystemExit, match="LMS_SECRET_KEY"):
        create_app()


def test_production_refusal_is_one_line_on_the_command_line(tmp_path):
    env = {"LMS_ENV": "production", "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "lms.cli", "routes"], env=env, capture_output=True, text=True, check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "LMS_SECRET_KEY" in lines[0]
