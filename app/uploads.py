"""Uploads kept between two requests, for whoever sent them.

A survey export waits for its confirmation after the preview; a layer file waits for its
field mapping. Both are kept the same way: one folder per upload under
`<shared folder>/uploads/<kind>/<token>/`, holding the file under a safe ASCII name, its own
name for messages (`label.txt`) and its owner (`owner.txt`: who sent it, and for what).
The token is random (128 bits or more); only the owner finds the upload by it.

A request that acts on an upload `claim`s it first: the folder is renamed, so a second
confirmation sent at the same time finds nothing and nothing is imported twice. It then
`discard`s it, or `put_back`s it when the user may try again (a stale version, a field
mapping to fix). Uploads older than `hours` are removed whenever a new one is kept.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from werkzeug.utils import secure_filename

from gis.atomic import atomic_dir

_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")
_CLAIMED = ".claimed-"
_LABEL = "label.txt"
_OWNER = "owner.txt"


@dataclass(frozen=True)
class KeptUpload:
    token: str
    path: Path  # the file
    label: str  # the file's own name, for messages (up to 500 characters)

    @property
    def folder(self) -> Path:
        return self.path.parent


def _private(path: Path):
    """A new file only its owner reads (0600): an upload may hold a survey's personal data."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def suffix_of(filename: str | None) -> str:
    """The file name's extension, lower case and at most 10 characters ('' for none)."""
    return Path(filename or "").suffix.lower()[:10]


class KeptUploads:
    """The uploads of one kind (`surveys`, `pending`) under `root`, kept `hours`."""

    def __init__(self, root: Path, *, hours: float):
        self.root = Path(root)
        self.hours = hours

    def keep(self, upload, *, owner: str) -> KeptUpload:
        """Save the werkzeug FileStorage `upload` (its suffix already checked by the caller)."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root.parent, 0o700)  # uploads/: made with the default mode by mkdir -p
        self._prune()
        suffix = suffix_of(upload.filename)
        # A name the file system takes: ASCII, no folders, short (a 10,000-character name
        # once gave ENAMETOOLONG); the original name is kept in label.txt for messages.
        name = (secure_filename(upload.filename or "") or "upload")[-100:]
        if not name.lower().endswith(suffix):
            name = f"upload{suffix}"
        token = secrets.token_urlsafe(24)
        # Filled in a hidden folder and renamed whole: another app server sharing the
        # folder finds the upload complete, or not at all.
        with atomic_dir(self.root / token) as folder:
            with _private(folder / name) as out:
                upload.save(out)
            with _private(folder / _LABEL) as out:
                out.write((upload.filename or name)[:500].encode("utf-8"))
            with _private(folder / _OWNER) as out:
                out.write(owner.encode("utf-8"))
        return KeptUpload(token, self.root / token / name, (upload.filename or name)[:500])

    def find(self, token: str | None, *, owner: str) -> KeptUpload | None:
        """The owner's upload of `token`, left where it is; None when there is none."""
        if not _TOKEN.fullmatch(token or ""):
            return None
        return self._read(self.root / token, token, owner)

    def claim(self, token: str | None, *, owner: str) -> KeptUpload | None:
        """Take the owner's upload of `token` for this request alone; None when there is
        none (expired, someone else's, or claimed by another request first)."""
        if self.find(token, owner=owner) is None:
            return None
        claimed = self.root / f"{_CLAIMED}{token}"
        try:
            (self.root / token).rename(claimed)
        except FileNotFoundError:
            return None  # another request claimed it first
        return self._read(claimed, token, owner)

    def put_back(self, kept: KeptUpload) -> None:
        """Return a claimed upload, so that the user may confirm it again."""
        if kept.folder.name.startswith(_CLAIMED):
            kept.folder.rename(self.root / kept.token)

    def discard(self, kept: KeptUpload | None) -> None:
        if kept is not None:
            shutil.rmtree(kept.folder, ignore_errors=True)

    def _read(self, folder: Path, token: str, owner: str) -> KeptUpload | None:
        try:
            if (folder / _OWNER).read_text(encoding="utf-8") != owner:
                return None
            label = (folder / _LABEL).read_text(encoding="utf-8")
            path = next(p for p in folder.iterdir() if p.name not in (_LABEL, _OWNER))
        except (OSError, StopIteration):
            return None
        return KeptUpload(token, path, label)

    def _prune(self) -> None:
        cutoff = time.time() - self.hours * 3600
        for old in self.root.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
            except FileNotFoundError:
                continue
