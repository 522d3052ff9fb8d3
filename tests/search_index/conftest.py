"""Fixtures: real Whoosh indexes in tmp_path, built from small supplier dicts."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

# pytest puts tests/ on sys.path (tests/conftest.py, no __init__.py), where this
# folder would shadow the real package as a namespace package; the repo root
# must come first. (`pythonpath = ["."]` in the pytest config would also do.)
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
if getattr(sys.modules.get("search_index"), "__file__", "") is None:
    del sys.modules["search_index"]

from search_index import IndexStore, SearchEngine  # noqa: E402

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
