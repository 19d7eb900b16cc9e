"""Notification (thông báo): tells citizens about their dossier by Zalo ZNS, SMS or e-mail."""
