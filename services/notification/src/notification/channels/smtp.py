"""E-mail over SMTP, with STARTTLS (certificate checked) and AUTH when configured."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from notification.channels import DeliveryError, Outgoing
from notification.settings import SmtpSettings

# Lines up to RFC 5322's 998 characters: folding a long Vietnamese subject into several encoded words
# drops the space between two of them in Python's folder ("trả kết" arrives as "trảkết").
POLICY = SMTP.clone(max_line_length=998)


class SmtpChannel:
    name = "email"
    provider = "smtp"
    contact = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: Outgoing) -> str:
        """Send one e-mail; returns the Message-ID header it carried (the same on every retry)."""
        email = EmailMessage(policy=POLICY)
        email["From"] = self.settings.sender
        email["To"] = message.to
        email["Subject"] = message.content.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = f"<{message.reference}@motcua.local>"
        email["X-Motcua-Message-Id"] = message.reference
        email.set_content(message.content.text, charset="utf-8")
        try:
            with smtplib.SMTP(self.settings.host, self.settings.port, timeout=self.settings.timeout) as smtp:
                if self.settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.settings.username:
                    smtp.login(self.settings.username, self.settings.password or "")
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            raise smtp_error(error) from error
        return str(email["Message-ID"])


def smtp_error(error: OSError | smtplib.SMTPException) -> DeliveryError:
    """5xx answers are permanent; 4xx answers, refused or lost connections and timeouts are transient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return DeliveryError(f"recipient refused: {codes}", permanent=all(code >= 500 for code in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        return DeliveryError(f"SMTP {error.smtp_code}: {error.smtp_error!r}", permanent=error.smtp_code >= 500)
    return DeliveryError(f"{type(error).__name__}: {error}", permanent=False)
