"""Files that another process, or another app server on the same shared folder, may read
at any moment: written whole or not at all (docs/decisions/0031).

The one rule: write a temporary file in the target's own folder, fsync it, `os.replace`
it onto the target, then fsync the folder. A reader (here or on another server reading
the same `PLANNER_SHARED_DIR`) opens the old file or the new one, never half of one, and
a crash leaves at worst a hidden `.*.part` file that the store's next open removes.
Every writer of shared files goes through this module; `cases` (which may not import
`gis`) is handed `write_atomic` by whoever opens the case store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

PART = ".part"


def _temp(path: Path, mode: int) -> tuple[int, str]:
    """A new hidden file beside `path`: `.<stem>.<random><suffix>.part`, `mode`."""
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem[:60]}.", suffix=f"{path.suffix}{PART}"
    )
    if mode != 0o600:  # mkstemp's own mode
        os.chmod(tmp, mode)
    return fd, tmp


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (no-op where folders cannot be opened)."""
    if os.name == "nt":  # pragma: no cover - Windows cannot open a folder
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some network file systems refuse fsync on a folder
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: str | Path, *, mode: int = 0o600) -> Iterator[BinaryIO]:
    """Open a temporary file beside `path` for writing; on a clean exit it is flushed,
    fsynced and moved onto `path`; on an error it is removed and `path` is untouched."""
    path = Path(path)
    fd, tmp = _temp(path, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_atomic(path: str | Path, data: bytes | str, *, mode: int = 0o600) -> Path:
    """Write `data` (str as UTF-8) to `path` whole; returns `path`."""
    with atomic_file(path, mode=mode) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def copy_atomic(source: str | Path, path: str | Path, *, mode: int = 0o600) -> Path:
    """Copy the file `source` to `path` whole."""
    with open(source, "rb") as src, atomic_file(path, mode=mode) as out:
        shutil.copyfileobj(src, out, 1024 * 1024)
    return Path(path)


def write_with(path: str | Path, write: Callable[[Path], object], *, mode: int = 0o600) -> Path:
    """Let `write(tmp)` make a file by path (GDAL, a PDF renderer...), then put it at
    `path` whole: fsynced and moved into place, or removed on an error."""
    path = Path(path)
    fd, tmp = _temp(path, mode)
    os.close(fd)
    os.unlink(tmp)  # the writer makes the file itself (GDAL refuses an existing one)
    try:
        write(Path(tmp))
        os.chmod(tmp, mode)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path


def create_once(path: str | Path, data: bytes | str, *, mode: int = 0o600) -> bytes:
    """The content of `path`, writing `data` there first if no file is there yet.

    Servers starting at the same moment agree: the file appears whole (a hard link of a
    finished temporary file), and only the first one's `data` is ever kept."""
    path = Path(path)
    if not path.exists():
        fd, tmp = _temp(path, mode)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data.encode("utf-8") if isinstance(data, str) else data)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # fails if another server made it first
            _fsync_dir(path.parent)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    return path.read_bytes()


@contextlib.contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """A hidden temporary folder beside `path` to fill; on a clean exit its files are
    fsynced and it is renamed to `path` (which must not exist yet), else removed."""
    path = Path(path)
    part = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name[:60]}.", suffix=PART))
    os.chmod(part, 0o700)
    try:
        yield part
        for child in part.iterdir():
            if child.is_file():
                with open(child, "rb") as f:
                    os.fsync(f.fileno())
        _fsync_dir(part)
        os.rename(part, path)
        _fsync_dir(path.parent)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
