"""The OpenAPI 3 description of the JSON API; its filters come from the facet manifest."""

from __future__ import annotations

from . import facets
from .services.search import MAX_PAGE, MAX_PER_PAGE, SORTS


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
ERROR = {
    "description": "The request cannot be understood; `error` says why",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _filter_parameters(place: str) -> list[dict]:
    """One query parameter per facet `place` offers (see `facets.py`)."""
    return [
        {
            "name": facet.name,
            "in": "query",
            "style": "form",
            "explode": True,
            "schema": _array(STRING),
            "description": f"{facet.title}. Repeat to select several values: a supplier matches "
            f"{facet.match} of them. Different filters are ANDed. "
            "An unknown value is an error (400)."
            + (" A full 8-digit CPV code (check digit optional) matches that code and every "
               "code below it." if facet.name == "cpv" else ""),
        }
        for facet in facets.offered_on(place)
    ]


PAGING = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    },
]


def _search_parameters() -> list[dict]:
    return [
        {
            "name": "q",
            "in": "query",
            "schema": STRING,
            "description": 'Words to find (ANDed). "Quoted phrases" and a trailing * work. '
            "A place named in the words (\"in Yorkshire\", \"Scottish\") becomes a region "
            "filter, a CPV code a category filter, and a listed supplier's Companies House "
            "number finds that supplier; `interpreted` says what was read.",
        },
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
        *PAGING,
        *_filter_parameters(facets.API),
    ]


