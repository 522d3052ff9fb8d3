"""The real Contracts Finder corpus, converted by tools/contractsfinder_to_jsonl.py, loads
through `locator import` cleanly, idempotently, and survives export → import → export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import CONTRACTS_FINDER_CSV, CONTRACTS_FINDER_JSONL
from sqlalchemy import delete, func
from sqlmodel import SQLModel, select

from locator import identifiers
from locator.models import Supplier
from tools import contractsfinder_to_jsonl as converter

CSV_PATH, JSONL_PATH = CONTRACTS_FINDER_CSV, CONTRACTS_FINDER_JSONL


@pytest.fixture(scope="module")
def csv_rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def fixture_lines() -> list[str]:
    return JSONL_PATH.read_text(encoding="utf-8").splitlines()


def _import(runner, path: Path):
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Line " not in result.stderr, result.stderr
    assert "not loaded" not in result.stderr, result.stderr
    return result


def _published_count(session) -> int:
    return session.exec(
        select(func.count()).select_from(Supplier).where(Supplier.status == "published")
    ).one()


def test_converter_reproduces_the_committed_jsonl(tmp_path, capsys):
    out = tmp_path / "suppliers.jsonl"
    assert converter.main([str(CSV_PATH), str(out)]) == 0
    assert out.read_bytes() == JSONL_PATH.read_bytes(), (
        "tests/data/contractsfinder_suppliers.jsonl is stale: regenerate it with "
        "tools/contractsfinder_to_jsonl.py (see tests/data/README.md)"
    )
    assert "2563 rows read" in capsys.readouterr().err


def test_converter_output_shape(csv_rows, fixture_lines):
    records = [json.loads(line) for line in fixture_lines]
    slugs = [r.get("slug") or identifiers.slugify(r["name"], max_length=100) for r in records]
    assert slugs == sorted(slugs)
    assert len(set(slugs)) == len(slugs)
    numbers = [r["companies_house_number"] for r in records if r.get("companies_house_number")]
    assert len(set(numbers)) == len(numbers)
    assert all(len(r["summary"]) <= 280 and r["services"] and r["cpv_codes"] for r in records)
    # Computacenter appears as "COMPUTACENTER (UK) LIMITED", "Computacenter (UK) Ltd" and
    # "COMPUTACENTER (U K) LTD" with its number, and as "COMPUTACENTER (UK) LTD" without: all one
    # supplier. Plain "Computacenter" (no number, a different name) stays apart.
    computacenter = {
        r["name"]: r.get("companies_house_number")
        for r in records
        if "computacenter" in r["name"].casefold()
    }
    assert sorted(computacenter.values(), key=str) == ["01584718", None]
    assert computacenter["Computacenter"] is None


def test_converter_maps_sme_and_vcse_flags(csv_rows):
    records = converter.convert(csv_rows)
    sme_names = {
        converter.name_key(r["supplier_name"]) for r in csv_rows if r["supplier_is_sme"] == "Yes"
    }
    flagged = [r for r in records if "sme" in r["supplier_types"]]
    assert flagged and all(converter.name_key(r["name"]) in sme_names for r in flagged[:50])
    assert any("vcse" in r["supplier_types"] for r in records)


def test_suppliers_by_slug_are_the_written_records(csv_rows):
    records = converter.convert(csv_rows)
    by_slug = converter.suppliers_by_slug(csv_rows)
    slugs = [r.get("slug") or identifiers.slugify(r["name"], max_length=100) for r in records]
    assert list(by_slug) == slugs
    for record, rows in zip(records, by_slug.values(), strict=True):
        assert converter.name_key(record["name"]) in {
            converter.name_key(row["supplier_name"]) for row in rows
        }
    assert sum(map(len, by_slug.values())) <= len(csv_rows)


def test_import_loads_every_line_and_reimport_updates(runner, session, csv_rows, fixture_lines):
    result = _import(runner, JSONL_PATH)
    count = len(fixture_lines)
    assert f"Loaded {count} suppliers ({count} new, 0 updated)." in result.stdout
    assert _published_count(session) == count

    # A supplier with a Companies House number in the CSV is found by it, with its CPV codes.
    for number, legal_form in (("00929027", "limited-company"), ("OC428477", "llp")):
        rows = [
            r
            for r in csv_rows
            if r["supplier_ref_type"] == "COMPANIES_HOUSE" and r["supplier_ref_number"] == number
        ]
        assert rows
        supplier = session.exec(
            select(Supplier).where(Supplier.companies_house_number == number)
        ).one()
        assert supplier.name == rows[0]["supplier_name"]
        assert set(supplier.cpv_codes) == {c for r in rows for c in r["cpv_codes"].split()}
        assert supplier.status == "published"
        assert supplier.legal_form == legal_form
        assert supplier.first_published_at is not None

    # Importing the same file again updates every supplier and duplicates none.
    again = _import(runner, JSONL_PATH)
    assert f"Loaded {count} suppliers (0 new, {count} updated)." in again.stdout
    assert session.exec(select(func.count()).select_from(Supplier)).one() == count


def test_import_maps_sme_flag_to_supplier_types(runner, session, csv_rows, tmp_path):
    sme = [r for r in csv_rows if r["supplier_is_sme"] == "Yes"]
    records = converter.convert(sme[:20])
    path = tmp_path / "sme.jsonl"
    path.write_text(converter.dump_lines(records), encoding="utf-8")
    _import(runner, path)
    suppliers = session.exec(select(Supplier)).all()
    assert len(suppliers) == len(records)
    assert all("sme" in s.supplier_types for s in suppliers)


def test_export_import_export_round_trip(runner, session, tmp_path, fixture_lines):
    # A slice of the real suppliers keeps this quick; every line loads in the test above.
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(fixture_lines[::5]) + "\n", encoding="utf-8")
    _import(runner, sample)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert runner.invoke(args=["export", str(first)]).exit_code == 0

    # An empty database, but for the audit log: append-only (on PostgreSQL a trigger refuses
    # DELETE) and not part of an export.
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name != "audit_events":
            session.exec(delete(table))
    session.commit()
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 0

    _import(runner, first)
    assert runner.invoke(args=["export", str(second)]).exit_code == 0
    assert len(first.read_text(encoding="utf-8").splitlines()) == len(fixture_lines[::5])
    assert second.read_bytes() == first.read_bytes()
