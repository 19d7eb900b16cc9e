"""Notification (thông báo): tells citizens about their dossier by e-mail (SMS and Zalo follow)."""
