"""The signed-in person's own account: its e-mail address and password, and deleting it."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import email_messages, identifiers
from ..db import get_session
from ..forms.auth import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm
from ..forms.profile import ConfirmForm
from ..limits import EMAIL_LINKS, SIGN_IN, account_throttle, limited
from ..login import end_session, start_session
from ..security import security_event
from ..services import accounts
from .auth import safe_next, too_many_tries

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _signed_in():
    """Every page here is about the signed-in account."""


def _user():
    return current_user._get_current_object()


def _refused(template: str, form):
    """None if the form's current password is right, else the page again saying why. Wrong
    guesses count against the account as at sign-in, so that a session left open somewhere is
    not a way to find the password out."""
    throttle = account_throttle()
    wait = throttle.wait(current_user.email)
    if wait:
        security_event("password-check.throttled", account=current_user.id, wait=wait)
        return too_many_tries(template, form, form.current_password, wait)
    if accounts.password_matches(current_user, form.current_password.data):
        return None
    throttle.failed(current_user.email)
    security_event("password-check.failed", account=current_user.id)
    form.current_password.errors.append("Your current password is not correct")
    return render_template(template, form=form)


@bp.route("")
def index():
    return render_template("account/index.html", resend=ConfirmForm())


@bp.route("/send-confirmation", methods=["POST"])
@limited(EMAIL_LINKS)
def send_confirmation():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if current_user.email_verified:
        flash("Your email address is already confirmed.", "success")
    elif email_messages.send_limited(
        email_messages.confirm_email(email_messages.mailer(), _user()), "email-confirmation"
    ):
        flash(f"We have sent a new link to {current_user.email}. It works for "
              f"{accounts.VERIFY_MAX_AGE.days} days.", "success")
    else:  # (their own address: saying so tells nobody else anything)
        flash(f"We sent a link to {current_user.email} a few minutes ago: use that one, or ask "
              "again in 10 minutes. To protect people from unwanted email, we send an address no "
              "more than 3 links a day.", "info")
    return redirect(safe_next(url_for("account.index")))


@bp.route("/change-password", methods=["GET", "POST"])
@limited(SIGN_IN)
def change_password():
    template = "account/change_password.html"
    form = ChangePasswordForm()
    if form.validate_on_submit():
        refused = _refused(template, form)
        if refused is not None:
            return refused
        user = _user()
        accounts.set_password(get_session(), user, form.password.data)
        start_session(user)  # this browser stays signed in, with a new session; others end
        security_event("password.changed", logging.INFO, account=user.id)
        email_messages.send(email_messages.password_changed(email_messages.mailer(), user))
        flash("Your password has been changed. Anywhere else you were signed in, you have been "
              "signed out.", "success")
        return redirect(url_for("account.index"))
    return render_template(template, form=form)


@bp.route("/change-email", methods=["GET", "POST"])
@limited(SIGN_IN)
def change_email():
    template = "account/change_email.html"
    form = ChangeEmailForm()
    if form.validate_on_submit():
        refused = _refused(template, form)
        if refused is not None:
            return refused
        address = identifiers.normalise_email(form.email.data)
        if address == current_user.email:
            form.email.errors.append("This is already your email address")
            return render_template(template, form=form)
        email_messages.send_limited(
            email_messages.confirm_email(email_messages.mailer(), _user(), address),
            "email-confirmation",
        )
        return render_template("auth/check_email.html", email=address, purpose="change")
    return render_template(template, form=form)


@bp.route("/delete", methods=["GET", "POST"])
@limited(SIGN_IN)
def delete():
    template = "account/delete.html"
    form = DeleteAccountForm()
    if form.validate_on_submit():
        refused = _refused(template, form)
        if refused is not None:
            return refused
        user = _user()
        accounts.delete(get_session(), user)
        security_event("account.deleted", logging.INFO, account=user.id)
        end_session()
        flash("Your account has been deleted.", "success")
        return redirect(url_for("pages.home"))
    return render_template(template, form=form)
