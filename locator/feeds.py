"""The new-arrivals Atom feed (RFC 4287)."""

from __future__ import annotations

from collections.abc import Callable

from feedgen.feed import FeedGenerator

from .models import Supplier, utcnow
from .templating import SERVICE_NAME


def arrivals_atom(
    suppliers: list[Supplier],
    *,
    feed_url: str,
    page_url: str,
    profile_url: Callable[[Supplier], str],
) -> bytes:
    """Entry ids are the profile URLs, which never change (slugs are stable), so a reader never
    shows the same arrival twice."""
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(f"New suppliers on {SERVICE_NAME}")
    fg.subtitle("Suppliers that have just joined, newest first")
    fg.link(href=page_url, rel="alternate")
    fg.link(href=feed_url, rel="self")
    fg.language("en-GB")
    fg.updated(max((s.updated_at for s in suppliers), default=utcnow()))
    for supplier in reversed(suppliers):  # feedgen puts the last added first
        entry = fg.add_entry()
        url = profile_url(supplier)
        entry.id(url)
        entry.title(supplier.name)
        entry.link(href=url, rel="alternate")
        entry.summary(supplier.summary)
        entry.published(supplier.first_published_at)
        entry.updated(supplier.updated_at)
        entry.author(name=supplier.name)
    return fg.atom_str(pretty=True)
