"""Intake's domain metrics (labels are bounded: procedure codes come from the catalog)."""

from prometheus_client import Counter

dossiers_submitted = Counter(
    "motcua_dossiers_submitted_total", "Dossiers created, by procedure and channel.", ["procedure", "channel"]
)
dossiers_received = Counter(
    "motcua_dossiers_received_total", "Dossiers received by a clerk, by procedure and channel.", ["procedure", "channel"]
)
transitions = Counter(
    "motcua_dossier_transitions_total", "Status changes made at intake, by the new status.", ["status"]
)
attachments_stored = Counter(
    "motcua_attachments_stored_total", "Attachments uploaded, by whether the content was new.", ["outcome"]
)
forms_issued = Counter(
    "motcua_forms_issued_total", "Forms 01-03 rendered and signed, by form and outcome.", ["form", "outcome"]
)
receipts_without_rating_link = Counter(
    "motcua_receipts_without_rating_link_total",
    "Receipts (form 01) issued without the rating QR code because feedback gave no link, by the gRPC status.",
    ["code"],
)
