"""Reading a user's file whole, bounded: a huge file or an endless device is refused, not loaded."""

from __future__ import annotations

from pathlib import Path

from chipdb.errors import DataError

MAX_FILE_BYTES = 64 * 1024 * 1024  # far above any catalogue or batch; /dev/zero stops here


def read_bounded(path: Path, what: str = "file", limit: int = MAX_FILE_BYTES) -> bytes:
    """At most ``limit`` bytes of ``path`` (a larger file is a one-line error)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{path}: cannot be read: {reason}") from None
    if len(raw) > limit:
        raise DataError(f"{path}: the {what} is larger than {limit // (1024 * 1024)} MB: "
                        "split it into smaller files")
    return raw
