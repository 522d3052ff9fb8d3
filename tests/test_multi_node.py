"""Several web nodes on one PostgreSQL database, each with its own index, as deployed: real
gunicorn processes and `locator` commands, killed and restarted. PostgreSQL only (SQLite is one
file on one machine); `.ci/run` runs these in its PostgreSQL pass."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from helpers import ROOT, post_form, publish_as_new_owner, published_suppliers

from locator.services import suppliers as supplier_service
from search_index import IndexStore, SearchEngine

pytestmark = pytest.mark.skipif(
    not os.environ.get("LOCATOR_DATABASE_URL", "").startswith("postgresql"),
    reason="several node processes on one database: PostgreSQL only (set LOCATOR_DATABASE_URL; "
    ".ci/run's PostgreSQL pass runs these)",
)
BIN = Path(sys.executable).parent


class Response:
    def __init__(self, status: int, body: bytes):
        self.status_code, self.data = status, body

    def get_json(self):
        return json.loads(self.data)


class HttpClient:
    """Just enough of Flask's test client (get, post, cookies) over real HTTP for `post_form`."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def _send(self, request) -> Response:
        try:
            with self.opener.open(request, timeout=10) as answer:
                return Response(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read())

    def get(self, url: str, query_string: dict | None = None) -> Response:
        query = f"?{urllib.parse.urlencode(query_string, doseq=True)}" if query_string else ""
        return self._send(self.base + url + query)

    def post(self, url: str, data: dict, follow_redirects: bool = True) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self._send(urllib.request.Request(self.base + url, data=body))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One web node: gunicorn with the project's gunicorn.conf.py over its own index folder."""

    def __init__(self, database_url: str, index_dir: Path, workers: int = 1):
        self.index_dir = index_dir
        self.port = _free_port()
        self.env = {**os.environ, "LOCATOR_DATABASE_URL": database_url,
                    "LOCATOR_INDEX_DIR": str(index_dir), "LOCATOR_SECRET_KEY": "multi-node",
                    "LOCATOR_INDEX_POLL_SECONDS": "0.2", "WEB_CONCURRENCY": str(workers)}
        self.log = open(index_dir.parent / f"node-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--access-logfile",
             "/dev/null"], env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.client = HttpClient(f"http://127.0.0.1:{self.port}")

    def health(self) -> Response | None:
        try:
            return self.client.get("/healthz")
        except OSError:
            return None  # not listening yet

    def wait_ready(self, timeout: float = 120) -> list[int]:
        """Every /healthz status seen until it said 200."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.health()
            if answer:
                seen.append(answer.status_code)
                if answer.status_code == 200:
                    return seen
            time.sleep(0.1)
        raise AssertionError(f"node on {self.port} not ready: {seen[-3:]}")

    def search(self, q: str = "", **params) -> dict:
        answer = self.client.get("/api/v1/suppliers", {"q": q, **params})
        assert answer.status_code == 200, answer.data[:300]
        return answer.get_json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def nodes(migrated, tmp_path):
    started: list[Node] = []

    def start(name: str, workers: int = 1) -> Node:
        (tmp_path / name).mkdir()
        started.append(Node(migrated, tmp_path / name / "index", workers))
        return started[-1]

    yield start
    for node in started:
        if node.process.poll() is None:
            node.stop()


def _locator(env: dict, *args: str, **options) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "locator"), *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def _until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def test_an_edit_on_one_node_is_found_on_the_other(app, runner, session, nodes):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "20"]).exit_code == 0
    a, b = nodes("a"), nodes("b")
    a.wait_ready(), b.wait_ready()
    owner = a.client
    slug = publish_as_new_owner(owner, session).slug
    started = time.monotonic()
    # Demo suppliers may share a word with it: look for this one.
    _until(lambda: slug in [r["slug"] for r in b.search("Kestrel Hill")["results"]], 5,
           "published on A, found on B")
    post_form(owner, "/profile/section/organisation", {
        "name": "Kestrel Hill Cyber Ltd", "legal_form": "limited-company",
        "companies_house_number": "sc12345", "summary": "Now also wombat wrangling.",
        "description": "We test public-sector systems the way attackers would."})
    _until(lambda: b.search("wombat")["total"] == 1, 5, "edited on A, found on B")
    assert time.monotonic() - started < 10


def test_a_bulk_import_reaches_both_nodes_while_they_serve(app, runner, session, nodes):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "50"]).exit_code == 0
    a, b = nodes("a"), nodes("b")
    a.wait_ready(), b.wait_ready()
    env = {**a.env, "LOCATOR_INDEX_DIR": str(a.index_dir.parent / "cli-index")}
    seeding = _locator(env, "seed", "--demo", "--suppliers", "1500", "--seed", "7")
    while seeding.poll() is None:  # search stays available throughout
        assert a.search("care")["total"] >= 0 and b.search("care")["total"] >= 0
        time.sleep(0.2)
    assert seeding.returncode == 0, seeding.stderr.read()
    published = len(published_suppliers(session))
    assert published > 1000
    for node in (a, b):
        _until(lambda node=node: node.search(per_page=1)["total"] == published, 120,
               "every imported supplier searchable")
        assert node.health().status_code == 200


def _index_state(index_dir: Path) -> tuple[list[str], dict]:
    """Every document id in the index, and the facet counts of an empty search."""
    engine = SearchEngine(IndexStore(index_dir))
    try:
        first = engine.search("", per_page=100)
        ids = []
        for page in range(1, first.total // 100 + 2):
            ids += [hit.id for hit in engine.search("", per_page=100, page=page).hits]
        assert len(ids) == first.total
        return sorted(ids), first.facets
    finally:
        engine.close()


def test_sigkill_mid_batch_then_exact_parity(app, runner, session, tmp_path):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "800"]).exit_code == 0
    env = {**os.environ, "LOCATOR_DATABASE_URL": app.config["DATABASE_URL"],
           "LOCATOR_INDEX_DIR": str(tmp_path / "node"), "LOCATOR_SECRET_KEY": "kill"}
    assert _locator(env, "index-sync").wait(timeout=300) == 0
    published = published_suppliers(session)
    for n, supplier in enumerate(published):  # a backlog of edits and unpublications
        if n % 7 == 0:
            supplier_service.unpublish(session, supplier)
        else:
            supplier_service.update(session, supplier, {"summary": f"Round {n} of edits"})
    for delay in (1.0, 2.0, 3.0, 4.0):
        sync = _locator(env, "index-sync")
        time.sleep(delay)
        sync.send_signal(signal.SIGKILL)
        sync.wait()
    assert _locator(env, "index-sync").wait(timeout=300) == 0
    assert _locator({**env, "LOCATOR_INDEX_DIR": str(tmp_path / "fresh")}, "reindex").wait(
        timeout=300) == 0
    ids, facet_counts = _index_state(tmp_path / "node")
    assert ids == sorted(str(s.id) for s in published_suppliers(session))
    assert (ids, facet_counts) == _index_state(tmp_path / "fresh")


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def test_reindex_beside_a_running_node(app, runner, session, nodes):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "800"]).exit_code == 0
    a = nodes("a", workers=2)
    a.wait_ready()
    generation = (a.index_dir / "CURRENT").read_text()

    # A rebuild killed mid-build leaves no processes and nothing anyone switches to.
    killed = _locator(a.env, "reindex")

    def indexing_processes():
        assert killed.poll() is None, killed.communicate()  # still building, with its children
        return len(_children(killed.pid)) >= 2

    _until(indexing_processes, 60, "the rebuild's indexing processes")
    children = _children(killed.pid)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    _until(lambda: not any(Path(f"/proc/{c}").exists() for c in children), 5,
           "the rebuild's children gone with it")
    assert (a.index_dir / "CURRENT").read_text() == generation

    reindex = _locator(a.env, "reindex")
    supplier = published_suppliers(session)[0]

    def edit_and_find(n: int) -> None:
        supplier_service.update(session, supplier, {"summary": f"Platypus edit {n}"})
        _until(lambda: [r["summary"] for r in a.search("platypus")["results"]]
               == [f"Platypus edit {n}"], 5, f"edit {n} found on the running node")

    n = 0
    while reindex.poll() is None:  # the node keeps serving and applying changes meanwhile
        n += 1
        edit_and_find(n)
    out, err = reindex.communicate()
    assert reindex.returncode == 0, err
    assert "WriterBusy" not in err and "Indexed" in out
    assert n >= 2
    new_generation = (a.index_dir / "CURRENT").read_text()
    assert new_generation != generation
    leftovers = {p.name for p in a.index_dir.iterdir() if p.name.startswith("gen-")}
    assert leftovers == {generation, new_generation}  # the killed build's folder is gone
    edit_and_find(n + 1)  # and after the switch
    assert a.search(per_page=1)["total"] == len(published_suppliers(session))


def test_a_node_is_not_ready_until_it_has_caught_up(app, runner, session, nodes):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "800"]).exit_code == 0
    a = nodes("a")
    statuses = a.wait_ready()
    assert statuses[0] == 503 and statuses[-1] == 200  # built from scratch first
    a.stop()
    for supplier in published_suppliers(session)[:300]:  # edits while the node is down
        supplier_service.update(session, supplier, {"summary": "Restarted node numbat"})
    restarted = Node(a.env["LOCATOR_DATABASE_URL"], a.index_dir)
    try:
        statuses = restarted.wait_ready()
        assert 503 in statuses  # it said so while it was behind
        assert restarted.search("numbat")["total"] == 300  # and is current once ready
        body = restarted.health().get_json()
        assert body["queue_lag"] == {"changes": 0, "seconds": 0.0}
    finally:
        restarted.stop()
