"""Settings: secrets stay secret, modes are chosen from the environment, bad config refused."""

from __future__ import annotations

import logging

import pytest

from bot.runtime.config import ConfigError, Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "REDIS_URL",
                 "SLACK_API_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)


def test_secrets_never_show_in_repr_or_logs(monkeypatch, caplog):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2@db:6379/0")
    settings = Settings()
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("settings: %s %r", settings, settings)
    assert "very-secret" not in caplog.text and "hunter2" not in caplog.text
    assert settings.slack_bot_token.get_secret_value() == "xoxb-very-secret"


def test_socket_mode_when_app_token_set(monkeypatch):
    assert Settings().socket_mode is False
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    settings = Settings()
    assert settings.socket_mode is True
    settings.require_slack()  # no signing secret needed in Socket Mode


def test_http_mode_requires_token_and_signing_secret(monkeypatch):
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN.*SLACK_SIGNING_SECRET"):
        Settings().require_slack()
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-wrong-kind")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(ConfigError, match="xapp-"):
        Settings().require_slack()


def test_api_url_gets_its_trailing_slash_and_must_be_http(monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    assert Settings().slack_api_url == "http://127.0.0.1:9/api/"
    monkeypatch.setenv("SLACK_API_URL", "ftp://x")
    with pytest.raises(ValueError):
        Settings()


def test_describe_backend_hides_credentials():
    import redis

    from bot.runtime.cache import describe_backend

    client = redis.Redis.from_url("redis://:hunter2@db.internal:6380/2")
    assert describe_backend(client) == "Redis at db.internal:6380/2"


@pytest.mark.parametrize("variable", ["DYNO", "KUBERNETES_SERVICE_HOST", "SMALLCAPS_CONTAINER"])
def test_split_hosts_without_redis_url_refuse_to_start(monkeypatch, variable):
    monkeypatch.delenv("SMALLCAPS_ALLOW_EMBEDDED_REDIS", raising=False)
    with pytest.raises(ConfigError, match="REDIS_URL is not set"):
        Settings().require_shared_state({variable: "web.1"})


def test_shared_state_is_fine_with_redis_url_one_host_or_an_override(monkeypatch):
    Settings().require_shared_state({})  # one machine: the embedded Redis is shared
    Settings(redis_url="redis://redis:6379/0").require_shared_state({"DYNO": "web.1"})
    monkeypatch.setenv("SMALLCAPS_ALLOW_EMBEDDED_REDIS", "1")
    Settings().require_shared_state({"DYNO": "web.1"})
