"""Intake (tiếp nhận hồ sơ): the procedure catalog, dossiers as received, attachments and receipts."""
