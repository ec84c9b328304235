"""The case tracker's pages: case list, case page (forms and map), new case, dashboard.

Thin views: each reads the request, calls one function of `cases.services` (which checks
permissions, applies the rules, audits and commits) or of the application layer (the case
page: `app.application.case_detail`), and renders a template or redirects.

- A domain error from a form on the case page re-renders the case page with the message in
  the user's language next to that form, keeping what the user typed; nothing was changed.
- Forbidden and not-found errors go to the app's error page (`error.html`).
- The case page's map reads and writes through the documented API (app/cases_api.py).
"""

from __future__ import annotations

import contextlib
from datetime import date
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from markupsafe import Markup

from app.application import words
from app.application.case_detail import case_detail
from app.application.pdpa import (
    case_page_reads,
    household_privacy,
    household_reads,
    household_requests,
)
from app.auth import local_target, login_required, roles_required
from app.casestore import uow
from app.i18n import LANGUAGES, STRINGS, current_language
from app.request_guard import Refused, load_json
from cases import register, services
from cases.errors import DomainError, Forbidden, InvalidInput, NotFound, StaleVersion
from cases.model import HOUSE_STATUSES, ROLE_LABELS, date_range_problem
from cases.policy import OFFICERS
from cases.workflow import default_workflows
from gis.thaidate import display_year, parse_form_date

bp = Blueprint("cases", __name__, url_prefix="/cases")
dashboard_bp = Blueprint("dashboard", __name__)

PER_PAGE = 20
HOUSEHOLDS_PER_PAGE = 50  # a case page's household table; a large community pages on
OFFICER_ROLES = OFFICERS
# Strings the map script needs, sent with the page in the page's language.
MAP_STRING_PREFIX = "mapjs."


# -- helpers shared by the pages -------------------------------------------------------
def _lang() -> str:
    return current_language()


def _int_arg(name: str, default: int = 1) -> int:
    try:
        return max(1, min(int(request.args.get(name, default)), services.MAX_PAGE))
    except (TypeError, ValueError):
        return default


def _parse_date(raw: str | None) -> date | None:
    """An ISO date from a form; a Buddhist Era year (2400 or later) is taken back to C.E."""
    try:
        value = parse_form_date(raw)
    except ValueError:
        raise InvalidInput(
            f"not a date: {raw!r} (use YYYY-MM-DD)", f"วันที่ไม่ถูกต้อง: {raw!r}", field="on"
        ) from None
    problem = value is not None and date_range_problem(value, "date")
    if problem:
        raise InvalidInput(*problem, field="on")
    return value


def stage_label(case_type: str, stage: str) -> dict[str, str]:
    try:
        return default_workflows().case_type(case_type).stage(stage).label
    except KeyError:
        return {"th": stage, "en": stage}


def stage_stall_days(case_type: str, stage: str) -> int | None:
    try:
        return default_workflows().case_type(case_type).stage(stage).stall_days
    except KeyError:
        return None


def _all_stages() -> list[tuple[str, dict[str, str]]]:
    """Every stage id of every case type, once, in workflow order (for the list's filter)."""
    seen: dict[str, dict[str, str]] = {}
    for ctype in default_workflows().case_types.values():
        for stage in ctype.stages:
            seen.setdefault(stage.id, stage.label)
    return list(seen.items())


def _map_strings(lang: str) -> dict[str, str]:
    """The map script's strings in one language, with the house status labels."""
    out = {
        k[len(MAP_STRING_PREFIX) :]: v[lang]
        for k, v in STRINGS.items()
        if k.startswith(MAP_STRING_PREFIX)
    }
    for code, label in default_workflows().house_statuses.items():
        out[f"status.{code}"] = label[lang]
    for code, label in words.table("plot_kind").items():
        out[f"kind.{code}"] = label[lang]
    return out


