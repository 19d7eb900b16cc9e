"""Notification's settings, read once from the environment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from motcua.settings import CommonSettings, Env, SettingsError

from notification.pacing import NO_QUIET_HOURS, QuietHours

# Every channel the service can send on, in the default fallback order (Zalo ZNS, SMS, e-mail).
CHANNELS = ("zns", "sms", "email")
# The kinds of message the seeded rules make (catalog.py), each with its templates.
KINDS = ("received", "supplement_requested", "assigned", "due_soon", "apology_issued", "result_ready", "completed")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool
    username: str | None
    password: str | None
    timeout: float


@dataclass(frozen=True)
class SmsSettings:
    """An HTTP brandname-gateway (docs/notification.md describes the API it must speak)."""

    url: str
    api_key: str
    brandname: str
    provider: str
    timeout: float


@dataclass(frozen=True)
class SmppSettings:
    """An operator's SMSC over SMPP 3.4: where, who we bind as, and the sender name (alphanumeric)."""

    host: str
    port: int
    system_id: str
    password: str
    system_type: str
    source_addr: str
    provider: str
    timeout: float


@dataclass(frozen=True)
class ZnsSettings:
    """Zalo Notification Service: the OpenAPI base URL, the OA's access token and the approved template ids."""

    url: str
    access_token: str
    template_ids: dict[str, str]
    timeout: float


@dataclass(frozen=True)
class RetrySettings:
    """Transient failures: attempts per channel, then exponential backoff with jitter between them."""

    attempts: int
    first_delay: float
    max_delay: float
    lease: float


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    channels: tuple[str, ...]
    retry: RetrySettings
    smtp: SmtpSettings | None
    sms: SmsSettings | SmppSettings | None
    zns: ZnsSettings | None
    rating_url: str = ""
    quiet_hours: QuietHours = field(default_factory=lambda: QuietHours(time(22), time(7)))
    rate_limits: dict[str, float] = field(default_factory=dict)
    callback_secrets: dict[str, str] = field(default_factory=dict)
    callback_window: float = 300.0
    senders: int = 8

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        channels = channel_order(env.str("MOTCUA_NOTIFICATION_CHANNELS", ",".join(CHANNELS)))
        return cls(
            common=CommonSettings.from_env("notification", http_port=8084, grpc_port=50054, env=env),
            channels=channels,
            retry=retry_settings(env),
            smtp=smtp_settings(env) if "email" in channels else None,
            sms=sms_settings(env) if "sms" in channels else None,
            zns=zns_settings(env) if "zns" in channels else None,
            rating_url=rating_url(env.optional("MOTCUA_NOTIFICATION_RATING_URL") or ""),
            quiet_hours=quiet_hours(env.optional("MOTCUA_NOTIFICATION_QUIET_HOURS") or "22:00-07:00"),
            rate_limits=rate_limits(env.optional("MOTCUA_NOTIFICATION_RATE_LIMITS") or ""),
            callback_secrets=callback_secrets(env.optional("MOTCUA_NOTIFICATION_CALLBACK_SECRETS") or ""),
            callback_window=float(env.int("MOTCUA_NOTIFICATION_CALLBACK_WINDOW_SECONDS", 300, minimum=10,
                                          maximum=3600)),
            senders=env.int("MOTCUA_NOTIFICATION_SENDERS", 8, minimum=1, maximum=64),
        )


def channel_order(raw: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in raw.split(","))
    unknown = [name for name in names if name not in CHANNELS]
    if unknown or len(set(names)) != len(names):
        raise SettingsError(f"MOTCUA_NOTIFICATION_CHANNELS must list distinct channels of {', '.join(CHANNELS)} "
                            f"in fallback order, got {raw!r}")
    return names


