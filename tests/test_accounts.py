"""Accounts through the real app, database and e-mails: registering and confirming the address,
signing in and out, the password policy, resetting and changing a password, changing the e-mail
address and deleting an account."""

from datetime import timedelta
from types import SimpleNamespace

import limits.storage.memory
import pytest
from helpers import (
    MARKETS,
    ORGANISATION,
    TEST_PASSWORD,
    admin_client,
    build_publishable_profile,
    csrf_token,
    mail_link,
    mail_to,
    post_form,
    publish_approved,
)
from sqlmodel import select

from locator.models import IndexQueueEntry, Subscription, Supplier, User
from locator.services import accounts

NEW_PASSWORD = "plum tractor lantern"


def _register(client, email="owner@example.com", password=TEST_PASSWORD, confirm=None):
    return post_form(client, "/account/register",
                     {"email": email, "password": password, "confirm": confirm or password})


def _sign_in(client, email="owner@example.com", password=TEST_PASSWORD):
    return post_form(client, "/account/sign-in", {"email": email, "password": password})


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def _user(session) -> User:
    """The one account that is not an administrator's."""
    session.expire_all()
    return session.exec(select(User).where(User.role != "admin")).one()


def test_registering_creates_an_unconfirmed_account_and_emails_a_link(app, client, session):
    response = _register(client, "Owner@Example.com")
    assert b"Check your email" in response.data
    assert b"We have sent an email to owner@example.com" in response.data
    assert not _signed_in(client)  # as for an address that has an account already
    user = _user(session)
    assert user.email == "owner@example.com" and user.role == "supplier"
    assert TEST_PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.email_verified_at is None

    [message] = mail_to(app, "owner@example.com")
    assert message["Subject"] == "Confirm your email address"
    link = mail_link(message, "/account/confirm-email/")
    page = client.get(link)
    assert b"Is owner@example.com your email address?" in page.data
    assert _user(session).email_verified_at is None  # opening the link alone is not enough
    confirmed = post_form(client, link, {})
    assert b"Your email address owner@example.com is confirmed" in confirmed.data
    assert confirmed.request.path == "/account/sign-in"
    assert _user(session).email_verified_at is not None


def test_confirmation_links_that_are_altered_or_expired_do_not_work(app, client, session,
                                                                    monkeypatch):
    _register(client)
    link = mail_link(mail_to(app, "owner@example.com")[-1], "/account/confirm-email/")
    altered = client.get(link[:-3] + "abc")
    assert altered.status_code == 404 and b"This link does not work" in altered.data
    monkeypatch.setattr(accounts, "VERIFY_MAX_AGE", timedelta(seconds=-1))
    expired = client.post(link, data={"csrf_token": csrf_token(client.get("/account/sign-in"))})
    assert expired.status_code == 404 and b"This link has expired" in expired.data
    assert _user(session).email_verified_at is None


def test_publishing_needs_a_confirmed_address_and_the_link_can_be_sent_again(
    app, client, session, sign_up, monkeypatch
):
    now = [1_900_000_000.0]  # the clock of the e-mail limits (one link per 10 minutes)
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: now[0]))
    sign_up(confirm=False)
    dashboard = client.get("/profile").data
    assert b"Confirm your email address before you publish" in dashboard
    build_publishable_profile(client)
    refused = post_form(client, "/profile/publish", {}, form_page="/profile")
    assert b"Confirm your email address before you publish" in refused.data
    assert session.exec(select(Supplier)).one().status == "draft"

    too_soon = post_form(client, "/account/send-confirmation?next=/profile", {},
                         form_page="/profile")
    assert b"We sent a link to owner@example.com a few minutes ago" in too_soon.data
    now[0] += 11 * 60
    resent = post_form(client, "/account/send-confirmation?next=/profile", {},
                       form_page="/profile")
    assert resent.request.path == "/profile"
    assert b"We have sent a new link to owner@example.com" in resent.data
    first, second = mail_to(app, "owner@example.com")
    post_form(client, mail_link(second, "/account/confirm-email/"), {})
    sent = post_form(client, "/profile/publish", {}, form_page="/profile")
    assert b"Your profile has been sent for review" in sent.data
    assert b"Confirm your email address before" not in sent.data


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short one", b"Password must be at least 12 characters"),
        ("qwerty123456", b"This password is on a list of common passwords"),
        ("Password1234", b"This password is on a list of common passwords"),  # any case
        ("x" * 129, b"Password must be 128 characters or fewer"),
    ],
)
def test_passwords_that_are_refused(client, session, password, message):
    response = _register(client, "owner@example.com", password)
    assert response.status_code == 200
    assert message in response.data
    assert b'value="owner@example.com"' in response.data  # what was typed is kept
    assert b"<title>Error: " in response.data
    assert session.exec(select(User)).all() == []


