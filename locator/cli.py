"""The `locator` command: Flask's CLI over the app factory, plus the project's own commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlmodel import Session
from tqdm import tqdm

from . import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Supplier Locator: manage the database, demo data, imports and the site."""


def _session() -> Session:
    return Session(current_app.extensions["locator.engine"], expire_on_commit=False)


def _progress(total: int | None, what: str) -> tqdm:
    """A progress bar on a terminal; silent when output is piped or captured."""
    return tqdm(total=total, desc=what, unit=" lines", disable=None, file=sys.stderr)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Bring the database to the latest migration (safe to run again)."""
    from .migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is at the latest migration.")


@click.command("seed")
@click.option("--demo", is_flag=True, required=True, help="Load fictional demo suppliers.")
@click.option(
    "--suppliers",
    "count",
    type=click.IntRange(1, 200_000),
    default=200,
    show_default=True,
    help="How many demo suppliers.",
)
@click.option(
    "--seed",
    "seed",
    type=int,
    default=2026,
    show_default=True,
    help="Random seed: the same seed gives the same suppliers.",
)
@with_appcontext
def seed(demo: bool, count: int, seed: int) -> None:
    """Load deterministic, clearly fictional demo suppliers (re-running updates them)."""
    import json

    from .services import demo as demo_data
    from .services import transfer

    lines = (json.dumps(record) for record in demo_data.demo_records(count, seed))
    with _session() as session, _progress(count, "Seeding") as bar:
        report = transfer.import_lines(session, lines, progress=bar.update)
    _report(report)


@click.command("create-admin")
@click.argument("email")
@click.password_option(help="The admin's password (asked for if not given).")
@with_appcontext
def create_admin(email: str, password: str) -> None:
    """Create an administrator account, or make an existing account an administrator."""
    from .forms.auth import MIN_PASSWORD
    from .services import accounts

    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(
            f"must be at least {MIN_PASSWORD} characters", param_hint="password"
        )
    with _session() as session:
        _user, created = accounts.make_admin(session, email, password)
    click.echo(f"{'Created' if created else 'Promoted'} administrator {email.strip().lower()}.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Load supplier profiles from a JSON Lines FILE (one profile per line)."""
    from .services import transfer

    with file.open(encoding="utf-8") as f:
        total = sum(1 for _ in f)
    with (
        file.open(encoding="utf-8") as f,
        _session() as session,
        _progress(total, "Importing") as bar,
    ):
        report = transfer.import_lines(session, f, progress=bar.update)
    _report(report)
    if report.errors and not report.loaded:
        sys.exit(1)


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(file: Path) -> None:
    """Write every supplier profile to FILE as JSON Lines (the format `locator import` reads)."""
    from .services import transfer

    with file.open("w", encoding="utf-8") as out, _session() as session:
        count = transfer.export_lines(session, out)
    click.echo(f"Exported {count} supplier{'s' if count != 1 else ''} to {file}.")


def _report(report) -> None:
    click.echo(
        f"Loaded {report.loaded} supplier{'s' if report.loaded != 1 else ''} "
        f"({report.created} new, {report.updated} updated)."
    )
    for number, reason in report.errors:
        click.echo(f"Line {number}: {reason}", err=True)
    if report.errors:
        click.echo(
            f"{len(report.errors)} line{'s' if len(report.errors) != 1 else ''} not loaded.",
            err=True,
        )


def init_app(app: Flask) -> None:
    for command in (init_db, seed, create_admin, import_command, export_command):
        app.cli.add_command(command)
