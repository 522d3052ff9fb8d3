"""Configuration from the environment: safe defaults, and no production start without a key."""

import pytest

from locator import config, create_app


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("LOCATOR_ENV", "production")
    monkeypatch.delenv("LOCATOR_SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="LOCATOR_SECRET_KEY must be set"):
        config.load(str(tmp_path))


def test_production_with_a_key_has_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("LOCATOR_ENV", "production")
    monkeypatch.setenv("LOCATOR_SECRET_KEY", "k" * 64)
    settings = config.load(str(tmp_path))
    assert settings["SECRET_KEY"] == "k" * 64
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_development_generates_and_keeps_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("LOCATOR_ENV", raising=False)
    monkeypatch.delenv("LOCATOR_SECRET_KEY", raising=False)
    first = config.load(str(tmp_path))["SECRET_KEY"]
    assert len(first) >= 32
    assert config.load(str(tmp_path))["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only


def test_defaults_are_local(monkeypatch, tmp_path):
    for name in ("LOCATOR_DATABASE_URL", "LOCATOR_INDEX_DIR", "LOCATOR_SMTP_HOST",
                 "LOCATOR_REDIS_URL", "LOCATOR_PROXY_HOPS"):
        monkeypatch.delenv(name, raising=False)
    settings = config.load(str(tmp_path))
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'locator.db'}"
    assert settings["INDEX_DIR"] == str(tmp_path / "index")
    assert settings["SMTP_HOST"] is None and settings["REDIS_URL"] is None
    assert settings["PROXY_HOPS"] == 0  # X-Forwarded-For is not trusted unless configured


def test_proxy_hops_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LOCATOR_PROXY_HOPS", "2")
    assert config.load(str(tmp_path))["PROXY_HOPS"] == 2


def test_app_factory_takes_test_config(migrated, tmp_path):
    app = create_app({"DATABASE_URL": migrated, "SECRET_KEY": "s", "TESTING": True,
                      "INDEX_DIR": str(tmp_path)})
    assert app.config["INDEX_WORKER"] is False  # tests apply the index queue themselves
