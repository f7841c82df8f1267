"""All configuration in one validated settings object, read from the environment.

Secrets are `SecretStr`, so they never show in a repr, a traceback or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STATE_DIR = Path.home() / ".local" / "state" / "smallcaps"


class ConfigError(ValueError):
    """Configuration is missing or unsafe; the message says which variable to set."""


class Settings(BaseSettings):
    """Environment variables (case-insensitive) and their defaults."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = Field(default="https://slack.com/api/")
    port: int = Field(default=3000, ge=1, le=65535)

    redis_url: SecretStr | None = None
    """A real Redis (`redis://host:6379/0`); unset means the embedded server below."""
    smallcaps_state_dir: Path = DEFAULT_STATE_DIR
    """Where the embedded Redis keeps its database and yfinance its caches."""
    smallcaps_web_workers: int = Field(default=4, ge=0, le=32)
    """Reply workers `serve` runs in its own process (threads taking jobs from the queue);
    0: the web process only acks and enqueues, `smallcaps worker` processes do the rest."""
    smallcaps_max_reply_wait_s: float = Field(default=120.0, gt=0, le=3600)
    """/healthz answers 503 when the oldest queued reply has waited longer (seconds)."""
    smallcaps_worker_nice: int = Field(default=10, ge=0, le=19)
    """How much lower than the web process's the reply workers' CPU priority is (Unix nice
    increment): on a shared machine an ack (Slack's 3-second deadline, ~1 ms of CPU) then takes
    a core ahead of a chart being drawn (~120 ms). 0: the same priority."""
    smallcaps_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """`worker` and `scheduler` serve /metrics on this port when set (serve uses PORT)."""
    smallcaps_stop_grace_s: float = Field(default=20.0, ge=0, le=600)
    """After SIGTERM, how long `serve` waits for acked replies still in progress (seconds;
    Heroku allows 30 s before SIGKILL, compose.yaml gives the web container 30 s)."""
    smallcaps_allow_embedded_redis: bool = False
    """Set when a platform variable suggests several hosts but every process really shares
    one machine and state directory (one container running serve with its worker, say)."""
    smallcaps_data_dir: Path | None = None
    """A folder of `<SYMBOL>.csv` files to use instead of Yahoo Finance (offline)."""
    smallcaps_risk_free_rate: float = 0.0
    """Annual risk-free rate for Sharpe ratios, as a fraction: 0.04 = 4 % a year."""

    @field_validator("smallcaps_risk_free_rate")
    @classmethod
    def _rate_is_a_fraction(cls, value: float) -> float:
        """Catch '4' meant as 4 %: the rate is a fraction between -5 % and 25 %."""
        if not -0.05 <= value <= 0.25:
            raise ValueError("SMALLCAPS_RISK_FREE_RATE is an annual rate as a fraction "
                             f"(0.04 = 4 %), between -0.05 and 0.25; got {value}")
        return value

    smallcaps_max_body_bytes: int = Field(default=1_048_576, ge=16_384, le=104_857_600)
    """HTTP mode: requests with a larger body get 413 unread (Slack's payloads are KB)."""

    smallcaps_admin_users: str = ""
    """Comma-separated Slack user IDs who may remove or pause anyone's alert rule and who see
    every channel's rules in App Home."""

    @property
    def admin_user_ids(self) -> frozenset[str]:
        """SMALLCAPS_ADMIN_USERS as a set of user IDs (blanks ignored)."""
        return frozenset(u.strip() for u in self.smallcaps_admin_users.split(",") if u.strip())

    smallcaps_alert_time: str = "16:30"
    """When the scheduler evaluates alerts on trading days (HH:MM, in SMALLCAPS_ALERT_TZ)."""
    smallcaps_alert_tz: str = "America/New_York"
    smallcaps_max_rules_per_channel: int = Field(default=25, ge=1, le=100)
    smallcaps_prerender: str = "buttons"
    """Reports the scheduler computes after each alert run, before anyone asks: `buttons`
    (every answer a switch button or App Home offers, plus table, rates, board, cuts and
    valuation), `off`, or comma-separated commands (`gap 3y, trend`). See handlers/prerender.py."""

    smallcaps_board: str = ""
    """The `board` rows: comma-separated `PAIR` or `PAIR=Label` items (`IWM/SPY, IJR/SPY=
    Profitable small caps`); empty means the default board (analytics.board.DEFAULT_BOARD)."""

    @field_validator("smallcaps_board")
    @classmethod
    def _board_parses(cls, value: str) -> str:
        from analytics.board import BoardError, parse_board  # lazy for start-up: pandas

        if value.strip():
            try:
                parse_board(value)
            except BoardError as exc:
                raise ValueError(f"SMALLCAPS_BOARD: {exc}") from None
        return value.strip()

    @field_validator("smallcaps_alert_time")
    @classmethod
    def _alert_time_is_hh_mm(cls, value: str) -> str:
        try:
            time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("SMALLCAPS_ALERT_TIME must be HH:MM, e.g. 16:30") from None
        return value.strip()

    @field_validator("smallcaps_alert_tz")
    @classmethod
    def _alert_tz_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("SMALLCAPS_ALERT_TZ must be an IANA time zone, e.g. "
                             "America/New_York") from None
        return value.strip()

    @property
    def alert_time(self) -> time:
        return time.fromisoformat(self.smallcaps_alert_time)

    @property
    def alert_zone(self) -> ZoneInfo:
        return ZoneInfo(self.smallcaps_alert_tz)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        """slack-sdk joins method names onto the base URL, so it must end with '/'."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("SLACK_API_URL must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_bot_token", "slack_app_token", "slack_signing_secret")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is configured, HTTP otherwise."""
        return self.slack_app_token is not None

    def require_slack(self) -> None:
        """Refuse to start the bot without the secrets its mode needs."""
        missing = []
        if self.slack_bot_token is None:
            missing.append("SLACK_BOT_TOKEN (xoxb-...)")
        if not self.socket_mode and self.slack_signing_secret is None:
            missing.append("SLACK_SIGNING_SECRET (HTTP mode verifies every request with it)")
        if missing:
            raise ConfigError("Set " + " and ".join(missing) + " to run the bot.")
        token = self.slack_app_token
        if token is not None and not token.get_secret_value().startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")

    def require_shared_state(self, environ: Mapping[str, str]) -> None:
        """Refuse to start a long-running process (serve, worker, scheduler, alerts run) with
        the embedded Redis where the environment says processes run on separate hosts: each
        would get its own database, so the scheduler would never see the rules people add,
        and a restarted container would lose them. Raises ConfigError naming the platform."""
        if self.redis_url is not None or self.smallcaps_allow_embedded_redis:
            return
        seen = [name for var, name in PLATFORM_HOST_VARIABLES.items() if environ.get(var)]
        if seen:
            raise ConfigError(
                f"This looks like {seen[0]}, where the bot's processes run on separate "
                "hosts, but REDIS_URL is not set: each process would keep its own embedded "
                "Redis, the scheduler would never see the alert rules people add, and they "
                "would vanish on restart. Set REDIS_URL to a Redis every process can reach "
                "(or SMALLCAPS_ALLOW_EMBEDDED_REDIS=1 if they really share one machine).")


