"""The e-mails the service sends, rendered from templates. Every link in them is built by
`urls.external_url`: from `LOCATOR_BASE_URL` in production, never from a request's Host header."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template

from .mailer import Mailer
from .models import Subscription, Supplier
from .services import digest
from .urls import external_url
from .weeks import IsoWeek


def mailer() -> Mailer:
    return Mailer(current_app.config)


def _token(purpose: str, subscription: Subscription) -> str:
    return digest.make_token(current_app.config["SECRET_KEY"], purpose, subscription)


def unsubscribe_url(subscription: Subscription) -> str:
    return external_url("digest.unsubscribe", token=_token("unsubscribe", subscription))


def confirmation(sender: Mailer, subscription: Subscription) -> EmailMessage:
    context = {
        "subscription": subscription,
        "confirm_url": external_url("digest.confirm", token=_token("confirm", subscription)),
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
        "week_url": external_url("arrivals.any_week", week=str(week), **subscription.filters),
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
