"""household tallies and a change counter for the dashboard

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "household_tallies",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("house_status", sa.String(length=40), nullable=False),
        sa.Column("agreed_to_move", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "house_status", "agreed_to_move"),
    )
    op.create_table(
        "finished_tallies",
        sa.Column("programme", sa.String(length=40), nullable=False),
        sa.Column("finished_month", sa.String(length=7), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("programme", "finished_month"),
    )
    op.create_table(
        "store_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO store_generation (id, generation) VALUES (1, 0)")
    month = (
        "to_char(h.finished_on, 'YYYY-MM')"
        if op.get_bind().dialect.name == "postgresql"
        else "strftime('%Y-%m', h.finished_on)"
    )
    op.execute(
        "INSERT INTO household_tallies (case_id, house_status, agreed_to_move, n)"
        " SELECT case_id, house_status, agreed_to_move, count(*) FROM households GROUP BY 1, 2, 3"
    )
    op.execute(
        "INSERT INTO finished_tallies (programme, finished_month, n)"
        f" SELECT c.programme, {month}, count(*) FROM households h JOIN cases c ON c.id = h.case_id"
        " WHERE h.finished_on IS NOT NULL GROUP BY 1, 2"
    )


def downgrade() -> None:
    op.drop_table("store_generation")
    op.drop_table("finished_tallies")
    op.drop_table("household_tallies")
