"""The e-mails the service sends, rendered from templates. Needs a request context (the CLI
makes one for `LOCATOR_BASE_URL`) so links are absolute."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template, url_for

from .mailer import Mailer
from .models import Subscription, Supplier, User
from .services import accounts, digest
from .weeks import IsoWeek


def mailer() -> Mailer:
    return Mailer(current_app.config)


def send(message: EmailMessage) -> None:
    """Send one message now, on a connection of its own."""
    sender = mailer()
    try:
        sender.send(message)
    finally:
        sender.close()


def _token(purpose: str, subscription: Subscription) -> str:
    return digest.make_token(current_app.config["SECRET_KEY"], purpose, subscription)


def unsubscribe_url(subscription: Subscription) -> str:
    return url_for("digest.unsubscribe", token=_token("unsubscribe", subscription), _external=True)


def confirmation(sender: Mailer, subscription: Subscription) -> EmailMessage:
    context = {
        "subscription": subscription,
        "confirm_url": url_for(
            "digest.confirm", token=_token("confirm", subscription), _external=True
        ),
        "days": digest.CONFIRM_MAX_AGE.days,
    }
    return sender.message(
        subscription.email,
        "Confirm your weekly email of new suppliers",
        render_template("email/confirm.txt", **context),
        render_template("email/confirm.html", **context),
    )


def weekly_digest(
    sender: Mailer, subscription: Subscription, suppliers: list[Supplier], week: IsoWeek
) -> EmailMessage:
    unsubscribe = unsubscribe_url(subscription)
    context = {
        "subscription": subscription,
        "suppliers": suppliers,
        "week": week,
        "unsubscribe_url": unsubscribe,
        "week_url": url_for(
            "arrivals.any_week", week=str(week), _external=True, **subscription.filters
        ),
    }
    count = len(suppliers)
    message = sender.message(
        subscription.email,
        f"{count} new supplier{'s' if count != 1 else ''}: week of {week.label}",
        render_template("email/digest.txt", **context),
        render_template("email/digest.html", **context),
    )
    # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe button.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


# Accounts. Each is addressed to the account's owner, whoever filled in the form that sent it.


def _account_message(
    sender: Mailer, to: str, subject: str, template: str, **context
) -> EmailMessage:
    context = {"subject": subject, **context}
    return sender.message(
        to,
        subject,
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


def confirm_email(sender: Mailer, user: User, address: str | None = None) -> EmailMessage:
    """The link that confirms the owner reads `address`: the account's own, or the one they
    asked to change to."""
    token = accounts.email_token(current_app.config["SECRET_KEY"], user, address)
    return _account_message(
        sender,
        address or user.email,
        "Confirm your email address",
        "confirm_email",
        changing=address is not None and address != user.email,
        confirm_url=url_for("auth.confirm_email", token=token, _external=True),
        days=accounts.VERIFY_MAX_AGE.days,
    )


def already_registered(sender: Mailer, user: User) -> EmailMessage:
    """Someone tried to register an address that has an account: tell its owner, not them."""
    return _account_message(
        sender,
        user.email,
        "You already have an account",
        "already_registered",
        sign_in_url=url_for("auth.sign_in", _external=True),
        reset_url=url_for("auth.forgotten_password", _external=True),
    )


def reset_password(sender: Mailer, user: User) -> EmailMessage:
    token = accounts.reset_token(current_app.config["SECRET_KEY"], user)
    return _account_message(
        sender,
        user.email,
        "Reset your password",
        "reset_password",
        reset_url=url_for("auth.reset_password", token=token, _external=True),
        minutes=int(accounts.RESET_MAX_AGE.total_seconds() // 60),
    )


def no_account(sender: Mailer, address: str) -> EmailMessage:
    """A reset asked for an address with no account: the mailbox's owner learns that, and the
    person who asked learns nothing on the page."""
    return _account_message(
        sender,
        address,
        "Reset your password",
        "no_account",
        address=address,
        register_url=url_for("auth.register", _external=True),
    )


def password_changed(sender: Mailer, user: User) -> EmailMessage:
    return _account_message(
        sender,
        user.email,
        "Your password has been changed",
        "password_changed",
        reset_url=url_for("auth.forgotten_password", _external=True),
    )
