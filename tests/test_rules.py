"""The domain rules: organisation size, identifiers and the shipped taxonomies."""

import pytest

from locator import identifiers, sizes, taxonomies


@pytest.mark.parametrize(
    ("staff", "turnover", "sheet", "size"),
    [
        ("0-10", "upto-1m", None, "micro"),
        ("0-10", "1m-15m", "upto-0.5m", "micro"),  # two of three: staff and balance sheet
        ("0-10", "1m-15m", None, "small"),  # unknown balance sheet never counts
        ("11-50", "1m-15m", None, "small"),
        ("51-249", "15m-44m", None, "medium"),
        ("51-249", "54m+", "7.5m-27m", "medium"),
        ("250+", "44m-54m", "7.5m-27m", "medium"),
        ("250+", "54m+", "38m+", "large"),
        (None, "upto-1m", None, "not-stated"),
        ("bogus", "upto-1m", None, "not-stated"),
    ],
)
def test_companies_act_size(staff, turnover, sheet, size):
    assert sizes.organisation_size(staff, turnover, sheet) == size


@pytest.mark.parametrize(
    ("staff", "turnover", "sheet", "sme"),
    [
        ("51-249", "15m-44m", None, True),
        ("51-249", "44m-54m", "27m-38m", True),  # turnover over, balance sheet under
        ("51-249", "44m-54m", "38m+", False),
        ("51-249", "44m-54m", None, None),  # cannot tell without the balance sheet
        ("250+", "upto-1m", None, False),  # "fewer than 250 staff"
        (None, None, None, None),
    ],
)
def test_procurement_act_sme(staff, turnover, sheet, sme):
    assert sizes.is_procurement_act_sme(staff, turnover, sheet) is sme


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("1234", "00001234"), (" 01234567 ", "01234567"), ("sc12345", "SC012345"),
     ("OC301540", "OC301540"), ("NI 612345", "NI612345"), ("123456789", None),
     ("XX123456", None), ("SC1234567", None), ("", None), ("12AB", None)],
)
def test_companies_house_numbers(raw, normal):
    assert identifiers.normalise_companies_house_number(raw) == normal


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("1234567", "1234567"), ("sc012345", "SC012345"), ("12345", None), ("SC12345", None)],
)
def test_charity_numbers(raw, normal):
    assert identifiers.normalise_charity_number(raw) == normal


def test_slugify():
    assert identifiers.slugify("Smith & Jones (UK) Ltd") == "smith-jones-uk-ltd"
    assert identifiers.slugify("Café Ürban") == "cafe-urban"
    assert identifiers.slugify("!!!") == "supplier"


def test_taxonomies_are_the_real_lists():
    assert len(taxonomies.cpv_codes()) == 9454
    assert taxonomies.cpv_codes()["72000000"].startswith("IT services")
    assert len(taxonomies.sic_codes()) == 731
    assert taxonomies.sic_codes()["62020"] == "Information technology consultancy activities"
    regions = taxonomies.regions()
    assert len(regions) == 13 and regions["UK"] == "UK-wide"
    assert regions["TLD"] == "North West"
    assert len(taxonomies.social_value_missions()) == 5


def test_cpv_search_and_hierarchy():
    found = {term.code for term in taxonomies.search_cpv("security services")}
    assert found, "CPV has security services"
    assert [t.code for t in taxonomies.search_cpv("72000000-5")] == ["72000000"]
    assert all(code.startswith("722") for code in
               (t.code for t in taxonomies.search_cpv("722")))
    assert taxonomies.cpv_groups()["722"].startswith("Software programming")
    assert taxonomies.cpv_divisions()["72"].startswith("IT services")
