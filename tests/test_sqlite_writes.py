"""SQLite never waits to turn a transaction that has read into one that writes: if another
connection wrote meanwhile it fails at once with "database is locked". That is how a demo seed
beside a running index worker failed. Sessions that write take the write lock when they begin."""

from __future__ import annotations

import threading

from sqlalchemy import text
from sqlmodel import Session

from locator.engine import begin_writing, for_writing, make_engine


def _engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writes.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    return engine


def _read_then_write(engine, session: Session, start_writing=lambda: None) -> list[int]:
    """`session` reads, another connection writes, then `session` writes: both writes land."""

    def other_writer():
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")

    session.exec(text("SELECT count(*) FROM t")).one()
    start_writing()
    session.exec(text("SELECT count(*) FROM t")).one()
    other = threading.Thread(target=other_writer)
    other.start()
    other.join(0.5)  # it writes now, or waits for this session's lock
    session.exec(text("INSERT INTO t VALUES (1)"))
    session.commit()
    other.join()
    with engine.connect() as connection:
        return sorted(connection.exec_driver_sql("SELECT n FROM t").scalars())


def test_a_writing_session_may_read_first(tmp_path):
    engine = _engine(tmp_path)
    with Session(for_writing(engine)) as session:
        assert _read_then_write(engine, session) == [1, 2]


def test_a_reading_session_can_begin_writing(tmp_path):
    engine = _engine(tmp_path)
    with Session(engine) as session:
        assert _read_then_write(engine, session, lambda: begin_writing(session)) == [1, 2]


def test_readers_do_not_wait_for_a_writer(tmp_path):
    engine = _engine(tmp_path)
    with Session(for_writing(engine)) as writer, Session(engine) as reader:
        writer.exec(text("INSERT INTO t VALUES (1)"))
        assert reader.exec(text("SELECT count(*) FROM t")).one() == (0,)
        writer.commit()
