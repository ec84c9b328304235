"""What the web app, the API and the CLI call, one module per aggregate. Each function is
one unit of work: it checks permissions, applies the domain rules, writes the audit log,
and commits; or it raises a domain error and nothing changes.

`from cases import services; services.move_stage(...)` keeps working: every public name
of the modules is re-exported here.
"""

from __future__ import annotations

from cases.services.breaches import (
    RISK_LABELS,
    breach_notified,
    list_breaches,
    record_breach,
)
from cases.services.budget import (
    BUDGET_DEFAULTS_PATH,
    budget_rate,
    list_budget_lines,
    set_budget_line,
)
from cases.services.case_files import (
    audit_log,
    case_detail,
    communities_with_cases,
    create_case,
    find_case,
    get_case,
    list_cases,
    open_community_cases,
    require_edit_of,
    update_case,
)
from cases.services.common import (
    BANGKOK,
    FIELD_NAMES_TH,
    MAX_INT,
    MAX_PAGE,
    today_in_thailand,
)
from cases.services.consent import (
    consent_ledger,
    record_consent,
    withdraw_consent,
    withdrawal_effect,
)
from cases.services.dashboard import (
    STATUS_COLUMNS,
    finished_over_time,
    progress,
    progress_by_area,
    stalled_cases,
)
from cases.services.documents import (
    MAX_DOCUMENT_BYTES,
    document_path,
    get_document,
    store_document_file,
    upload_document,
)
from cases.services.geometry import (
    THAILAND,
    geometry_from_geojson,
    geometry_to_geojson,
)
from cases.services.households import (
    add_household,
    get_household,
    household_photos,
    list_households,
    list_members,
    reveal_national_id,
    set_members,
    update_household,
)
from cases.services.layouts import (
    MAX_LAYOUT_FEATURES,
    LayoutRefused,
    hand_drawn_plots,
    layout_context,
    list_layout_decisions,
    record_layout_decision,
    require_layout_edit,
)
from cases.services.plot_rules import (
    OVERLAP_TOLERANCE_M2,
    SITE_TOLERANCE_M,
    PlotProblem,
    plot_problems,
    validity_problem,
)
from cases.services.plots import (
    PLOT_KINDS,
    add_plot,
    delete_plot_versioned,
    list_plots,
    update_plot,
)
from cases.services.reads import (
    log_document_read,
    log_reads,
    read_log,
)
from cases.services.search import (
    MAX_SEARCH,
    CaseHit,
    CommunityHit,
    HouseholdHit,
    Link,
    SearchResults,
    clean_search_text,
    search,
)
from cases.services.sessions import (
    end_sessions,
    resume_session,
    start_session,
)
from cases.services.stages import (
    move_stage,
)
from cases.services.subject_access import (
    SubjectRecords,
    subject_access_records,
)
from cases.services.subject_requests import (
    decide_request,
    list_requests,
    record_request,
    rejected_counts,
)
from cases.services.surveys import (
    SurveyRecord,
    SurveyReport,
    import_survey,
    list_conflicts,
    resolve_conflict,
    survey_progress,
)
from cases.services.users import (
    HASH_CONCURRENCY,
    MIN_PASSWORD_LENGTH,
    add_user,
    authenticate,
    change_password,
    get_user,
    hash_password,
    hash_stats,
    list_users,
    set_user_active,
    set_user_role,
    users_with_password,
    verify_password,
)

__all__ = [
    "SubjectRecords",
    "subject_access_records",
    "decide_request",
    "list_requests",
    "record_request",
    "rejected_counts",
    "breach_notified",
    "consent_ledger",
    "list_breaches",
    "RISK_LABELS",
    "log_document_read",
    "log_reads",
    "read_log",
    "record_breach",
    "record_consent",
    "withdraw_consent",
    "withdrawal_effect",
    "BANGKOK",
    "BUDGET_DEFAULTS_PATH",
    "FIELD_NAMES_TH",
    "HASH_CONCURRENCY",
    "LayoutRefused",
    "MAX_DOCUMENT_BYTES",
    "MAX_INT",
    "MAX_LAYOUT_FEATURES",
    "MAX_PAGE",
    "MAX_SEARCH",
    "CaseHit",
    "CommunityHit",
    "HouseholdHit",
    "Link",
    "SearchResults",
    "clean_search_text",
    "search",
    "MIN_PASSWORD_LENGTH",
    "PLOT_KINDS",
    "STATUS_COLUMNS",
    "THAILAND",
    "store_document_file",
    "SurveyRecord",
    "SurveyReport",
    "import_survey",
    "list_conflicts",
    "resolve_conflict",
    "survey_progress",
    "add_household",
    "add_plot",
    "hand_drawn_plots",
    "plot_problems",
    "validity_problem",
    "PlotProblem",
    "OVERLAP_TOLERANCE_M2",
    "SITE_TOLERANCE_M",
    "add_user",
    "audit_log",
    "authenticate",
    "budget_rate",
    "case_detail",
    "change_password",
    "communities_with_cases",
    "create_case",
    "open_community_cases",
    "delete_plot_versioned",
    "document_path",
    "end_sessions",
    "finished_over_time",
    "geometry_from_geojson",
    "geometry_to_geojson",
    "find_case",
    "get_case",
    "get_document",
    "get_household",
    "get_user",
    "hash_password",
    "hash_stats",
    "household_photos",
    "layout_context",
    "list_budget_lines",
    "list_cases",
    "list_households",
    "list_layout_decisions",
    "list_members",
    "list_plots",
    "list_users",
    "move_stage",
    "progress",
    "progress_by_area",
    "record_layout_decision",
    "require_edit_of",
    "require_layout_edit",
    "resume_session",
    "reveal_national_id",
    "set_budget_line",
    "set_members",
    "set_user_active",
    "set_user_role",
    "stalled_cases",
    "start_session",
    "today_in_thailand",
    "update_case",
    "update_household",
    "update_plot",
    "upload_document",
    "users_with_password",
    "verify_password",
]
