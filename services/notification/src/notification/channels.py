"""Delivery channels. E-mail over SMTP; each channel tells transient failures from permanent ones."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from notification.settings import SmtpSettings


class DeliveryError(Exception):
    """A failed delivery; permanent ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class SmtpChannel:
    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, *, message_id: str, to: str, subject: str, body: str) -> str:
        """Send one e-mail; returns the Message-ID header it carried."""
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = to
        email["Subject"] = subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(idstring=message_id, domain="motcua.local")
        email["X-Motcua-Message-Id"] = message_id
        email.set_content(body, charset="utf-8")
        try:
            with smtplib.SMTP(self.settings.host, self.settings.port, timeout=self.settings.timeout) as smtp:
                if self.settings.starttls:
                    smtp.starttls()
                if self.settings.username:
                    smtp.login(self.settings.username, self.settings.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"recipient refused: {error.recipients}", permanent=True) from error
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"SMTP {error.smtp_code}: {error.smtp_error!r}", permanent=error.smtp_code >= 500) from error
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}", permanent=False) from error
        return str(email["Message-ID"])
