"""The `locator` command: Flask's CLI over the app factory, plus the project's own commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, run_command, with_appcontext
from sqlmodel import Session
from tqdm import tqdm

from . import create_app, search_runtime
from .db import sql_engine
from .engine import for_writing

# No tqdm monitor thread: `reindex` forks indexing processes only from a single-threaded process
# (see search_index.store.Building.fill).
tqdm.monitor_interval = 0


def _command_app() -> Flask:
    """Commands run without the index worker: `reindex` and `import` must not race a worker
    thread of their own; `locator run` starts one for the site it serves."""
    return create_app({"INDEX_WORKER": False})


@click.group(cls=FlaskGroup, create_app=_command_app)
def main() -> None:
    """Supplier Locator: manage the database, demo data, imports and the site."""


def _session(*, writes: bool = True) -> Session:
    """Commands that only read (or write through the index services, which take the write
    lock themselves) pass `writes=False`: a long read must not hold SQLite's write lock."""
    engine = for_writing(sql_engine()) if writes else sql_engine()
    return Session(engine, expire_on_commit=False)


@click.command("run", params=run_command.params, help=run_command.help)
@click.pass_context
def run(ctx: click.Context, **options) -> None:
    """Flask's development server, with this process's index worker."""
    search_runtime.start(ctx.ensure_object(ScriptInfo).load_app())
    ctx.invoke(run_command, **options)


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
    """Load deterministic, invented demo suppliers (re-running updates them); the site then
    shows a demo-data banner."""
    from .forms.records import FormChecker
    from .services import demo as demo_data

    if count > demo_data.CAPACITY:
        raise click.BadParameter(f"at most {demo_data.CAPACITY:,}", param_hint="--suppliers")
    with _session() as session, _progress(count, "Seeding") as bar:
        report = demo_data.seed(
            session, count, seed, current_app.config["LOGO_DIR"], FormChecker(), bar.update
        )
    _report(report)


