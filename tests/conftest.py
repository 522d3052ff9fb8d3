"""Shared fixtures: a real database (SQLite by default, PostgreSQL when LOCATOR_DATABASE_URL says
so), migrated once per run and emptied after every test, and the Flask app and client over it."""

from __future__ import annotations

import os

import pytest
from helpers import TEST_PASSWORD, post_form
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from locator import create_app
from locator.db import make_engine, sql_engine
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


@pytest.fixture
def app(migrated, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": migrated,
            "INDEX_DIR": str(tmp_path / "index"),
            "SECRET_KEY": "test-secret",
        }
    )
    yield app
    _empty_tables(sql_engine(app))
    sql_engine(app).dispose()


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


@pytest.fixture
def sign_up(client):
    def register(email: str = "owner@example.com", password: str = TEST_PASSWORD):
        response = post_form(
            client,
            "/account/register",
            {"email": email, "password": password, "confirm": password},
        )
        assert response.status_code == 200
        return response

    return register
