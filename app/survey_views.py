"""The household survey on the web: the form to download, the returned survey to import
(upload, preview, confirm), conflicts to review, and progress for the case page's map.

- `GET /cases/<id>/survey-form.xlsx`: the case's XLSForm.
- `GET|POST /cases/<id>/survey-import`: upload an export; the preview lists every
  submission as new, updated, unchanged, conflict or refused; confirming applies it.
- `POST /cases/<id>/survey-conflicts/<conflict id>`: keep the officer's value or the survey's.
- `GET /api/cases/<id>/survey`: counts (everyone who sees the case) and, for those who see
  personal data, the community's houses marked surveyed or not, as GeoJSON.

Officers, admins and the case community's representatives; municipality viewers get the
counts only (app/route_policy.py). The rules live in app/application/survey_*.py and
cases/services/surveys.py.
"""

from __future__ import annotations

import io
import re
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.utils import secure_filename

from app.application.survey_form import survey_form_download
from app.application.survey_import import import_survey_file, report_rows, survey_map
from app.auth import login_required
from app.casestore import get_case_store, uow
from app.i18n import current_language
from app.store import get_store
from cases import services
from cases.errors import DomainError, Forbidden, NotFound
from gis.errors import ValidationError

bp = Blueprint("survey", __name__, url_prefix="/cases")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/<int:case_id>/survey-form.xlsx")
@login_required
def survey_form(case_id: int):
    """The case's household survey as an XLSForm, as an attachment."""
    filename, data = survey_form_download(uow(), g.user, case_id)
    response = send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


_SUFFIXES = (".xlsx", ".csv", ".zip")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP_UPLOAD_S = 3600  # an upload waits this long for its confirmation


def _uploads() -> Path:
    folder = Path(get_case_store().home) / "uploads" / "surveys"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cutoff = time.time() - KEEP_UPLOAD_S
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return folder


_CLAIMED = "confirming-"  # an upload being confirmed: the token no longer finds it


def _pending(case_id: int, token: str) -> Path | None:
    """The upload waiting for confirmation: this user's, for this case, claimed by this
    request (renamed, so that a second confirmation at the same time finds nothing)."""
    if not _TOKEN.match(token or ""):
        return None
    for match in _uploads().glob(f"{case_id}-{g.user.id}-{token}.*"):
        claimed = match.with_name(_CLAIMED + match.name)
        try:
            match.rename(claimed)
        except FileNotFoundError:
            continue  # another request claimed it first
        return claimed
    return None


def _save_upload(case_id: int, upload) -> tuple[Path, str]:
    if upload is None or not upload.filename:
        raise DomainError("choose the survey export to upload", "โปรดเลือกไฟล์ผลสำรวจ")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in _SUFFIXES:
        raise DomainError(
            f"{upload.filename}: a survey export is .xlsx, .csv or .zip, not {suffix[:10]!r}",
            f"{upload.filename}: ไฟล์ผลสำรวจต้องเป็น .xlsx .csv หรือ .zip",
        )
    token = secrets.token_urlsafe(24)
    path = _uploads() / f"{case_id}-{g.user.id}-{token}{suffix}"
    upload.save(path)
    return path, token


@bp.route("/<int:case_id>/survey-import", methods=("GET", "POST"))
@login_required
def survey_import(case_id: int):
    """Upload → preview → confirm. Nothing is written before the confirmation."""
    case = services.get_case(uow(), g.user, case_id)
    services.require_edit_of(uow(), g.user, case_id=case_id)
    lang = current_language()
    context = {"case": case, "report": None, "rows": [], "warnings": [], "error": None}
    status = 200
    if request.method == "POST":
        token = request.form.get("token", "")
        confirm = request.form.get("confirm") == "1"
        filename = (request.form.get("filename") or "")[:200]
        path = None
        try:
            if confirm:
                path = _pending(case_id, token)
                if path is None:
                    raise DomainError(
                        "the upload has expired or was already imported; upload the file again",
                        "ไฟล์ที่อัปโหลดหมดอายุหรือนำเข้าไปแล้ว กรุณาอัปโหลดใหม่",
                    )
            else:
                upload = request.files.get("file")
                path, token = _save_upload(case_id, upload)
                filename = upload.filename[:200]
            report, warnings = import_survey_file(
                uow(),
                g.user,
                case_id,
                path,
                apply=confirm,
                filename=secure_filename(filename) or path.name,
                layer_store=get_store(),
            )
        except ValidationError as exc:
            context["problems"] = exc.problems
            status = 422
            _discard(path)  # refused: nothing of the file stays behind
        except (Forbidden, NotFound):
            _discard(path)
            raise
        except DomainError as exc:
            context["error"] = exc
            status = exc.status
            if confirm and path is not None:  # e.g. a stale version: may be confirmed again
                path.rename(path.with_name(path.name.removeprefix(_CLAIMED)))
            else:
                _discard(path)
        except BaseException:
            _discard(path)
            raise
        else:
            if confirm:
                path.unlink(missing_ok=True)
            context.update(
                report=report,
                rows=report_rows(report, lang),
                warnings=warnings,
                token=token,
                filename=filename,
                counts=report.counts(),
            )
    return render_template("cases/survey_import.html", **context), status


def _discard(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


@bp.post("/<int:case_id>/survey-conflicts/<int:conflict_id>")
@login_required
def resolve_conflict(case_id: int, conflict_id: int):
    keep = request.form.get("keep", "")
    try:
        services.resolve_conflict(uow(), g.user, conflict_id, keep, case_id=case_id)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        flash(exc.message(current_language()), "error")
    else:
        flash("survey.flash_resolved", "ok")
    return redirect(url_for("cases.case_page", case_id=case_id, _anchor="survey"))


@bp.get("/<int:case_id>/survey.json")
@login_required
def survey_api(case_id: int):
    """Survey progress of a case: counts, and the houses surveyed or not (GeoJSON)."""
    return jsonify(survey_map(uow(), g.user, case_id, layer_store=get_store()))


def init_app(app) -> None:
    app.register_blueprint(bp)
