"""Companies House numbers cannot be squatted (#13, item 8): a number already on another profile
is refused, however it is written (case, spaces, missing leading zeros all name one company), on
a new profile and on a change, with the route to claim the profile that has it. The refusal with
the claim link and an admin's release are in tests/test_trust.py."""

from __future__ import annotations

from helpers import ORGANISATION, post_form
from sqlmodel import select

from locator.models import Supplier

SPELLINGS = ["SC012345", "sc012345", "sc 12345", " SC 0 1 2 3 4 5 ", "Sc12345"]


def _signed_out(client):
    with client.session_transaction() as flask_session:
        flask_session.clear()


def test_every_spelling_of_a_listed_number_is_refused(client, session, sign_up):
    sign_up("first@example.com")
    post_form(client, "/profile/section/organisation", ORGANISATION)  # "sc12345"
    _signed_out(client)
    sign_up("second@example.com")
    for spelling in SPELLINGS:
        response = post_form(client, "/profile/section/organisation",
                             {**ORGANISATION, "name": "Copycat Ltd",
                              "companies_house_number": spelling})
        assert "is already listed as ‘Kestrel Hill Cyber Ltd’" in response.data.decode(), spelling
    assert [s.name for s in session.exec(select(Supplier))] == [ORGANISATION["name"]]

    post_form(client, "/profile/section/organisation",
              {**ORGANISATION, "name": "Copycat Ltd", "companies_house_number": "01234567"})
    for spelling in SPELLINGS:
        response = post_form(client, "/profile/section/organisation",
                             {**ORGANISATION, "name": "Copycat Ltd",
                              "companies_house_number": spelling})
        assert "is already listed as ‘Kestrel Hill Cyber Ltd’" in response.data.decode(), spelling
    session.expire_all()
    numbers = {s.name: s.companies_house_number for s in session.exec(select(Supplier))}
    assert numbers == {ORGANISATION["name"]: "SC012345", "Copycat Ltd": "01234567"}
