"""Builders for cross-service tests: tokens, applicants, attachments and dossier bodies, with keyword defaults."""

from __future__ import annotations

import io
import subprocess
from functools import cache
from typing import Any

import requests

from tests.conftest import ROOT

COMMUNE = "000.01.31.H56"
PROVINCE = "000.00.12.H56"
APPLICANT = {"full_name": "Nguyễn Thị Lan", "citizen_id": "001190012345", "birth_year": 1990,
             "phone": "0912345678", "email": "lan@example.vn"}
# The mandatory documents of the seed procedures the tests use.
MANDATORY = {
    "1.001193": ("to-khai", "giay-chung-sinh", "giay-to-tuy-than"),
    "2.000635": ("to-khai", "giay-to-tuy-than"),
    "1.004222": ("to-khai-ct01", "cho-o-hop-phap"),
}


@cache
def token(*args: str) -> str:
    """A dev token from the local key pair, e.g. token("--role", "clerk", "--agency", COMMUNE)."""
    out = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "motcua.devtoken", "--keys", str(ROOT / ".data/keys"),
                          *args], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def bearer(*args: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(*args)}"}


def clerk(agency: str = COMMUNE, sub: str = "tn-hac-thanh-01") -> dict[str, str]:
    return bearer("--role", "clerk", "--sub", sub, "--agency", agency)


def citizen(sub: str = APPLICANT["citizen_id"]) -> dict[str, str]:
    return bearer("--role", "citizen", "--sub", sub)


def admin() -> dict[str, str]:
    return bearer("--role", "admin", "--sub", "quan-tri-01")


def pdf(seed: str = "") -> bytes:
    """A small PDF whose bytes differ per seed (attachments are stored once by hash)."""
    return b"%PDF-1.4\n% " + seed.encode() + b"\n" + b"0" * 2048 + b"\n%%EOF\n"


def upload(base_url: str, content: bytes, headers: dict[str, str] | None = None, name: str = "giay-to.pdf") -> str:
    """Upload one attachment; returns its SHA-256 id."""
    response = requests.post(f"{base_url}/api/v1/attachments", files={"file": (name, io.BytesIO(content))},
                             headers=headers or citizen(), timeout=10)
    assert response.status_code in (200, 201), response.text
    return str(response.json()["sha256"])


def dossier_body(sha256: str, procedure_code: str = "1.001193", channel: str = "counter",
                 **overrides: Any) -> dict[str, Any]:
    """A complete submission: every mandatory document of the procedure, each pointing at the same upload."""
    return {"procedure_code": procedure_code, "channel": channel, "applicant": APPLICANT,
            "documents": [{"type": t, "attachment": sha256} for t in MANDATORY[procedure_code]], **overrides}
