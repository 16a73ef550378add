"""The indexer's leader lock (`indexer.leader`): one holder per chain and mirror, on SQLite (a
file lock) and PostgreSQL (an advisory lock); a holder's death frees it for a standby."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.db import make_engine
from indexer.leader import LeaderLock

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
from indexer.db import make_engine
from indexer.leader import LeaderLock
lock = LeaderLock(make_engine(sys.argv[1]), 31337)
assert lock.try_acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_one_holder_per_chain(db_url: str) -> None:
    a = LeaderLock(make_engine(db_url), 31337)
    b = LeaderLock(make_engine(db_url), 31337)
    other_chain = LeaderLock(make_engine(db_url), 1)
    assert a.try_acquire()
    assert a.is_leader and a.held()
    assert not b.try_acquire()
    assert not b.is_leader
    assert other_chain.try_acquire()  # a lock per chain
    a.release()
    assert not a.is_leader
    assert b.try_acquire()
    assert not a.try_acquire()
    b.release()
    other_chain.release()


def test_a_killed_holder_frees_the_lock(db_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db_url], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        standby = LeaderLock(make_engine(db_url), 31337)
        assert not standby.try_acquire()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not standby.try_acquire():  # PostgreSQL ends the dead client's session
            if time.monotonic() > deadline:
                pytest.fail("the lock of a killed holder was not freed")
            time.sleep(0.1)
        standby.release()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_sqlite_in_memory_is_always_its_own_leader() -> None:
    lock = LeaderLock(make_engine("sqlite://"), 31337)
    assert lock.try_acquire() and lock.held()
