"""The SMTP sink's directory read as arrivals: the first e-mail about each dossier and when it came."""

from __future__ import annotations

import email.parser
import email.policy
import os
import re
from pathlib import Path

# The notification subject is "Hồ sơ <code> ..." (RFC 2047 encoded, since it is Vietnamese).
DOSSIER_CODE = re.compile(r"[0-9A-Z]{3}(?:\.[0-9A-Z]{2,3}){3}-\d{6}-\d{4,}")


class MailWatcher:
    """Reads each new .eml once; the sink names files `<time_ns at receipt>-<counter>.eml`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.parser = email.parser.BytesHeaderParser(policy=email.policy.default)
        self.seen: set[str] = set()
        self.first_ns: dict[str, int] = {}
        self.total = 0
        self.unparsed = 0

    def scan(self) -> int:
        """Read the files that arrived since the last scan; returns how many."""
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return 0
        new = 0
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.endswith(".eml") or entry.name in self.seen:
                continue
            self.seen.add(entry.name)
            new += 1
            with open(entry.path, "rb") as handle:
                headers = self.parser.parse(handle)
            match = DOSSIER_CODE.search(str(headers.get("Subject", "")))
            if match is None:
                self.unparsed += 1
                continue
            received_ns = int(entry.name.split("-", 1)[0])
            code = match.group(0)
            if code not in self.first_ns or received_ns < self.first_ns[code]:
                self.first_ns[code] = received_ns
        self.total += new
        return new
