"""The case store of an instance: its engine, its documents folder, its units of work."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cases.db import case_store_url, make_engine, migrate
from cases.unit_of_work import UnitOfWork, WriteFile


class CaseStore:
    """`write_file(path, data)` writes a document file whole; the app hands in
    gis.atomic.write_atomic (fsynced, for servers sharing the documents folder)."""

    def __init__(
        self,
        home: str | Path,
        database_url: str | None = None,
        *,
        schema: str | None = None,
        write_file: WriteFile | None = None,
    ):
        self.write_file = write_file
        self.home = Path(home)
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.url = case_store_url(self.home, database_url)
        self.engine = make_engine(self.url, schema=schema)
        self.documents_dir = self.home / "documents"
        self.documents_dir.mkdir(mode=0o700, exist_ok=True)
        migrate(self.engine)
        _private(self.home, 0o700)
        _private(self.documents_dir, 0o700)
        if not database_url:  # the SQLite file; its journals take the same mode
            _private(self.home / "planner.sqlite", 0o600)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.documents_dir, self.write_file)

    def dispose(self) -> None:
        self.engine.dispose()


def _private(path: Path, mode: int) -> None:
    """Only the owner may open the instance's case data (folders 0700, files 0600)."""
    if os.name != "nt" and path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, mode)