@click.command("create-admin")
@click.argument("email")
@click.password_option(help="The admin's password (asked for if not given).")
@with_appcontext
def create_admin(email: str, password: str) -> None:
    """Create an administrator account, or make an existing account an administrator."""
    from .services import accounts

    problem = accounts.password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    with _session() as session:
        _user, created = accounts.make_admin(session, email, password)
    click.echo(f"{'Created' if created else 'Promoted'} administrator {email.strip().lower()}.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Load supplier profiles from a JSON Lines FILE (one profile per line)."""
    from .forms.records import FormChecker
    from .services import transfer

    # Bytes, not text: a line that is not UTF-8 is reported by number, and the rest still load.
    with file.open("rb") as f:
        total = sum(1 for _ in f)
    with (
        file.open("rb") as f,
        _session() as session,
        _progress(total, "Importing") as bar,
    ):
        report = transfer.import_lines(session, f, FormChecker(), progress=bar.update)
    _report(report)
    if report.errors and not report.loaded:
        sys.exit(1)


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(file: Path) -> None:
    """Write every supplier profile to FILE as JSON Lines (the format `locator import` reads)."""
    from .services import transfer

    with file.open("w", encoding="utf-8") as out, _session(writes=False) as session:
        count = transfer.export_lines(session, out)
    click.echo(f"Exported {count} supplier{'s' if count != 1 else ''} to {file}.")


@click.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild this node's search index from the database into a new directory beside the live
    one, apply the changes made meanwhile, then switch to it atomically. The node keeps serving
    searches and applying changes from the old index until the switch."""
    from search_index import WriterBusy

    from .search_runtime import node_name, store
    from .services import indexing

    bars: list[tqdm] = []

    def catching_up(total: int):
        bars.append(tqdm(total=total, desc="Catching up", unit=" changes", disable=None,
                         file=sys.stderr))
        return bars[-1].update

    with _session(writes=False) as session:
        total = indexing.published_count(session)
        with tqdm(
            total=total, desc="Indexing", unit=" suppliers", disable=None, file=sys.stderr
        ) as bar:
            done = [0]

            def progress(count: int) -> None:
                bar.update(count - done[0])
                done[0] = count

            try:
                generation = indexing.rebuild(
                    session, store(), progress=progress, catching_up=catching_up,
                    node=node_name(),
                )
            except WriterBusy:
                click.echo("Another rebuild of this node's index is running; "
                           "wait for it to finish.", err=True)
                sys.exit(1)
            finally:
                for catch_up in bars:
                    catch_up.close()
    replayed = sum(b.n for b in bars)
    click.echo(
        f"Indexed {done[0]} published suppliers into {generation}"
        f"{f'; applied {replayed} changes made meanwhile' if replayed else ''}."
    )


@click.command("index-status")
@with_appcontext
def index_status() -> None:
    """Documents in this node's index, published suppliers in the database, and the backlog."""
    from .search_runtime import store
    from .services import indexing

    with _session(writes=False) as session:
        status = indexing.status(session, store())
    click.echo(f"Documents in the index:     {status.documents}")
    click.echo(f"Published in the database:  {status.published}")
    click.echo(
        f"Queued changes not applied: {status.backlog.changes} (applied through "
        f"{status.cursor}; the oldest waiting {status.backlog.seconds:.0f} s)"
    )
    click.echo(f"Index segments:             {status.segments}")


@click.command("index-sync")
@with_appcontext
def index_sync() -> None:
    """Apply every queued change to this node's index now (the web workers do this too)."""
    from search_index import WriterBusy

    from .search_runtime import node_name, store
    from .services import indexing

    index = store()
    with _session(writes=False) as session:
        seen = indexing.drain(session, index, node=node_name())
    click.echo(f"Applied {seen} queued change{'s' if seen != 1 else ''}.")
    try:  # the tier merge commits leave as too big, which the web workers run beside them
        if index.merge_beside(blocking=False):
            click.echo("Merged the index's segments that were due.")
    except WriterBusy:
        pass  # a web worker on this node is merging or writing: it will see to it


@click.group("digest")
def digest_group() -> None:
    """The weekly e-mail of new suppliers."""


@digest_group.command("send")
@click.option(
    "--week",
    "week_text",
    metavar="YYYY-Www",
    help="The ISO week to send (default: last week, the one that just ended).",
)
@click.option("--dry-run", is_flag=True, help="Say who would get what; send nothing.")
@with_appcontext
def digest_send(week_text: str | None, dry_run: bool) -> None:
    """Send each confirmed subscriber that week's new suppliers matching their filters. Safe to
    re-run: nobody gets the same week twice."""
    from . import email_messages
    from .services import digest
    from .weeks import BadWeek, IsoWeek

    try:
        week = IsoWeek.parse(week_text) if week_text else IsoWeek.current().previous()
    except BadWeek as error:
        raise click.BadParameter(str(error), param_hint="--week") from None
    app = current_app._get_current_object()
    mailer = email_messages.mailer()
    with app.test_request_context(base_url=app.config["BASE_URL"]), _session() as session:
        total = digest.active_count(session)
        with tqdm(
            total=total, desc=f"Digest {week}", unit=" subscribers", disable=None, file=sys.stderr
        ) as bar:
            report = digest.send_week(
                session,
                mailer,
                week,
                lambda sub, suppliers, wk: email_messages.weekly_digest(mailer, sub, suppliers, wk),
                dry_run=dry_run,
                progress=bar.update,
            )
    if dry_run:
        for email, count in report.would_send:
            click.echo(
                f"{email}: {count} new supplier{'s' if count != 1 else ''}"
                f"{'' if count else ' (nothing would be sent)'}"
            )
        return
    click.echo(
        f"Week {week}: sent {report.sent}, no matches {report.no_matches}, "
        f"already done {report.already_done}"
        f"{f', in flight elsewhere {report.in_flight}' if report.in_flight else ''}."
    )
    _stop_if_refused(report.error)


@click.group("reminders")
def reminders_group() -> None:
    """E-mails to suppliers about their accreditations."""


@reminders_group.command("send")
@click.option("--dry-run", is_flag=True, help="Say who would get what; send nothing.")
@with_appcontext
def reminders_send(dry_run: bool) -> None:
    """E-mail each profile's owner once about every accreditation expiring in the next 30 days.
    Run it daily; safe to re-run: nobody gets the same reminder twice."""
    from datetime import date

    from . import email_messages
    from .services import reminders

    app = current_app._get_current_object()
    mailer = email_messages.mailer()
    with app.test_request_context(base_url=app.config["BASE_URL"]), _session() as session:
        report = reminders.send_due(
            session, mailer, date.today(),
            lambda item: email_messages.expiry_reminder(mailer, item), dry_run=dry_run,
        )
    if dry_run:
        for email, what in report.would_send:
            click.echo(f"{email}: {what}")
        return
    click.echo(f"Reminders: sent {report.sent}, already done {report.already_done}.")
    _stop_if_refused(report.error)


def _stop_if_refused(error: str | None) -> None:
    """A sending command that the mail server stopped: say so, and exit 1 for cron to see."""
    if error:
        click.echo(
            f"Stopped: the mail server refused {error}. Run the command again "
            "to send the rest; nobody will get a duplicate.",
            err=True,
        )
        sys.exit(1)


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


main.add_command(run)  # in place of Flask's own `run`


def init_app(app: Flask) -> None:
    for command in (
        init_db,
        seed,
        create_admin,
        import_command,
        export_command,
        reindex,
        index_status,
        index_sync,
        digest_group,
        reminders_group,
    ):
        app.cli.add_command(command)


if __name__ == "__main__":
    main()
