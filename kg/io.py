"""Atomic file output: write beside the target, then rename, so nothing is left half-written."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()


def _mkstemp_beside(target: Path) -> str:
    """A temporary file next to ``target`` with the permissions a plain open() would give."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.fchmod(fd, _MODE)
    os.close(fd)
    return tmp


@contextlib.contextmanager
def atomic_write(path: "str | os.PathLike[str]", mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success rename it over ``path``.

    On any exception (Ctrl-C included) the temporary file is removed and
    ``path`` keeps its previous content.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _mkstemp_beside(target)
    try:
        with open(tmp, mode, encoding=None if "b" in mode else encoding, newline=None if "b" in mode else "\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def staged(paths: "list[str | os.PathLike[str]]") -> Iterator[list[Path]]:
    """Yield temporary paths for several outputs; rename them all only if the block succeeds."""
    targets = [Path(p) for p in paths]
    temps = []
    try:  # a Ctrl-C while the temporary files are being created removes them too
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            temps.append(Path(_mkstemp_beside(target)))
        yield temps
        for tmp, target in zip(temps, targets):
            os.replace(tmp, target)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
