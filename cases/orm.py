"""Tables of the case store (SQLAlchemy Core). The same schema runs on SQLite
(embedded, geometries as WKB) and PostgreSQL (real PostGIS columns with GiST
indexes). Schema changes go through Alembic (`cases/migrations`)."""

from __future__ import annotations

import shapely
import sqlalchemy as sa
from sqlalchemy.types import LargeBinary, TypeDecorator, UserDefinedType

from cases.model import STORAGE_CRS

SRID = int(STORAGE_CRS.split(":")[1])


class _PostGISGeometry(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return f"geometry(Geometry, {SRID})"

    def bind_expression(self, bindvalue):
        return sa.func.ST_GeomFromWKB(bindvalue, SRID)


class Geometry(TypeDecorator):
    """A shapely geometry in the storage CRS: PostGIS `geometry` or SQLite WKB blob."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostGISGeometry())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value, dialect):
        return None if value is None else shapely.to_wkb(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # PostGIS hands back hex EWKB text; SQLite the WKB bytes we stored.
        return shapely.from_wkb(value if isinstance(value, str) else bytes(value))


metadata = sa.MetaData()

communities = sa.Table(
    "communities",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name_th", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("district_en", sa.String(80), nullable=False, index=True),
    sa.Column("district_th", sa.String(80), nullable=False),
    sa.Column("province_th", sa.String(80), nullable=False, server_default=""),
    # DOPA codes: province (2 digits), district (4), subdistrict (6).
    sa.Column("province_code", sa.String(2), index=True),
    sa.Column("district_code", sa.String(4), index=True),
    sa.Column("subdistrict_code", sa.String(6)),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ref", sa.String(40), nullable=False, unique=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False, index=True),
    sa.Column("case_type", sa.String(40), nullable=False),
    sa.Column("programme", sa.String(40), nullable=False, index=True),
    sa.Column("variant", sa.String(40)),
    sa.Column("title_th", sa.Text, nullable=False),
    sa.Column("title_en", sa.Text, nullable=False),
    sa.Column("stage", sa.String(40), nullable=False, index=True),
    sa.Column("stage_entered_on", sa.Date, nullable=False),
    sa.Column("hold_reason", sa.String(40)),
    sa.Column("cooperative_name", sa.Text),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("created_on", sa.Date),
    sa.Column("site", Geometry),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

households = sa.Table(
    "households",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("household_no", sa.Integer, nullable=False),
    sa.Column("head_name", sa.Text, nullable=False, server_default=""),
    sa.Column("members", sa.Integer),
    sa.Column("monthly_income", sa.Integer),
    sa.Column("phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("tenure", sa.String(40), nullable=False),
    sa.Column("agreed_to_move", sa.Boolean, nullable=False),
    sa.Column("plot_no", sa.String(40)),
    sa.Column("house_status", sa.String(40), nullable=False),
    sa.Column("status_changed_on", sa.Date),
    sa.Column("finished_on", sa.Date),
    sa.Column("structure_id", sa.String(40)),
    sa.Column("location", Geometry),
    # The register (cases/register.py): survey fields, all optional.
    sa.Column("national_id", sa.String(13)),
    sa.Column("address_no", sa.Text, nullable=False, server_default=""),
    sa.Column("province_code", sa.String(2)),
    sa.Column("district_code", sa.String(4)),
    sa.Column("subdistrict_code", sa.String(6)),
    sa.Column("occupation", sa.String(40)),
    sa.Column("years_here", sa.Integer),
    sa.Column("house_condition", sa.String(40)),
    sa.Column("savings_member", sa.Boolean),
    sa.Column("monthly_saving", sa.Integer),
    sa.Column("elderly", sa.Integer),
    sa.Column("disabled", sa.Integer),
    sa.Column("chronically_ill", sa.Integer),
    sa.Column("consent_given", sa.Boolean),
    sa.Column("consent_sensitive", sa.Boolean),
    sa.Column("consent_on", sa.Date),
    sa.Column("consent_by", sa.Text, nullable=False, server_default=""),
    sa.Column("surveyed_on", sa.Date),
    # PDPA (cases/services/erasure.py): when its personal data was erased, and a
    # restriction of its processing (objection s32 or restriction s34) with its reason.
    sa.Column("erased_at", sa.DateTime),
    sa.Column("restriction", sa.String(20)),
    sa.Column("restriction_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("restricted_on", sa.Date),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("case_id", "household_no"),
)

# The people of a household (the survey's members repeat).
household_members = sa.Table(
    "household_members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("household_id", sa.ForeignKey("households.id"), nullable=False, index=True),
    sa.Column("member_no", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("sex", sa.String(20)),
    sa.Column("birth_year", sa.Integer),  # Buddhist Era
    sa.Column("relation", sa.String(20)),
    sa.UniqueConstraint("household_id", "member_no"),
)

# Every survey submission imported, once: keyed by its meta/instanceID, so a re-sent or
# re-imported submission changes nothing. `values` keeps the register fields it carried.
survey_submissions = sa.Table(
    "survey_submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("instance_id", sa.String(120), nullable=False, unique=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("household_id", sa.ForeignKey("households.id"), index=True),
    sa.Column("form_version", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("submitted_at", sa.DateTime),
    sa.Column("gps_accuracy", sa.Float),
    sa.Column("gps_flagged", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("values", sa.JSON, nullable=False),
    sa.Column("reason", sa.JSON, nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("imported_by", sa.String(80), nullable=False),
)

# A survey value that disagrees with an officer's later edit, waiting for review.
survey_conflicts = sa.Table(
    "survey_conflicts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("household_id", sa.ForeignKey("households.id"), nullable=False, index=True),
    sa.Column("submission_id", sa.ForeignKey("survey_submissions.id"), nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("officer_value", sa.JSON),
    sa.Column("survey_value", sa.JSON),
    sa.Column("resolved", sa.String(20)),
    sa.Column("resolved_by", sa.String(80), nullable=False, server_default=""),
    sa.Column("resolved_at", sa.DateTime),
)

plots = sa.Table(
    "plots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("plot_no", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False, server_default="plot"),
    sa.Column("geometry", Geometry, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("case_id", "plot_no"),
)

stage_events = sa.Table(
    "stage_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False, server_default="move"),
    sa.Column("from_stage", sa.String(40)),
    sa.Column("to_stage", sa.String(40), nullable=False),
    sa.Column("on", sa.Date, nullable=False),
    sa.Column("by", sa.String(80), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("hold_reason", sa.String(40)),
    sa.Column("document_ids", sa.JSON, nullable=False),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("uploaded_by", sa.String(80), nullable=False),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sa.Column("stage_event_id", sa.ForeignKey("stage_events.id")),
    sa.Column("household_id", sa.ForeignKey("households.id"), index=True),
)

budget_lines = sa.Table(
    "budget_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("planned", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("approved", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("disbursed", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("case_id", "kind"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.Text, nullable=False, server_default=""),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("community_id", sa.ForeignKey("communities.id")),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("last_login_at", sa.DateTime),
)

# Web logins (app/auth.py): the cookie carries a random id, the table only its sha256, so
# every app server on the same database sees the same sessions and a copied cookie dies
# with logout. docs/decisions/0011-sessions-and-logins.md
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
)

# The site layout a community agreed at a workshop (app/layout_views.py): which option,
# its metrics and the parameters it was made with, who agreed and when. The layout itself
# is the case's plots (kind plot, lane, common), replaced when a decision is recorded.
layout_decisions = sa.Table(
    "layout_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("option_name", sa.Text, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("agreed_by", sa.Text, nullable=False),
    sa.Column("agreed_on", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("entity_id", sa.String(80), nullable=False),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
)

# -- PDPA records (docs/decisions/0025-pdpa-classification-consent-and-read-log.md) -----
# A household's consent and notice ledger; the household's consent_* columns are its
# current state, kept in step by cases/services/consent.py in the same transaction.
consent_events = sa.Table(
    "consent_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("household_id", sa.ForeignKey("households.id"), nullable=False, index=True),
    sa.Column("action", sa.String(20), nullable=False),  # given | withdrawn
    sa.Column("scope", sa.String(20), nullable=False),  # general (s19) | sensitive (s26)
    sa.Column("purposes", sa.JSON, nullable=False),  # keys of cases.privacy.PURPOSES
    sa.Column("on", sa.Date, nullable=False),
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("taken_by", sa.Text, nullable=False, server_default=""),
    sa.Column("document_id", sa.ForeignKey("documents.id")),
    sa.Column("source", sa.String(20), nullable=False, server_default="page"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

# Every read of a household's personal data by a user, apart from the audit log (which
# records changes): who, which household, which fields (privacy rows), when, through what.
# No foreign key: the log outlives what it names.
read_log = sa.Table(
    "read_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False, index=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("household_id", sa.Integer, nullable=False, index=True),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("via", sa.String(40), nullable=False),
)

# The breach register (PDPA s37(4)): times in UTC.
breaches = sa.Table(
    "breaches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("detected_at", sa.DateTime, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("households_affected", sa.Integer, nullable=False),
    sa.Column("risk", sa.String(10), nullable=False),
    sa.Column("pdpc_notified_at", sa.DateTime),
    sa.Column("subjects_notified_at", sa.DateTime),
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

# Data subjects' requests (s30-s36) and their outcome; the rejected ones feed the s39 record.
pdpa_requests = sa.Table(
    "pdpa_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("household_id", sa.ForeignKey("households.id"), index=True),
    sa.Column("purpose", sa.String(40)),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    sa.Column("decided_on", sa.Date),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

# Covering indexes for the dashboard: counts by case, status and agreement, and by finish date.
sa.Index(
    "ix_households_status",
    households.c.case_id,
    households.c.house_status,
    households.c.agreed_to_move,
)
sa.Index("ix_households_finished_on", households.c.finished_on)

# Household counts kept in step with `households` by the repository, in the same
# transaction, so the dashboard reads a few thousand rows instead of every household:
# per case, status and agreement; and houses finished per programme and month.
household_tallies = sa.Table(
    "household_tallies",
    metadata,
    sa.Column("case_id", sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("house_status", sa.String(40), primary_key=True),
    sa.Column("agreed_to_move", sa.Boolean, primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
finished_tallies = sa.Table(
    "finished_tallies",
    metadata,
    sa.Column("programme", sa.String(40), primary_key=True),
    sa.Column("finished_month", sa.String(7), primary_key=True),  # YYYY-MM
    sa.Column("n", sa.Integer, nullable=False),
)

# The same counts summed by district and programme: what the dashboard's table shows.
district_tallies = sa.Table(
    "district_tallies",
    metadata,
    sa.Column("district_en", sa.String(80), primary_key=True),
    sa.Column("district_th", sa.String(80), primary_key=True),
    sa.Column("programme", sa.String(40), primary_key=True),
    sa.Column("house_status", sa.String(40), primary_key=True),
    sa.Column("agreed_to_move", sa.Boolean, primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)

# One row, bumped by every write that changes what the dashboard shows; the
# dashboard's results are cached per generation.
store_generation = sa.Table(
    "store_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False),
)

# Background jobs (app/application/jobs.py): what the user sees of each long piece of
# work; the queue that runs them is procrastinate's on PostgreSQL (its own tables).
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("owner", sa.String(80), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("progress", sa.Float, nullable=False, server_default="0"),
    sa.Column("step", sa.String(80), nullable=False, server_default=""),
    sa.Column("result_name", sa.String(200)),
    sa.Column("result_type", sa.String(80)),
    sa.Column("error_en", sa.Text),
    sa.Column("error_th", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="3"),
    sa.Column("worker", sa.String(200)),
    sa.Column("heartbeat_at", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime),
    sa.Column("finished_at", sa.DateTime),
)
sa.Index("ix_jobs_owner_created", jobs.c.owner, jobs.c.created_at)
sa.Index("ix_jobs_status", jobs.c.status)
