"""Feedback's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.settings import CommonSettings, Env, SettingsError

from feedback.index import Group, parse_rules
from feedback.policy import Policies

MIN_SECRET = 32


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    # The key rating links are signed with (HMAC-SHA256); at least 32 characters.
    link_secret: bytes
    # Where citizens reach feedback's pages: the base of rating links and QR codes.
    public_url: str
    # A rating link stays valid this many days after the appointment.
    link_days: int
    # Subjects of the platform services (role service) that may ask for a dossier's link over gRPC.
    link_issuers: frozenset[str]
    # Requests per address per minute on the citizens' pages and rating API.
    rate_limit: int
    # Reverse proxies in front of the service whose X-Forwarded-For is trusted (0: use the peer address).
    trusted_proxies: int
    # A clerk's kiosk session (one dossier, one official) lasts this long.
    kiosk_seconds: int
    # Working days an agency has to answer a complaint.
    complaint_days: int
    policies: Policies
    # The groups and parts of the service index (Decision 766), from JSON; the built-in rules when unset.
    index_rules: tuple[Group, ...]
    # Seconds a process reuses an index it computed (0: compute at every request).
    index_cache_seconds: int

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        secret = env.str("MOTCUA_FEEDBACK_LINK_SECRET")
        if len(secret) < MIN_SECRET:
            raise SettingsError(f"MOTCUA_FEEDBACK_LINK_SECRET must be at least {MIN_SECRET} characters")
        return cls(
            common=CommonSettings.from_env("feedback", http_port=8085, grpc_port=50055, env=env),
            link_secret=secret.encode(),
            public_url=env.url("MOTCUA_FEEDBACK_PUBLIC_URL", "http://127.0.0.1:8085"),
            link_days=env.int("MOTCUA_FEEDBACK_LINK_DAYS", 30, minimum=1, maximum=365),
            link_issuers=parse_issuers(env.str("MOTCUA_FEEDBACK_LINK_ISSUERS", "intake")),
            rate_limit=env.int("MOTCUA_FEEDBACK_RATE_LIMIT", 30, minimum=1),
            trusted_proxies=env.int("MOTCUA_FEEDBACK_TRUSTED_PROXIES", 0, maximum=5),
            kiosk_seconds=env.int("MOTCUA_FEEDBACK_KIOSK_SECONDS", 600, minimum=30, maximum=86400),
            complaint_days=env.int("MOTCUA_FEEDBACK_COMPLAINT_DAYS", 10, minimum=1, maximum=90),
            policies=Policies.parse(env.str("MOTCUA_FEEDBACK_POLICY", "5:overall,timeliness,attitude"),
                                    env.optional("MOTCUA_FEEDBACK_AGENCY_POLICIES") or "",
                                    "MOTCUA_FEEDBACK_POLICY", "MOTCUA_FEEDBACK_AGENCY_POLICIES"),
            index_rules=parse_rules(env.optional("MOTCUA_FEEDBACK_INDEX_RULES"), "MOTCUA_FEEDBACK_INDEX_RULES"),
            index_cache_seconds=env.int("MOTCUA_FEEDBACK_INDEX_CACHE_SECONDS", 10, maximum=3600),
        )


def parse_issuers(text: str) -> frozenset[str]:
    """Read `intake,routing` into service subjects; at least one, each a plain name."""
    names = [name.strip() for name in text.split(",")]
    if not all(name and name.replace("-", "").isalnum() for name in names):
        raise SettingsError(f"MOTCUA_FEEDBACK_LINK_ISSUERS must be service names separated by commas, got {text!r}")
    return frozenset(names)
