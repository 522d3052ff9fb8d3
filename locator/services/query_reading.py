"""Reading a buyer's query for the parts that are not words to match: a place ("IT support in
Yorkshire", "Scottish caterers"), a CPV code ("45261000-3") or a Companies House number.

Pure text work against the vocabularies in `locator/data/`; the search service decides what to do
with what was read (apply a filter, look up a company).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .. import taxonomies
from ..identifiers import normalise_companies_house_number

# Words that introduce a place and go with it: "IT support in Leeds", "cleaners based in Kent".
_LEAD_INS = ("based in", "located in", "in", "across", "around", "near", "covering", "within",
             "throughout")
_JOINERS = ("and", "or", "&")
_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*")
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_CPV = re.compile(r"(?:\bcpv\s*(?:code\s*)?)?\b(\d{8})(?:-\d)?\b", re.IGNORECASE)
_COMPANY = re.compile(
    r"^(?:(?:companies house|company|crn)\s*(?:number|no\.?)?\s*)?([A-Za-z]{2}\d{6}|\d{7,8})$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reading:
    """``text``: the words left to search. ``regions``: ITL1 codes of the places named, ``place``
    the place as typed. ``cpv``: an 8-digit CPV code in the query. ``company_number``: the whole
    query is (or could be) a Companies House number, in its normal form."""

    text: str
    regions: tuple[str, ...] = ()
    place: str = ""
    cpv: str | None = None
    company_number: str | None = None


@cache
def _places() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    places = {tuple(_words(name)): regions for name, regions in taxonomies.place_names().items()}
    return places, max(len(key) for key in places)


def _normal(word: str) -> str:
    return word.lower().replace("’", "'")


def _words(text: str) -> list[str]:
    return [_normal(m.group()) for m in _WORD.finditer(text)]


def _find_places(q: str) -> tuple[list[tuple[int, int]], list[str], tuple[str, ...]]:
    """Spans (to cut, lead-in included), the places as typed, and their regions. Words inside
    quotes are the buyer's exact phrase and are left alone."""
    quoted = [m.span() for m in _QUOTED.finditer(q)]
    tokens = [m for m in _WORD.finditer(q)
              if not any(a <= m.start() < b for a, b in quoted)]
    lowered = [_normal(m.group()) for m in tokens]
    places, longest = _places()
    spans, typed, regions = [], [], []
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            found = places.get(tuple(lowered[i:i + n]))
            if found:
                start = tokens[i].start()
                for lead in _LEAD_INS:
                    size = len(lead.split())
                    if i >= size and lowered[i - size:i] == lead.split():
                        start = tokens[i - size].start()
                        break
                spans.append((start, tokens[i + n - 1].end()))
                typed.append(q[tokens[i].start():tokens[i + n - 1].end()])
                regions.extend(r for r in found if r not in regions)
                i += n
                break
        else:
            i += 1
    return spans, typed, tuple(regions)


def _cut(q: str, spans: list[tuple[int, int]]) -> str:
    """``q`` without the spans, and without a joining word or comma left dangling at its ends."""
    for start, end in reversed(spans):
        q = q[:start] + " " + q[end:]
    words = " ".join(q.split()).replace(" ,", ",").strip(" ,;-").split()
    while words and words[-1].lower() in _JOINERS:
        words.pop()
    return " ".join(words).strip(" ,;-")


def read(q: str) -> Reading:
    """What a query asks for beyond its words (see the module docstring)."""
    q = " ".join(q.split())
    company = _COMPANY.match(q)
    number = normalise_companies_house_number(company.group(1)) if company else None
    cpv_match = _CPV.search(q)
    cpv = cpv_match.group(1) if cpv_match and cpv_match.group(1) in taxonomies.cpv_codes() else None
    if cpv:
        q = _cut(q, [cpv_match.span()])
    spans, typed, regions = _find_places(q) if not number else ([], [], ())
    return Reading(
        text=_cut(q, spans),
        regions=regions,
        place=" and ".join(typed),
        cpv=cpv,
        company_number=number,
    )