def _lang_switch_url(code: str) -> str:
    """This page in another language: the same address with ?lang=code (GET pages only)."""
    if request.method == "GET" and request.endpoint:
        args = request.args.to_dict()
        args["lang"] = code
        return url_for(request.endpoint, **(request.view_args or {}), **args)
    if request.method == "GET" and request.endpoint is None:
        # An unknown address (its 404 page): the same address, if it stays on this site.
        path = local_target(request.path) or "/"
        return f"{request.script_root}{path}?{urlencode({'lang': code})}"
    fallback = g.get("page_url") or url_for("cases.case_list")
    return f"{fallback}{'&' if '?' in fallback else '?'}lang={code}"


@bp.app_context_processor
def page_helpers():
    return {
        "lang_switch_url": _lang_switch_url,
        "role_labels": ROLE_LABELS,
        "stage_label": stage_label,
        "wf": default_workflows(),
    }


@bp.app_template_filter("thousands")
def thousands(value) -> str:
    """1234567 as '1,234,567' (the same in Thai and English)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@bp.after_app_request
def remember_language(response):
    # ?lang=xx chosen on a page is kept in a cookie, as the map page's script does.
    lang = request.args.get("lang")
    if (
        lang in LANGUAGES
        and request.method == "GET"
        and not request.path.startswith(("/api/", "/static/"))
        and request.cookies.get("lang") != lang
    ):
        response.set_cookie("lang", lang, max_age=31_536_000, samesite="Lax", path="/")
    return response


# -- case list ---------------------------------------------------------------------------
@bp.get("")
@login_required
def case_list():
    user = g.user
    filters = {
        "programme": request.args.get("programme", ""),
        "district": request.args.get("district", ""),
        "stage": request.args.get("stage", ""),
        "q": request.args.get("q", "").strip(),
        "stalled": request.args.get("stalled") in ("1", "on", "true"),
        # One community's cases (a search result's link): its id.
        "community": request.args.get("community", "").strip()[:40],
        "province": request.args.get("province", "").strip()[:2],
    }
    page = _int_arg("page")
    districts = services.progress(uow(), user)["districts"]
    # Nationally the districts are too many for one list: a province first, then its
    # districts (a district chosen alone brings its province).
    provinces = None
    if len(districts) > DASHBOARD_DISTRICTS:
        areas = services.progress_by_area(uow(), user)
        provinces = [(p["code"], p["name_en"], p["name_th"]) for p in areas if p["code"]]
        if filters["province"] not in {code for code, _, _ in provinces}:
            filters["province"] = ""
        where = services.district_provinces(uow())
        if not filters["province"] and len(where.get(filters["district"], ())) == 1:
            (filters["province"],) = where[filters["district"]]
        districts = [d for d in districts if filters["province"] in where.get(d["district_en"], ())]
    rows, total = services.list_cases(
        uow(),
        user,
        programme=filters["programme"],
        district=filters["district"],
        stage=filters["stage"],
        search=filters["q"],
        community=filters["community"],
        stalled=filters["stalled"],
        province=filters["province"],
        page=page,
        per_page=PER_PAGE,
    )
    pages = max(1, -(-total // PER_PAGE))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "cases/list.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        page_link=lambda p: url_for("cases.case_list", **args, page=p),
        filters=filters,
        districts=[(d["district_en"], d["district_th"]) for d in districts],
        provinces=provinces,
        stages=_all_stages(),
    )


# -- one case ----------------------------------------------------------------------------
def _render_case(case_id: int, *, status: int = 200, form: str | None = None, error=None):
    """The case page; after a refused form, with its error and the values typed in."""
    detail = case_detail(uow(), g.user, case_id)
    households = detail["households"] or []
    pages = max(1, -(-len(households) // HOUSEHOLDS_PER_PAGE))
    page = min(_int_arg("households_page"), pages)
    wanted = request.args.get("household", "")  # the page that holds this household
    at = next((i for i, h in enumerate(households) if str(h.id) == wanted), None)
    if at is not None:
        page = at // HOUSEHOLDS_PER_PAGE + 1
    first = (page - 1) * HOUSEHOLDS_PER_PAGE
    shown = households[first : first + HOUSEHOLDS_PER_PAGE]
    # The read log holds what the page showed: this page of households, the conflicts.
    services.log_reads(uow(), g.user, "case_page", case_page_reads({**detail, "households": shown}))
    g.page_url = url_for("cases.case_page", case_id=case_id)
    lang = _lang()
    case = detail["case"]
    today = services.today_in_thailand()
    stall_days = stage_stall_days(case.case_type, case.stage)
    documents_by_event: dict[int, list] = {}
    for item in detail["documents"]:
        if item.stage_event_id is not None:
            documents_by_event.setdefault(item.stage_event_id, []).append(item)
    return (
        render_template(
            "cases/detail.html",
            d=detail,
            case=detail["case"],
            shown_households=shown,
            households_page=page,
            households_pages=pages,
            households_first=first + 1,
            households_link=lambda p: url_for(
                "cases.case_page", case_id=case_id, households_page=p, _anchor="households"
            ),
            is_officer=g.user.role in OFFICER_ROLES,
            form=form,
            error=error,
            stale=isinstance(error, StaleVersion),
            values=request.form if form else {},
            today=today.isoformat(),
            days_in_stage=case.days_in_stage(today),
            stall_days=stall_days,
            stalled=bool(stall_days and case.days_in_stage(today) > stall_days),
            documents_by_event=documents_by_event,
            budget_by_kind={b.kind: b for b in detail["budget_lines"]},
            house_statuses=HOUSE_STATUSES,
            map_strings=_map_strings(lang),
            field_labels=_field_labels(),
            conflict_value=lambda name, value: _conflict_value(name, value, lang),
            context_layers=_context_layers(),
        ),
        status,
    )


def _context_layers() -> str:
    """The stored layers the case maps may draw around a site (data-context-layers)."""
    from app.store import get_store

    return ",".join(get_store().layer_names())


def _field_labels() -> dict[str, dict[str, str]]:
    labels = {f.name: {"th": f.th, "en": f.en} for f in register.HOUSEHOLD_FIELDS}
    labels["members"] = {
        "th": STRINGS["survey.members"]["th"],
        "en": STRINGS["survey.members"]["en"],
    }
    return labels


def _conflict_value(name: str, value, lang: str) -> str:
    """A conflicting value in words: choices by label, members by name, yes/no, numbers."""
    if value is None or value == "":
        return "—"
    if name == "members" and isinstance(value, list):
        names = ", ".join(str(m.get("name", "")) for m in value if isinstance(m, dict))
        return f"{len(value)}: {names}"
    if name == "location":
        return STRINGS["survey.gps_point"][lang]
    said = words.register_value_words(name, value)
    if said is not None:
        return said[lang]
    field = register.FIELDS_BY_NAME.get(name)
    if field is not None and field.kind == "bool":
        return STRINGS["cases.yes" if value else "cases.no"][lang]
    if field is not None and field.kind == "national_id":
        return register.mask_national_id(str(value))
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _form_action(case_id: int, form: str, anchor: str, call, done: str):
    """Run a form's service call; on a domain error show the case page with it, else
    redirect to it (`call` may return extra query arguments and an anchor)."""
    try:
        where = call()
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        return _render_case(case_id, status=exc.status, form=form, error=exc)
    flash(done, "ok")
    args, anchor = where if where else ({}, anchor)
    return redirect(url_for("cases.case_page", case_id=case_id, **args, _anchor=anchor))


@bp.get("/<int:case_id>")
@login_required
def case_page(case_id: int):
    return _render_case(case_id)


@bp.post("/<int:case_id>/move")
@login_required
def move(case_id: int):
    def call():
        documents = []
        kinds = request.form.getlist("document_kind")
        files = request.files.getlist("document_file")
        for kind, upload in zip(kinds, files):
            if upload and upload.filename:
                documents.append(
                    {
                        "kind": kind,
                        "filename": upload.filename,
                        "content_type": upload.mimetype or "",
                        "data": upload.read(),
                    }
                )
        services.move_stage(
            uow(),
            g.user,
            case_id,
            request.form.get("to_stage", ""),
            expected_version=request.form.get("version"),
            on=_parse_date(request.form.get("on")),
            note=request.form.get("note", "").strip(),
            new_documents=documents,
        )

    return _form_action(case_id, "move", "stage", call, "cases.flash.moved")


@bp.post("/<int:case_id>/hold")
@login_required
def hold(case_id: int):
    action = request.form.get("action")
    reason = request.form.get("hold_reason", "") if action == "hold" else ""
    if action == "hold" and not reason:
        return _render_case(
            case_id,
            status=422,
            form="hold",
            error=InvalidInput("choose a hold reason", "กรุณาเลือกเหตุที่หยุดชะงัก"),
        )

    def call():
        services.update_case(
            uow(),
            g.user,
            case_id,
            {"hold_reason": reason},
            request.form.get("version"),
            event_note=request.form.get("hold_note", ""),
        )

    done = "cases.flash.held" if reason else "cases.flash.released"
    return _form_action(case_id, "hold", "stage", call, done)


@bp.post("/<int:case_id>/edit")
@login_required
def edit_case(case_id: int):
    changes = {
        name: request.form.get(name, "").strip()
        for name in ("title_th", "title_en", "cooperative_name", "variant", "note")
        if name in request.form
    }
    if "title_th" in changes and not changes["title_th"]:
        # The service would store an empty title; the table does not allow it.
        return _render_case(
            case_id,
            status=422,
            form="edit",
            error=InvalidInput("the case needs a Thai title", "ต้องมีชื่อกรณีภาษาไทย"),
        )

    def call():
        services.update_case(uow(), g.user, case_id, changes, request.form.get("version"))

    return _form_action(case_id, "edit", "details", call, "cases.flash.saved")


@bp.post("/<int:case_id>/documents")
@login_required
def upload(case_id: int):
    upload = request.files.get("file")

    def call():
        if not upload or not upload.filename:
            raise InvalidInput("choose a file to upload", "กรุณาเลือกไฟล์ที่จะอัปโหลด", field="file")
        services.upload_document(
            uow(),
            g.user,
            case_id,
            kind=request.form.get("kind", ""),
            filename=upload.filename,
            content_type=upload.mimetype or "",
            data=upload.read(),
        )

    return _form_action(case_id, "upload", "documents", call, "cases.flash.uploaded")


@bp.post("/<int:case_id>/budget")
@login_required
def budget(case_id: int):
    kind = request.form.get("kind", "")

    def call():
        services.set_budget_line(
            uow(),
            g.user,
            case_id,
            kind=kind,
            planned=request.form.get("planned"),
            approved=request.form.get("approved"),
            disbursed=request.form.get("disbursed"),
            note=request.form.get("note"),
            expected_version=request.form.get("version") or None,
        )

    return _form_action(case_id, f"budget-{kind}", "budget", call, "cases.flash.saved")


@bp.post("/<int:case_id>/households")
@login_required
def add_household(case_id: int):
    values = {
        name: request.form.get(name, "").strip()
        for name in ("head_name", "members", "monthly_income", "tenure", "phone")
        if request.form.get(name, "").strip()
    }
    values["agreed_to_move"] = request.form.get("agreed_to_move") == "1"

    def call():
        household = services.add_household(uow(), g.user, case_id, values)
        return {"household": household.id}, f"hh-{household.id}"  # the page that holds it

    return _form_action(case_id, "add-household", "households", call, "cases.flash.added")


BLANK_MEMBER_ROWS = 2  # blank rows under the members, to add some without a script
# The register's fields the household page edits (the location is drawn on the case map).
REGISTER_FORM_FIELDS = tuple(f for f in register.HOUSEHOLD_FIELDS if f.kind != "point")


def _household_changes(form) -> dict:
    """The household fields the page's form sent: only those present, so a form that
    leaves some out (a disabled section) keeps them as they are."""
    changes: dict = {}
    for name in ("house_status", "tenure", "members", "monthly_income", "head_name", "phone"):
        if name in form:
            changes[name] = form.get(name, "").strip()
    if "agreed_to_move" in form:
        changes["agreed_to_move"] = form.get("agreed_to_move") == "1"
    if "plot_no" in form:
        changes["plot_no"] = form.get("plot_no", "").strip() or None
    for field in REGISTER_FORM_FIELDS:
        if field.name not in form:
            continue
        value = form.get(field.name, "").strip()
        if field.name == "national_id" and not value:
            continue  # shown masked: blank keeps the number on record
        if field.kind == "date" and value:
            # A year of 2400 or later is Buddhist Era (gis.thaidate); a bad date goes on
            # as typed, and the register names the field and says why.
            with contextlib.suppress(ValueError):
                value = parse_form_date(value).isoformat()
        changes[field.name] = value
    return changes


def _member_form_rows(form) -> list[dict] | None:
    """The member rows of the form, blank and removed rows left out; None without rows."""
    try:
        count = min(int(form.get("member_rows", "")), register.MAX_MEMBERS + 20)
    except ValueError:
        return None
    rows = []
    for i in range(count):
        row = {f.name: form.get(f"m-{i}-{f.name}", "").strip() for f in register.MEMBER_FIELDS}
        if form.get(f"m-{i}-remove") or not any(row.values()):
            continue
        rows.append(row)
    return rows


def _choice_options(lang: str) -> dict[str, list[tuple[str, str]]]:
    """(value, label) of each choice field of the register; tenure from the workflows."""
    out = {
        f.name: [(c.value, getattr(c, lang)) for c in f.choices]
        for f in (*register.HOUSEHOLD_FIELDS, *register.MEMBER_FIELDS)
        if f.kind == "choice"
    }
    out["tenure"] = [
        (code, label[lang]) for code, label in default_workflows().tenure_kinds.items()
    ]
    return out


def _dopa_lists(province: str | None, district: str | None) -> dict:
    """The province list and the districts and subdistricts under the chosen ones."""
    return {
        "province": register.dopa_children(None),
        "district": register.dopa_children(province) or [] if province else [],
        "subdistrict": register.dopa_children(district) or [] if district else [],
    }


@bp.route("/households/<int:household_id>", methods=("GET", "POST"))
@login_required
def household(household_id: int):
    """A household's register by section, its members and photos; officers may reveal
    the full national ID number (`?reveal=national_id`, audited)."""
    error = None
    if request.method == "POST":
        try:
            item = services.update_household(
                uow(),
                g.user,
                household_id,
                _household_changes(request.form),
                request.form.get("version"),
                members=_member_form_rows(request.form),
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            error = exc
        else:
            flash("cases.flash.saved", "ok")
            return redirect(
                url_for(
                    "cases.case_page",
                    case_id=item.case_id,
                    household=item.id,
                    _anchor=f"hh-{item.id}",
                )
            )
    item = services.get_household(uow(), g.user, household_id)
    case = services.get_case(uow(), g.user, item.case_id)
    members = services.list_members(uow(), g.user, household_id)
    photos = services.household_photos(uow(), g.user, household_id)
    revealed = None
    if request.method == "GET" and request.args.get("reveal") == "national_id":
        revealed = services.reveal_national_id(uow(), g.user, household_id)
        services.log_reads(uow(), g.user, "national_id", [(item.id, ["national_id"])])
    shown = household_reads(item, members=members, photos=photos)
    services.log_reads(uow(), g.user, "household_page", [(item.id, shown)])
    lang = _lang()
    withdraw = request.args.get("withdraw")
    values = request.form if error else {}
    if error and request.form.get("member_rows"):
        member_rows = _member_form_rows(request.form) or []
    else:
        member_rows = [
            {f.name: getattr(m, f.name) for f in register.MEMBER_FIELDS} for m in members
        ]
    member_rows += [{}] * BLANK_MEMBER_ROWS
    province = values.get("province_code", item.province_code or "")
    district = values.get("district_code", item.district_code or "")
    g.page_url = url_for("cases.household", household_id=household_id)
    return render_template(
        "cases/household.html",
        h=item,
        case=case,
        error=error,
        stale=isinstance(error, StaleVersion),
        values=values,
        house_statuses=HOUSE_STATUSES,
        register=register,
        sections=[
            (key, label, [f for f in REGISTER_FORM_FIELDS if f.section == key])
            for key, label in register.SECTIONS.items()
        ],
        masked_id=register.mask_national_id(item.national_id),
        revealed_id=revealed,
        may_reveal=g.user.role in OFFICER_ROLES and bool(item.national_id),
        member_rows=member_rows,
        options=_choice_options(lang),
        photos=photos,
        lonlat=services.geometry_to_geojson(item.location)["coordinates"]
        if item.location
        else None,
        dopa=_dopa_lists(province, district),
        dopa_names=register.dopa_names,
        pdpa=household_privacy(uow, g.user, item, lang),
        req=household_requests(uow, g.user, item, lang),
        withdraw_scope=withdraw if withdraw in ("general", "sensitive") else None,
    ), (error.status if error else 200)


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    item, path = services.get_document(uow(), g.user, document_id)
    if not path.exists():
        abort(404)
    services.log_document_read(uow(), g.user, item)
    response = send_file(
        path,
        mimetype=item.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- new case ----------------------------------------------------------------------------
def _communities():
    # `cases.services` has no list of communities yet; this read-only lookup is the one place
    # the pages read the repository directly.
    with uow() as work:
        return work.repo.list_communities()


@bp.route("/new", methods=("GET", "POST"))
@roles_required(*OFFICER_ROLES)
def new_case():
    error = None
    if request.method == "POST":
        raw_site = request.form.get("site", "").strip()
        try:
            try:
                site = load_json(raw_site) if raw_site else None
            except (ValueError, Refused):
                raise InvalidInput(
                    "the site boundary could not be read; draw it again",
                    "อ่านขอบเขตพื้นที่ไม่ได้ กรุณาวาดใหม่",
                    field="site",
                ) from None
            if site is None:
                raise InvalidInput(
                    "draw the site boundary on the map first",
                    "กรุณาวาดขอบเขตพื้นที่บนแผนที่ก่อน",
                    field="site",
                )
            if isinstance(site, dict) and site.get("type") == "Feature":
                site = site.get("geometry")
            case = services.create_case(
                uow(),
                g.user,
                community_id=request.form.get("community_id", ""),
                case_type=request.form.get("case_type", ""),
                title_th=request.form.get("title_th", ""),
                title_en=request.form.get("title_en", ""),
                variant=request.form.get("variant") or None,
                site_geojson=site,
            )
        except Forbidden:
            raise
        except DomainError as exc:
            error = exc
        else:
            flash("cases.flash.created", "ok")
            return redirect(url_for("cases.case_page", case_id=case.id))
    g.page_url = url_for("cases.new_case")
    lang = _lang()
    return render_template(
        "cases/new.html",
        communities=_communities(),
        error=error,
        values=request.form if error else {},
        map_strings=_map_strings(lang),
        context_layers=_context_layers(),
    ), (error.status if error else 200)


# -- dashboard ---------------------------------------------------------------------------
CHART = {"width": 960, "height": 360, "left": 64, "right": 56, "top": 24, "bottom": 48}


def _nice_max(value: int) -> int:
    """A round number at or above `value` for an axis (10, 20, 50, 100, 200, 500, ...)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step:
                return m * step
        step *= 10