def retry_settings(env: Env) -> RetrySettings:
    first = env.int("MOTCUA_NOTIFICATION_RETRY_FIRST_MS", 5_000, minimum=10, maximum=3_600_000)
    longest = env.int("MOTCUA_NOTIFICATION_RETRY_MAX_MS", 300_000, minimum=10, maximum=86_400_000)
    if longest < first:
        raise SettingsError(f"MOTCUA_NOTIFICATION_RETRY_MAX_MS ({longest}) must not be below "
                            f"MOTCUA_NOTIFICATION_RETRY_FIRST_MS ({first})")
    return RetrySettings(
        attempts=env.int("MOTCUA_NOTIFICATION_RETRY_ATTEMPTS", 5, minimum=1, maximum=50),
        first_delay=first / 1000, max_delay=longest / 1000,
        lease=float(env.int("MOTCUA_NOTIFICATION_LEASE_SECONDS", 300, minimum=30, maximum=3600)),
    )


def smtp_settings(env: Env) -> SmtpSettings:
    username, password = env.optional("MOTCUA_SMTP_USERNAME"), env.optional("MOTCUA_SMTP_PASSWORD")
    if username and not password:
        raise SettingsError("MOTCUA_SMTP_PASSWORD is required when MOTCUA_SMTP_USERNAME is set")
    return SmtpSettings(
        host=env.str("MOTCUA_SMTP_HOST", "127.0.0.1"),
        port=env.port("MOTCUA_SMTP_PORT", 2525),
        sender=env.str("MOTCUA_SMTP_FROM", "Một cửa điện tử <no-reply@motcua.local>"),
        starttls=env.bool("MOTCUA_SMTP_STARTTLS", False),
        username=username, password=password,
        timeout=float(env.int("MOTCUA_SMTP_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)),
    )


def sms_settings(env: Env) -> SmsSettings | SmppSettings:
    """The SMS channel's settings: an HTTP brandname gateway, or with MOTCUA_SMS_TRANSPORT=smpp an SMSC."""
    brandname = env.str("MOTCUA_SMS_BRANDNAME", "MOTCUA")
    if not (brandname.isascii() and 1 <= len(brandname) <= 11):
        raise SettingsError(f"MOTCUA_SMS_BRANDNAME must be 1 to 11 ASCII characters, got {brandname!r}")
    provider = env.str("MOTCUA_SMS_PROVIDER", "gateway")
    if not (provider.isascii() and provider.replace("-", "").isalnum() and len(provider) <= 32):
        raise SettingsError(f"MOTCUA_SMS_PROVIDER must be a short name of letters, digits and -, got {provider!r}")
    transport = env.str("MOTCUA_SMS_TRANSPORT", "http")
    if transport not in ("http", "smpp"):
        raise SettingsError(f"MOTCUA_SMS_TRANSPORT must be http or smpp, got {transport!r}")
    if transport == "smpp":
        return smpp_settings(env, brandname, provider.lower())
    return SmsSettings(
        url=env.url("MOTCUA_SMS_URL", "http://127.0.0.1:2531"),
        api_key=required("MOTCUA_SMS_API_KEY", env.optional("MOTCUA_SMS_API_KEY"), "sms"),
        brandname=brandname, provider=provider.lower(),
        timeout=float(env.int("MOTCUA_SMS_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)),
    )


def smpp_settings(env: Env, brandname: str, provider: str) -> SmppSettings:
    system_id = env.optional("MOTCUA_SMPP_SYSTEM_ID") or ""
    password = env.optional("MOTCUA_SMPP_PASSWORD") or ""
    system_type = env.optional("MOTCUA_SMPP_SYSTEM_TYPE") or ""
    # SMPP 3.4 (5.2): system_id at most 15 characters, password at most 8, system_type at most 12.
    for name, value, longest, needed in (("MOTCUA_SMPP_SYSTEM_ID", system_id, 15, True),
                                         ("MOTCUA_SMPP_PASSWORD", password, 8, True),
                                         ("MOTCUA_SMPP_SYSTEM_TYPE", system_type, 12, False)):
        if (needed and not value) or len(value) > longest or not value.isascii():
            raise SettingsError(f"{name} must be ASCII of at most {longest} characters"
                                + (" and is required with MOTCUA_SMS_TRANSPORT=smpp" if needed else ""))
    return SmppSettings(
        host=env.str("MOTCUA_SMPP_HOST", "127.0.0.1"), port=env.port("MOTCUA_SMPP_PORT", 2775),
        system_id=system_id, password=password, system_type=system_type, source_addr=brandname, provider=provider,
        timeout=float(env.int("MOTCUA_SMPP_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)))


def zns_settings(env: Env) -> ZnsSettings:
    return ZnsSettings(
        url=env.url("MOTCUA_ZNS_URL", "http://127.0.0.1:2530"),
        access_token=required("MOTCUA_ZNS_ACCESS_TOKEN", env.optional("MOTCUA_ZNS_ACCESS_TOKEN"), "zns"),
        template_ids=template_ids(required("MOTCUA_ZNS_TEMPLATE_IDS", env.optional("MOTCUA_ZNS_TEMPLATE_IDS"), "zns")),
        timeout=float(env.int("MOTCUA_ZNS_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)),
    )


QUIET = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?\Z")


def quiet_hours(raw: str) -> QuietHours:
    """`22:00-07:00` (Vietnam time, may wrap midnight; seconds allowed, `22:00:30`); `none` for none."""
    if raw.strip() == "none":
        return NO_QUIET_HOURS
    start, sep, end = (part.strip() for part in raw.partition("-"))
    ends = [QUIET.match(part) for part in (start, end)]
    if not sep or not all(ends):
        raise SettingsError(f"MOTCUA_NOTIFICATION_QUIET_HOURS must be HH:MM-HH:MM in Vietnam time, got {raw!r}")
    first, last = (time(*(int(g or 0) for g in match.groups())) for match in ends if match)
    return QuietHours(first, last)


def rate_limits(raw: str) -> dict[str, float]:
    """`zalo=50,gateway=100`: messages a second per replica for each provider (metric label) that has a limit."""
    found: dict[str, float] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        provider, sep, rate = (part.strip() for part in pair.partition("="))
        try:
            value = float(rate)
        except ValueError:
            value = 0.0
        if not sep or not provider or provider in found or not 0 < value <= 100_000:
            raise SettingsError(f"MOTCUA_NOTIFICATION_RATE_LIMITS must be provider=messages-per-second pairs "
                                f"(each once, above 0), got {pair!r}")
        found[provider] = value
    return found


def callback_secrets(raw: str) -> dict[str, str]:
    """`zalo=<secret>,gateway=<secret>`: the HMAC key of each provider whose delivery receipts are accepted."""
    found: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        provider, sep, secret = (part.strip() for part in pair.partition("="))
        if not sep or not provider or provider in found or len(secret) < 16:
            raise SettingsError(f"MOTCUA_NOTIFICATION_CALLBACK_SECRETS must be provider=secret pairs, each once, "
                                f"secrets of at least 16 characters; {provider or pair[:20]!r} is not one")
        found[provider] = secret
    return found


def rating_url(raw: str) -> str:
    """The rating page's address for result and completion messages; `{code}` becomes the dossier code."""
    if raw and not (raw.startswith(("https://", "http://")) and " " not in raw):
        raise SettingsError(f"MOTCUA_NOTIFICATION_RATING_URL must be an http(s) URL, got {raw!r}")
    return raw


def required(name: str, value: str | None, channel: str) -> str:
    if value is None:
        raise SettingsError(f"{name} is required when MOTCUA_NOTIFICATION_CHANNELS lists {channel}")
    return value


def template_ids(raw: str) -> dict[str, str]:
    """`received=231877,assigned=231878`: the Zalo template approved for each kind that has one.

    They seed version 1 of each kind's ZNS template; a kind without one is not sent by ZNS until the
    admin API gives it a ZNS template.
    """
    found: dict[str, str] = {}
    for pair in raw.split(","):
        kind, sep, template_id = (part.strip() for part in pair.partition("="))
        if not sep or kind not in KINDS or not template_id or kind in found:
            raise SettingsError(f"MOTCUA_ZNS_TEMPLATE_IDS must be kind=template_id pairs, kinds of {', '.join(KINDS)}, "
                                f"each once; {pair.strip()!r} is not one")
        found[kind] = template_id
    return found
