"""Flask-Login and CSRF wiring: who is signed in, and who may see what."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_login import LoginManager, current_user, login_required
from flask_wtf.csrf import CSRFProtect

from .db import get_session
from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
csrf = CSRFProtect()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return user if user is not None and user.is_active else None  # disabled: signed out


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)


def role_required(*roles: str):
    """Signed in with one of `roles`, else 403 (or the sign-in page when signed out)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
