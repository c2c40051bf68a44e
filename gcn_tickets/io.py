"""Atomic file writes: every result, checkpoint and mask file of the toolkit goes through here.

A file is written to a temporary file in the same folder, flushed, then renamed over the
target (``os.replace``), so a killed process leaves either the old file or the new one. The
file gets the permissions of an ordinary new file (``0o666`` less the umask), not the
owner-only ``0o600`` of the temporary file. A path that cannot be written raises
:class:`OutputError` naming the user's path (never the hidden temporary file) and why.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["OutputError", "ensure_dir", "atomic_write_text", "atomic_torch_save"]


class OutputError(OSError):
    """An output path cannot be written; the message names the path and the reason."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "cannot write output"


def _blocking_file(path: Path) -> Path | None:
    """The first ancestor of ``path`` (or ``path`` itself) that exists and is not a folder."""
    for p in [path, *path.parents]:
        if p.exists():
            return None if p.is_dir() else p
    return None


def ensure_dir(folder: str | os.PathLike, *, target: str | os.PathLike | None = None) -> Path:
    """``mkdir -p folder``; errors name ``target`` (the file to be written) or the folder."""
    folder = Path(folder)
    what = Path(target) if target is not None else folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        block = _blocking_file(folder)
        raise OutputError(f"cannot write {what}: {block or folder} is a file, not a folder") from None
    except PermissionError:
        raise OutputError(f"cannot write {what}: no permission to create the folder {folder}") from None
    except OSError as exc:
        raise OutputError(f"cannot write {what}: {exc.strerror or exc}") from None
    return folder


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic(path: str | os.PathLike, write: Callable[[int, str], None]) -> None:
    """Write through ``write(fd, tmp)`` into a temp file beside ``path``, then rename it over."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    ensure_dir(path.parent, target=path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except PermissionError:
        raise OutputError(f"cannot write {path}: the folder {path.parent} is not writable") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        write(fd, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file in the same folder + rename)."""

    def write(fd: int, tmp: str) -> None:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    _atomic(path, write)


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to ``path`` atomically (temp file in the same folder + rename)."""
    import torch

    def write(fd: int, tmp: str) -> None:
        os.close(fd)
        torch.save(obj, tmp)

    _atomic(path, write)
