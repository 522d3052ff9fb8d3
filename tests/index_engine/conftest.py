"""Fixtures: real Whoosh indexes in tmp_path, built from small supplier dicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from search_index import IndexStore, SearchEngine

BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


def _make_doc(doc_id: int | str, **fields) -> dict:
    doc = {
        "id": str(doc_id),
        "slug": f"supplier-{doc_id}",
        "name": f"Supplier {doc_id}",
        "summary": "",
        "description": "",
        "services": "",
        "case_studies": "",
        "accreditation_names": "",
        "cpv_labels": "",
        "sectors": [],
        "regions": [],
        "size": "small",
        "legal_form": "limited-company",
        "supplier_types": ["sme"],
        "accreditations": [],
        "cpv_codes": [],
        "frameworks": [],
        "social_value": [],
        "first_published_at": BASE_TIME + timedelta(days=int(str(doc_id).strip("x") or 0)),
    }
    doc.update(fields)
    return doc


@pytest.fixture
def make_doc():
    """make_doc(id, **fields) -> a complete supplier dict with dull defaults."""
    return _make_doc


@pytest.fixture
def build(tmp_path):
    """build(docs, batches=1) -> SearchEngine over a fresh index; several batches
    make several segments, as incremental indexing does."""
    engines = []

    def _build(docs, batches: int = 1, name: str = "index") -> SearchEngine:
        store = IndexStore(tmp_path / name)
        docs = list(docs)
        size = max(1, -(-len(docs) // batches))
        for i in range(0, len(docs), size):
            store.upsert(docs[i:i + size])
        engine = SearchEngine(store)
        engines.append(engine)
        return engine

    yield _build
    for engine in engines:
        engine.close()
