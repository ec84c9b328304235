"""The unit of work: one transaction; commit or everything is rolled back."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cases.repository import Repository


class UnitOfWork:
    def __init__(self, engine: sa.Engine, documents_dir: str | Path):
        self.engine = engine
        self.documents_dir = Path(documents_dir)

    def __enter__(self) -> UnitOfWork:
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.repo = Repository(self.connection)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.transaction.is_active:
                self.transaction.rollback()
        finally:
            self.connection.close()

    def commit(self) -> None:
        self.transaction.commit()

    def rollback(self) -> None:
        self.transaction.rollback()
