"""Signing's metrics: the expiry of every loaded signer certificate."""

from __future__ import annotations

import json
from datetime import datetime

from prometheus_client import REGISTRY
from signing import metrics
from signing.keystore import FileKeyStore
from signing.pki import PkiPaths


def test_each_signer_reports_the_not_after_of_its_certificate(pki: PkiPaths, keys: FileKeyStore) -> None:
    metrics.report_certificate_expiry(keys.not_after())
    manifest = json.loads(pki.manifest.read_text(encoding="utf-8"))
    for signer in ("official", "seal"):
        reported = REGISTRY.get_sample_value("motcua_signing_certificate_expiry_timestamp_seconds", {"signer": signer})
        assert reported == datetime.fromisoformat(manifest[signer]["not_after"]).timestamp()
