"""Shared fixtures: a real database (SQLite by default, PostgreSQL when LOCATOR_DATABASE_URL says
so), migrated once per run and emptied after every test, and the Flask app and client over it.
A module whose tests only read can share one seeded app instead: see `module_app`."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from helpers import (
    CONTRACTS_FINDER_JSONL,
    TEST_PASSWORD,
    MailRecorder,
    email_problems,
    mail_link,
    mail_to,
    post_form,
)
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from locator import create_app, search_runtime
from locator.db import sql_engine
from locator.engine import make_engine
from locator.migrate import upgrade


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("LOCATOR_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:  # start from an empty database, as CI promises
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated(database_url) -> str:
    upgrade(database_url)
    return database_url


def _new_app(database_url: str, folder: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INDEX_DIR": str(folder / "index"),
            "LOGO_DIR": str(folder / "logos"),
            "SECRET_KEY": "test-secret",
            "SMTP_HOST": None,  # e-mails go to files in the test's own folder
            "MAIL_OUTBOX": str(folder / "mail"),
        }
    )


def _close(app: Flask) -> None:
    _empty_tables(sql_engine(app))
    sql_engine(app).dispose()
    written = sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))
    _check_emails([path.name for path in written], [path.read_bytes() for path in written])


def _check_emails(names, raws) -> None:
    """Every e-mail a test made the app send meets the standards (`helpers.email_problems`)."""
    problems = {str(name): found for name, raw in zip(names, raws, strict=True)
                if (found := email_problems(raw))}
    assert not problems, problems


_module_apps: set[str] = set()  # modules whose shared app is open


@pytest.fixture
def app(migrated, tmp_path, request):
    if _module_apps:  # its teardown would empty the tables under the module's shared app
        pytest.fail(f"{request.module.__name__} uses `module_app`: override `app` with it")
    app = _new_app(migrated, tmp_path)
    yield app
    _close(app)


@pytest.fixture(scope="module")
def module_app(migrated, tmp_path_factory, request):
    """One app for all the tests of a module that only read, so that its data is seeded (and
    indexed) once, not before every test. The module seeds it in a module-scoped fixture and
    overrides `app` with it, so that `client`, `session` and `runner` use it too:

        @pytest.fixture(scope="module")
        def seeded(module_app, rows_unchanged):
            ...  # seed module_app
            with rows_unchanged(module_app):
                yield

        @pytest.fixture
        def app(module_app, seeded):
            return module_app

    The tables are emptied when the module ends. Tests that write belong in another module, on
    the function-scoped `app`: both use the one database, so a module cannot mix them."""
    app = _new_app(migrated, tmp_path_factory.mktemp("module-app"))
    _module_apps.add(request.module.__name__)
    yield app
    _module_apps.discard(request.module.__name__)
    _close(app)


@pytest.fixture(scope="session")
def rows_unchanged():
    """`with rows_unchanged(app):` around the tests of a read-only module fails it if they
    added or removed rows: a test that writes belongs on the function-scoped `app`."""

    @contextmanager
    def check(app: Flask):
        before = _row_counts(sql_engine(app))
        yield
        assert _row_counts(sql_engine(app)) == before, "a test in this read-only module wrote"

    return check


@pytest.fixture(scope="module")
def real_suppliers(module_app, rows_unchanged):
    """The real Contracts Finder suppliers imported through `locator import` and indexed, for a
    read-only module: `@pytest.fixture def app(module_app, real_suppliers): return module_app`."""
    result = module_app.test_cli_runner().invoke(args=["import", str(CONTRACTS_FINDER_JSONL)])
    assert result.exit_code == 0, result.output
    search_runtime.sync(module_app)
    with rows_unchanged(module_app):
        yield


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar()
            for table in SQLModel.metadata.sorted_tables
        }


def _empty_tables(engine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app):
    return app.test_client()


class FreshSession(Session):
    """The test's own view of the database. Each query first ends the test's transaction, so it
    sees what the app has committed since, as on PostgreSQL (READ COMMITTED), rather than the
    snapshot SQLite keeps for an open transaction."""

    def exec(self, *args, **kwargs):
        if self.in_transaction():
            self.commit()
        return super().exec(*args, **kwargs)


@pytest.fixture
def session(app):
    with FreshSession(sql_engine(app)) as session:
        yield session


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A real SMTP server on localhost that the app sends to; every message it accepted must
    meet the standards."""
    recorder = MailRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                      MAIL_FROM="Supplier Locator <noreply@example.com>",
                      BASE_URL="https://locator.example")
    app.extensions["test_smtp"] = recorder  # for `helpers.mail_to`
    yield recorder
    controller.stop()
    _check_emails(range(len(recorder.raw)), recorder.raw)


@pytest.fixture
def sign_up(app, client):
    """Register as a supplier would and sign in; with `confirm`, first open the link in the
    e-mail that registering sent, as publishing needs."""

    def register(email: str = "owner@example.com", password: str = TEST_PASSWORD,
                 confirm: bool = True):
        response = post_form(
            client,
            "/account/register",
            {"email": email, "password": password, "confirm": password},
        )
        assert response.status_code == 200
        assert b"Check your email" in response.data, response.data
        if confirm:
            link = mail_link(mail_to(app, email)[-1], "/account/confirm-email/")
            assert b"is confirmed" in post_form(client, link, {}).data
        signed_in = post_form(client, "/account/sign-in", {"email": email, "password": password})
        assert signed_in.request.path == "/profile", signed_in.data
        return signed_in

    return register
