"""Presenters: what a page shows, worked out from service results, so templates only format.

Search and new arrivals show their filters through `filter_groups` and `chosen_filters` and one
macro (`templates/macros/filters.html`); the groups come from the facet manifest.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import facets as manifest

COLLAPSE_OVER = 8  # options; longer groups fold into a "details" element


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    count: int | None  # None where the page lists choices without counting them
    checked: bool


@dataclass(frozen=True)
class FilterGroup:
    name: str
    title: str
    options: list[FilterOption]

    @property
    def collapsed(self) -> bool:
        return len(self.options) > COLLAPSE_OVER

    @property
    def has_selection(self) -> bool:
        return any(option.checked for option in self.options)

    @property
    def hint(self) -> str:
        return manifest.BY_NAME[self.name].hint


@dataclass(frozen=True)
class ChosenFilter:
    title: str
    label: str
    remove_url: str


def filter_groups(
    place: str,
    selected: Mapping[str, Sequence[str]],
    counted: Mapping[str, Sequence] | None = None,
) -> list[FilterGroup]:
    """One group per facet `place` offers. With `counted` (the search service's facet values,
    which know their counts), a group lists values that match something plus any selected
    value; without, it lists the facet's choices. Empty groups are left out."""
    groups = []
    for facet in manifest.offered_on(place):
        chosen = set(selected.get(facet.name, ()))
        if counted is not None:
            options = [
                FilterOption(v.value, v.label, v.count, v.selected)
                for v in counted.get(facet.name, ())
                if v.count or v.selected
            ]
        else:
            options = [
                FilterOption(value, label, None, value in chosen)
                for value, label in facet.choices().items()
            ]
        if options:
            groups.append(FilterGroup(facet.name, facet.title, options))
    return groups


def chosen_filters(
    selected: Mapping[str, Sequence[str]],
    groups: Sequence[FilterGroup],
    remove_url: Callable[[str, str], str],
) -> list[ChosenFilter]:
    """The selected values with their labels and a link that removes each one."""
    labels = {(g.name, o.value): o.label for g in groups for o in g.options}
    return [
        ChosenFilter(
            manifest.BY_NAME[name].title, labels.get((name, value), value), remove_url(name, value)
        )
        for name, values in selected.items()
        for value in values
    ]


def rejected_filters(rejected: Sequence[tuple[str, str]]) -> list[str]:
    """A sentence for each filter value in the URL that is not known, so it was not applied."""
    return [
        f"{manifest.BY_NAME[name].title}: “{value}” is not a value we know, so it was not applied."
        for name, value in rejected
    ]


SHARED_RUN = 5  # words in a row that a snippet may share with the summary before it repeats it
_WORDS = re.compile(r"\w+")


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _WORDS.findall(html.unescape(re.sub(r"</?mark>", "", text)).lower())
    return {tuple(words[i : i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}


def fresh_snippets(suppliers: Sequence, highlights: Mapping[int, list[str]]) -> dict[int, list]:
    """Each result's snippets without those that repeat its summary, which the result already
    shows on the line above (descriptions often open with the summary's words)."""
    shown = {}
    for supplier in suppliers:
        summary = _runs(supplier.summary)
        shown[supplier.id] = [s for s in highlights.get(supplier.id, []) if not _runs(s) & summary]
    return shown


@dataclass(frozen=True)
class CameFrom:
    """The listing a profile was opened from: a way back to it, and the navigation item it is
    under."""

    href: str
    text: str
    section: str  # the blueprint whose navigation item is current


_LISTINGS = (
    (re.compile(r"/search"), "Back to search results", "search"),
    (re.compile(r"/suppliers"), "Back to suppliers A to Z", "suppliers"),
    (re.compile(r"/new-arrivals(/\d{4}-W\d{2})?"), "Back to new arrivals", "arrivals"),
)


def came_from(referrer: str | None, host: str) -> CameFrom | None:
    """The listing on this site that `referrer` names, keeping its query (the search, the
    letter, the filters), or None. Only this host's own listing paths count, and the link is
    rebuilt from the path, so a referrer cannot send anyone elsewhere."""
    parts = urlsplit(referrer or "")
    if parts.netloc != host:
        return None
    for path, text, section in _LISTINGS:
        if path.fullmatch(parts.path):
            return CameFrom(parts.path + (f"?{parts.query}" if parts.query else ""), text, section)
    return None
