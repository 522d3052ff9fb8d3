"""Flask-Login and CSRF wiring: who is signed in, and who may see what."""

from __future__ import annotations

import time
from functools import wraps

from flask import Flask, abort, current_app, session
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from .db import get_session
from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
csrf = CSRFProtect()
SIGNED_IN_AT = "signed_in_at"  # in the (signed) session: when the password was last given


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's user, unless the account has ended that session since (`User.get_id`) or
    it is older than SESSION_HOURS (a stolen cookie, or a shared computer, stops working)."""
    ident, _, version = user_id.partition(":")
    if not (ident.isdigit() and version.isdigit()):
        return None
    started = session.get(SIGNED_IN_AT)
    if not isinstance(started, int) or time.time() - started > (
        current_app.config["SESSION_HOURS"] * 3600
    ):
        return None
    user = get_session().get(User, int(ident))
    if user is None or user.deleted_at is not None or str(user.session_version) != version:
        return None
    if not user.is_active:  # disabled by an admin: signed out at once
        return None
    return user


def start_session(user: User) -> None:
    """Sign in on a fresh session: nothing from before survives it, the CSRF token included."""
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = int(time.time())


def end_session() -> None:
    logout_user()
    session.clear()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)


def role_required(*roles: str):
    """Signed in with one of `roles`, else 403 (or the sign-in page when signed out)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            # (login_required lets OPTIONS through signed out: that is refused here too)
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