def test_a_long_passphrase_is_accepted(client, session):
    passphrase = "ünïcode and spaces are fine " * 4  # 112 characters
    assert b"Check your email" in _register(client, password=passphrase).data
    assert b"Enter a correct" not in _sign_in(client, password=passphrase).data
    assert _signed_in(client)


def test_register_validation_messages(client, session):
    response = _register(client, "not-an-email", "short", confirm="different")
    assert b"Enter an email address in the correct format" in response.data
    assert b"Password must be at least 12 characters" in response.data
    assert b"Passwords do not match" in response.data
    assert session.exec(select(User)).all() == []


def test_sign_in_wrong_password_then_right_one_records_last_login(client, session, sign_up):
    sign_up("owner@example.com")
    post_form(client, "/account/sign-out", {})
    wrong = _sign_in(client, password="nope nope nope")
    assert b"Enter a correct email address and password" in wrong.data
    assert b'value="owner@example.com"' in wrong.data
    before = _user(session).last_login_at

    right = _sign_in(client, "Owner@Example.com")
    assert right.request.path == "/profile"
    assert _user(session).last_login_at > before


def test_sign_out_needs_the_form_and_ends_the_session(client, sign_up):
    sign_up()
    assert client.get("/account/sign-out").status_code == 200
    assert client.post("/account/sign-out", data={}).status_code == 400  # no CSRF token
    response = post_form(client, "/account/sign-out", {})
    assert b"You have signed out" in response.data
    assert client.get("/profile").status_code == 302


