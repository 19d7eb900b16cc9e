"""Signing's domain metrics."""

from prometheus_client import Counter

signatures = Counter("motcua_signatures_total", "Signatures made, by key and outcome.", ["signer", "outcome"])
verifications = Counter("motcua_verifications_total", "Verifications, by result.", ["result"])
