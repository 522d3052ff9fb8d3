"""`locator import`, `export` and `seed`: validation per line, re-import updates, round trips."""

import json

from sqlmodel import func, select

from locator.models import Accreditation, Supplier

GOOD = {
    "name": "Willowmere Care CIC",
    "companies_house_number": "1234567",
    "legal_form": "cic",
    "summary": "Home care in the North West.",
    "description": "We provide care at home.",
    "services": ["Domiciliary care"],
    "sectors": ["health-social-care"],
    "regions": ["TLD"],
    "cpv_codes": ["85000000"],
    "status": "published",
    "accreditations": [
        {"type": "living-wage", "issued_on": "2026-01-01", "expires_on": "2026-12-31"}
    ],
    "case_studies": [],
}


def _write(tmp_path, lines) -> str:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return str(path)


def test_import_reports_bad_lines_and_loads_good_ones(runner, session, tmp_path):
    lines = [
        GOOD,
        "{not json",
        {**GOOD, "name": "Bad Number Ltd", "companies_house_number": "ABC"},
        {**GOOD, "name": "Long Ltd", "companies_house_number": None, "summary": "x" * 300},
        {**GOOD, "name": "Unknown CPV Ltd", "companies_house_number": None,
         "cpv_codes": ["99999999"]},
        {**GOOD, "name": "Bad Dates Ltd", "companies_house_number": None, "accreditations": [
            {"type": "iso-9001", "issued_on": "2026-05-01", "expires_on": "2026-04-01"}]},
        {**GOOD, "name": "Draft Only Ltd", "companies_house_number": None, "status": "draft",
         "sectors": [], "regions": [], "accreditations": []},
        [1, 2],
    ]
    result = runner.invoke(args=["import", _write(tmp_path, lines)])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 suppliers (2 new, 0 updated)" in result.output
    assert "Line 2: not valid JSON" in result.output
    assert "Line 3: companies_house_number: Enter a Companies House number" in result.output
    assert "Line 4: summary: Summary must be 280 characters or fewer" in result.output
    assert "Line 5: cpv_codes: 99999999 is not a CPV code" in result.output
    assert "Line 6: accreditations 1: expires_on: Expiry date must be on or after" in result.output
    assert "Line 8: each line must be a JSON object" in result.output
    names = set(session.exec(select(Supplier.name)))
    assert names == {"Willowmere Care CIC", "Draft Only Ltd"}
    supplier = session.exec(select(Supplier).where(Supplier.name == GOOD["name"])).one()
    assert supplier.companies_house_number == "01234567"
    assert supplier.first_published_at is not None
    assert len(supplier.accreditations) == 1


def test_reimport_updates_instead_of_duplicating(runner, session, tmp_path):
    runner.invoke(args=["import", _write(tmp_path, [GOOD])])
    renamed = {**GOOD, "name": "Willowmere Care and Support CIC",
               "summary": "Care and support at home."}
    result = runner.invoke(args=["import", _write(tmp_path, [renamed])])
    assert "(0 new, 1 updated)" in result.output
    supplier = session.exec(select(Supplier)).one()  # matched on the Companies House number
    assert supplier.name == renamed["name"]
    assert supplier.slug == "willowmere-care-cic"  # slugs are stable
    assert session.exec(select(func.count()).select_from(Accreditation)).one() == 1


def test_published_line_must_be_complete(runner, session, tmp_path):
    result = runner.invoke(args=["import", _write(tmp_path, [{**GOOD, "cpv_codes": [],
                                                             "services": []}])])
    assert "cannot be published without: Services and categories" in result.output
    assert result.exit_code == 1
    assert session.exec(select(Supplier)).all() == []


def test_seed_is_deterministic_and_round_trips_through_export(runner, app, session, tmp_path):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "40"]).exit_code == 0
    first = tmp_path / "first.jsonl"
    assert runner.invoke(args=["export", str(first)]).exit_code == 0
    exported = first.read_text().splitlines()
    assert len(exported) == 40
    records = [json.loads(line) for line in exported]
    statuses = {r["status"] for r in records}
    assert statuses == {"published", "draft"}
    assert any(r["accreditations"] for r in records) and any(r["case_studies"] for r in records)
    assert len({r["legal_form"] for r in records}) > 3

    # Into an empty database: the export is reproduced exactly.
    session.exec(select(Supplier))
    for supplier in session.exec(select(Supplier)).all():
        session.delete(supplier)
    session.commit()
    assert runner.invoke(args=["import", str(first)]).exit_code == 0
    second = tmp_path / "second.jsonl"
    runner.invoke(args=["export", str(second)])
    assert second.read_text() == first.read_text()

    # Seeding again with the same seed updates the same suppliers, nothing new.
    again = runner.invoke(args=["seed", "--demo", "--suppliers", "40"])
    assert "(0 new, 40 updated)" in again.output


def test_init_db_is_idempotent(runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert "latest migration" in runner.invoke(args=["init-db"]).output


def test_a_refused_update_leaves_the_stored_profile_untouched(runner, session, tmp_path):
    runner.invoke(args=["import", _write(tmp_path, [GOOD])])
    broken = {**GOOD, "summary": "Changed summary", "cpv_codes": [], "services": []}
    later = {**GOOD, "name": "Another Ltd", "companies_house_number": "7654321"}
    result = runner.invoke(args=["import", _write(tmp_path, [broken, later])])
    assert "Line 1: cannot be published without" in result.output
    session.expire_all()
    stored = session.exec(select(Supplier).where(Supplier.companies_house_number == "01234567")
                          ).one()
    assert stored.summary == GOOD["summary"] and stored.cpv_codes == GOOD["cpv_codes"]
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2


def test_wrong_json_types_are_reported_not_crashed_on(runner, session, tmp_path):
    lines = [
        {**GOOD, "services": "one line"},
        {**GOOD, "name": 7},
        {**GOOD, "cpv_codes": "72000000"},
        {**GOOD, "accreditations": [{"type": "iso-9001", "issued_on": 5}]},
        {**GOOD, "case_studies": [{"title": "t", "year": "2024"}]},
        {**GOOD, "frameworks": "G-Cloud 14"},
        {**GOOD, "social_value": [{"mission": None, "commitment": "x"}]},
    ]
    result = runner.invoke(args=["import", _write(tmp_path, lines)])
    assert result.exit_code == 1  # nothing loaded
    for expected in ("Line 1: services: must be a list of text",
                     "Line 2: name: must be text",
                     "Line 3: cpv_codes: must be a list of text",
                     "Line 4: accreditations 1: issued_on: must be text",
                     "Line 5: case_studies 1: year: must be a whole number",
                     "Line 6: frameworks: must be a list of objects",
                     "Line 7: social_value: unknown mission"):
        assert expected in result.output
    assert session.exec(select(Supplier)).all() == []
