"""PDPA erasure and restriction: a household remembers when it was anonymised and whether
its processing is restricted (s32 objection, s34 restriction), since when and why.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("restriction", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column("restriction_reason", sa.Text(), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("restricted_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.drop_column("restricted_on")
        batch.drop_column("restriction_reason")
        batch.drop_column("restriction")
        batch.drop_column("erased_at")
