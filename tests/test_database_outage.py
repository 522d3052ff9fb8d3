"""PostgreSQL going away: requests fail with a clean 503 within seconds, nothing half-saved, and
the app recovers by itself when the database returns. Runs against a throwaway PostgreSQL
cluster the test starts and stops (never the shared one), in `.ci/run`'s PostgreSQL pass."""

from __future__ import annotations

import glob
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from helpers import ORGANISATION, csrf_token, publish_as_new_owner
from sqlmodel import Session

from locator import create_app, search_runtime
from locator.db import sql_engine
from locator.migrate import upgrade

pytestmark = pytest.mark.skipif(
    not os.environ.get("LOCATOR_DATABASE_URL", "").startswith("postgresql"),
    reason="starts its own PostgreSQL cluster: run in the PostgreSQL pass (LOCATOR_DATABASE_URL)",
)


def _free_port() -> int:
    """A free port below the kernel's ephemeral range: the cluster is restarted on the same port
    after its outage, and meanwhile no outgoing connection (another engineer's tests, a pool)
    can be given a port from below that range; a random one keeps parallel runs apart."""
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range")
    low = int(ephemeral.read_text().split()[0]) if ephemeral.exists() else 32768
    for _ in range(100):
        port = random.randrange(max(1024, low - 10000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    pytest.fail("no free port below the ephemeral range")


class Cluster:
    """A PostgreSQL cluster of our own under /tmp, on a free port."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb")]
        if not found[-1]:
            pytest.fail("initdb not found: install PostgreSQL's server binaries")
        self.bin = Path(found[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="locator-outage-"))
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres",
                  "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, str(self.bin / tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-w", "-l",
                  str(self.folder / "log"), "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def crash(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-w", "-m", "immediate", "stop")

    def remove(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self.crash()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    own = Cluster()
    own.start()
    yield own
    own.remove()


def _timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_an_outage_is_a_quick_503_and_the_app_recovers_by_itself(cluster, tmp_path):
    upgrade(cluster.url)
    app = create_app({"TESTING": True, "DATABASE_URL": cluster.url, "SECRET_KEY": "outage",
                      "INDEX_DIR": str(tmp_path / "index")})
    client = app.test_client()
    with Session(sql_engine(app)) as session:
        publish_as_new_owner(client, session)
    search_runtime.sync(app)
    token = csrf_token(client.get("/profile/section/organisation"))

    cluster.crash()
    for url in ("/search?q=kestrel", "/profile", "/api/v1/suppliers?q=kestrel", "/healthz"):
        answer, seconds = _timed(lambda url=url: client.get(url))
        assert answer.status_code == 503, (url, answer.data[:200])
        assert seconds < 5, url
    assert b"Sorry, the service is unavailable" in client.get("/search?q=kestrel").data
    assert client.get("/api/v1/suppliers").get_json()["status"] == 503
    assert client.get("/healthz").get_json()["database"].startswith("unreachable")
    refused, seconds = _timed(lambda: client.post("/profile/section/organisation", data={
        **ORGANISATION, "summary": "Lost in the outage", "csrf_token": token}))
    assert refused.status_code == 503 and seconds < 5

    cluster.start()
    answer = client.get("/search?q=kestrel")  # no restart: stale connections are replaced
    assert answer.status_code == 200
    assert b"Kestrel Hill Cyber Ltd" in answer.data  # acknowledged before the outage: kept
    assert b"Lost in the outage" not in client.get("/profile/section/organisation").data
    assert client.get("/healthz").status_code == 200
