"""Subscribing to, confirming and leaving the weekly e-mail of new suppliers. Links in e-mails
carry signed tokens, so none of this needs an account."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .. import email_messages
from ..db import get_session
from ..forms.digest import SubscribeForm
from ..forms.profile import ConfirmForm
from ..identifiers import normalise_email
from ..limits import SUBSCRIBE, email_allowed, limited
from ..login import csrf
from ..services import digest

bp = Blueprint("digest", __name__, url_prefix="/new-arrivals")


def _subscription(purpose: str, token: str, max_age=None):
    return digest.read_token(
        get_session(), current_app.config["SECRET_KEY"], purpose, token, max_age=max_age
    )


@bp.route("/subscribe", methods=["GET", "POST"])
@limited(SUBSCRIBE)
def subscribe():
    form = (
        SubscribeForm()
        if request.method == "POST"
        else SubscribeForm(
            formdata=None, data={name: request.args.getlist(name) for name in SubscribeForm.FILTERS}
        )
    )
    if form.validate_on_submit():
        # At most a few confirmation e-mails to one address, however many people ask; past
        # that nothing is saved or sent, and the page says the same as when it is.
        if email_allowed(form.email.data, "subscription"):
            subscription = digest.subscribe(get_session(), form.email.data, form.filters())
            mailer = email_messages.mailer()
            mailer.send(email_messages.confirmation(mailer, subscription))
            mailer.close()
        return render_template("digest/check_email.html", email=normalise_email(form.email.data))
    return render_template("digest/subscribe.html", form=form)


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    try:
        subscription = _subscription("confirm", token, max_age=digest.CONFIRM_MAX_AGE)
    except digest.BadToken as error:
        return render_template("digest/bad_link.html", expired=error.expired), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        digest.confirm(get_session(), subscription)
        return render_template(
            "digest/confirmed.html",
            subscription=subscription,
            unsubscribe_url=email_messages.unsubscribe_url(subscription),
        )
    return render_template("digest/confirm.html", form=form, subscription=subscription)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: mail clients POST here; the signed token is the authority
def unsubscribe(token: str):
    try:
        subscription = _subscription("unsubscribe", token)
    except digest.BadToken:
        return render_template("digest/bad_link.html", expired=False), 404
    if request.method == "POST":
        digest.unsubscribe(get_session(), subscription)
        return render_template("digest/unsubscribed.html", subscription=subscription)
    return render_template("digest/unsubscribe.html", subscription=subscription)
