"""PDPA records: the consent ledger, the read log, the breach register and data subjects'
requests

The households' consent columns become the current state of the ledger: every household
that already has consent on record gets the ledger line that says so (source `register`,
recorded by `migration 0007`), so that the two agree from the start.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BACKFILL_NOTE = "บันทึกก่อนมีทะเบียนความยินยอม / recorded before the consent ledger (migration 0007)"


def upgrade() -> None:
    consent_events = op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by", sa.Text(), server_default="", nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), server_default="page", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_consent_events_household_id"), "consent_events", ["household_id"])
    op.create_table(
        "read_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("via", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_read_log_at"), "read_log", ["at"])
    op.create_index(op.f("ix_read_log_username"), "read_log", ["username"])
    op.create_index(op.f("ix_read_log_household_id"), "read_log", ["household_id"])
    op.create_table(
        "breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("households_affected", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=False),
        sa.Column("pdpc_notified_at", sa.DateTime(), nullable=True),
        sa.Column("subjects_notified_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "pdpa_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pdpa_requests_household_id"), "pdpa_requests", ["household_id"])
    _backfill(consent_events)


def _backfill(consent_events) -> None:
    """One `given` line per consent already on record (general s19, sensitive s26)."""
    households = sa.table(
        "households",
        sa.column("id", sa.Integer),
        sa.column("consent_given", sa.Boolean),
        sa.column("consent_sensitive", sa.Boolean),
        sa.column("consent_on", sa.Date),
        sa.column("consent_by", sa.Text),
        sa.column("surveyed_on", sa.Date),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(households).where(
            sa.or_(households.c.consent_given.is_(True), households.c.consent_sensitive.is_(True))
        )
    ).all()
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    lines = []
    for row in rows:
        on = row.consent_on or row.surveyed_on or date.today()
        for scope, given, purposes in (
            ("general", row.consent_given, ["contact"]),
            ("sensitive", row.consent_sensitive, ["vulnerability_support"]),
        ):
            if given:
                lines.append(
                    {
                        "household_id": row.id,
                        "action": "given",
                        "scope": scope,
                        "purposes": purposes,
                        "on": on,
                        "recorded_by": "migration 0007",
                        "recorded_at": now,
                        "taken_by": row.consent_by or "",
                        "document_id": None,
                        "source": "register",
                        "note": BACKFILL_NOTE,
                    }
                )
    if lines:
        op.bulk_insert(consent_events, lines)


def downgrade() -> None:
    op.drop_index(op.f("ix_pdpa_requests_household_id"), table_name="pdpa_requests")
    op.drop_table("pdpa_requests")
    op.drop_table("breaches")
    op.drop_index(op.f("ix_read_log_household_id"), table_name="read_log")
    op.drop_index(op.f("ix_read_log_username"), table_name="read_log")
    op.drop_index(op.f("ix_read_log_at"), table_name="read_log")
    op.drop_table("read_log")
    op.drop_index(op.f("ix_consent_events_household_id"), table_name="consent_events")
    op.drop_table("consent_events")
