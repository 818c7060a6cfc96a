"""Bolt backend: Neo4j (or any Bolt server) through the official ``neo4j`` driver.

Each :meth:`BoltBackend.run` is one auto-commit transaction. Transient
failures (``TransientError``, ``ServiceUnavailable``, ``SessionExpired``) are
retried with exponential backoff, a bounded number of times; since every
write MERGEs on a key, running a batch again is safe. A server that is down
or refuses the login becomes :class:`kg.errors.ServiceUnavailable` (exit code 2)
with one line naming the URI.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Optional

from ..errors import InputError, ServiceUnavailable

#: attempts per statement (the first try included) and the first backoff in seconds
MAX_ATTEMPTS = 5
BACKOFF = 0.5
#: a server that is down at the start is reported quickly: fewer, shorter waits
CONNECT_ATTEMPTS = 3


def _retryable() -> tuple[type[BaseException], ...]:
    from neo4j.exceptions import ServiceUnavailable as Unavailable
    from neo4j.exceptions import SessionExpired, TransientError

    return (TransientError, Unavailable, SessionExpired)


class BoltBackend:
    """The Cypher seam on a Bolt server.

    Parameters
    ----------
    uri, user, password
        Where and who; ``driver`` replaces the connection (a test double at the seam).
    database
        Database name, or None for the server's default.
    max_attempts, backoff, sleep
        Retry policy: waits ``backoff * 2**k`` seconds between attempts.

    Examples
    --------
    >>> backend = BoltBackend("bolt://localhost:7687", "neo4j", "secret")  # doctest: +SKIP
    >>> backend.run("RETURN $x AS x", {"x": 1})                            # doctest: +SKIP
    (['x'], [[1]])
    """

    name = "neo4j"
    schema_file = "schema"

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str = "",
        *,
        database: Optional[str] = None,
        driver: Any = None,
        max_attempts: int = MAX_ATTEMPTS,
        backoff: float = BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        connection_timeout: float = 10.0,
    ) -> None:
        self.uri, self.user, self.database = uri, user, database
        self.max_attempts, self.backoff, self._sleep = max(1, max_attempts), backoff, sleep
        if driver is None:
            from neo4j import GraphDatabase
            from neo4j.exceptions import ConfigurationError

            try:
                driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=connection_timeout)
            except (ConfigurationError, ValueError) as exc:
                raise InputError(f"bad Neo4j URI {uri!r}: {_first_line(exc)}") from None
        self._driver = driver

    def verify(self) -> None:
        """Connect and log in once, so a dead server or a bad password fails before any write."""
        self._with_retry(lambda: self._driver.verify_connectivity(), attempts=min(self.max_attempts, CONNECT_ATTEMPTS),
                         backoff=self.backoff / 2)

    def run(self, statement: str, params: Optional[Mapping[str, Any]] = None) -> tuple[list[str], list[list[Any]]]:
        """Run one statement in its own transaction; return ``(columns, rows)``."""

        def once() -> tuple[list[str], list[list[Any]]]:
            with self._driver.session(database=self.database) as session:
                result = session.run(statement, dict(params or {}))
                rows = [list(record.values()) for record in result]
                columns = list(result.keys())
                result.consume()
                return columns, rows

        return self._with_retry(once)

    def apply_schema(self, statements: list[str]) -> None:
        """Constraints and indexes; the statements say ``IF NOT EXISTS``."""
        for statement in statements:
            self.run(statement)

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> "BoltBackend":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _with_retry(self, work: Callable[[], Any], *, attempts: Optional[int] = None, backoff: Optional[float] = None) -> Any:
        from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError

        retryable = _retryable()
        attempts = attempts or self.max_attempts
        backoff = self.backoff if backoff is None else backoff
        for attempt in range(1, attempts + 1):
            try:
                return work()
            except AuthError as exc:
                raise ServiceUnavailable(f"Neo4j at {self.uri} refused the login for user {self.user!r}: {_first_line(exc)}") from None
            except retryable as exc:
                if attempt == attempts:
                    raise ServiceUnavailable(
                        f"cannot reach Neo4j at {self.uri} (is it running? set --uri or NEO4J_URI; "
                        f"gave up after {attempt} attempts): {_first_line(exc)}"
                    ) from None
                self._sleep(backoff * 2 ** (attempt - 1))
            except ClientError as exc:
                raise InputError(f"Neo4j rejected a statement: {_first_line(exc)}") from None
            except (Neo4jError, DriverError) as exc:
                raise ServiceUnavailable(f"Neo4j at {self.uri} failed: {_first_line(exc)}") from None
            except OSError as exc:
                raise ServiceUnavailable(f"cannot reach Neo4j at {self.uri}: {_first_line(exc)}") from None
        raise AssertionError("unreachable")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or str(getattr(exc, "message", "") or "").strip()
    return text.splitlines()[0].rstrip(":") if text else type(exc).__name__