def document(server_url: str, config: dict) -> dict:
    """The document for this app: `config` gives the limits it states."""
    summary = {
        "type": "object",
        "required": ["slug", "name", "summary", "url"],
        "properties": {
            "slug": STRING,
            "name": STRING,
            "summary": STRING,
            "url": {"type": "string", "format": "uri"},
            "sectors": _array(STRING),
            "regions": _array(STRING),
            "size": STRING,
            "legal_form": NULLABLE_STRING,
            "supplier_types": _array(STRING),
            "accreditations": _array(STRING),
            "first_published_at": {"type": "string", "format": "date-time", "nullable": True},
            "highlights": _array(STRING),
        },
    }
    facet_value = {
        "type": "object",
        "properties": {
            "value": STRING,
            "label": STRING,
            "count": {"type": "integer"},
            "selected": {"type": "boolean"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Supplier Locator API",
            "version": "1",
            "description": "Find UK public-sector suppliers: SMEs, charities and social "
            "enterprises.",
        },
        "servers": [{"url": server_url.rsplit("/suppliers", 1)[0]}],
        "paths": {
            "/suppliers": {
                "get": {
                    "summary": "Search published suppliers",
                    "operationId": "searchSuppliers",
                    "parameters": _search_parameters(),
                    "responses": {
                        "200": {
                            "description": "One page of matching suppliers with facet counts",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/SearchResults"}
                                }
                            },
                        },
                        "400": ERROR,
                    },
                }
            },
            "/new-arrivals": {
                "get": {
                    "summary": "Suppliers first published in an ISO week (Europe/London)",
                    "operationId": "newArrivals",
                    "parameters": [
                        {
                            "name": "week",
                            "in": "query",
                            "schema": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"},
                            "description": "An ISO week such as 2026-W47; default: this week",
                        },
                        *PAGING,
                        *_filter_parameters(facets.ARRIVALS),
                    ],
                    "responses": {
                        "200": {
                            "description": "One page of the week's arrivals, newest first",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Arrivals"}
                                }
                            },
                        },
                        "400": ERROR,
                        "404": ERROR,
                    },
                }
            },
            "/suppliers/{slug}": {
                "get": {
                    "summary": "A published supplier's full profile",
                    "operationId": "getSupplier",
                    "parameters": [
                        {"name": "slug", "in": "path", "required": True, "schema": STRING}
                    ],
                    "responses": {
                        "200": {
                            "description": "The profile, with current accreditations and "
                            "case studies",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Supplier"}
                                }
                            },
                        },
                        "404": ERROR,
                    },
                }
            },
            "/cpv": {
                "get": {
                    "summary": "Find CPV codes by words in their description or a code prefix",
                    "operationId": "findCpvCodes",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "maxLength": config["CPV_QUERY_MAX_CHARS"],
                            },
                            "description": "Words that must all be in the description, or the "
                            "start of a code such as 722. Fewer than "
                            f"{config['CPV_QUERY_MIN_CHARS']} characters find nothing.",
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": config["CPV_RESULTS_MAX"],
                                "default": config["CPV_RESULTS"],
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Matching CPV 2008 codes (8 digits, no check digit), "
                            "in code order",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/CpvResults"}
                                }
                            },
                        },
                        "400": ERROR,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": STRING, "status": {"type": "integer"}},
                },
                "SupplierSummary": summary,
                "SearchResults": {
                    "type": "object",
                    "required": ["total", "page", "per_page", "results", "facets"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "matched": {
                            "type": "object",
                            "description": "Of `total`, how many match every word of `q` and "
                            "how many match some (offered when few match every word)",
                            "properties": {
                                "all": {"type": "integer"},
                                "some": {"type": "integer"},
                            },
                        },
                        "results": _array(
                            {
                                "allOf": [
                                    {"$ref": "#/components/schemas/SupplierSummary"},
                                    {
                                        "type": "object",
                                        "properties": {
                                            "match": {"type": "string", "enum": ["all", "some"]}
                                        },
                                    },
                                ]
                            }
                        ),
                        "facets": {"type": "object", "additionalProperties": _array(facet_value)},
                        "suggestion": NULLABLE_STRING,
                        "interpreted": {
                            "type": "object",
                            "nullable": True,
                            "description": "How `q` was read, when the search differs from its "
                            "words (null otherwise): `q` as sent and the words `searched`; "
                            "`regions` added as filters for a `place` it named; a `cpv` code it "
                            "held, now a filter; the `company_number` of the supplier it found; "
                            "`corrected_from`, a spelling that matched no supplier in full, so "
                            "the search ran with a corrected one",
                            "properties": {
                                "q": STRING,
                                "searched": STRING,
                                "regions": _array(STRING),
                                "place": NULLABLE_STRING,
                                "cpv": NULLABLE_STRING,
                                "company_number": NULLABLE_STRING,
                                "corrected_from": NULLABLE_STRING,
                            },
                        },
                    },
                },
                "Arrivals": {
                    "type": "object",
                    "required": ["week", "starts", "ends", "total", "page", "pages", "per_page",
                                 "results"],
                    "properties": {
                        "week": STRING,
                        "starts": {"type": "string", "format": "date-time"},
                        "ends": {"type": "string", "format": "date-time"},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "results": _array({"$ref": "#/components/schemas/SupplierSummary"}),
                        "previous_week": STRING,
                        "next_week": STRING,
                    },
                },
                "CpvResults": {
                    "type": "object",
                    "required": ["results"],
                    "properties": {
                        "results": _array(
                            {
                                "type": "object",
                                "required": ["code", "label"],
                                "properties": {
                                    "code": {"type": "string", "pattern": "^[0-9]{8}$"},
                                    "label": STRING,
                                },
                            }
                        ),
                    },
                },
                "Supplier": {
                    "type": "object",
                    "required": ["name", "slug", "summary"],
                    "properties": {
                        "name": STRING,
                        "slug": STRING,
                        "summary": STRING,
                        "description": STRING,
                        "services": _array(STRING),
                        "size": STRING,
                        "sectors": _array(STRING),
                        "regions": _array(STRING),
                        "cpv_codes": _array(STRING),
                        "sic_codes": _array(STRING),
                        "accreditations": _array({"type": "object"}),
                        "case_studies": _array({"type": "object"}),
                        "url": {"type": "string", "format": "uri"},
                    },
                },
            }
        },
    }
