"""Settings: defaults, then `amityvox.toml`, then `AMITYVOX_*` environment variables, then flags.

Every setting has one flat name (``database_url``) used by the environment variable
(``AMITYVOX_DATABASE_URL``) and, inside its TOML table, by the file (``[storage] database_url``).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting is invalid; the message names it."""


def _setting(section: str, default: Any, doc: str, **limits: Any) -> Any:
    return field(default=default, metadata={"section": section, "doc": doc, **limits})


@dataclass(frozen=True)
class Settings:
    # [server]
    host: str = _setting("server", "127.0.0.1", "Address to listen on.")
    port: int = _setting("server", 8080, "TCP port for REST, the web client and /ws.", min=1, max=65535)
    public_url: str = _setting(
        "server", "", "Public base URL (e.g. https://chat.example.org); empty: derived from the request."
    )
    max_body_bytes: int = _setting("server", 1_048_576, "Largest accepted request body.", min=1024)
    rate_limit_per_second: int = _setting(
        "server", 50, "REST requests per second per token (per client address without one); 0: no limit.", min=0
    )
    rate_limit_route_scale: int = _setting(
        "server", 1, "Multiplies every per-route REST limit (ratelimit.BUCKETS); 0: no per-route limits.", min=0
    )
    log_level: str = _setting("server", "info", "debug, info, warning or error.")
    # [storage]
    data_dir: str = _setting("storage", "./data", "Directory for the SQLite database and uploads.")
    database_url: str = _setting(
        "storage", "", "SQLAlchemy URL; empty: sqlite in data_dir. postgresql://… uses asyncpg."
    )
    # [search]
    search_language: str = _setting(
        "search",
        "english",
        "PostgreSQL text search configuration for message search (english, simple, german…); a change"
        " rebuilds the index at the next start. SQLite always uses FTS5 with Porter stemming.",
    )
    # [messages]
    edit_history: bool = _setting(
        "messages",
        True,
        "Keep earlier versions of edited messages for GET /channels/{c}/messages/{m}/history; off: none"
        " are kept or shown.",
    )
    # [bus]
    bus_url: str = _setting(
        "bus", "memory://", "memory:// (one process) or nats://host:port, comma-separated for a cluster."
    )
    nats_replicas: int = _setting("bus", 1, "JetStream replicas for the event streams (3 in a cluster).", min=1, max=5)
    hold_workers: tuple[str, ...] = _setting(
        "bus",
        (),
        "Background workers (automod, notifications, link-previews…) that take no events in this"
        " process: their events wait for its next start (memory:// bus; maintenance and tests).",
    )
    # [auth]
    token_ttl_days: int = _setting("auth", 30, "Days a login token stays valid.", min=1)
    password_min_length: int = _setting("auth", 8, "Shortest accepted password.", min=6, max=128)
    login_max_attempts: int = _setting(
        "auth",
        10,
        "Failed logins to one account from one address before each retry waits twice as long as the last"
        " (one address: 5x this per window over all accounts).",
        min=1,
    )
    login_window_seconds: int = _setting("auth", 300, "Window of the per-address login limit.", min=1)
    login_backoff_max_seconds: int = _setting(
        "auth", 3600, "Longest wait between logins to one account from one address after failures.", min=1
    )
    registrations_per_hour: int = _setting("auth", 5, "Registrations per client address per hour; 0: unlimited.", min=0)
    argon2_time_cost: int = _setting("auth", 3, "Argon2id iterations.", min=1)
    argon2_memory_kib: int = _setting("auth", 65536, "Argon2id memory in KiB.", min=8)
    registration_open: bool = _setting("auth", True, "Whether anyone may register.")
    email_token_ttl_hours: int = _setting(
        "auth", 48, "Hours an e-mail verification link stays valid (a password reset link: one hour).", min=1
    )
    account_deletion_days: int = _setting(
        "auth", 14, "Days between DELETE /users/@me and the account's erasure; logging in meanwhile cancels it.", min=0
    )
    webauthn_rp_id: str = _setting(
        "auth",
        "",
        "Passkeys' relying party ID, a domain (e.g. chat.example.org); empty: the host of webauthn_origin.",
    )
    webauthn_origin: str = _setting(
        "auth",
        "",
        "The origin browsers report for passkeys (e.g. https://chat.example.org); empty: public_url's, else"
        " the request's.",
    )
    # [mail]
    smtp_host: str = _setting("mail", "", "SMTP server for account e-mail; empty: this instance sends no e-mail.")
    smtp_port: int = _setting(
        "mail", 587, "SMTP port (587 with starttls, 465 with tls, 25 with none).", min=1, max=65535
    )
    smtp_tls: str = _setting("mail", "starttls", "none, starttls (upgrade after connecting) or tls (from the start).")
    smtp_username: str = _setting("mail", "", "SMTP login; empty: no authentication.")
    smtp_password: str = _setting("mail", "", "SMTP password.")
    mail_from: str = _setting("mail", "", "Sender address of account e-mail (e.g. AmityVox <chat@example.org>).")
    # [gateway]
    heartbeat_interval_ms: int = _setting("gateway", 30_000, "Heartbeat interval sent in HELLO.", min=100)
    heartbeat_timeout_ms: int = _setting("gateway", 90_000, "Close 4009 after this long without a heartbeat.", min=100)
    identify_timeout_ms: int = _setting("gateway", 10_000, "IDENTIFY or RESUME deadline.", min=100)
    resume_window_s: int = _setting("gateway", 120, "How long a dropped session keeps buffering.", min=1)
    max_sessions_per_user: int = _setting(
        "gateway", 20, "Gateway sessions per user on each gateway process; one more is closed with 4008.", min=1
    )
    replay_buffer: int = _setting("gateway", 500, "Dispatches kept per session for RESUME.", min=500)
    send_buffer_kib: int = _setting("gateway", 1024, "Unsent data a connection may hold before 4010 (KiB).", min=16)
    max_frame_bytes: int = _setting("gateway", 16_384, "Largest client frame (close 4002 above).", min=1024)
    rate_limit_frames: int = _setting("gateway", 120, "Client frames allowed per rate window.", min=1)
    rate_limit_window_s: int = _setting("gateway", 60, "Rate window for client frames.", min=1)
    # [previews]
    link_previews: bool = _setting("previews", True, "Fetch link previews for URLs in messages.")
    preview_allow_hosts: tuple[str, ...] = _setting(
        "previews", (), "Private or loopback hosts previews may still fetch (e.g. for testing)."
    )
    # [webhooks]
    event_webhook_allow_hosts: tuple[str, ...] = _setting(
        "webhooks",
        (),
        "Private or loopback hosts event webhooks may still deliver to, over plain http too (e.g. for testing).",
    )
    event_webhook_retry_ms: int = _setting(
        "webhooks", 30_000, "Wait before the first retry of a failed event delivery; doubled each time.", min=10
    )
    # [bots]
    interaction_response_ms: int = _setting(
        "bots",
        3000,
        "How long a bot has to answer a command use (callback) before the member is told it did not"
        " respond and a later answer is refused, as on Discord.",
        min=50,
        max=60_000,
    )
    # [media]
    media_storage: str = _setting("media", "local", "Where uploads live: local (data_dir/media) or s3.")
    s3_endpoint: str = _setting("media", "", "S3-compatible endpoint URL (media_storage = s3).")
    s3_bucket: str = _setting("media", "amityvox", "S3 bucket for uploads (created if missing).")
    s3_region: str = _setting("media", "us-east-1", "S3 region used in request signatures.")
    s3_access_key: str = _setting("media", "", "S3 access key id.")
    s3_secret_key: str = _setting("media", "", "S3 secret access key.")
    upload_max_bytes: int = _setting("media", 25 * 1024 * 1024, "Largest file attached to a message.", min=1)
    upload_max_message_bytes: int = _setting(
        "media", 50 * 1024 * 1024, "Largest total size of the files on one message.", min=1
    )
    upload_max_files: int = _setting("media", 10, "Most files on one message.", min=1, max=100)
    upload_types: tuple[str, ...] = _setting(
        "media",
        (),
        "Content types (as detected from the bytes; image/* style prefixes allowed) accepted for"
        " attachments; empty: any. Others get 415.",
    )
    avatar_max_bytes: int = _setting("media", 8 * 1024 * 1024, "Largest avatar, guild icon or banner.", min=1)
    emoji_max_bytes: int = _setting("media", 512 * 1024, "Largest custom emoji image.", min=1)
    image_max_pixels: int = _setting(
        "media", 40_000_000, "Largest image (width x height) decoded; bigger ones are refused as bombs.", min=1
    )
    user_quota_bytes: int = _setting("media", 2 * 1024**3, "Bytes of files one user may keep; 0: no limit.", min=0)
    guild_quota_bytes: int = _setting(
        "media", 20 * 1024**3, "Bytes of files one guild's channels may hold; 0: no limit.", min=0
    )
    orphan_ttl_s: int = _setting(
        "media", 3600, "Seconds an upload may wait to be attached before the sweeper deletes it.", min=1
    )
    # [voice]
    livekit_url: str = _setting("voice", "ws://127.0.0.1:7880", "LiveKit server clients connect to.")
    livekit_api_key: str = _setting("voice", "devkey", "LiveKit API key used to sign tokens.")
    livekit_api_secret: str = _setting("voice", "devsecret-change-me-devsecret-change-me", "LiveKit API secret.")
    livekit_web: bool = _setting(
        "voice",
        False,
        "The web client connects to livekit_url for voice and video; off: peer to peer, with nothing else to run.",
    )
    voice_token_ttl_s: int = _setting(
        "voice", 600, "Lifetime of a LiveKit access token: how long a leaked or revoked one can still join.", min=30
    )
    ice_servers: str = _setting(
        "voice",
        "",
        "STUN/TURN URLs (comma-separated) the web client's peer-to-peer voice uses; empty: none, which"
        " is enough on one machine or a LAN.",
    )
    turn_username: str = _setting("voice", "", "Username sent with the turn: and turns: URLs of ice_servers.")
    turn_credential: str = _setting("voice", "", "Credential sent with the turn: and turns: URLs of ice_servers.")
    voice_max_peers: int = _setting(
        "voice", 6, "Largest peer-to-peer voice mesh: a client connects to at most this many others.", min=1, max=32
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{Path(self.data_dir).resolve() / 'amityvox.db'}"

    @property
    def mail_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def transport_max_frame(self) -> int:
        """The WebSocket layer's own limit: above ours, so an oversized frame gets our 4002."""
        return max(self.max_frame_bytes * 4, 65536)

    def with_overrides(self, **values: Any) -> Settings:
        """Apply non-None overrides (from flags), validated like any other source."""
        merged = {k: v for k, v in values.items() if v is not None}
        return _validated(replace(self, **{k: _coerce(k, v) for k, v in merged.items()}))


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// and sqlite:// URLs and pick the async drivers."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


_FIELDS = {f.name: f for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    if name not in _FIELDS:
        raise ConfigError(f"unknown setting {name!r}")
    f = _FIELDS[name]
    kind = type(f.default)
    try:
        if kind is bool:
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                value = lowered in ("1", "true", "yes", "on")
            elif not isinstance(value, bool):
                raise ValueError(value)
        elif kind is int:
            if isinstance(value, bool):
                raise ValueError(value)
            value = int(value)
        elif kind is tuple:
            if isinstance(value, str):
                value = tuple(v.strip() for v in value.split(",") if v.strip())
            elif isinstance(value, list | tuple):
                value = tuple(str(v) for v in value)
            else:
                raise ValueError(value)
        elif not isinstance(value, str):
            raise ValueError(value)
    except ValueError:
        raise ConfigError(
            f"setting {name!r} ([{f.metadata['section']}] {name}, AMITYVOX_{name.upper()}): "
            f"expected {kind.__name__}, got {value!r}"
        ) from None
    return value


def _validated(s: Settings) -> Settings:
    for name, f in _FIELDS.items():
        value = getattr(s, name)
        lo, hi = f.metadata.get("min"), f.metadata.get("max")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ConfigError(f"setting {name!r} must be between {lo} and {hi or '∞'}, got {value}")
    if s.log_level not in ("debug", "info", "warning", "error"):
        raise ConfigError(f"setting 'log_level' must be debug, info, warning or error, got {s.log_level!r}")
    entries = [part.strip() for part in s.bus_url.split(",")]
    if not (s.bus_url.startswith("memory://") or all(e.startswith("nats://") for e in entries)):
        raise ConfigError(
            f"setting 'bus_url' must be memory:// or a comma-separated list of nats:// URLs, got {s.bus_url!r}"
        )
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", s.search_language):
        raise ConfigError(f"setting 'search_language' must name a text search configuration, got {s.search_language!r}")
    url = s.resolved_database_url
    if not (url.startswith("sqlite+aiosqlite://") or url.startswith("postgresql+asyncpg://")):
        raise ConfigError(f"setting 'database_url' must be a sqlite:// or postgresql:// URL, got {s.database_url!r}")
    if s.media_storage not in ("local", "s3"):
        raise ConfigError(f"setting 'media_storage' must be local or s3, got {s.media_storage!r}")
    if s.media_storage == "s3" and not s.s3_endpoint:
        raise ConfigError("setting 's3_endpoint' is needed when media_storage is s3")
    if s.smtp_tls not in ("none", "starttls", "tls"):
        raise ConfigError(f"setting 'smtp_tls' must be none, starttls or tls, got {s.smtp_tls!r}")
    if s.smtp_host and not s.mail_from:
        raise ConfigError("setting 'mail_from' is needed when smtp_host is set")
    if s.heartbeat_timeout_ms <= s.heartbeat_interval_ms:
        raise ConfigError("setting 'heartbeat_timeout_ms' must exceed heartbeat_interval_ms")
    return s


def load(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build the settings: file (explicit path, $AMITYVOX_CONFIG, or ./amityvox.toml if present), then env."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    config_path = path or env.get("AMITYVOX_CONFIG")
    if config_path is None and Path("amityvox.toml").exists():
        config_path = "amityvox.toml"
    if config_path is not None:
        try:
            with open(config_path, "rb") as fh:
                document = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file {config_path} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_path}: {exc}") from None
        for section, table in document.items():
            if not isinstance(table, dict):
                raise ConfigError(f"config file {config_path}: {section!r} must be a [table]")
            for name, value in table.items():
                if name not in _FIELDS or _FIELDS[name].metadata["section"] != section:
                    raise ConfigError(f"config file {config_path}: unknown setting [{section}] {name}")
                values[name] = _coerce(name, value)
    for name in _FIELDS:
        key = f"AMITYVOX_{name.upper()}"
        if key in env:
            values[name] = _coerce(name, env[key])
    return _validated(Settings(**values))


def example_toml() -> str:
    """The documented example file, generated from the fields so it cannot drift."""
    out = ["# AmityVox settings. Every key may also be set as AMITYVOX_<KEY> in the environment."]
    section = None
    for name, f in _FIELDS.items():
        if f.metadata["section"] != section:
            section = f.metadata["section"]
            out.append(f"\n[{section}]")
        out.append(f"# {f.metadata['doc']}")
        out.append(f"{name} = {_toml_value(f.default)}")
    return "\n".join(out) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'
