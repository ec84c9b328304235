"""the household register: survey fields, members, survey submissions and conflicts,
household documents, and DOPA codes for communities

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

HOUSEHOLD_COLUMNS = (
    ("national_id", sa.String(length=13), {}),
    ("address_no", sa.Text(), {"server_default": "", "nullable": False}),
    ("province_code", sa.String(length=2), {}),
    ("district_code", sa.String(length=4), {}),
    ("subdistrict_code", sa.String(length=6), {}),
    ("occupation", sa.String(length=40), {}),
    ("years_here", sa.Integer(), {}),
    ("house_condition", sa.String(length=40), {}),
    ("savings_member", sa.Boolean(), {}),
    ("monthly_saving", sa.Integer(), {}),
    ("elderly", sa.Integer(), {}),
    ("disabled", sa.Integer(), {}),
    ("chronically_ill", sa.Integer(), {}),
    ("consent_given", sa.Boolean(), {}),
    ("consent_sensitive", sa.Boolean(), {}),
    ("consent_on", sa.Date(), {}),
    ("consent_by", sa.Text(), {"server_default": "", "nullable": False}),
    ("surveyed_on", sa.Date(), {}),
)


def upgrade() -> None:
    with op.batch_alter_table("communities") as batch:
        batch.add_column(sa.Column("province_code", sa.String(length=2), nullable=True))
        batch.add_column(sa.Column("district_code", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("subdistrict_code", sa.String(length=6), nullable=True))
    op.create_index(op.f("ix_communities_province_code"), "communities", ["province_code"])
    op.create_index(op.f("ix_communities_district_code"), "communities", ["district_code"])
    with op.batch_alter_table("households") as batch:
        for name, type_, options in HOUSEHOLD_COLUMNS:
            batch.add_column(
                sa.Column(
                    name,
                    type_,
                    nullable=options.get("nullable", True),
                    server_default=options.get("server_default"),
                )
            )
    op.create_table(
        "household_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("member_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("sex", sa.String(length=20), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("relation", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("household_id", "member_no"),
    )
    op.create_index(
        op.f("ix_household_members_household_id"), "household_members", ["household_id"]
    )
    op.create_table(
        "survey_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=120), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("form_version", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("gps_accuracy", sa.Float(), nullable=True),
        sa.Column("gps_flagged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("instance_id"),
    )
    op.create_index(op.f("ix_survey_submissions_case_id"), "survey_submissions", ["case_id"])
    op.create_index(
        op.f("ix_survey_submissions_household_id"), "survey_submissions", ["household_id"]
    )
    op.create_table(
        "survey_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("officer_value", sa.JSON(), nullable=True),
        sa.Column("survey_value", sa.JSON(), nullable=True),
        sa.Column("resolved", sa.String(length=20), nullable=True),
        sa.Column("resolved_by", sa.String(length=80), server_default="", nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["survey_submissions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_survey_conflicts_case_id"), "survey_conflicts", ["case_id"])
    op.create_index(op.f("ix_survey_conflicts_household_id"), "survey_conflicts", ["household_id"])
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("household_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_documents_household_id", "households", ["household_id"], ["id"]
        )
    op.create_index(op.f("ix_documents_household_id"), "documents", ["household_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_household_id"), table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("fk_documents_household_id", type_="foreignkey")
        batch.drop_column("household_id")
    op.drop_table("survey_conflicts")
    op.drop_table("survey_submissions")
    op.drop_table("household_members")
    with op.batch_alter_table("households") as batch:
        for name, _type, _options in reversed(HOUSEHOLD_COLUMNS):
            batch.drop_column(name)
    op.drop_index(op.f("ix_communities_district_code"), table_name="communities")
    op.drop_index(op.f("ix_communities_province_code"), table_name="communities")
    with op.batch_alter_table("communities") as batch:
        batch.drop_column("subdistrict_code")
        batch.drop_column("district_code")
        batch.drop_column("province_code")
