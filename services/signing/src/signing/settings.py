"""Signing's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motcua.settings import CommonSettings, Env, SettingsError

from signing.authorisation import parse_service_keys
from signing.pades import B_B, B_LT, B_T

# Where the signers' keys are: a PKCS#11 token (HSM; SoftHSM2 locally) or, in development, PKCS#12 files.
PKCS11 = "PKCS11"
PKCS12 = "PKCS12"
# PAdES baseline levels: B-B signs; B-T adds an RFC 3161 signature timestamp; B-LT also embeds the signer
# chain's revocation data (OCSP responses, CRLs) in the document's DSS.
LEVELS = (B_B, B_T, B_LT)


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    pki_dir: Path
    passphrase: bytes
    trust_roots: Path
    public_url: str
    key_store: str
    pkcs11_module: Path | None
    pkcs11_label: str
    pkcs11_pin: str
    service_keys: dict[str, frozenset[str]]
    tsa_url: str | None
    level: str
    ocsp_url: str | None
    revocation_max_age: int
    concurrency: int

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        pki_dir = env.path("MOTCUA_SIGNING_PKI_DIR", ".data/pki")
        key_store = env.choice("MOTCUA_SIGNING_KEY_STORE", PKCS11, (PKCS11, PKCS12))
        tsa_url = env.url("MOTCUA_SIGNING_TSA_URL", "") if env.optional("MOTCUA_SIGNING_TSA_URL") else None
        return cls(
            common=CommonSettings.from_env("signing", http_port=8083, grpc_port=50053, env=env),
            pki_dir=pki_dir,
            passphrase=env.str("MOTCUA_SIGNING_KEY_PASSPHRASE", "motcua-dev").encode(),
            trust_roots=env.path("MOTCUA_SIGNING_TRUST_ROOTS", str(pki_dir / "root.pem")),
            public_url=env.str("MOTCUA_SIGNING_PUBLIC_URL", "http://127.0.0.1:8083").rstrip("/"),
            key_store=key_store,
            pkcs11_module=env.path("MOTCUA_SIGNING_PKCS11_MODULE") if key_store == PKCS11 else None,
            pkcs11_label=env.str("MOTCUA_SIGNING_PKCS11_LABEL", "motcua"),
            pkcs11_pin=env.str("MOTCUA_SIGNING_PKCS11_PIN") if key_store == PKCS11 else "",
            tsa_url=tsa_url,
            level=_level(env, tsa_url),
            ocsp_url=env.url("MOTCUA_SIGNING_OCSP_URL", "") if env.optional("MOTCUA_SIGNING_OCSP_URL") else None,
            revocation_max_age=env.int("MOTCUA_SIGNING_REVOCATION_MAX_AGE", 300, minimum=0, maximum=86_400),
            concurrency=env.int("MOTCUA_SIGNING_CONCURRENCY", 2, minimum=1, maximum=64),
            service_keys=_service_keys(env.str("MOTCUA_SIGNING_SERVICE_KEYS", "intake:seal,routing:official,routing:seal")),
        )


def _level(env: Env, tsa_url: str | None) -> str:
    """The PAdES level to sign at: B-T when a TSA is configured and B-B otherwise, unless set."""
    level = env.choice("MOTCUA_SIGNING_LEVEL", B_T if tsa_url else B_B, LEVELS)
    if level != B_B and tsa_url is None:
        raise SettingsError(f"MOTCUA_SIGNING_LEVEL={level} needs a time-stamping authority: set MOTCUA_SIGNING_TSA_URL")
    if level == B_B and tsa_url is not None:
        raise SettingsError("MOTCUA_SIGNING_LEVEL=B-B makes no timestamp: unset MOTCUA_SIGNING_TSA_URL or choose B-T")
    return level


def _service_keys(text: str) -> dict[str, frozenset[str]]:
    try:
        return parse_service_keys(text)
    except ValueError as error:
        raise SettingsError(f"MOTCUA_SIGNING_SERVICE_KEYS: {error}") from None
