"""Keeping this node's search index in step with the database.

The database is the truth. Every change queues the supplier (`index_queue`, written in the same
transaction as the change); `apply_pending` applies queued entries this node's index has not
seen, in batches of up to `BATCH_DOCS` per writer commit. Its position is stored beside the index
(`QueuePosition`). Re-indexing a supplier is idempotent, so replaying is always safe; a failed
index write leaves the position where it was and is retried on the next pass.

Queue ids are assigned when a transaction inserts, not when it commits, so on PostgreSQL a
slower transaction can commit a lower id after a higher one has been applied. The position
therefore keeps the gaps it has seen and looks in them again on every pass until they fill or
are older than `GAP_GRACE` (a rolled-back transaction's ids never fill); `applied_through`, the
cursor other code reads, never moves past a gap still open.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from search_index import Building, IndexStore, WriterBusy

from .. import taxonomies
from ..engine import begin_writing
from ..identifiers import slugify
from ..models import Accreditation, IndexNode, IndexQueueEntry, Supplier, utcnow

GAP_GRACE = timedelta(seconds=60)
FIRST_BUILD_WAIT = 600.0  # seconds another process may take to build a fresh index
BATCH = 500  # suppliers read from the database at a time while rebuilding
BATCH_DOCS = 2000  # queued changes applied in one index commit (a few seconds of work)
REBUILD_PROCESSES = min(2, os.cpu_count() or 1)  # analysis is the cost; 2 halve it here


def supplier_document(supplier: Supplier, today: date) -> dict:
    """The search document for one published supplier: its text, facet values and sort keys."""
    current = supplier.current_accreditations(today)
    case_text = "\n\n".join(
        f"{c.title}\n{c.client_name}\n{c.challenge}\n{c.approach}\n{c.outcome}"
        for c in supplier.case_studies
    )
    cpv = taxonomies.cpv_codes()
    return {
        "id": str(supplier.id),
        "slug": supplier.slug,
        "name": supplier.name,
        "summary": supplier.summary,
        "description": supplier.description,
        "services": "\n".join(supplier.services),
        "case_studies": case_text,
        "accreditation_names": " ".join(
            taxonomies.accreditation_label(a.type, a.other_name) for a in current
        ),
        "cpv_labels": " ".join(cpv.get(code, "") for code in supplier.cpv_codes),
        "sectors": list(supplier.sectors),
        "regions": list(supplier.regions),
        "size": supplier.size,
        "legal_form": supplier.legal_form or "other",
        "supplier_types": list(supplier.supplier_types),
        "accreditations": sorted(
            taxonomies.accreditations_held(a.type for a in current if a.type != "other")
        ),
        "cpv_codes": list(supplier.cpv_codes),
        "frameworks": sorted({slugify(f["name"]) for f in supplier.frameworks}),
        "social_value": [item["mission"] for item in supplier.social_value],
        "verified": ["yes"] if any(a.is_verified for a in current) else [],
        "first_published_at": supplier.first_published_at,
    }


def _load(session: Session, ids: Iterable[int]) -> list[Supplier]:
    return list(
        session.exec(
            select(Supplier)
            .where(Supplier.id.in_(list(ids)))
            .options(selectinload(Supplier.accreditations), selectinload(Supplier.case_studies))
        )
    )


@dataclass
class PassResult:
    applied: int  # queue entries seen
    indexed: int  # documents written
    removed: int  # documents deleted
    cursor: int | None


@dataclass
class QueuePosition:
    """How far an index generation has applied the queue: every id up to `applied_through`,
    every id up to `scanned_through` except the open `gaps` ([first, last, first seen (epoch
    seconds)]), kept in the generation's meta.json."""

    applied_through: int = 0
    scanned_through: int = 0
    gaps: list[list] = field(default_factory=list)

    @classmethod
    def of(cls, meta: dict) -> QueuePosition:
        applied = meta.get("applied_through") or 0
        return cls(applied, meta.get("scanned_through", applied),
                   [list(gap) for gap in meta.get("gaps", [])])

    def store_in(self, meta: dict) -> None:
        meta.update(applied_through=self.applied_through, scanned_through=self.scanned_through,
                    gaps=self.gaps)

    def unapplied(self):
        """SQL condition for the queue entries this position has not applied."""
        return or_(IndexQueueEntry.id > self.scanned_through,
                   *(IndexQueueEntry.id.between(first, last) for first, last, _ in self.gaps))

    def record(self, ids: list[int], now: float) -> None:
        """Mark `ids` applied: entries fetched by `unapplied()` in id order."""
        found = set(ids)
        gaps = []
        for first, last, seen in self.gaps:
            start = first
            for i in sorted(i for i in found if first <= i <= last):
                if i > start:
                    gaps.append([start, i - 1, seen])
                start = i + 1
            if start <= last:
                gaps.append([start, last, seen])
        for i in ids:
            if i > self.scanned_through:
                if i > self.scanned_through + 1:
                    gaps.append([self.scanned_through + 1, i - 1, now])
                self.scanned_through = i
        self.gaps = [gap for gap in gaps if now - gap[2] < GAP_GRACE.total_seconds()]
        self.applied_through = (
            min(first for first, _, _ in self.gaps) - 1 if self.gaps else self.scanned_through
        )


