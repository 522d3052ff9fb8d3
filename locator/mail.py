"""Sending e-mail: SMTP when `LOCATOR_SMTP_HOST` is set, else `.eml` files in the instance
folder so a developer can read what would have gone out."""

from __future__ import annotations

import contextlib
import itertools
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from .models import utcnow


class Mailer:
    def __init__(self, config: dict, outbox: Path):
        self.host = config.get("SMTP_HOST")
        self.port = int(config.get("SMTP_PORT") or 25)
        self.username = config.get("SMTP_USERNAME")
        self.password = config.get("SMTP_PASSWORD")
        self.starttls = config.get("SMTP_STARTTLS", False)
        self.sender = config["MAIL_FROM"]
        self.outbox = outbox
        self._smtp: smtplib.SMTP | None = None
        self._serial = itertools.count(1)

    def message(self, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        return message

    def send(self, message: EmailMessage) -> None:
        """Deliver one message; raises (smtplib.SMTPException, OSError) if it was not accepted."""
        if not self.host:
            self.outbox.mkdir(parents=True, exist_ok=True)
            name = f"{utcnow():%Y%m%dT%H%M%S%f}-{next(self._serial):05d}.eml"
            (self.outbox / name).write_bytes(bytes(message))
            return
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError):
            self.close()
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None
