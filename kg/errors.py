"""One root exception; the CLI maps each kind to an exit code."""
from __future__ import annotations


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