def apply_pending(
    session: Session, store: IndexStore | Building, *, blocking: bool = True,
    limit: int = BATCH_DOCS,
) -> PassResult:
    """Apply up to `limit` queued changes this index has not seen, in one commit. Raises
    `WriterBusy` when `blocking=False` and another process is writing (that one will apply
    them). `store` may also be a generation being rebuilt."""
    today = date.today()
    with store.batch(blocking=blocking) as batch:
        _queue_lapsed_accreditations(session, batch.meta, today)
        position = QueuePosition.of(batch.meta)
        entries = list(
            session.exec(
                select(IndexQueueEntry)
                .where(position.unapplied())
                .order_by(IndexQueueEntry.id)
                .limit(limit)
            )
        )
        position.record([entry.id for entry in entries], time.time())
        ids = {entry.supplier_id for entry in entries}
        found = {s.id: s for s in _load(session, ids)} if ids else {}
        docs = [supplier_document(s, today) for s in found.values() if s.is_published]
        gone = [str(i) for i in ids if i not in found or not found[i].is_published]
        for doc in docs:
            batch.upsert(doc)
        for doc_id in gone:
            batch.delete(doc_id)
        position.store_in(batch.meta)
    return PassResult(len(entries), len(docs), len(gone), position.applied_through)


def drain(
    session: Session, store: IndexStore | Building, *, blocking: bool = True,
    progress: Callable[[int], None] | None = None, node: str | None = None,
) -> int:
    """Bring this index up to date; returns how many queue entries were applied. Stops after
    the first pass that is not full, so a steady stream of edits cannot keep it going.

    An index that was never built from this database (no cursor) is rebuilt first: the queue
    only holds recent changes, not every supplier."""
    if store.applied_through() is None:
        _first_build(session, store, blocking=blocking, node=node)
    seen = 0
    while True:
        result = apply_pending(session, store, blocking=blocking)
        seen += result.applied
        if progress:
            progress(result.applied)
        if result.applied < BATCH_DOCS:
            return seen


def _first_build(session: Session, store: IndexStore, *, blocking: bool, node: str | None) -> None:
    """Build this node's index from the database, or wait while another process builds it."""
    deadline = time.monotonic() + FIRST_BUILD_WAIT
    while store.applied_through() is None:
        try:
            rebuild(session, store, node=node)
        except WriterBusy:  # another process is building; if it dies, the next try builds
            if not blocking or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _queue_lapsed_accreditations(session: Session, meta: dict, today: date) -> None:
    """Once a day, queue suppliers whose accreditations were current on the last day checked and
    are not today: time alone changes what they may be found by, with no edit to queue them."""
    checked = meta.get("lapsed_checked_on")
    if checked == today.isoformat():
        return
    since = date.fromisoformat(checked) if checked else today - timedelta(days=1)
    begin_writing(session)
    ids = set(
        session.exec(
            select(Accreditation.supplier_id).where(
                Accreditation.expires_on >= since, Accreditation.expires_on < today
            )
        )
    )
    for supplier_id in ids:
        session.add(IndexQueueEntry(supplier_id=supplier_id))
    session.commit()
    meta["lapsed_checked_on"] = today.isoformat()


def published_documents(session: Session, today: date) -> Iterator[dict]:
    """Every published supplier as a document, read in batches to bound memory."""
    last_id = 0
    while True:
        batch = list(
            session.exec(
                select(Supplier)
                .where(Supplier.status == "published", Supplier.id > last_id)
                .order_by(Supplier.id)
                .limit(BATCH)
                .options(selectinload(Supplier.accreditations), selectinload(Supplier.case_studies))
            )
        )
        if not batch:
            return
        for supplier in batch:
            yield supplier_document(supplier, today)
        last_id = batch[-1].id
        session.expunge_all()


