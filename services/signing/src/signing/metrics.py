"""Signing's domain metrics."""

from collections.abc import Mapping
from datetime import datetime

from prometheus_client import Counter, Gauge

signatures = Counter("motcua_signatures_total", "Signatures made, by key and outcome.", ["signer", "outcome"])
verifications = Counter("motcua_verifications_total", "Verifications, by result.", ["result"])
certificate_expiry = Gauge("motcua_signing_certificate_expiry_timestamp_seconds",
                           "When each signer's certificate expires (notAfter), in Unix seconds.", ["signer"])


def report_certificate_expiry(not_after: Mapping[str, datetime]) -> None:
    """Publish the expiry of the certificates the process loaded; they change only with a restart."""
    for signer, moment in not_after.items():
        certificate_expiry.labels(signer).set(moment.timestamp())
