"""The database engine and the per-request session.

Views get the session from `get_session()`; service functions take a session argument so the CLI
and tests can call them the same way.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from . import audit  # noqa: F401  (its session hooks write the audit log)
from .engine import for_writing, make_engine


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = make_engine(
        app.config["DATABASE_URL"], app.config["DATABASE_TIMEOUT_SECONDS"]
    )
    app.teardown_appcontext(_close_session)
    app.context_processor(lambda: {"holds_demo_data": _holds_demo_data})


_EXTENSION = "locator.sql_engine"
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # no view writes on these


def sql_engine(app: Flask | None = None) -> Engine:
    """The app's SQLAlchemy engine (the search engine is `search_runtime.get_search`)."""
    return (app or current_app).extensions[_EXTENSION]


def get_session() -> Session:
    """The request's session, closed when the request ends. The audit log
    (`locator.audit`) records its changes as made by the signed-in user."""
    if "db_session" not in g:
        engine = sql_engine()
        if not (has_request_context() and request.method in _READ_ONLY_METHODS):
            engine = for_writing(engine)
        g.db_session = Session(engine, expire_on_commit=False)
        g.db_session.info["actor"] = _signed_in_user_id
    return g.db_session


def _holds_demo_data() -> bool:
    """For the site's demo banner; False when the database cannot say (an error page)."""
    from .services import demo

    try:
        return demo.holds_demo(get_session())
    except SQLAlchemyError:
        return False


def _signed_in_user_id() -> int | None:
    # The user Flask-Login has already loaded for this request: loading it here would query
    # in the middle of a flush.
    user = g.get("_login_user")
    return user.id if user is not None and user.is_authenticated else None


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
