"""Supplier search: Whoosh as the index of record, numpy for speed.

Public API::

    store = IndexStore(base_dir)              # lifecycle: writes, rebuilds, metadata
    engine = SearchEngine(store)              # one per process, thread-safe
    engine.search(q, filters, sort, page, per_page) -> SearchResult

No Flask and no ``locator`` imports: the app maps its models to plain dicts.
"""

from .concepts import ConceptIndex
from .engine import Hit, SearchEngine, SearchResult
from .facets import FACETS, FACETS_BY_NAME, Facet
from .locks import WriterBusy
from .store import Building, IndexStore

__all__ = [
    "Building",
    "ConceptIndex",
    "FACETS",
    "FACETS_BY_NAME",
    "Facet",
    "Hit",
    "IndexStore",
    "SearchEngine",
    "SearchResult",
    "WriterBusy",
]