PLATFORM_HOST_VARIABLES = {
    "DYNO": "Heroku (DYNO)",
    "KUBERNETES_SERVICE_HOST": "Kubernetes (KUBERNETES_SERVICE_HOST)",
    "FLY_MACHINE_ID": "Fly.io (FLY_MACHINE_ID)",
    "RENDER_SERVICE_ID": "Render (RENDER_SERVICE_ID)",
    "RAILWAY_SERVICE_ID": "Railway (RAILWAY_SERVICE_ID)",
    "K_SERVICE": "Cloud Run (K_SERVICE)",
    "ECS_CONTAINER_METADATA_URI_V4": "Amazon ECS (ECS_CONTAINER_METADATA_URI_V4)",
    "CONTAINER_APP_NAME": "Azure Container Apps (CONTAINER_APP_NAME)",
    "SMALLCAPS_CONTAINER": "the smallcaps container image (SMALLCAPS_CONTAINER)",
}
"""Variables a platform sets in every process it runs, each process on its own host or
container (documented by each platform); the image sets SMALLCAPS_CONTAINER itself."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()


def settings_with_data_dir(data_dir: Path | None) -> Settings:
    """Environment settings, with `data_dir` (a `--data-dir` option) taking precedence over
    SMALLCAPS_DATA_DIR; ConfigError when the data folder does not exist."""
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"smallcaps_data_dir": data_dir})
    folder = settings.smallcaps_data_dir
    if folder is not None and not Path(folder).is_dir():
        raise ConfigError(f"the data folder {folder} does not exist (--data-dir or "
                          "SMALLCAPS_DATA_DIR).")
    return settings
