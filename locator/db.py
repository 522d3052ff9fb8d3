"""The database engine and the per-request session.

Views get the session from `get_session()`; service functions take a session argument so the CLI
and tests can call them the same way.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from . import audit  # noqa: F401  (its session hooks write the audit log)


def make_engine(url: str, timeout: int = 3) -> Engine:
    """`timeout` (seconds) bounds waiting for PostgreSQL: connecting, a pooled connection, and
    a connection gone silent (TCP keepalives, tcp_user_timeout), so an outage is a quick error,
    not a hung worker. Stale pooled connections are checked before use (pool_pre_ping), so the
    app recovers by itself when the database returns."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # pysqlite's own transaction handling would commit at every RELEASE SAVEPOINT, so
            # SQLAlchemy emits BEGIN itself (the recipe in SQLAlchemy's SQLite dialect docs).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=timeout,
        connect_args={
            "connect_timeout": timeout,
            "keepalives": 1,
            "keepalives_idle": timeout,
            "keepalives_interval": 1,
            "keepalives_count": timeout,
            "tcp_user_timeout": timeout * 1000,
        },
    )


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = make_engine(
        app.config["DATABASE_URL"], app.config["DATABASE_TIMEOUT_SECONDS"]
    )
    app.teardown_appcontext(_close_session)
    app.context_processor(lambda: {"holds_demo_data": _holds_demo_data})


_EXTENSION = "locator.sql_engine"


def sql_engine(app: Flask | None = None) -> Engine:
    """The app's SQLAlchemy engine (the search engine is `search_runtime.get_search`)."""
    return (app or current_app).extensions[_EXTENSION]


def get_session() -> Session:
    """The request's session, closed when the request ends. The audit log
    (`locator.audit`) records its changes as made by the signed-in user."""
    if "db_session" not in g:
        g.db_session = Session(sql_engine(), expire_on_commit=False)
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
