"""Normalising and checking registered identifiers, and making URL slugs.

Duplicates are matched on registered identifiers, never on names, so the normal forms here are
what the database compares.
"""

from __future__ import annotations

import re
import unicodedata


def normalise_email(email: str) -> str:
    """The form in which accounts and subscriptions store and compare an e-mail address."""
    return email.strip().lower()


# Two-letter Companies House prefixes in use (England & Wales has none: 8 digits).
COMPANIES_HOUSE_PREFIXES = frozenset(
    [
        "SC",
        "NI",
        "OC",
        "SO",
        "NC",
        "LP",
        "SL",
        "NL",
        "R0",
        "IP",
        "SP",
        "IC",
        "SI",
        "NP",
        "NV",
        "RC",
        "SR",
        "NR",
        "NO",
        "GE",
        "FC",
        "SF",
        "NF",
        "SA",
        "ZC",
        "SZ",
        "SE",
        "AC",
        "CE",
        "CS",
    ]
)

_CH_DIGITS = re.compile(r"^\d{1,8}$")
_CH_PREFIXED = re.compile(r"^([A-Z][A-Z0-9])(\d{1,6})$")
_EW_CHARITY = re.compile(r"^\d{6,7}$")
_SC_CHARITY = re.compile(r"^SC\d{6}$")
_NI_CHARITY = re.compile(r"^(NIC)?1\d{5}$")
_PPON = re.compile(r"^[A-Z0-9][A-Z0-9-]{5,19}$")


def normalise_companies_house_number(raw: str) -> str | None:
    """The 8-character form ("1234" → "00001234", "sc12345" → "SC012345"), or None if invalid."""
    value = re.sub(r"\s+", "", raw or "").upper()
    if _CH_DIGITS.match(value):
        return value.zfill(8)
    match = _CH_PREFIXED.match(value)
    if match and match.group(1) in COMPANIES_HOUSE_PREFIXES:
        return match.group(1) + match.group(2).zfill(6)
    return None


def normalise_charity_number(raw: str) -> str | None:
    """England & Wales (6–7 digits), Scotland (SC + 6 digits) or Northern Ireland numbers."""
    value = re.sub(r"\s+", "", raw or "").upper()
    if _EW_CHARITY.match(value) or _SC_CHARITY.match(value) or _NI_CHARITY.match(value):
        return value
    return None


def normalise_ppon(raw: str) -> str | None:
    """PPONs come from the Central Digital Platform; we check only the character set and length,
    as the format is theirs to change."""
    value = re.sub(r"\s+", "", raw or "").upper()
    return value if _PPON.match(value) else None


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lower case, hyphen-separated: "Smith & Jones (UK) Ltd" → "smith-jones-uk-ltd"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "supplier"


# Words that say what kind of body a business is, not which one: "Acme Ltd" is "Acme Limited".
_LEGAL_WORDS = frozenset(
    ["the", "ltd", "limited", "plc", "llp", "lp", "cic", "cio", "inc", "co", "company", "uk"]
)


def name_key(name: str) -> str:
    """A business name reduced for spotting near-duplicates: case, accents, punctuation, "&"
    and legal-form words ignored ("The Acme Co. Ltd" and "ACME limited" → "acme")."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower().replace("&", " and ")).split()
    kept = [word for word in words if word not in _LEGAL_WORDS]
    return " ".join(kept or words)[:200]


def initials(name: str) -> str:
    """Up to two initials for a logo's placeholder: "Ivystone Consulting Ltd" → "IC"."""
    words = [w for w in re.findall(r"[^\W_]+", name) if w.lower() not in _NAME_ENDINGS]
    return "".join(w[0] for w in words[:2]).upper() or "?"


_NAME_ENDINGS = {"ltd", "limited", "llp", "plc", "cic", "the", "and", "of", "co"}
