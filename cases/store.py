"""The case store of an instance: its engine, its documents folder, its units of work."""

from __future__ import annotations

from pathlib import Path

from cases.db import case_store_url, make_engine, migrate
from cases.unit_of_work import UnitOfWork


class CaseStore:
    def __init__(
        self, home: str | Path, database_url: str | None = None, *, schema: str | None = None
    ):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.url = case_store_url(self.home, database_url)
        self.engine = make_engine(self.url, schema=schema)
        self.documents_dir = self.home / "documents"
        migrate(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.documents_dir)

    def dispose(self) -> None:
        self.engine.dispose()
