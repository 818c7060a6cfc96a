"""One root exception; the CLI maps each kind to an exit code."""
from __future__ import annotations

import os


class KgError(Exception):
    """Root of every error ``kg`` raises on purpose."""

    exit_code = 1


class InputError(KgError):
    """Bad input or usage: names the file and, where known, the line."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.file, self.line, self.message = file, line, message
        where = file if file is not None else ""
        if file is not None and line is not None:
            where = f"{file}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class ServiceUnavailable(KgError):
    """A database or other service could not be reached or refused the login."""

    exit_code = 2


class OutputError(KgError):
    """An output cannot be written: an unwritable directory, a full disk."""

    def __init__(self, target: "str | os.PathLike[str]", exc: OSError):
        super().__init__(f"cannot write {target}: {exc.strerror or exc}")