def test_sign_in_next_only_goes_to_this_site(client, sign_up):
    sign_up()
    post_form(client, "/account/sign-out", {})
    data = {"email": "owner@example.com", "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client.get("/account/sign-in"))}
    evil = client.post("/account/sign-in?next=https://evil.example/", data=data)
    assert evil.headers["Location"] == "/profile"
    post_form(client, "/account/sign-out", {}, form_page="/account/sign-out")
    data["csrf_token"] = csrf_token(client.get("/account/sign-in"))
    good = client.post("/account/sign-in?next=/suppliers", data=data)
    assert good.headers["Location"] == "/suppliers"


def test_form_without_csrf_token_is_refused_with_a_page_not_a_500(client):
    response = client.post(
        "/account/register",
        data={"email": "a@example.com", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD},
    )
    assert response.status_code == 400
    assert b"Your form expired" in response.data


def test_password_reset_journey(app, client, session, sign_up):
    sign_up()
    post_form(client, "/account/sign-out", {})
    sign_in_page = client.get("/account/sign-in").data
    assert b'href="/account/forgotten-password"' in sign_in_page
    sent = post_form(client, "/account/forgotten-password", {"email": "OWNER@example.com"})
    assert b"Check your email" in sent.data
    message = mail_to(app, "owner@example.com")[-1]
    assert message["Subject"] == "Reset your password"
    assert "within 60 minutes" in message.get_body(("plain",)).get_content()
    link = mail_link(message, "/account/reset-password/")

    mismatch = post_form(client, link, {"password": NEW_PASSWORD, "confirm": "other"})
    assert b"Passwords do not match" in mismatch.data
    common = post_form(client, link, {"password": "qwerty123456", "confirm": "qwerty123456"})
    assert b"list of common passwords" in common.data
    done = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.request.path == "/account/sign-in"
    assert b"Your password has been changed" in done.data
    assert mail_to(app, "owner@example.com")[-1]["Subject"] == "Your password has been changed"

    again = client.get(link)  # a link works once
    assert again.status_code == 404 and b"This link does not work" in again.data
    assert b"Enter a correct email address" in _sign_in(client).data
    assert _sign_in(client, password=NEW_PASSWORD).request.path == "/profile"


def test_reset_links_expire_after_an_hour(app, client, session, sign_up, monkeypatch):
    sign_up()
    post_form(client, "/account/forgotten-password", {"email": "owner@example.com"})
    link = mail_link(mail_to(app, "owner@example.com")[-1], "/account/reset-password/")
    assert timedelta(hours=1) == accounts.RESET_MAX_AGE
    monkeypatch.setattr(accounts, "RESET_MAX_AGE", timedelta(seconds=-1))
    expired = client.get(link)
    assert expired.status_code == 404 and b"This link has expired" in expired.data
    assert b'href="/account/forgotten-password"' in expired.data


def test_reset_for_an_address_without_an_account_tells_that_mailbox(app, client, session):
    sent = post_form(client, "/account/forgotten-password", {"email": "nobody@example.com"})
    assert b"Check your email" in sent.data
    [message] = mail_to(app, "nobody@example.com")
    assert "no account uses this email address" in message.get_body(("plain",)).get_content()
    assert session.exec(select(User)).all() == []


def test_change_password_asks_for_the_current_one(app, client, session, sign_up):
    sign_up()
    account = client.get("/account").data
    assert b"owner@example.com" in account and b"Confirmed" in account
    old_hash = _user(session).password_hash
    wrong = post_form(client, "/account/change-password",
                      {"current_password": "not my password", "password": NEW_PASSWORD,
                       "confirm": NEW_PASSWORD})
    assert b"Your current password is not correct" in wrong.data
    assert _user(session).password_hash == old_hash
    changed = post_form(client, "/account/change-password",
                        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD,
                         "confirm": NEW_PASSWORD})
    assert b"Your password has been changed" in changed.data
    assert changed.request.path == "/account"
    assert _signed_in(client)  # this browser stays signed in
    assert mail_to(app, "owner@example.com")[-1]["Subject"] == "Your password has been changed"
    post_form(client, "/account/sign-out", {})
    assert b"Enter a correct email address" in _sign_in(client).data
    assert _sign_in(client, password=NEW_PASSWORD).request.path == "/profile"


def test_change_email_moves_the_account_only_once_the_new_address_is_confirmed(
    app, client, session, sign_up
):
    sign_up()
    same = post_form(client, "/account/change-email",
                     {"email": "owner@example.com", "current_password": TEST_PASSWORD})
    assert b"This is already your email address" in same.data
    wrong = post_form(client, "/account/change-email",
                      {"email": "new@example.com", "current_password": "not my password"})
    assert b"Your current password is not correct" in wrong.data
    assert b'value="new@example.com"' in wrong.data
    assert mail_to(app, "new@example.com") == []

    sent = post_form(client, "/account/change-email",
                     {"email": "New@Example.com", "current_password": TEST_PASSWORD})
    assert b"We have sent a link to new@example.com" in sent.data
    assert _user(session).email == "owner@example.com"  # not until the link is opened
    [message] = mail_to(app, "new@example.com")
    assert "change the email address" in message.get_body(("plain",)).get_content()
    confirmed = post_form(client, mail_link(message, "/account/confirm-email/"), {})
    assert b"Your email address new@example.com is confirmed" in confirmed.data
    assert confirmed.request.path == "/account"
    user = _user(session)
    assert user.email == "new@example.com" and user.email_verified_at is not None
    post_form(client, "/account/sign-out", {})
    assert b"Enter a correct email address" in _sign_in(client, "owner@example.com").data
    assert _sign_in(client, "new@example.com").request.path == "/profile"


