"""How the app connects to its database: SQLite's pragmas and write locking, PostgreSQL's
timeouts. No Flask here, so services, the CLI, tests and benchmarks build engines alike."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

# An execution option: this connection's transactions write (see `for_writing`).
WRITES = "locator_writes"


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
            writes = connection.get_execution_options().get(WRITES)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

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


def for_writing(engine: Engine) -> Engine:
    """The engine for sessions that write. SQLite never waits to turn a transaction that has
    read into one that writes: if another connection is writing, or has written since the
    read, it fails at once with "database is locked". So on SQLite these sessions' transactions
    take the write lock when they begin (BEGIN IMMEDIATE), waiting for it as for any lock.
    Readers keep plain transactions, which never block in WAL mode. PostgreSQL ignores it."""
    return engine.execution_options(**{WRITES: True})


def begin_writing(session: Session) -> None:
    """End the session's transaction and begin one that writes (see `for_writing`): for a
    read followed by a write in a session that mostly reads."""
    session.commit()
    session.connection(execution_options={WRITES: True})
