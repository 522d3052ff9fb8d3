"""/healthz for load balancers: not ready until this process's index has caught up with the
queue, and the search page says results may be incomplete meanwhile."""

from helpers import published_suppliers

from locator import search_runtime
from locator.services import suppliers as supplier_service


def test_not_ready_until_the_index_has_caught_up(app, client, runner, session):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "12"]).exit_code == 0
    assert client.get("/healthz/live").status_code == 200
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "not ready" and body["index"] == "not built yet"
    assert body["caught_up"] is False
    assert b"results may be incomplete" in client.get("/search").data

    search_runtime.sync(app)
    answer = client.get("/healthz")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["queue_lag"] == {"changes": 0, "seconds": 0.0}
    assert answer.get_json()["documents"] == len(published_suppliers(session))
    assert b"results may be incomplete" not in client.get("/search").data

    supplier_service.update(session, published_suppliers(session)[0], {"summary": "Later"})
    body = client.get("/healthz").get_json()
    assert body["queue_lag"]["changes"] == 1  # reported; a ready node stays ready while it applies


def test_a_lag_beyond_the_limit_is_not_ready(app, client, runner, session):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "3"]).exit_code == 0
    search_runtime.sync(app)
    app.config["INDEX_MAX_LAG_SECONDS"] = 0  # any unapplied change is now too old
    assert client.get("/healthz").status_code == 200
    supplier_service.update(session, published_suppliers(session)[0], {"summary": "Stuck"})
    assert client.get("/healthz").status_code == 503


def test_a_node_of_a_new_site_with_no_suppliers_yet_is_ready(app, client):
    """An empty index is caught up with an empty queue (Whoosh reads an index with no segments
    as having no generation, so its searcher never looks up to date by Whoosh's own test)."""
    search_runtime.sync(app)
    answer = client.get("/healthz")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["documents"] == 0
