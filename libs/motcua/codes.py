"""Identifiers every service checks the same way."""

from __future__ import annotations

import re

# Mã hồ sơ: <agency id>-<yymmdd>-<sequence>, e.g. 000.01.31.H56-251020-0001 (intake issues them). ASCII only,
# and \Z rather than $ (which also matches before a final newline).
DOSSIER_CODE = re.compile(r"^[0-9A-Z]{3}(\.[0-9A-Z]{2,3}){3}-[0-9]{6}-[0-9]{4,}\Z")
