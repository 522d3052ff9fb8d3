"""The search index kept in step with the database: edits, expiries, unpublishing, the queue and
the index commands, each test on its own freshly seeded app (they write; the read-only search
tests share one seeded app in tests/test_search.py)."""

from datetime import date, timedelta

import pytest
from helpers import published_suppliers, search_api

from locator import search_runtime
from locator.models import Accreditation
from locator.services import indexing


@pytest.fixture
def seeded(app, runner):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "120"]).exit_code == 0
    search_runtime.sync(app)


def test_expired_accreditations_do_not_count(app, client, session, seeded):
    supplier = published_suppliers(session)[0]
    supplier.accreditations = [
        Accreditation(type="pci-dss", expires_on=date.today() - timedelta(days=1)),
    ]
    from locator.services import suppliers as supplier_service
    supplier_service.record_change(session, supplier)
    session.commit()
    search_runtime.sync(app)
    body = search_api(client, accreditation="pci-dss")
    assert supplier.slug not in [r["slug"] for r in body["results"]]


def test_an_edit_is_searchable_after_the_indexer_runs(app, client, session, seeded):
    from locator.services import suppliers as supplier_service

    supplier = published_suppliers(session)[0]
    assert search_api(client, "zyxwvut")["total"] == 0
    supplier_service.update(session, supplier, {"description": "We also do zyxwvut audits."})
    assert search_api(client, "zyxwvut")["total"] == 0  # not yet applied
    search_runtime.sync(app)
    body = search_api(client, "zyxwvut")
    assert [r["slug"] for r in body["results"]] == [supplier.slug]
    assert "<mark>zyxwvut</mark>" in " ".join(body["results"][0]["highlights"])

    supplier_service.unpublish(session, supplier)
    search_runtime.sync(app)
    assert search_api(client, "zyxwvut")["total"] == 0


def test_index_status_and_reindex_commands(app, runner, session, seeded):
    status = runner.invoke(args=["index-status"])
    published = len(published_suppliers(session))
    assert f"Documents in the index:     {published}" in status.output
    assert "Queued changes not applied: 0" in status.output
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert f"Indexed {published} published suppliers" in result.output


def test_queue_gap_holds_the_cursor_until_old(app, session, seeded):
    """A lower id committed late (PostgreSQL) must not be skipped: the cursor waits at a gap."""
    from locator.models import IndexQueueEntry, utcnow

    store = search_runtime.store(app)
    cursor = store.applied_through()
    supplier = published_suppliers(session)[0]
    session.add(IndexQueueEntry(id=cursor + 2, supplier_id=supplier.id, enqueued_at=utcnow()))
    session.commit()
    result = indexing.apply_pending(session, store)
    assert result.indexed == 1 and result.cursor == cursor  # applied, but the gap holds
    session.add(IndexQueueEntry(id=cursor + 1, supplier_id=supplier.id, enqueued_at=utcnow()))
    session.commit()
    assert indexing.apply_pending(session, store).cursor == cursor + 2


def test_entries_past_an_open_gap_are_all_applied(app, session, seeded):
    """A young gap holds the cursor but not the work behind it: every pass moves on past
    what it has applied, however many entries wait behind the gap."""
    from locator.models import IndexQueueEntry, utcnow

    store = search_runtime.store(app)
    cursor = store.applied_through()
    supplier = published_suppliers(session)[0]
    for offset in range(2, 8):  # cursor + 1 is a transaction that has not committed yet
        session.add(IndexQueueEntry(id=cursor + offset, supplier_id=supplier.id,
                                    enqueued_at=utcnow()))
    session.commit()
    for _ in range(3):
        assert indexing.apply_pending(session, store, limit=2).cursor == cursor
    assert indexing.backlog(session, store).changes == 0
    session.add(IndexQueueEntry(id=cursor + 1, supplier_id=supplier.id, enqueued_at=utcnow()))
    session.commit()
    assert indexing.backlog(session, store).changes == 1
    assert indexing.apply_pending(session, store).cursor == cursor + 7