def test_a_change_email_link_for_an_address_taken_since_changes_nothing(app, client, session,
                                                                         sign_up):
    sign_up()
    post_form(client, "/account/change-email",
              {"email": "taken@example.com", "current_password": TEST_PASSWORD})
    link = mail_link(mail_to(app, "taken@example.com")[-1], "/account/confirm-email/")
    accounts.register(session, "taken@example.com", TEST_PASSWORD)
    response = post_form(client, link, {})
    assert b"Another account already uses taken@example.com" in response.data
    emails = sorted(u.email for u in session.exec(select(User)))
    assert emails == ["owner@example.com", "taken@example.com"]


def test_delete_account_unpublishes_the_profile_and_removes_personal_data(app, client, session,
                                                                          sign_up):
    sign_up()
    publish_approved(client, admin_client(app), session)
    post_form(client, "/profile/section/contact",
              {"contact_name": "Ada Owner", "contact_email": "ada@kestrel.example",
               "contact_phone": "01632 960000"})
    assert session.exec(select(Supplier)).one().status == "published"
    queued = len(session.exec(select(IndexQueueEntry)).all())

    page = client.get("/account/delete")
    assert b"You cannot undo this" in page.data
    wrong = post_form(client, "/account/delete", {"current_password": "not my password"})
    assert b"Your current password is not correct" in wrong.data
    assert _user(session).deleted_at is None

    deleted = post_form(client, "/account/delete", {"current_password": TEST_PASSWORD})
    assert b"Your account has been deleted" in deleted.data
    assert not _signed_in(client)
    session.expire_all()
    supplier = session.exec(select(Supplier)).one()
    assert supplier.status == "draft" and supplier.owner_id is None
    assert (supplier.contact_name, supplier.contact_email, supplier.contact_phone) == (
        None, None, None)
    assert supplier.name == ORGANISATION["name"] and supplier.regions == MARKETS["regions"]
    assert len(session.exec(select(IndexQueueEntry)).all()) == queued + 1  # leaves search
    user = _user(session)
    assert user.deleted_at is not None
    assert "owner" not in user.email and user.password_hash == ""
    assert client.get("/suppliers/kestrel-hill-cyber-ltd").status_code == 404
    assert b"Enter a correct email address" in _sign_in(client).data
    # The address is free again.
    assert b"Check your email" in _register(client).data
    assert len(session.exec(select(User).where(User.role != "admin")).all()) == 2


def test_account_pages_need_signing_in(client):
    for path in ("/account", "/account/change-password", "/account/change-email",
                 "/account/delete"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/sign-in")


def test_create_admin_command(runner, session):
    result = runner.invoke(args=["create-admin", "Boss@Example.com", "--password",
                                 TEST_PASSWORD])
    assert result.exit_code == 0, result.output
    assert session.exec(select(User)).one().role == "admin"
    again = runner.invoke(args=["create-admin", "boss@example.com", "--password", TEST_PASSWORD])
    assert "Promoted" in again.output
    short = runner.invoke(args=["create-admin", "x@example.com", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 12 characters" in short.output
    common = runner.invoke(args=["create-admin", "x@example.com", "--password", "qwerty123456"])
    assert common.exit_code != 0 and "common passwords" in common.output


def test_deleting_an_account_ends_the_new_arrivals_emails_to_its_address(
    app, client, session, sign_up, runner
):
    """The delete page promises the address is deleted: subscriptions held it too."""
    for address in ("owner@example.com", "buyer@example.com"):
        post_form(client, "/new-arrivals/subscribe", {"email": address})
        link = mail_link(mail_to(app, address)[-1], "/new-arrivals/subscribe/confirm/")
        assert b"Subscription confirmed" in post_form(client, link, {}).data
    sign_up("owner@example.com")
    assert b"new-arrivals emails" in client.get("/account/delete").data
    post_form(client, "/account/delete", {"current_password": TEST_PASSWORD})

    rows = session.exec(select(Subscription).order_by(Subscription.id)).all()
    assert [r.is_active for r in rows] == [False, True]
    assert "owner@example.com" not in [r.email for r in rows]
    assert rows[1].email == "buyer@example.com"
    sent = runner.invoke(args=["digest", "send", "--dry-run"]).output
    assert "owner@example.com" not in sent and "buyer@example.com" in sent
