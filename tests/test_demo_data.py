"""`locator seed --demo`: what a newcomer sees first looks like a real directory (varied,
plausible, consistent sizes) and is marked as demo data once, by the site's banner."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from locator.models import Supplier
from locator.services import demo

BANNER = b"invented demo data"


def test_a_hundred_thousand_names_are_distinct_and_have_no_digits():
    names = [demo.supplier_name(n)[0] for n in range(100_000)]
    assert len(set(names)) == len(names)
    assert not [name for name in names if re.search(r"\d", name)]
    # Neighbours differ in place and trade: the first few look like a real list.
    assert len({name.split()[0] for name in names[:40]}) >= 30


@pytest.fixture
def seeded(runner, session):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "200"]).exit_code == 0
    return session.exec(select(Supplier).order_by(Supplier.id)).all()


def test_sizes_are_mostly_small_and_agree_with_the_sme_flag(seeded):
    sizes = Counter(s.size for s in seeded)
    assert (sizes["micro"] + sizes["small"]) / len(seeded) >= 0.7
    assert 0 < sizes["large"] <= len(seeded) * 0.1
    assert all(s.is_sme == (s.size != "large") for s in seeded)


def test_profiles_are_varied_and_say_nothing_about_being_fictional(seeded):
    texts = [f"{s.summary} {s.description}" for s in seeded]
    assert not [t for t in texts if re.search(r"fictional|demo", t, re.IGNORECASE)]
    assert len({s.summary for s in seeded}) >= 0.9 * len(seeded)
    assert all(len(re.findall(r"\.(\s|$)", s.description)) >= 4 for s in seeded)  # sentences
    assert all(s.summary.endswith(".") and len(s.summary) > 40 for s in seeded)
    commitments = [c["commitment"] for s in seeded for c in s.social_value]
    assert len(set(commitments)) >= 10
    frameworks = {f["name"] for s in seeded for f in s.frameworks}
    assert len(frameworks) >= 5
    assert all(s.town and s.contact_phone and s.contact_name != "Demo Contact" for s in seeded)


def test_case_studies_name_buyers_and_outcomes(seeded):
    studies = [c for s in seeded for c in s.case_studies]
    assert len({c.client_name for c in studies}) >= 8
    assert len({c.outcome for c in studies}) >= 0.8 * len(studies)
    assert all(re.search(r"\d", c.outcome) or "Good" in c.outcome for c in studies)


def test_accreditations_are_current_expiring_soon_or_lapsed(seeded):
    today = date.today()
    expiries = [a.expires_on for s in seeded for a in s.accreditations if a.expires_on]
    assert any(e < today for e in expiries)
    assert any(today <= e <= today + timedelta(days=45) for e in expiries)
    assert sum(e > today + timedelta(days=45) for e in expiries) > len(expiries) / 2


def test_generated_logos_are_stored_like_uploads_and_kept_on_a_second_run(app, runner, seeded):
    with_logo = [s for s in seeded if s.logo]
    assert 0.4 * len(seeded) < len(with_logo) < 0.8 * len(seeded)
    folder = Path(app.config["LOGO_DIR"])
    for supplier in with_logo[:5]:
        assert re.fullmatch(demo.logos.NAME_PATTERN, supplier.logo)
        with Image.open(folder / supplier.logo) as image:
            assert image.size == (demo.LOGO_SIDE, demo.LOGO_SIDE)
    assert demo.logo_image(seeded[0].name) == demo.logo_image(seeded[0].name)
    files = sorted(folder.iterdir())
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "200"]).exit_code == 0
    assert sorted(folder.iterdir()) == files  # re-running updates, it does not pile up logos


def test_the_site_says_once_that_it_holds_demo_data(client, runner):
    assert BANNER not in client.get("/").data
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "20"]).exit_code == 0
    for path in ("/", "/suppliers", "/search?q=care", "/feedback"):
        assert client.get(path).data.count(BANNER) == 1, path
