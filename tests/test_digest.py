"""The weekly digest through a real SMTP server (aiosmtpd on localhost): double opt-in,
one-click unsubscribe, idempotent sending and finishing a run that stopped half-way."""

import email
import re
from datetime import timedelta
from email import policy

from helpers import post_form
from sqlmodel import select

from locator.models import DigestDelivery, Subscription, Supplier
from locator.weeks import IsoWeek

WEEK = IsoWeek.parse("2026-W27")


def _link(message, pattern):
    text = message.get_body(("plain",)).get_content()
    return re.search(pattern, text).group(0)


def _subscribe(client, address, **filters):
    return post_form(client, "/new-arrivals/subscribe", {"email": address, **filters})


def _confirm(client, smtp, address):
    url = _link(smtp.to(address)[-1], r"http://localhost/new-arrivals/subscribe/confirm/\S+")
    path = url.removeprefix("http://localhost")
    response = post_form(client, path, {})
    assert b"Subscription confirmed" in response.data
    return response


def _arrival(session, name, sectors=("education",), when=None):
    session.add(Supplier(
        name=name, slug=name.lower().replace(" ", "-"), summary=f"{name} does things",
        description="d", services=["s"], legal_form="limited-company", sectors=list(sectors),
        regions=["TLD"], cpv_codes=["72000000"], status="published",
        first_published_at=when or WEEK.starts + timedelta(days=1),
    ))
    session.commit()


def test_double_opt_in_sends_nothing_before_confirmation(client, session, runner, smtp):
    response = _subscribe(client, "Buyer@Council.example", sector=["education"])
    assert b"Check your email" in response.data
    [confirmation] = smtp.to("buyer@council.example")
    assert "Confirm" in confirmation["Subject"]
    _arrival(session, "Arrived Ltd")

    result = runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    assert "sent 0" in result.output
    assert len(smtp.messages) == 1  # still only the confirmation

    _confirm(client, smtp, "buyer@council.example")
    subscription = session.exec(select(Subscription)).one()
    assert subscription.filters == {"sector": ["education"]}
    result = runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    assert "sent 1" in result.output, result.output
    digest = smtp.to("buyer@council.example")[-1]
    assert "1 new supplier" in digest["Subject"]
    assert "Arrived Ltd" in digest.get_body(("plain",)).get_content()
    assert "Arrived Ltd" in digest.get_body(("html",)).get_content()
    assert digest["List-Unsubscribe"].startswith("<https://locator.example/new-arrivals/unsub")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_subscription_form_keeps_input_on_error(client, session):
    response = _subscribe(client, "not an email", sector=["education"])
    page = response.data.decode()
    assert "Enter an email address in the correct format" in page
    assert 'value="education" checked' in page
    assert session.exec(select(Subscription)).all() == []


def test_tampered_and_expired_links(app, client, session, smtp, monkeypatch):
    _subscribe(client, "a@example.com")
    url = _link(smtp.to("a@example.com")[-1], r"http://localhost/new-arrivals/subscribe/confirm/\S+")
    path = url.removeprefix("http://localhost")
    assert client.get(path + "x").status_code == 404
    from locator.services import digest
    monkeypatch.setattr(digest, "CONFIRM_MAX_AGE", timedelta(seconds=-1))
    expired = client.get(path)
    assert expired.status_code == 404 and b"This link has expired" in expired.data
    assert session.exec(select(Subscription)).one().confirmed_at is None


def test_one_click_unsubscribe_without_signing_in(client, session, runner, smtp):
    _subscribe(client, "leaver@example.com")
    _confirm(client, smtp, "leaver@example.com")
    _arrival(session, "First Ltd")
    runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    header = smtp.to("leaver@example.com")[-1]["List-Unsubscribe"].strip("<>")
    path = header.removeprefix("https://locator.example")
    assert b"Unsubscribe from the weekly email" in client.get(path).data
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})  # no CSRF, no session
    assert response.status_code == 200 and b"You have unsubscribed" in response.data
    later = WEEK.next()
    _arrival(session, "Second Ltd", when=later.starts + timedelta(hours=1))
    result = runner.invoke(args=["digest", "send", "--week", str(later)])
    assert "sent 0" in result.output
    assert client.post(path + "tampered").status_code == 404


def test_sending_is_idempotent_and_skips_empty_matches(client, session, runner, smtp):
    for address, sector in (("edu@example.com", "education"), ("nhs@example.com",
                                                                "health-social-care")):
        _subscribe(client, address, sector=[sector])
        _confirm(client, smtp, address)
    _arrival(session, "School Supplies Ltd")
    first = runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    assert "sent 1, no matches 1" in first.output
    second = runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    assert "sent 0, no matches 0, already done 2" in second.output
    assert len(smtp.to("edu@example.com")) == 2  # confirmation + one digest
    assert len(smtp.to("nhs@example.com")) == 1  # confirmation only
    dry = runner.invoke(args=["digest", "send", "--week", str(WEEK.next()), "--dry-run"])
    assert "edu@example.com: 0 new suppliers (nothing would be sent)" in dry.output
    assert session.exec(select(DigestDelivery).where(
        DigestDelivery.week == str(WEEK.next()))).all() == []


def test_a_run_that_stops_half_way_is_finished_without_duplicates(client, session, runner,
                                                                   smtp):
    addresses = [f"buyer{n}@example.com" for n in range(5)]
    for address in addresses:
        _subscribe(client, address)
        _confirm(client, smtp, address)
    _arrival(session, "Everyone Wants Ltd")
    smtp.refuse.add("buyer2@example.com")  # the mail server fails on the third message

    first = runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    assert first.exit_code == 1
    assert "sent 2" in first.output and "Run the command again" in first.output
    second = runner.invoke(args=["digest", "send", "--week", str(WEEK)])
    assert second.exit_code == 0, second.output
    assert "sent 3" in second.output and "already done 2" in second.output
    for address in addresses:
        digests = [m for m in smtp.to(address) if "week of" in m["Subject"]]
        assert len(digests) == 1, address


def test_default_week_is_the_one_that_just_ended(client, session, runner, smtp):
    _subscribe(client, "weekly@example.com")
    _confirm(client, smtp, "weekly@example.com")
    last_week = IsoWeek.current().previous()
    _arrival(session, "Last Week Ltd", when=last_week.starts + timedelta(hours=2))
    result = runner.invoke(args=["digest", "send"])
    assert f"Week {last_week}: sent 1" in result.output
    assert runner.invoke(args=["digest", "send", "--week", "2026-W99"]).exit_code == 2


def test_without_smtp_host_mail_is_written_to_files(app, client, tmp_path):
    app.config.update(SMTP_HOST=None, MAIL_OUTBOX=str(tmp_path / "mail"))
    _subscribe(client, "dev@example.com")
    [written] = (tmp_path / "mail").glob("*.eml")
    assert "dev@example.com" in written.read_text()
    # The file is the developer's copy of the e-mail: a whole message whose link works.
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "dev@example.com"
    assert "Confirm" in message["Subject"]
    url = _link(message, r"http://localhost/new-arrivals/subscribe/confirm/\S+")
    confirmed = post_form(client, url.removeprefix("http://localhost"), {})
    assert b"Subscription confirmed" in confirmed.data
