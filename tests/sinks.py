"""What the local SMTP, ZNS and SMS sinks received, read back for assertions."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path
from typing import Any


def mails_about(directory: Path, code: str) -> list[email.message.EmailMessage]:
    """The e-mails whose subject names the dossier, in arrival order."""
    found = []
    for path in sorted(Path(directory).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if code in str(message["Subject"]):
            found.append(message)
    return found


def requests_about(directory: Path, code: str) -> list[dict[str, Any]]:
    """The ZNS or SMS requests about the dossier (its code in the template data or the text), in order."""
    log = Path(directory) / "requests.jsonl"
    if not log.exists():
        return []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    return [line for line in lines if isinstance(line["body"], dict) and (
        line["body"].get("template_data", {}).get("code") == code or code in line["body"].get("text", ""))]


def pdus_to(directory: Path, number: str) -> list[dict[str, Any]]:
    """The submit_sm PDUs the local SMSC received for a destination number (84 and nine digits), in order."""
    log = Path(directory) / "pdus.jsonl"
    if not log.exists():
        return []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    return [line for line in lines if line["command"] == "submit_sm" and line["destination_addr"] == number]
