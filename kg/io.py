"""Atomic file output: write beside the target, then rename, so nothing is left half-written."""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()


def _mkstemp_beside(target: Path) -> str:
    """A temporary file next to ``target`` (its directory made if need be), with the permissions open() gives."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(target, exc) from None
    os.fchmod(fd, _MODE)
    os.close(fd)
    return tmp


def check_writable(directory: "str | os.PathLike[str]") -> None:
    """Raise :class:`OutputError` now, not after hours of work, if files cannot be made in ``directory``.

    Nothing is left behind: when ``directory`` does not exist yet, the probe file goes into the nearest
    directory above it that does, and is removed at once.
    """
    target = Path(directory)
    probe_in = target
    while not probe_in.exists() and probe_in != probe_in.parent:
        probe_in = probe_in.parent
    if not probe_in.is_dir():
        raise OutputError(target, NotADirectoryError(errno.ENOTDIR, f"{probe_in} is not a directory"))
    try:
        fd, probe = tempfile.mkstemp(prefix=".kg-probe.", dir=probe_in)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(target, exc) from None


@contextlib.contextmanager
def atomic_write(path: "str | os.PathLike[str]", mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success rename it over ``path``.

    On any exception (Ctrl-C included) the temporary file is removed and
    ``path`` keeps its previous content.
    """
    target = Path(path)
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
            temps.append(Path(_mkstemp_beside(target)))
        yield temps
        for tmp, target in zip(temps, targets):
            os.replace(tmp, target)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
