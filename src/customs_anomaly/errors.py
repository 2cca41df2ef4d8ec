"""The one error type for input the package cannot use.

Every message is a single line naming the file, the row and the column, so that a user can open
the file and find the cell. The CLI prints ``str(error)`` and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Input that cannot be used: names file, row (1-based data row, header excluded) and column."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        where = [self.file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}".replace("\n", " "))


class DownloadError(RuntimeError):
    """A download that cannot go on (missing key, portal error, unusable response): one line that
    names the source and never contains a key. The CLI prints it and exits with status 2."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.message = message
        super().__init__(f"{source}: {message}".replace("\n", " "))


class PortalError(DownloadError):
    """A service answered but refused or failed the request. `status` is the HTTP status and
    `code` the portal's own result code (data.go.kr resultCode, odcloud code, ECOS RESULT.CODE),
    each None when the answer did not carry one."""

    def __init__(self, source: str, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(source, message)
        self.status = status
        self.code = code


class UnreachableError(DownloadError):
    """No answer at all: the host could not be reached (after the retries)."""
