"""household counts by district and programme for the dashboard

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "district_tallies",
        sa.Column("district_en", sa.String(length=80), nullable=False),
        sa.Column("district_th", sa.String(length=80), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=False),
        sa.Column("house_status", sa.String(length=40), nullable=False),
        sa.Column("agreed_to_move", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "district_en", "district_th", "programme", "house_status", "agreed_to_move"
        ),
    )
    op.execute(
        "INSERT INTO district_tallies"
        " (district_en, district_th, programme, house_status, agreed_to_move, n)"
        " SELECT m.district_en, m.district_th, c.programme, t.house_status, t.agreed_to_move,"
        " sum(t.n) FROM household_tallies t JOIN cases c ON c.id = t.case_id"
        " JOIN communities m ON m.id = c.community_id GROUP BY 1, 2, 3, 4, 5"
    )


def downgrade() -> None:
    op.drop_table("district_tallies")
