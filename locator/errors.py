"""Error pages: every failure a person can cause gets a page that says what to do next."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .login import login_manager
from .security import security_event

log = logging.getLogger(__name__)

_TITLES = {
    400: "There is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Page not found",
    413: "What you sent is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


_MESSAGES = {
    429: "You have tried too many times. Wait a minute, then try again.",
    503: "We cannot reach our records at the moment. Try again in a few minutes.",
}


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _too_large() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return (
        f"This service accepts up to {_size(limit)} at a time. Go back, make what you entered "
        "shorter, and try again."
    )


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, message: str | None = None):
    title = _TITLES.get(status, "Sorry, there is a problem with the service")
    if _wants_json():
        return jsonify({"error": message or title, "status": status}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(DataError)
    def _bad_value(error: DataError):
        # A value the database cannot store or compare (e.g. out of range): the request's fault.
        return _render(400, "Something you sent cannot be understood. Check it and try again.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(error):
        # The database is down or unreachable: say so at once, and render the page as signed
        # out (loading the user would need the database again).
        log.error("database unavailable: %s", error)
        g._login_user = login_manager.anonymous_user()
        response = _render(503, _MESSAGES[503])
        return response[0], 503, {"Retry-After": "30"}

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        security_event("csrf.refused", endpoint=request.endpoint, reason=error.description)
        return _render(400, "Your form expired. Go back, refresh the page and try again.")

    for status in _TITLES:

        @app.errorhandler(status)
        def _http(error, status=status):
            if status == 413:
                return _render(413, _too_large())
            return _render(
                status,
                _MESSAGES.get(status)
                or (getattr(error, "description", None) if status == 400 else None),
            )