def published_count(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(Supplier).where(Supplier.status == "published")
    ).one()


def rebuild(
    session: Session,
    store: IndexStore,
    progress: Callable[[int], None] | None = None,
    catching_up: Callable[[int], Callable[[int], None]] | None = None,
    node: str | None = None,
) -> str:
    """Build a new index generation from the database beside the live one, apply the changes
    queued since the build began, then switch to it atomically (under the live writer lock,
    after applying the last few). Running nodes keep applying the queue to the live generation
    throughout. `progress(count)` reports documents built; `catching_up(backlog)` returns the
    callback that reports queue entries applied afterwards.

    With `node`, the rebuild registers its own cursor (`node` + "/rebuild") while it runs, so
    the changes it has still to apply are not pruned, and registers the node at the end."""
    today = date.today()
    with store.building() as building:
        start = _settled_queue_id(session)
        if node:
            register(session, f"{node}/rebuild", start)
        count = building.fill(published_documents(session, today), progress=progress,
                              procs=REBUILD_PROCESSES)
        meta = {"built_docs": count, "lapsed_checked_on": today.isoformat(), "node": node}
        QueuePosition(start, start).store_in(meta)
        building.write_meta(meta)
        tick = catching_up(backlog(session, building).changes) if catching_up else None
        drain(session, building, progress=tick)
        with building.switch():
            drain(session, building, progress=tick)
            if node:
                register(session, node, building.applied_through())
    if node:
        session.exec(delete(IndexNode).where(IndexNode.name == f"{node}/rebuild"))
        session.commit()
    return building.name


def _settled_queue_id(session: Session) -> int:
    """The last queue id before which nothing can still commit (entries older than
    `GAP_GRACE`): a rebuild starts from there and replays the rest, which is idempotent."""
    settled = utcnow() - GAP_GRACE
    return session.exec(
        select(func.coalesce(func.max(IndexQueueEntry.id), 0)).where(
            IndexQueueEntry.enqueued_at < settled
        )
    ).one()


@dataclass
class Backlog:
    changes: int  # queue entries this index has not applied
    seconds: float  # how long the oldest of them has waited


def backlog(session: Session, store: IndexStore | Building) -> Backlog:
    position = QueuePosition.of(store.read_meta())
    count, oldest = session.exec(
        select(func.count(), func.min(IndexQueueEntry.enqueued_at)).where(position.unapplied())
    ).one()
    if not count:
        return Backlog(0, 0.0)
    return Backlog(count, max(0.0, (utcnow() - _aware(oldest)).total_seconds()))


def _aware(moment):
    """SQLite hands datetimes back without their time zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


@dataclass
class Status:
    documents: int
    published: int
    backlog: Backlog
    cursor: int
    segments: int


def status(session: Session, store: IndexStore) -> Status:
    return Status(store.doc_count(), published_count(session), backlog(session, store),
                  store.applied_through() or 0, store.segment_stats()[0])


# The node registry: queue pruning


def register(session: Session, node: str, applied_through: int) -> None:
    """Record that index `node` has applied the queue through `applied_through`, now."""
    begin_writing(session)
    row = session.get(IndexNode, node)
    if row is None:
        row = IndexNode(name=node, applied_through=applied_through)
    row.applied_through, row.last_seen_at = applied_through, utcnow()
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # another process of this node registered it first
        session.rollback()


def heartbeat(session: Session, store: IndexStore, node: str) -> bool:
    """Register this node's cursor. False if the node had registered before and has since been
    dropped from the registry (unseen too long): changes it never applied may have been
    pruned, so its index must be rebuilt."""
    meta = store.read_meta()
    cursor = meta.get("applied_through")
    if cursor is None:
        return True  # not built yet: the build registers it
    if meta.get("node") == node and session.get(IndexNode, node) is None:
        return False
    register(session, node, cursor)
    if meta.get("node") != node:  # an index built before the registry existed, or renamed
        with store.batch() as batch:
            batch.meta["node"] = node
    return True


def prune(session: Session, expiry: timedelta) -> int:
    """Drop nodes unseen for `expiry`, then delete the queue entries every remaining node has
    applied. With no node registered, nothing is deleted. Returns the entries deleted."""
    session.exec(delete(IndexNode).where(IndexNode.last_seen_at < utcnow() - expiry))
    lowest = session.exec(select(func.min(IndexNode.applied_through))).one()
    deleted = 0
    if lowest is not None:
        deleted = session.exec(delete(IndexQueueEntry).where(IndexQueueEntry.id <= lowest)).rowcount
    session.commit()
    return deleted
