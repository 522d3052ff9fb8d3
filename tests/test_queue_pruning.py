"""The index queue is pruned behind the slowest registered node; a node unseen too long is
dropped from the registry and must rebuild, since changes it never applied may be gone."""

from datetime import timedelta

from helpers import published_suppliers
from sqlmodel import func, select, update

from locator.models import IndexNode, IndexQueueEntry, utcnow
from locator.services import indexing
from locator.services import suppliers as supplier_service
from search_index import IndexStore


def _queue_ids(session) -> list[int]:
    return list(session.exec(select(IndexQueueEntry.id).order_by(IndexQueueEntry.id)))


def _seed(runner, session, count: int) -> None:
    """Demo suppliers loaded a while ago: their queue entries are settled, so a build starts
    after them (a build replays the last `GAP_GRACE` of the queue)."""
    assert runner.invoke(args=["seed", "--demo", "--suppliers", str(count)]).exit_code == 0
    session.exec(update(IndexQueueEntry).values(enqueued_at=utcnow() - 2 * indexing.GAP_GRACE))
    session.commit()


def test_entries_every_node_has_applied_are_pruned(app, runner, session, tmp_path):
    _seed(runner, session, 6)
    a, b = IndexStore(tmp_path / "a"), IndexStore(tmp_path / "b")
    indexing.drain(session, a, node="a")
    indexing.drain(session, b, node="b")
    assert indexing.heartbeat(session, a, "a") and indexing.heartbeat(session, b, "b")
    assert indexing.prune(session, timedelta(hours=1)) == 6  # both have all six
    assert _queue_ids(session) == []

    first, second = published_suppliers(session)[:2]
    supplier_service.update(session, first, {"summary": "One"})
    indexing.drain(session, a)
    indexing.heartbeat(session, a, "a")
    indexing.prune(session, timedelta(hours=1))
    assert len(_queue_ids(session)) == 1  # b has not applied it yet
    supplier_service.update(session, second, {"summary": "Two"})
    indexing.drain(session, b)
    indexing.heartbeat(session, b, "b")
    indexing.prune(session, timedelta(hours=1))
    assert len(_queue_ids(session)) == 1  # now a has not applied the second
    indexing.drain(session, a)
    indexing.heartbeat(session, a, "a")
    assert indexing.prune(session, timedelta(hours=1)) == 1
    assert session.exec(select(func.count()).select_from(IndexNode)).one() == 2


def test_a_node_unseen_too_long_is_dropped_and_must_rebuild(app, runner, session, tmp_path):
    _seed(runner, session, 4)
    a, b = IndexStore(tmp_path / "a"), IndexStore(tmp_path / "b")
    for name, index in (("a", a), ("b", b)):
        indexing.drain(session, index, node=name)
        assert indexing.heartbeat(session, index, name)
    gone = session.get(IndexNode, "b")
    gone.last_seen_at = utcnow() - timedelta(hours=25)
    session.add(gone)
    session.commit()
    supplier_service.update(session, published_suppliers(session)[0], {"summary": "Unseen"})
    indexing.drain(session, a)
    indexing.heartbeat(session, a, "a")
    indexing.prune(session, timedelta(hours=24))
    assert _queue_ids(session) == []  # b no longer holds the queue back
    assert not indexing.heartbeat(session, b, "b")  # and is told to rebuild
    indexing.rebuild(session, b, node="b")
    assert indexing.heartbeat(session, b, "b")
    assert session.get(IndexNode, "b/rebuild") is None
    assert [h.id for h in _search(b, "unseen")] == [str(published_suppliers(session)[0].id)]


def _search(index: IndexStore, q: str):
    from search_index import SearchEngine

    engine = SearchEngine(index)
    try:
        return engine.search(q).hits
    finally:
        engine.close()