def _months(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("YYYY-MM"), so that gaps show as gaps."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _year_labels(months: list[str], x0: float, slot: float, lang: str) -> list[dict]:
    """A label at each January (and the first month), in B.E. for Thai."""
    years = []
    for i, key in enumerate(months):
        if key.endswith("-01") or i == 0:
            yr = int(key[:4])
            years.append({"x": round(x0 + i * slot, 1), "label": str(display_year(yr, lang))})
    return years


def finished_chart(series: list[dict], lang: str) -> dict | None:
    """Positions for the SVG chart of houses finished: monthly bars and the cumulative line."""
    if not series:
        return None
    w, h = CHART["width"], CHART["height"]
    x0, x1 = CHART["left"], w - CHART["right"]
    y0, y1 = h - CHART["bottom"], CHART["top"]
    months = _months(series[0]["month"], series[-1]["month"])
    by_month = {s["month"]: s for s in series}
    n = len(months)
    slot = (x1 - x0) / n
    top_cum = _nice_max(series[-1]["cumulative"])
    top_month = _nice_max(max(s["finished"] for s in series))
    bars, points, cumulative = [], [], 0
    for i, key in enumerate(months):
        item = by_month.get(key)
        finished = item["finished"] if item else 0
        cumulative = item["cumulative"] if item else cumulative
        bar_h = (y0 - y1) * finished / top_month
        x = x0 + i * slot
        bars.append(
            {
                "x": round(x + slot * 0.15, 1),
                "y": round(y0 - bar_h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(bar_h, 1),
                "month": key,
                "finished": finished,
                "cumulative": cumulative,
            }
        )
        points.append(f"{x + slot / 2:.1f},{y0 - (y0 - y1) * cumulative / top_cum:.1f}")
    years = _year_labels(months, x0, slot, lang)
    ticks = [
        {
            "y": round(y0 - (y0 - y1) * f, 1),
            "cum": int(top_cum * f),
            "month": int(top_month * f) if top_month * f == int(top_month * f) else None,
        }
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return {
        **CHART,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "bars": bars,
        "line": " ".join(points),
        "years": years,
        "ticks": ticks,
        "total": series[-1]["cumulative"],
        "first": months[0],
        "last": months[-1],
    }


DASHBOARD_STALLED_ROWS = 50  # the most overdue; the case list holds them all
DASHBOARD_DISTRICTS = 60  # more, and the dashboard lists provinces to choose from


@dashboard_bp.get("/dashboard")
@login_required
def dashboard():
    programme = request.args.get("programme") or None
    if programme and programme not in default_workflows().programmes:
        programme = None
    province = request.args.get("province") or None
    if province and not (len(province) == 2 and province.isdigit()):
        province = None  # a DOPA province code, two digits; anything else is not a key
    lang = _lang()
    # The tables and chart are the same for everyone of one scope until the store
    # changes: drawn once per generation (130 KB of national tables cost 20 ms to draw).
    body = services.cached_page(
        uow(),
        g.user,
        ("dashboard", lang, programme, province),
        lambda: Markup(_dashboard_body(programme, province, lang)),
    )
    return render_template("dashboard.html", body=body)


def _dashboard_body(programme: str | None, province: str | None, lang: str) -> str:
    areas = services.progress_by_area(uow(), g.user, programme=programme)
    # With more districts than a page holds, the tables go country -> province ->
    # district: the provinces first, one province's districts when chosen (?province=).
    chosen = next((p for p in areas if province and p["code"] == province), None)
    several = len(areas) > 1 and sum(len(p["districts"]) for p in areas) > DASHBOARD_DISTRICTS
    if chosen is not None:
        areas = [chosen]
    elif several:
        areas = [{**p, "districts": []} for p in areas]
    progress = services.progress(
        uow(), g.user, programme=programme, province=chosen["code"] if chosen else None
    )
    stalled = services.stalled_cases(uow(), g.user)
    if programme:
        stalled = [s for s in stalled if s["programme"] == programme]
    series = services.finished_over_time(uow(), g.user, programme=programme)
    return render_template(
        "dashboard_body.html",
        progress=progress,
        areas=areas,
        province=chosen,
        by_province=several and chosen is None,
        stalled=stalled[:DASHBOARD_STALLED_ROWS],
        stalled_count=len(stalled),
        series=series,
        chart=finished_chart(series, lang),
        programme=programme,
    )
