"""Every e-mail the product sends, through a real SMTP server, meets the standards mail systems
hold it to (`helpers.email_problems`, which the `smtp` fixture applies to every message any test
sends); and the digest's one-click unsubscribe headers are written raw, as RFC 8058 asks."""

import re
from datetime import date, timedelta
from pathlib import Path

from helpers import TEST_PASSWORD, email_problems, mail_link, post_form
from sqlmodel import select

from locator.models import Accreditation, Supplier, User
from locator.weeks import IsoWeek

TEMPLATES = Path(__file__).resolve().parent.parent / "locator" / "templates" / "email"
# Each e-mail the product sends (its template) and the subject it is sent with.
SUBJECTS = {
    "confirm": "Confirm your weekly email of new suppliers",
    "digest": "1 new supplier: week of",
    "confirm_email": "Confirm your email address",
    "already_registered": "You already have an account",
    "reset_password": "Reset your password",
    "no_account": "Reset your password",
    "password_changed": "Your password has been changed",
    # Notices to suppliers: expiry reminders here, review and claim decisions in test_admin.py.
    "notice": "ISO 9001 (quality management) expires on",
}
WEEK = IsoWeek.parse("2026-W27")


def test_every_email_the_product_sends_meets_the_standards(app, client, session, runner, smtp):
    assert set(SUBJECTS) == {p.stem for p in TEMPLATES.glob("*.txt")}, "an e-mail is untested"
    # The digest: subscribe, confirm, and a week with one new supplier.
    post_form(client, "/new-arrivals/subscribe", {"email": "buyer@council.example"})
    post_form(client, mail_link(smtp.to("buyer@council.example")[-1], "/new-arrivals/"), {})
    session.add(Supplier(name="Arrived Ltd", slug="arrived-ltd", summary="s", description="d",
                         status="published", first_published_at=WEEK.starts + timedelta(days=1)))
    session.commit()
    assert "sent 1" in runner.invoke(args=["digest", "send", "--week", str(WEEK)]).output
    # Accounts: registering (new, and taken), a reset (known, and unknown), a new password.
    data = {"password": TEST_PASSWORD, "confirm": TEST_PASSWORD}
    post_form(client, "/account/register", {"email": "owner@example.com", **data})
    post_form(client, "/account/register", {"email": "owner@example.com", **data})
    post_form(client, "/account/forgotten-password", {"email": "nobody@example.com"})
    post_form(client, "/account/forgotten-password", {"email": "owner@example.com"})
    reset = mail_link(smtp.to("owner@example.com")[-1], "/account/reset-password/")
    post_form(client, reset, {"password": "plum tractor lantern",
                              "confirm": "plum tractor lantern"})

    # A notice to a supplier: an accreditation expiring soon.
    owner = session.exec(select(User).where(User.email == "owner@example.com")).one()
    supplier = Supplier(name="Expiring Ltd", slug="expiring-ltd", owner_id=owner.id)
    supplier.accreditations = [Accreditation(type="iso-9001",
                                             expires_on=date.today() + timedelta(days=10))]
    session.add(supplier)
    session.commit()
    assert "sent 1" in runner.invoke(args=["reminders", "send"]).output

    subjects = [str(message["Subject"]) for message in smtp.messages]
    for template, subject in SUBJECTS.items():
        assert any(s.startswith(subject) for s in subjects), (template, subjects)
    for raw in smtp.raw:
        assert email_problems(raw) == []
    # The account e-mails link to this site from the text part and the HTML part alike.
    assert any("/account/confirm-email/" in m.get_body(("html",)).get_content()
               for m in smtp.to("owner@example.com"))


def test_the_digests_unsubscribe_headers_are_written_raw(client, session, runner, smtp):
    post_form(client, "/new-arrivals/subscribe", {"email": "buyer@council.example"})
    post_form(client, mail_link(smtp.to("buyer@council.example")[-1], "/new-arrivals/"), {})
    session.add(Supplier(name="Arrived Ltd", slug="arrived-ltd", summary="s", description="d",
                         status="published", first_published_at=WEEK.starts + timedelta(days=1)))
    session.commit()
    runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    raw = smtp.raw[-1]
    header = re.search(rb"^List-Unsubscribe: (.*)\r$", raw, re.MULTILINE)
    assert header, raw[:2000]
    assert re.fullmatch(rb"<https://locator\.example/new-arrivals/unsubscribe/[\w.-]+>",
                        header.group(1)), header.group(1)  # not folded, no =?utf-8?q?…?=
    assert re.search(rb"^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$", raw,
                     re.MULTILINE)
    assert b"=?" not in raw.split(b"\r\n\r\n", 1)[0]  # no header is RFC 2047-encoded


def test_the_standards_check_finds_what_it_looks_for():
    """The check is only worth its passes if it fails the mistakes it looks for."""
    good = (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\n"
            b"Date: Mon, 29 Jun 2026 07:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhttps://x.example/a\r\n")
    assert email_problems(good) == []
    assert email_problems(good.replace(b"Date: Mon, 29 Jun 2026 07:00:00 +0000\r\n", b""))
    assert email_problems(good.replace(b"Message-ID: <1@example.com>\r\n", b""))
    assert email_problems(good.replace(b"text/plain", b"text/html"))
    folded = good.replace(b"MIME-Version", b"List-Unsubscribe: =?utf-8?q?=3Chttps=3A//x?=\r\n"
                                          b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
                                          b"\r\nMIME-Version")
    assert any("RFC 8058" in problem for problem in email_problems(folded))
    assert email_problems(good.replace(b"https://x.example/a", b"x" * 1000))
