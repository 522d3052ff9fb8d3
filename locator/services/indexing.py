"""Keeping this node's search index in step with the database.

The database is the truth. Every change queues the supplier (`index_queue`, written in the same
transaction as the change); `apply_pending` replays queued entries past this node's cursor, which
is stored beside the index. Re-indexing a supplier is idempotent, so replaying is always safe; a
failed index write leaves the cursor where it was and is retried on the next pass.

Queue ids are assigned when a transaction inserts, not when it commits, so on PostgreSQL a
slower transaction can commit a lower id after a higher one has been applied. The cursor therefore
never moves past a gap younger than `GAP_GRACE`; entries after the gap are applied anyway and
replayed until the gap fills or is old enough to be a rolled-back transaction.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from search_index import IndexStore, WriterBusy

from .. import taxonomies
from ..identifiers import slugify
from ..models import Accreditation, IndexQueueEntry, Supplier, utcnow

GAP_GRACE = timedelta(seconds=60)
FIRST_BUILD_WAIT = 600.0  # seconds another process may take to build a fresh index
BATCH = 500
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


def _advance(cursor: int, entries: list[IndexQueueEntry]) -> int:
    """The highest id up to which every id is known to be applied (see the module notes)."""
    old_enough = utcnow() - GAP_GRACE
    for entry in entries:
        if entry.id == cursor + 1 or entry.enqueued_at < old_enough:
            cursor = entry.id
        else:
            break
    return cursor


# Queue ids past the cursor that this process has already applied (entries waiting behind a gap),
# per index directory, so a young gap does not make every pass rewrite the same documents.
_applied_past_cursor: dict[str, set[int]] = {}


def apply_pending(
    session: Session, store: IndexStore, *, blocking: bool = True, limit: int = 5000
) -> PassResult:
    """Apply up to `limit` queued changes past this node's cursor. Raises `WriterBusy` when
    `blocking=False` and another process is writing (that one will apply them)."""
    today = date.today()
    _queue_lapsed_accreditations(session, store, today)
    cursor = store.applied_through() or 0
    entries = list(
        session.exec(
            select(IndexQueueEntry)
            .where(IndexQueueEntry.id > cursor)
            .order_by(IndexQueueEntry.id)
            .limit(limit)
        )
    )
    new_cursor = _advance(cursor, entries)
    memo = _applied_past_cursor.setdefault(str(store.base), set())
    fresh = [entry for entry in entries if entry.id not in memo]
    if not fresh and new_cursor == cursor:
        return PassResult(0, 0, 0, cursor)
    ids = {entry.supplier_id for entry in fresh}
    found = {s.id: s for s in _load(session, ids)}
    docs = [supplier_document(s, today) for s in found.values() if s.is_published]
    gone = [str(i) for i in ids if i not in found or not found[i].is_published]
    with store.batch(blocking=blocking) as batch:
        for doc in docs:
            batch.upsert(doc)
        for doc_id in gone:
            batch.delete(doc_id)
        batch.applied_through = new_cursor
    memo.difference_update({i for i in memo if i <= new_cursor})
    memo.update(entry.id for entry in fresh if entry.id > new_cursor)
    return PassResult(len(fresh), len(docs), len(gone), new_cursor)


def drain(session: Session, store: IndexStore, *, blocking: bool = True) -> int:
    """Bring this node's index up to date; returns how many queue entries were applied.

    An index that was never built from this database (no cursor) is rebuilt first: the queue
    only holds recent changes, not every supplier."""
    if store.applied_through() is None:
        _first_build(session, store, blocking=blocking)
    seen = 0
    while True:
        before = store.applied_through() or 0
        result = apply_pending(session, store, blocking=blocking)
        seen += result.applied
        if result.cursor == before:
            return seen


def _first_build(session: Session, store: IndexStore, *, blocking: bool) -> None:
    """Build this node's index from the database, or wait while another process builds it."""
    try:
        rebuild(session, store)
    except WriterBusy:
        if not blocking:
            raise
        deadline = time.monotonic() + FIRST_BUILD_WAIT
        while store.applied_through() is None:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _queue_lapsed_accreditations(session: Session, store: IndexStore, today: date) -> None:
    """Once a day, queue suppliers whose accreditations were current on the last day checked and
    are not today: time alone changes what they may be found by, with no edit to queue them."""
    meta = store.read_meta()
    checked = meta.get("lapsed_checked_on")
    if checked == today.isoformat():
        return
    since = date.fromisoformat(checked) if checked else today - timedelta(days=1)
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
    store.write_meta({**store.read_meta(), "lapsed_checked_on": today.isoformat()})


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


def latest_queue_id(session: Session) -> int:
    return session.exec(select(func.coalesce(func.max(IndexQueueEntry.id), 0))).one()


def published_count(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(Supplier).where(Supplier.status == "published")
    ).one()


def rebuild(
    session: Session, store: IndexStore, progress: Callable[[int], None] | None = None
) -> str:
    """Build a new index generation from the database and switch to it atomically. Changes
    committed during the build are replayed from the queue on the next pass."""
    cursor = latest_queue_id(session)
    return store.rebuild(
        published_documents(session, date.today()),
        applied_through=cursor,
        progress=progress,
        procs=REBUILD_PROCESSES,
    )


@dataclass
class Status:
    documents: int
    published: int
    backlog: int
    cursor: int


def status(session: Session, store: IndexStore) -> Status:
    cursor = store.applied_through() or 0
    backlog = session.exec(
        select(func.count()).select_from(IndexQueueEntry).where(IndexQueueEntry.id > cursor)
    ).one()
    return Status(store.doc_count(), published_count(session), backlog, cursor)
