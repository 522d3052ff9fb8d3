"""Rate limits on signing in: per process by default, shared through Redis across workers."""

import uuid

import pytest
import redis
from helpers import csrf_token

from locator import create_app

REDIS_URL = "redis://127.0.0.1:6379/15"


def _failed_sign_ins(client, times: int) -> list:
    """Wrong passwords from one client address, each for another account (one account has a
    limit of its own: tests/security/test_enumeration.py)."""
    token = csrf_token(client.get("/account/sign-in"))
    return [
        client.post("/account/sign-in", data={"email": f"x{uuid.uuid4().hex}@example.com",
                                              "password": "wrong one", "csrf_token": token})
        for _ in range(times)
    ]


def _statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def test_too_many_sign_ins_are_refused_with_a_page(client):
    responses = _failed_sign_ins(client, 11)
    assert _statuses(responses) == [200] * 10 + [429]
    assert b"You have tried too many times" in responses[10].data
    assert client.get("/account/sign-in").status_code == 200  # reading the page is not limited


@pytest.fixture
def shared_redis():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()  # the Redis the scale-out path needs is running
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)


def test_limits_are_shared_between_workers_through_redis(migrated, tmp_path, shared_redis):
    def worker():
        return create_app({"TESTING": True, "DATABASE_URL": migrated, "SECRET_KEY": "t",
                           "INDEX_DIR": str(tmp_path / "index"),
                           "REDIS_URL": REDIS_URL,
                           "RATELIMIT_KEY_PREFIX": shared_redis})

    first, second = worker().test_client(), worker().test_client()
    assert _statuses(_failed_sign_ins(first, 6)) == [200] * 6
    assert _statuses(_failed_sign_ins(second, 5)) == [200] * 4 + [429]
