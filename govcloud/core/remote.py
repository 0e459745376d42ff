"""Calls that leave the process for a remote service (a cloud API) never run inside a database
transaction.

A transaction held open across a remote call holds its row locks for as long as the remote side
takes: a 40-second cloud call made under a work order's row lock blocked the operator who clicked
"claim" for 40 seconds, and a hung call would block every request touching the row. So a service
that calls out does it in three steps: lock, record the intent, commit; call out; lock again and
record the outcome (idempotently, since someone may have changed the row meanwhile).

`outside_transaction(obj)` wraps a client object so that each of its public methods first checks
this, and fails loudly in tests (and in production) when called from inside `transaction.atomic`.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from django.db import connections

T = TypeVar("T")


class RemoteCallInTransaction(RuntimeError):
    """A remote call was made while a database transaction (and its locks) was open."""


def open_transactions() -> list[str]:
    """The aliases of the database connections with a transaction open in this thread.

    The atomic blocks a test case wraps each test in (Django's TestCase, pytest-django's `django_db`)
    do not count: in production there is none, and they hold no lock another connection waits for
    (the test's data is not even visible to another connection)."""
    aliases = []
    for connection in connections.all(initialized_only=True):
        blocks = [block for block in connection.atomic_blocks if not getattr(block, "_from_testcase", False)]
        # Autocommit turned off by hand (no atomic block) leaves a transaction open too. The flag, not
        # get_autocommit(): that one connects, which a test without database access may not do.
        manual = not connection.atomic_blocks and connection.connection is not None and not connection.autocommit
        if blocks or manual:
            aliases.append(connection.alias)
    return aliases


def require_no_transaction(what: str) -> None:
    """Raise RemoteCallInTransaction if a transaction is open (see the module docstring)."""
    aliases = open_transactions()
    if aliases:
        raise RemoteCallInTransaction(
            f"{what} called inside a database transaction ({', '.join(aliases)}): commit before calling out"
        )


class _OutsideTransaction:
    """A proxy whose public methods check `require_no_transaction` before calling the target's."""

    def __init__(self, target: Any, label: str) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name.startswith("_") or not callable(value):
            return value

        @functools.wraps(value)
        def checked(*args: Any, **kwargs: Any) -> Any:
            require_no_transaction(f"{self._label}.{name}()")
            return value(*args, **kwargs)

        return checked

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __repr__(self) -> str:
        return f"<outside_transaction {self._target!r}>"


def outside_transaction(target: T, label: str | None = None) -> T:
    """`target`, each of whose public methods refuses to run inside a database transaction."""
    if isinstance(target, _OutsideTransaction):
        return target
    return _OutsideTransaction(target, label or type(target).__name__)  # type: ignore[return-value]


def unwrap(target: Any) -> Any:
    """The object behind `outside_transaction` (or `target` itself)."""
    return target._target if isinstance(target, _OutsideTransaction) else target
