"""Intake's domain metrics (labels are bounded: procedure codes come from the catalog)."""

from prometheus_client import Counter

dossiers_received = Counter(
    "motcua_dossiers_received_total", "Dossiers received, by procedure and channel.", ["procedure", "channel"]
)
attachments_stored = Counter(
    "motcua_attachments_stored_total", "Attachments uploaded, by whether the content was new.", ["outcome"]
)
