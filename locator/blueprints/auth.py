"""Registering, signing in and out, confirming an e-mail address and resetting a password.

No page here tells a stranger whether an address has an account: registering a taken address,
signing in to an unknown one and asking to reset its password answer exactly as for any other
address (the owner of a registered address gets an e-mail about it instead). Wrong passwords
count against the account as well as the client's address (`limits.AccountThrottle`).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import email_messages, identifiers
from ..db import get_session
from ..forms.auth import (
    ForgottenPasswordForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
    SignOutForm,
)
from ..forms.profile import ConfirmForm
from ..limits import EMAIL_LINKS, REGISTER, SIGN_IN, account_throttle, limited
from ..login import end_session, start_session
from ..security import security_event
from ..services import accounts, tokens

bp = Blueprint("auth", __name__, url_prefix="/account")


def safe_next(default: str) -> str:
    """Only same-site relative paths, so `next=` cannot send someone to another site. Browsers
    read a backslash as a slash and drop tabs and line breaks, so `/\\evil.example` would go
    where `//evil.example` does; Werkzeug percent-encodes them in `Location` today, but this
    check does not rely on that."""
    target = request.args.get("next", "")
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return default
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def _account_id(email: str) -> int | None:
    """The id of the account an address typed into a form belongs to, for the security log
    (which never holds what was typed: it may be a password in the wrong box)."""
    user = accounts.find_by_email(get_session(), email)
    return user.id if user is not None else None


def too_many_tries(template: str, form, field, wait: int, **context):
    """The form again with a 429: this account has had too many wrong passwords lately."""
    minutes = -(-wait // 60)
    field.errors.append(
        "You have entered a wrong password for this account too many times. "
        f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again"
    )
    response = make_response(render_template(template, form=form, **context), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/register", methods=["GET", "POST"])
@limited(REGISTER)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("profile.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        session = get_session()
        sender = email_messages.mailer()
        try:
            user = accounts.register(session, form.email.data, form.password.data)
            message, kind = email_messages.confirm_email(sender, user), "email-confirmation"
        except accounts.EmailTaken:
            owner = accounts.find_by_email(session, form.email.data)
            message, kind = email_messages.already_registered(sender, owner), "already-registered"
        email_messages.send_limited(message, kind)
        return render_template(
            "auth/check_email.html", email=identifiers.normalise_email(form.email.data),
            purpose="register",
        )
    return render_template("auth/register.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limited(SIGN_IN)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("profile.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        throttle = account_throttle()
        wait = throttle.wait(form.email.data)
        if wait:
            security_event("sign-in.throttled", account=_account_id(form.email.data), wait=wait)
            return too_many_tries("auth/sign_in.html", form, form.email, wait)
        user = accounts.authenticate(get_session(), form.email.data, form.password.data)
        if user is not None:
            throttle.succeeded(form.email.data)
            start_session(user)
            security_event("sign-in", logging.INFO, account=user.id)
            return redirect(safe_next(url_for("profile.dashboard")))
        throttle.failed(form.email.data)
        security_event("sign-in.failed", account=_account_id(form.email.data))
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:  # every session of the account ends, not just this one
            accounts.end_sessions(get_session(), current_user._get_current_object())
            security_event("sign-out", logging.INFO, account=current_user.id)
        end_session()
        flash("You have signed out.", "success")
        return redirect(url_for("pages.home"))
    if not current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    return render_template("auth/sign_out.html", form=form)


def _bad_link(error: tokens.BadToken, purpose: str):
    return render_template("auth/bad_link.html", expired=error.expired, purpose=purpose), 404


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """A link from an e-mail: the button (not the link alone, which mail scanners open)
    confirms the address."""
    session = get_session()
    try:
        user, address = accounts.read_email_token(
            session, current_app.config["SECRET_KEY"], token
        )
    except tokens.BadToken as error:
        return _bad_link(error, "confirm")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            accounts.confirm_email(session, user, address)
        except accounts.EmailTaken:
            flash(f"Another account already uses {address}, so your address has not changed.")
        else:
            flash(f"Your email address {address} is confirmed.", "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for("account.index"))
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/confirm_email.html", form=form, address=address)


@bp.route("/forgotten-password", methods=["GET", "POST"])
@limited(EMAIL_LINKS)
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        address = identifiers.normalise_email(form.email.data)
        user = accounts.find_by_email(get_session(), address)
        sender = email_messages.mailer()
        email_messages.send_limited(
            email_messages.reset_password(sender, user)
            if user is not None
            else email_messages.no_account(sender, address),
            "password-reset",
        )
        return render_template("auth/check_email.html", email=address, purpose="reset")
    return render_template("auth/forgotten_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    session = get_session()
    try:
        user = accounts.read_reset_token(session, current_app.config["SECRET_KEY"], token)
    except tokens.BadToken as error:
        return _bad_link(error, "reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(session, user, form.password.data, by_email=True)
        account_throttle().succeeded(user.email)  # the owner is back: no wait for them
        security_event("password.reset", logging.INFO, account=user.id)
        email_messages.send(email_messages.password_changed(email_messages.mailer(), user))
        end_session()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)
