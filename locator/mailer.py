"""Sending e-mail: SMTP when `LOCATOR_SMTP_HOST` is set, else `.eml` files in the instance
folder so a developer can read what would have gone out."""

from __future__ import annotations

import contextlib
import itertools
import smtplib
import ssl
from email import headerregistry, policy, utils
from email.message import EmailMessage
from pathlib import Path

from .models import utcnow


class _Verbatim(headerregistry.UnstructuredHeader):
    """Written exactly as set: mail providers offer one-click unsubscribe only for the plain
    `<https://…>` form of RFC 8058's headers, which the email package would otherwise fold into
    RFC 2047 encoded words once the URL passes 78 characters. Values are ASCII and short."""

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


_HEADERS = headerregistry.HeaderRegistry()
for _name in ("List-Unsubscribe", "List-Unsubscribe-Post"):
    _HEADERS.map_to_type(_name.lower(), _Verbatim)
POLICY = policy.default.clone(header_factory=_HEADERS)


class Mailer:
    """One connection's worth of sending, configured from the app's `SMTP_*` and `MAIL_*`
    settings (defaults in `config.py`)."""

    def __init__(self, config: dict):
        self.host = config["SMTP_HOST"]
        self.port = config["SMTP_PORT"]
        self.username = config["SMTP_USERNAME"]
        self.password = config["SMTP_PASSWORD"]
        self.starttls = config["SMTP_STARTTLS"]
        self.sender = config["MAIL_FROM"]
        self.outbox = Path(config["MAIL_OUTBOX"])
        self._smtp: smtplib.SMTP | None = None
        self._serial = itertools.count(1)

    def message(self, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
        message = EmailMessage(policy=POLICY)
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = utils.format_datetime(utcnow())
        domain = utils.parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        message["Message-ID"] = utils.make_msgid(domain=domain)
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
