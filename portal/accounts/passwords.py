"""Password hashes: argon2id, computed in real threads so that the live room keeps moving.

A password hash is made slow on purpose. On the gevent event loop, which serves every page and
every live connection of a process, one slow hash would stop them all: while a thousand people
sign in at the start of a plenary, votes, joins and pings would wait behind the hashes, and
phones already in the room would be dropped. So every hash and every check runs here, in a
small pool of real threads (argon2-cffi releases the GIL while it works), at a lower priority
than the loop, while the request that asked waits without blocking anyone else.

The pool has one thread per core. When more checks are waiting than the queue allows
(``PASSWORD_HASH_QUEUE``), a new one is refused at once with ``PasswordHashingBusy``, which
says how long to wait: the page answers "busy, try again in N seconds" (HTTP 503 with
Retry-After) rather than letting people wait for minutes without knowing.

Parameters: argon2id with 19 MiB of memory, 2 passes and 1 lane, OWASP's minimum for
argon2id (Password Storage Cheat Sheet). On a 2-core server one hash takes about 25 ms of one
core when the machine is quiet and about twice that while both cores also serve the room, so
a process checks 35 to 80 passwords a second, and a queue of 2,000 is 25 to 60 seconds of
waiting: a plenary's arrival (3,000 people over a minute, or 1,500 within seconds) waits in
the queue rather than being sent away, and a crowd beyond it is told to come back. Hashes
made with older settings (werkzeug's scrypt or pbkdf2, or argon2 with other parameters)
still verify, and are replaced at the next successful sign-in (``check_password`` says so).
"""

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash

#: argon2id at OWASP's minimum: 19 MiB (in KiB), 2 passes, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32,
                        salt_len=16, type=Type.ID)
#: The prefix of hashes made by ``HASHER``; other hashes are older kinds.
ARGON2_PREFIX = "$argon2id$"
#: The mark of a password nobody knows (an account made at the check-in desk): no password
#: verifies against it, and making one costs no hash.
UNUSABLE_PREFIX = "!unusable:"


class PasswordHashingBusy(Exception):
    """Too many password checks are waiting in this process: try again in ``retry_after``
    seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"password hashing busy, retry after {retry_after} s")
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, made off the event loop. Raises PasswordHashingBusy."""
    return _pool().run(HASHER.hash, password)


def check_password(stored_hash: str, password: str) -> tuple[bool, bool]:
    """Whether ``password`` matches ``stored_hash``, and whether the hash should be replaced
    by a new one (an older kind, or older parameters). Raises PasswordHashingBusy."""
    return _pool().run(_check, stored_hash, password)


def unusable_password_hash() -> str:
    """A hash no password matches: the account signs in by e-mailed link until its owner sets
    a password."""
    return UNUSABLE_PREFIX + os.urandom(16).hex()


@cache
def _hash_nobody_has() -> str:
    return HASHER.hash(os.urandom(16).hex())


def _check(stored_hash: str, password: str) -> tuple[bool, bool]:
    if stored_hash.startswith(ARGON2_PREFIX):
        try:
            HASHER.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, False
        return True, HASHER.check_needs_rehash(stored_hash)
    if stored_hash.startswith(("scrypt:", "pbkdf2:")):
        return check_password_hash(stored_hash, password), True
    # An unusable or unknown hash: the same work as a real check, so the time taken does not
    # tell which kind of account this is.
    with contextlib.suppress(VerificationError):
        HASHER.verify(_hash_nobody_has(), password)
    return False, False


class HashingPool:
    """Real threads for password hashes, with a bounded queue.

    Under gevent (the production server) the threads are gevent's native thread pool: the
    greenlet that asks waits on the loop without blocking it. Elsewhere (the development
    server, commands, the suite) they are ordinary threads.
    """

    def __init__(self, threads: int, queue_limit: int, niceness: int):
        self.threads = threads
        self.queue_limit = queue_limit
        self.niceness = niceness
        self.waiting = 0
        self._count_lock = threading.Lock()
        #: Seconds one hash took lately, for the Retry-After estimate.
        self.seconds_per_hash = 0.03
        self._executor = _native_thread_pool(threads)

    def run(self, work: Callable, *args):
        with self._count_lock:
            if self.waiting >= self.queue_limit + self.threads:
                raise PasswordHashingBusy(self.retry_after())
            self.waiting += 1
        try:
            return self._executor(self._timed, work, *args)
        finally:
            with self._count_lock:
                self.waiting -= 1

    def retry_after(self) -> int:
        """Seconds until the queue has room again: half the time its checks take at the pace
        of the latest hashes. The pace was measured while the crowd kept the cores busy and
        quickens once it is in; one who comes back early is only told again, while people
        told to wait for the whole queue would leave the threads idle once it is done."""
        return max(1, math.ceil(self.waiting * self.seconds_per_hash / self.threads / 2))

    def _timed(self, work: Callable, *args):
        if self.niceness:
            # Linux: this thread only. The loop keeps its priority over the hashes.
            os.setpriority(os.PRIO_PROCESS, 0, self.niceness)
        started = time.perf_counter()
        result = work(*args)
        self.seconds_per_hash = 0.8 * self.seconds_per_hash + 0.2 * (
            time.perf_counter() - started)
        return result


def _native_thread_pool(threads: int) -> Callable:
    """A function running ``work(*args)`` in one of ``threads`` real threads and returning
    its result to the caller."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        monkey = None
    if monkey is not None and monkey.is_module_patched("threading"):
        from gevent.threadpool import ThreadPool

        gevent_pool = ThreadPool(maxsize=threads)
        return lambda work, *args: gevent_pool.apply(work, args)
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="password-hash")
    return lambda work, *args: executor.submit(work, *args).result()


#: Without an application (a script): one thread per core, a queue of 2,000, no lower priority.
#: Sizes, not passwords (bandit B105).
DEFAULT_SETTINGS = {
    "PASSWORD_HASH_THREADS": 0,  # nosec B105
    "PASSWORD_HASH_QUEUE": 2000,  # nosec B105
    "PASSWORD_HASH_NICENESS": 0,  # nosec B105
}

_pools: dict[tuple[int, int, int, int], HashingPool] = {}
_pools_lock = threading.Lock()


def _pool() -> HashingPool:
    """This process's pool (a forked server worker makes its own), sized by the settings."""
    config = current_app.config if has_app_context() else DEFAULT_SETTINGS
    settings = (config["PASSWORD_HASH_THREADS"] or os.cpu_count() or 1,
                config["PASSWORD_HASH_QUEUE"], config["PASSWORD_HASH_NICENESS"])
    with _pools_lock:
        key = (os.getpid(), *settings)
        if key not in _pools:
            _pools[key] = HashingPool(*settings)
        return _pools[key]
