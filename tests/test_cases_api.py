"""The case tracker's JSON API (app/cases_api.py) over the real app and store.

Read-only tests use the shared sample store (`client`); tests that write get a
fresh store loaded with the sample (`writable_client`). Every test also runs on
PostGIS when DATABASE_URL is set.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import threading
from datetime import UTC, date, datetime

import pytest
from flask import jsonify
from shapely.geometry import Point, shape

from app import create_app, schema_dump
from app.cases_schemas import HouseholdListSchema, HouseholdSchema
from cases.model import Household
from cases.register import PERSONAL_FIELDS
from cases.sample import DEMO_USERS

PASSWORDS = {username: password for username, password, _, _ in DEMO_USERS}
HOSTILE = "<script>alert(1)</script> \"'&"
# Near Khlong Prem Prachakorn (lon, lat).
SITE = {
    "type": "Polygon",
    "coordinates": [
        [[100.5560, 13.8620], [100.5575, 13.8620], [100.5575, 13.8632], [100.5560, 13.8632]]
        + [[100.5560, 13.8620]]
    ],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[100.556, 13.862], [100.557, 13.863], [100.557, 13.862], [100.556, 13.863]]
        + [[100.556, 13.862]]
    ],
}
PARIS = {
    "type": "Polygon",
    "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.86], [2.35, 48.85]]],
}
SWAPPED = {
    "type": "Polygon",
    "coordinates": [[[y, x] for x, y in SITE["coordinates"][0]]],
}


# -- helpers ---------------------------------------------------------------------------
def basic(username: str) -> dict:
    token = base64.b64encode(f"{username}:{PASSWORDS[username]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def login(client, username: str) -> None:
    """A session cookie, as the pages get one (no dependency on where login redirects)."""
    response = client.post(
        "/auth/login?next=/api/workflows",
        data={"username": username, "password": PASSWORDS[username]},
    )
    assert response.status_code == 302, response.data


def case_by_ref(client, ref: str, headers=None) -> dict:
    items = client.get(f"/api/cases?q={ref}", headers=headers or {}).get_json()["items"]
    return next(item for item in items if item["ref"] == ref)


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["en"] and error["th"]
    return error


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


# -- the OpenAPI document ----------------------------------------------------------------
EXPECTED_OPERATIONS = {
    ("/api/cases", "get"),
    ("/api/cases", "post"),
    ("/api/cases/{case_id}", "get"),
    ("/api/cases/{case_id}", "patch"),
    ("/api/cases/{case_id}/stage", "post"),
    ("/api/cases/{case_id}/households", "get"),
    ("/api/cases/{case_id}/households", "post"),
    ("/api/households/{household_id}", "get"),
    ("/api/households/{household_id}", "patch"),
    ("/api/cases/{case_id}/plots", "get"),
    ("/api/cases/{case_id}/plots", "post"),
    ("/api/plots/{plot_id}", "patch"),
    ("/api/plots/{plot_id}", "delete"),
    ("/api/cases/{case_id}/documents", "post"),
    ("/api/documents/{document_id}", "get"),
    ("/api/cases/{case_id}/budget", "get"),
    ("/api/cases/{case_id}/budget/{kind}", "put"),
    ("/api/progress", "get"),
    ("/api/stalled", "get"),
    ("/api/finished-over-time", "get"),
    ("/api/audit", "get"),
    ("/api/workflows", "get"),
    ("/api/layers", "get"),
    ("/api/layers/{name}", "get"),
    ("/api/layers/{name}/overlay.png", "get"),
    ("/api/imports", "post"),
    ("/api/imports/{report_id}", "get"),
    ("/api/exports/{layer}", "get"),
    ("/api/overlap", "post"),
    ("/api/overlap/runs/{run_id}/report.{ext}", "get"),
    ("/api/cases/{case_id}/layouts", "post"),
    ("/api/cases/{case_id}/layout-decisions", "post"),
    ("/api/cases/{case_id}/layout-decisions", "get"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def _refs(value):
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            yield value["$ref"]
        for v in value.values():
            yield from _refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)


def test_openapi_document_is_valid_and_lists_every_path(app, client):
    response = client.get("/api/openapi.json")  # public: no login needed
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    try:  # the full validator, when it is installed
        from openapi_spec_validator import validate

        validate(doc)
    except ImportError:
        pass
    # Structure (OpenAPI 3.0.3), checked here whether or not the validator is there.
    assert doc["openapi"] == "3.0.3"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert set(doc["components"]["securitySchemes"]) == {"basicAuth", "cookieAuth"}
    for ref in _refs(doc):
        _resolve(doc, ref)
    operations = set()
    for path, item in doc["paths"].items():
        assert path.startswith("/api/")
        assert not re.search(r"[<>]", path), path
        path_params = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        for method, op in item.items():
            if method == "parameters":
                continue
            assert method in HTTP_METHODS
            operations.add((path, method))
            assert op.get("summary"), (path, method)
            assert op["responses"] and any(str(c).startswith("2") for c in op["responses"])
            for param in op.get("parameters", []):
                param = _resolve(doc, param["$ref"]) if "$ref" in param else param
                assert param["in"] in {"query", "header", "path", "cookie"}, param
                if param["in"] == "path":
                    path_params.add(param["name"])
            assert set(re.findall(r"{(\w+)}", path)) == path_params, path
            for content in op.get("requestBody", {}).get("content", {}):
                assert content in {"application/json", "multipart/form-data"}
    assert not EXPECTED_OPERATIONS - operations
    # Every API route of the app is documented (the document itself aside).
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == operations
    # The stage move takes JSON or multipart; the errors are documented in our shape.
    stage = doc["paths"]["/api/cases/{case_id}/stage"]["post"]
    assert set(stage["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    error = _resolve(
        doc, stage["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    )
    assert set(error["properties"]) == {"error"}
    # Offline: no Swagger/ReDoc/RapiDoc page, nothing from a CDN.
    assert not [r for r in app.url_map.iter_rules() if re.search("swagger|redoc|rapidoc", r.rule)]
    assert "cdn" not in response.get_data(as_text=True).lower()


# -- authentication, errors, the layer API ------------------------------------------------
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/cases"),
        ("post", "/api/cases"),
        ("get", "/api/cases/1"),
        ("patch", "/api/cases/1"),
        ("post", "/api/cases/1/stage"),
        ("get", "/api/cases/1/households"),
        ("get", "/api/households/1"),
        ("get", "/api/documents/1"),
        ("get", "/api/progress"),
        ("get", "/api/stalled"),
        ("get", "/api/audit"),
        ("get", "/api/workflows"),
    ],
)
def test_not_logged_in_is_401_json(client, method, path):
    assert_error(getattr(client, method)(path, json={}), 401)


def test_wrong_password_is_401(client):
    token = base64.b64encode(b"officer:wrong-password").decode()
    assert_error(client.get("/api/cases", headers={"Authorization": f"Basic {token}"}), 401)


def test_errors_keep_the_planner_shape_and_the_layer_api_works(client):
    login(client, "officer")
    # The layer API, untouched by flask-smorest.
    layers = client.get("/api/layers")
    assert layers.status_code == 200 and layers.get_json()["layers"]
    assert client.get("/api/layers/communities").mimetype == "application/geo+json"
    assert "no_such_layer" in assert_error(client.get("/api/layers/no_such_layer"), 404)["en"]
    assert "bbox" in assert_error(client.get("/api/layers/structures?bbox=1,2,3"), 400)["en"]
    # HTTP errors and request validation errors, in the same shape.
    assert_error(client.get("/api/no-such-thing"), 404)
    response = client.delete("/api/cases")
    assert_error(response, 405)
    assert "POST" in response.headers["Allow"]
    error = assert_error(client.get("/api/cases?per_page=0"), 422)
    assert "per_page" in error["fields"] and "per_page" in error["en"]
    bad_json = client.post("/api/cases", data="{not json", content_type="application/json")
    assert_error(bad_json, 400)
    assert_error(client.get("/api/cases/999999"), 404)


def test_json_answers_are_not_sniffed_or_cached(client):
    login(client, "officer")
    response = client.get("/api/cases")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


# -- listing: pagination and filters ------------------------------------------------------
def test_pagination(client):
    login(client, "officer")
    first = client.get("/api/cases?per_page=10")
    body = first.get_json()
    assert body["total"] == 38 and body["pages"] == 4 and len(body["items"]) == 10
    header = json.loads(first.headers["X-Pagination"])
    assert header == {
        "total": 38,
        "total_pages": 4,
        "first_page": 1,
        "last_page": 4,
        "page": 1,
        "next_page": 2,
    }
    refs = []
    for page in range(1, 5):
        response = client.get(f"/api/cases?per_page=10&page={page}")
        refs += [item["ref"] for item in response.get_json()["items"]]
    assert len(refs) == len(set(refs)) == 38 and refs == sorted(refs)
    last = client.get("/api/cases?per_page=10&page=4")
    assert len(last.get_json()["items"]) == 8
    assert json.loads(last.headers["X-Pagination"])["previous_page"] == 3
    assert client.get("/api/cases?per_page=10&page=5").get_json()["items"] == []
    for bad in ("per_page=501", "page=0", "page=x"):
        assert_error(client.get(f"/api/cases?{bad}"), 422)


def test_filters(client):
    login(client, "officer")

    def items(query):
        body = client.get(f"/api/cases?per_page=500&{query}").get_json()
        assert body["total"] == len(body["items"])
        return body["items"]

    everything = items("")
    assert len(everything) == 38
    lak_si = items("district=Lak Si")
    assert lak_si and {i["district_en"] for i in lak_si} == {"Lak Si"}
    assert len(lak_si) == sum(i["district_en"] == "Lak Si" for i in everything)
    building = items("stage=construction")
    assert building and {i["stage"] for i in building} == {"construction"}
    assert building[0]["stage_label"] == {"th": "ก่อสร้างบ้าน", "en": "Construction"}
    assert len(items("programme=canal_side")) == 38
    assert items("programme=baan_mankong") == []
    assert [i["ref"] for i in items("q=KPP-CC-01")] == ["KPP-CC-01"]
    assert {i["ref"] for i in items("q=ดอนเมือง")} == {
        i["ref"] for i in everything if i["district_en"] == "Don Mueang"
    }
    stalled = items("stalled=true")
    assert stalled and all(i["stalled"] for i in stalled)
    assert {i["ref"] for i in stalled} == {i["ref"] for i in everything if i["stalled"]}
    listed = client.get("/api/stalled").get_json()
    assert {i["ref"] for i in listed["items"]} == {i["ref"] for i in stalled}
    both = items("stalled=true&district=Lak Si")
    assert {i["ref"] for i in both} == {i["ref"] for i in stalled if i["district_en"] == "Lak Si"}


# -- privacy and communities ----------------------------------------------------------------
def test_viewer_sees_no_personal_data(client):
    officer = basic("officer")
    case = case_by_ref(client, "KPP-LS-03", officer)
    households = client.get(f"/api/cases/{case['id']}/households", headers=officer).get_json()
    names = [h["head_name"] for h in households["items"]]
    assert len(names) == case["counts"]["households"] > 0 and all(names)

    login(client, "viewer")
    answers = [
        client.get("/api/cases?per_page=500"),
        client.get(f"/api/cases/{case['id']}"),
        client.get("/api/progress"),
        client.get("/api/stalled"),
        client.get(f"/api/cases/{case['id']}/budget"),
        client.get(f"/api/cases/{case['id']}/plots"),
    ]
    for response in answers:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert not [name for name in names if name in text]
        assert "หัวหน้าครัวเรือน" not in text
        assert not keys_of(response.get_json()) & PERSONAL_FIELDS
    detail = answers[1].get_json()
    assert detail["counts"]["households"] == len(names)
    assert "households" not in detail
    # Households themselves: refused, in the list and one by one.
    assert_error(client.get(f"/api/cases/{case['id']}/households"), 403)
    assert_error(client.get(f"/api/households/{households['items'][0]['id']}"), 403)


def test_community_representative_sees_only_their_community(client):
    officer = basic("officer")
    own = case_by_ref(client, "KPP-CC-01", officer)
    other = case_by_ref(client, "KPP-CC-02", officer)
    other_household = client.get(f"/api/cases/{other['id']}/households", headers=officer)
    other_household = other_household.get_json()["items"][0]

    login(client, "rep.cc01")
    mine = client.get(f"/api/cases/{own['id']}/households")
    assert mine.status_code == 200 and mine.get_json()["total"] == own["counts"]["households"]
    assert mine.get_json()["items"][0]["head_name"]
    assert client.get(f"/api/cases/{own['id']}").status_code == 200
    assert_error(client.get(f"/api/cases/{other['id']}/households"), 403)
    assert_error(client.get(f"/api/cases/{other['id']}"), 403)
    assert_error(client.get(f"/api/households/{other_household['id']}"), 403)
    listed = client.get("/api/cases").get_json()
    assert [i["ref"] for i in listed["items"]] == ["KPP-CC-01"] and listed["total"] == 1
    assert_error(client.get("/api/audit"), 403)


# -- dashboards and reference data ----------------------------------------------------------
def test_progress_equals_the_published_table(client):
    login(client, "viewer")
    body = client.get("/api/progress").get_json()
    table = {
        d["district_en"]: (d["finished"], d["under_construction"], d["ready_to_build"])
        for d in body["districts"]
    }
    assert table == {
        "Chatuchak": (356, 133, 0),
        "Lak Si": (88, 71, 7),
        "Don Mueang": (0, 120, 14),
        "Lak Hok": (190, 28, 0),
    }
    assert [d["district_en"] for d in body["districts"]] == [
        "Chatuchak",
        "Lak Si",
        "Don Mueang",
        "Lak Hok",
    ]
    assert [d["households_agreed"] for d in body["districts"]] == [621, 2248, 2542, 929]
    total = body["total"]
    assert total["households"] == 6386
    assert (total["finished"], total["under_construction"], total["ready_to_build"]) == (
        634,
        352,
        21,
    )
    assert total["shares"]["finished"] == 9.93
    assert total["shares"]["under_construction"] == 5.51
    assert total["shares"]["ready_to_build"] == 0.33
    assert total["district_th"] == "รวม"


def test_finished_over_time_adds_up_to_the_houses_finished(client):
    login(client, "viewer")
    months = client.get("/api/finished-over-time").get_json()["months"]
    assert months and all(re.fullmatch(r"\d{4}-\d{2}", m["month"]) for m in months)
    assert months[-1]["cumulative"] == sum(m["finished"] for m in months) == 634


def test_workflows_are_labelled_in_thai_and_english(client):
    login(client, "viewer")
    body = client.get("/api/workflows").get_json()
    canal = next(t for t in body["case_types"] if t["id"] == "canal_side")
    stages = {s["id"]: s for s in canal["stages"]}
    assert stages["savings_group"]["requires"]["documents"] == ["savings_record"]
    assert stages["approval"]["allowed_moves"] == ["treasury_lease", "layout_design"]
    for table in ("document_kinds", "hold_reasons", "house_statuses", "tenure_kinds"):
        assert body[table] and all(v["th"] and v["en"] for v in body[table].values())
    assert body["hold_reasons"]["land_dispute"]["th"] == "ข้อพิพาทเรื่องที่ดิน"
    assert all(s["label"]["th"] and s["label"]["en"] for s in canal["stages"])


# -- writing: cases -----------------------------------------------------------------------
def test_create_case_and_refuse_bad_geometry(writable_client):
    client = writable_client
    login(client, "officer")
    community = case_by_ref(client, "KPP-LS-03")["community_id"]
    new = {"community_id": community, "case_type": "canal_side", "title_th": HOSTILE}
    for bad, words in (
        (BOWTIE, ["edges cross each other"]),  # in words, not GEOS's "Self-intersection[...]"
        (PARIS, ["outside Thailand"]),
        (SWAPPED, ["outside Thailand", "swapped"]),
        ({"type": "Polygon", "coordinates": "nonsense"}, ["not a GeoJSON geometry"]),
        ({"type": "Point", "coordinates": [100.556, 13.862]}, ["must be Polygon or MultiPolygon"]),
    ):
        error = assert_error(client.post("/api/cases", json={**new, "site": bad}), 422)
        assert all(word in error["en"] for word in words), error
        assert "Self-intersection" not in error["en"] + error["th"]
    crossed = assert_error(client.post("/api/cases", json={**new, "site": BOWTIE}), 422)
    assert crossed["spot"] == {"type": "Point", "coordinates": [100.5565, 13.8625]}
    error = assert_error(client.post("/api/cases", json={**new, "site": "POLYGON(...)"}), 422)
    assert "site" in error["fields"]
    assert client.get("/api/cases").get_json()["total"] == 38  # nothing was created

    response = client.post("/api/cases", json={**new, "site": SITE, "on": "2026-11-01"})
    assert response.status_code == 201
    case = response.get_json()
    assert response.headers["Location"].endswith(f"/api/cases/{case['id']}")
    assert case["title_th"] == HOSTILE and case["version"] == 1
    assert case["stage"] == "survey" and case["stage_entered_on"] == "2026-11-01"
    ring = case["site"]["coordinates"][0]
    for (lon, lat), (lon0, lat0) in zip(ring, SITE["coordinates"][0], strict=True):
        assert abs(lon - lon0) < 1e-7 and abs(lat - lat0) < 1e-7
    detail = client.get(case["url"]).get_json()
    assert detail["title_th"] == HOSTILE and detail["timeline"][0]["to_stage"] == "survey"

    for username in ("viewer", "rep.cc01"):
        assert_error(client.post("/api/cases", json=new, headers=basic(username)), 403)
    assert_error(client.post("/api/cases", json={**new, "community_id": "NOPE"}), 404)
    assert_error(client.post("/api/cases", json={**new, "case_type": "nope"}), 422)


def test_two_clients_same_version_one_wins_no_change_lost(writable_client):
    client = writable_client
    other = writable_client.application.test_client()
    login(client, "officer")
    login(other, "admin")
    case = case_by_ref(client, "KPP-LS-05")
    version = client.get(case["url"]).get_json()["version"]

    first = client.patch(case["url"], json={"version": version, "title_en": "First edit"})
    assert first.status_code == 200 and first.get_json()["version"] == version + 1
    second = other.patch(case["url"], json={"version": version, "note": "Second edit"})
    error = assert_error(second, 409)
    assert error["current_version"] == version + 1
    now = client.get(case["url"]).get_json()
    assert now["title_en"] == "First edit" and now["note"] != "Second edit"
    assert now["version"] == version + 1

    # Re-read, then the second client's change goes through (If-Match instead of body).
    again = other.patch(
        case["url"], json={"note": HOSTILE}, headers={"If-Match": f'"{version + 1}"'}
    )
    assert again.status_code == 200
    now = client.get(case["url"]).get_json()
    assert (now["title_en"], now["note"], now["version"]) == ("First edit", HOSTILE, version + 2)
    # Version missing, or disagreeing with If-Match: refused, nothing changed.
    assert "version" in assert_error(client.patch(case["url"], json={"note": "x"}), 422)["en"]
    mixed = client.patch(case["url"], json={"note": "x", "version": 1}, headers={"If-Match": "7"})
    assert_error(mixed, 422)
    assert_error(client.patch(case["url"], json={"ref": "X", "version": version + 2}), 422)
    assert_error(client.patch(case["url"], json={"title_th": " ", "version": version + 2}), 422)
    assert client.get(case["url"]).get_json()["version"] == version + 2


def test_simultaneous_updates_one_200_one_409(writable_app):
    """Two requests really at the same time, from the same version."""
    case = case_by_ref(writable_app.test_client(), "KPP-LS-11", basic("officer"))
    version = case["version"]
    barrier = threading.Barrier(2)
    results = {}

    def edit(username, title):
        client = writable_app.test_client()
        login(client, username)
        barrier.wait()
        response = client.patch(case["url"], json={"version": version, "title_en": title})
        results[title] = response.status_code

    threads = [
        threading.Thread(target=edit, args=("officer", "Edit A")),
        threading.Thread(target=edit, args=("admin", "Edit B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [200, 409], results
    winner = next(title for title, status in results.items() if status == 200)
    now = writable_app.test_client().get(case["url"], headers=basic("officer")).get_json()
    assert (now["title_en"], now["version"]) == (winner, version + 1)


def test_simultaneous_adds_conflict_cleanly_never_500(writable_app):
    """Households added at the same moment may race for the same number: the
    loser gets 409 (reload and retry), never a 500, and no number is used twice."""
    officer = basic("officer")
    case = case_by_ref(writable_app.test_client(), "KPP-LS-05", officer)
    barrier = threading.Barrier(4)
    results = []

    def add(i):
        client = writable_app.test_client()
        barrier.wait()
        try:
            response = client.post(
                f"{case['url']}/households", json={"head_name": f"race {i}"}, headers=officer
            )
            results.append((response.status_code, response.get_json()))
        except Exception as exc:  # a 500 propagates in testing mode
            results.append((500, repr(exc)))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 4 and {status for status, _ in results} <= {201, 409}, results
    for status, body in results:
        if status == 409:
            assert body["error"]["th"] and "reload" in body["error"]["en"]
    households = writable_app.test_client().get(f"{case['url']}/households", headers=officer)
    items = households.get_json()["items"]
    added = sum(status == 201 for status, _ in results)
    assert len(items) == case["counts"]["households"] + added
    assert len({h["household_no"] for h in items}) == len(items)


# -- writing: stage moves and documents -------------------------------------------------------
def test_refused_stage_moves_name_what_is_missing_and_change_nothing(writable_client):
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, "KPP-LS-03")
    before = client.get(case["url"]).get_json()
    assert before["stage"] == "agreement_to_move"
    move = [m for m in before["allowed_moves"] if m["stage"] == "savings_group"]
    assert move[0]["missing"][0]["code"] == "savings_record"
    stage_url = f"{case['url']}/stage"
    version = before["version"]

    skip = client.post(stage_url, json={"to_stage": "cooperative", "version": version})
    error = assert_error(skip, 422)
    assert error["missing"][0]["kind"] == "transition"
    assert error["missing"][0]["label"]["th"] and "Cooperative registered" in error["en"]

    missing = client.post(stage_url, json={"to_stage": "savings_group", "version": version})
    error = assert_error(missing, 422)
    assert error["missing"] == [
        {
            "kind": "document",
            "kind_label": {"th": "เอกสาร", "en": "Document"},
            "code": "savings_record",
            "label": {"th": "บัญชีกลุ่มออมทรัพย์", "en": "Savings group record"},
        }
    ]
    assert "Savings group record" in error["en"] and "บัญชีกลุ่มออมทรัพย์" in error["th"]

    # The wrong document with the move: refused, and the file is not kept either.
    wrong = client.post(
        stage_url,
        data={
            "to_stage": "savings_group",
            "version": str(version),
            "files": [(io.BytesIO(b"a photo"), "photo.jpg")],
            "kinds": ["photo"],
        },
        content_type="multipart/form-data",
    )
    assert assert_error(wrong, 422)["missing"][0]["code"] == "savings_record"
    unpaired = client.post(
        stage_url,
        data={
            "to_stage": "savings_group",
            "version": str(version),
            "files": [(io.BytesIO(b"x"), "x")],
        },
        content_type="multipart/form-data",
    )
    assert "kinds" in assert_error(unpaired, 422)["fields"]
    assert_error(client.post(stage_url, json={"to_stage": "savings_group"}), 422)
    # Everything in order but the version: 409, and the document is not kept either.
    stale = client.post(
        stage_url,
        data={
            "to_stage": "savings_group",
            "version": str(version + 1),
            "files": [(io.BytesIO(b"savings"), "savings.pdf")],
            "kinds": ["savings_record"],
        },
        content_type="multipart/form-data",
    )
    assert assert_error(stale, 409)["current_version"] == version

    after = client.get(case["url"]).get_json()
    for key in ("stage", "version", "stage_entered_on", "documents", "timeline"):
        assert after[key] == before[key], key
    # Only officers move stages; viewers and other communities' representatives not at all.
    for username in ("viewer", "rep.cc01"):
        refused = client.post(
            stage_url,
            json={"to_stage": "savings_group", "version": version},
            headers=basic(username),
        )
        assert_error(refused, 403)


def test_legal_move_with_a_document_is_in_timeline_audit_and_downloads(writable_client):
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, "KPP-LS-03")
    before = client.get(case["url"]).get_json()
    content = "บัญชีกลุ่มออมทรัพย์\n".encode() + bytes(range(256))
    response = client.post(
        f"{case['url']}/stage",
        data={
            "to_stage": "savings_group",
            "version": str(before["version"]),
            "note": HOSTILE,
            "on": "2026-11-20",
            "files": [(io.BytesIO(content), "บัญชีออม 2569.pdf", "application/pdf")],
            "kinds": ["savings_record"],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    detail = response.get_json()
    assert detail["stage"] == "savings_group" and detail["version"] == before["version"] + 1
    assert detail["stage_entered_on"] == "2026-11-20"
    event = detail["timeline"][-1]
    assert (event["from_stage"], event["to_stage"], event["note"]) == (
        "agreement_to_move",
        "savings_group",
        HOSTILE,
    )
    assert event["to_stage_label"]["th"] == "กลุ่มออมทรัพย์"
    (document,) = [d for d in detail["documents"] if d["id"] in event["document_ids"]]
    assert document["kind"] == "savings_record" and document["stage_event_id"] == event["id"]
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["filename"].endswith(".pdf")
    assert [m["stage"] for m in detail["allowed_moves"]] == ["cooperative"]

    audit = client.get(f"/api/audit?entity=case&entity_id={case['id']}").get_json()["items"]
    entry = audit[0]
    assert (entry["action"], entry["username"]) == ("move_stage", "officer")
    assert (entry["before"]["stage"], entry["after"]["stage"]) == (
        "agreement_to_move",
        "savings_group",
    )

    download = client.get(document["url"])
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["X-Checksum-SHA256"] == hashlib.sha256(content).hexdigest()
    assert hashlib.sha256(content).hexdigest() in download.headers["ETag"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/pdf"


def test_document_upload_and_download(writable_client):
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, "KPP-LS-05")
    content = b"\x00\x01<html><script>alert(1)</script></html>\xff" * 100
    response = client.post(
        f"{case['url']}/documents",
        data={"kind": "photo", "file": (io.BytesIO(content), "../../etc/รูป<x>.html", "text/html")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    document = response.get_json()
    assert response.headers["Location"].endswith(document["url"])
    assert document["size"] == len(content) and "/" not in document["filename"]
    assert document["kind_label"]["en"] == "Photo"

    # A photo shows a household: municipality viewers may not open it.
    refused = client.get(document["url"], headers=basic("viewer"))
    assert "personal data" in assert_error(refused, 403)["en"]
    approval = client.post(
        f"{case['url']}/documents",
        data={"kind": "approval", "file": (io.BytesIO(content), "approval.pdf", "application/pdf")},
        content_type="multipart/form-data",
    ).get_json()
    for who, url in (("officer", document["url"]), ("viewer", approval["url"])):
        download = client.get(url, headers=basic(who))
        assert download.status_code == 200 and download.data == content
        digest = hashlib.sha256(content).hexdigest()
        assert download.headers["X-Checksum-SHA256"] == digest
        assert download.headers["ETag"].strip('"') == digest
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert "sandbox" in download.headers["Content-Security-Policy"]
    detail = client.get(case["url"]).get_json()
    assert document["id"] in [d["id"] for d in detail["documents"]]

    upload = f"{case['url']}/documents"
    no_file = client.post(upload, data={"kind": "photo"}, content_type="multipart/form-data")
    assert "file" in assert_error(no_file, 422)["fields"]
    unknown_kind = client.post(
        upload,
        data={"kind": "selfie", "file": (io.BytesIO(b"x"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert "selfie" in assert_error(unknown_kind, 422)["en"]
    empty = client.post(
        upload,
        data={"kind": "photo", "file": (io.BytesIO(b""), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert assert_error(empty, 422)["field"] == "file"
    as_json = client.post(upload, json={"kind": "photo", "file": "aGVsbG8="})
    assert_error(as_json, 422)
    other = case_by_ref(client, "KPP-CC-02")
    refused = client.post(
        f"{other['url']}/documents",
        data={"kind": "photo", "file": (io.BytesIO(b"x"), "x.jpg")},
        content_type="multipart/form-data",
        headers=basic("rep.cc01"),
    )
    assert_error(refused, 403)
    assert_error(client.get("/api/documents/999999"), 404)


# -- writing: households, plots, budget ----------------------------------------------------------
def test_households_add_read_update_versioned(writable_client):
    client = writable_client
    login(client, "rep.cc01")  # a representative edits their own community's households
    case = case_by_ref(client, "KPP-CC-01")
    point = {"type": "Point", "coordinates": [100.5441, 13.8255]}
    new = {
        "head_name": HOSTILE,
        "members": 4,
        "monthly_income": 9000,
        "tenure": "renting",
        "agreed_to_move": True,
        "location": point,
    }
    response = client.post(f"{case['url']}/households", json=new)
    assert response.status_code == 201, response.get_data(as_text=True)
    household = response.get_json()
    assert household["head_name"] == HOSTILE and household["version"] == 1
    assert household["household_no"] == case["counts"]["households"] + 1
    lon, lat = household["location"]["coordinates"]
    assert abs(lon - 100.5441) < 1e-7 and abs(lat - 13.8255) < 1e-7
    assert client.get(household["url"]).get_json() == household

    changed = client.patch(household["url"], json={"version": 1, "house_status": "finished"})
    assert changed.status_code == 200
    assert changed.get_json()["finished_on"] and changed.get_json()["version"] == 2
    stale = client.patch(household["url"], json={"version": 1, "members": 9})
    assert assert_error(stale, 409)["current_version"] == 2
    assert client.get(household["url"]).get_json()["members"] == 4

    swapped = {"type": "Point", "coordinates": [13.8255, 100.5441]}
    error = assert_error(
        client.patch(household["url"], json={"version": 2, "location": swapped}), 422
    )
    assert "swapped" in error["en"]
    assert_error(client.patch(household["url"], json={"version": 2, "tenure": "castle"}), 422)
    assert_error(client.patch(household["url"], json={"version": 2, "members": -1}), 422)
    assert_error(client.patch(household["url"], json={"version": 2, "phone": "0" * 41}), 422)
    assert_error(client.patch(household["url"], json={"version": 2, "id": 1}), 422)
    assert client.get(household["url"]).get_json()["version"] == 2

    assert_error(client.get(household["url"], headers=basic("viewer")), 403)
    other = case_by_ref(client, "KPP-CC-02", basic("officer"))
    assert_error(client.post(f"{other['url']}/households", json=new), 403)


def _households_of_every_kind() -> list[Household]:
    """Households with every field set, none set, and in between: codes known and
    unknown, dates, a location, a national ID full, short and absent, erased or held back."""
    full = Household(
        case_id=1,
        household_no=1,
        head_name=HOSTILE,
        members=5,
        monthly_income=12000,
        phone="081-234-5678",
        tenure="renting",
        agreed_to_move=True,
        plot_no="A-01",
        house_status="finished",
        status_changed_on=date(2024, 5, 1),
        finished_on=date(2024, 5, 1),
        structure_id="S-9",
        location=Point(664123.5, 1531234.25),
        national_id="1-2345-67890-12-1",
        address_no="12/3 หมู่ 4",
        province_code="10",
        district_code="1005",
        subdistrict_code="100502",
        occupation="vendor",
        years_here=20,
        house_condition="poor",
        savings_member=True,
        monthly_saving=300,
        elderly=1,
        disabled=0,
        chronically_ill=2,
        consent_given=True,
        consent_sensitive=False,
        consent_on=date(2023, 12, 31),
        consent_by="นางสาว ก",
        surveyed_on=date(2024, 1, 15),
        version=3,
        id=101,
    )
    return [
        full,
        Household(case_id=1, household_no=2, id=102),  # the defaults: mostly None
        Household(
            case_id=1,
            household_no=3,
            id=103,
            national_id="12345",
            tenure="castle",  # a code without words
            province_code="99",
            occupation="daily_wage",
            savings_member=False,
            erased_at=datetime(2024, 6, 1, 8, 30, 5, 250),
        ),
        Household(
            case_id=2,
            household_no=4,
            id=104,
            restriction="objection",
            restriction_reason="asked to stop",
            restricted_on=date(2024, 7, 2),
            erased_at=datetime(2024, 7, 3, tzinfo=UTC),
            members=0,
            agreed_to_move=False,
        ),
        Household(case_id=2, household_no=5, id=105, restriction="restriction"),
    ]


def test_household_answers_are_the_schemas_own_dump(app, client):
    """The households' routes dump by the schema's plan (app/schema_dump.py): exactly
    what the schema's own dump gives, for every kind of household, and on the wire the
    bytes flask-smorest's dump would send."""
    households = _households_of_every_kind()
    listed = {"items": households, "total": len(households)}
    with app.test_request_context():
        for household in households:
            expected = HouseholdSchema().dump(household)
            assert repr(schema_dump.dump(HouseholdSchema, household)) == repr(expected)
        expected = HouseholdListSchema().dump(listed)
        assert repr(schema_dump.dump(HouseholdListSchema, listed)) == repr(expected)

    login(client, "officer")
    case = case_by_ref(client, "KPP-CC-01")
    answer = client.get(f"{case['url']}/households")
    one = client.get(answer.get_json()["items"][0]["url"])
    with app.test_request_context():
        from app.casestore import uow

        work = uow()
        with work:
            stored = work.repo.list_households(case["id"])
        expected = HouseholdListSchema().dump({"items": stored, "total": len(stored)})
        assert answer.get_data() == jsonify(expected).get_data()
        assert one.get_data() == jsonify(HouseholdSchema().dump(stored[0])).get_data()
    assert answer.status_code == one.status_code == 200
    assert answer.mimetype == one.mimetype == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"


def test_plots_draw_redraw_delete_versioned(writable_client):
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, "KPP-LS-05")
    plots_url = f"{case['url']}/plots"
    assert client.get(plots_url).get_json() == {"type": "FeatureCollection", "features": []}
    inner = shape(client.get(case["url"]).get_json()["site"]).representative_point()
    plot = _square(inner.x, inner.y, 0.0001)  # inside the case's site

    added = client.post(plots_url, json={"plot_no": "A-1", "geometry": plot})
    assert added.status_code == 201, added.get_data(as_text=True)
    feature = added.get_json()
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["version"] == 1 and feature["properties"]["kind"] == "plot"
    url = feature["properties"]["url"]
    assert added.headers["Location"].endswith(url)
    duplicate = client.post(plots_url, json={"plot_no": "A-1", "geometry": plot})
    assert assert_error(duplicate, 422)["field"] == "plot_no"
    for bad in (BOWTIE, PARIS, SWAPPED):
        assert_error(client.post(plots_url, json={"plot_no": "B-1", "geometry": bad}), 422)
    assert_error(
        client.post(plots_url, json={"plot_no": "B-1", "geometry": plot, "kind": "x"}), 422
    )

    smaller = {
        "type": "Polygon",
        "coordinates": [plot["coordinates"][0][:2] + plot["coordinates"][0][3:]],
    }
    moved = client.patch(url, json={"version": 1, "geometry": smaller})
    assert moved.status_code == 200 and moved.get_json()["properties"]["version"] == 2
    assert_error(client.patch(url, json={"version": 1, "geometry": plot}), 409)
    assert_error(client.patch(url, json={"version": 2, "geometry": BOWTIE}), 422)
    collection = client.get(plots_url).get_json()
    assert [f["properties"]["plot_no"] for f in collection["features"]] == ["A-1"]
    assert len(collection["features"][0]["geometry"]["coordinates"][0]) == 4
    assert client.get(case["url"]).get_json()["plots"] == collection

    assert_error(client.delete(url), 422)  # which version?
    assert_error(client.delete(f"{url}?version=1"), 409)
    assert client.get(plots_url).get_json()["features"]
    assert_error(client.delete(url, headers={**basic("viewer"), "If-Match": "2"}), 403)
    deleted = client.delete(url, headers={"If-Match": '"2"'})
    assert deleted.status_code == 204 and deleted.data == b""
    assert client.get(plots_url).get_json()["features"] == []
    assert_error(client.patch(url, json={"version": 2, "geometry": plot}), 404)
    audit = client.get(f"/api/audit?entity=plot&entity_id={feature['id']}").get_json()["items"]
    assert [e["action"] for e in audit] == ["delete", "update", "create"]


def _square(lon: float, lat: float, size: float = 0.00005) -> dict:
    """A square plot (about 5.4 m a side) with its south-west corner at lon, lat."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]
    return {"type": "Polygon", "coordinates": [ring + [[lon, lat]]]}


def test_plots_inside_the_site_not_overlapping_and_valid(writable_client):
    """Issue 13: the drawing rules (cases.services.plot_rules), in Thai and English, each
    refusal with the spot (lon, lat) the map marks."""
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, "KPP-LS-05")
    plots_url = f"{case['url']}/plots"
    inner = shape(client.get(case["url"]).get_json()["site"]).representative_point()
    x, y = inner.x, inner.y
    first = client.post(plots_url, json={"plot_no": "1", "geometry": _square(x, y)})
    assert first.status_code == 201, first.get_data(as_text=True)
    beside = client.post(plots_url, json={"plot_no": "2", "geometry": _square(x + 0.00005, y)})
    assert beside.status_code == 201, beside.get_data(as_text=True)  # a shared edge is fine

    far = assert_error(
        client.post(plots_url, json={"plot_no": "7", "geometry": _square(x + 0.04, y)}), 422
    )
    assert far["rule"] == "outside_site" and far["plot_no"] == "7" and far["field"] == "geometry"
    assert "plot 7" in far["en"] and "outside the case's site" in far["en"]
    assert "แปลง 7" in far["th"] and "นอกขอบเขตพื้นที่" in far["th"]
    lon, lat = far["spot"]["coordinates"]
    assert far["spot"]["type"] == "Point"
    assert abs(lon - (x + 0.040025)) < 0.00003 and abs(lat - (y + 0.000025)) < 0.00003

    on_top = assert_error(
        client.post(plots_url, json={"plot_no": "3", "geometry": _square(x, y)}), 422
    )
    assert on_top["rule"] == "overlap" and on_top["other_plot"] == "1"
    assert "plot 3 overlaps plot 1" in on_top["en"] and "แปลง 3 ทับซ้อนกับแปลง 1" in on_top["th"]
    assert shape(on_top["spot"]).within(shape(_square(x, y)))

    s = 0.00005
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + s, y + s], [x + s, y], [x, y + s], [x, y]]],
    }
    crossed = assert_error(client.post(plots_url, json={"plot_no": "4", "geometry": bowtie}), 422)
    assert crossed["rule"] == "invalid" and "Self-intersection" not in crossed["en"]
    assert "edges cross each other" in crossed["en"] and "แปลง 4" in crossed["th"]
    assert "เส้นขอบตัดกันเอง" in crossed["th"] and "[" not in crossed["th"]
    lon, lat = crossed["spot"]["coordinates"]
    assert abs(lon - (x + s / 2)) < 1e-6 and abs(lat - (y + s / 2)) < 1e-6

    # Redrawn onto its neighbour: refused the same way, naming the neighbour; nothing changes.
    url = first.get_json()["properties"]["url"]
    moved = assert_error(
        client.patch(url, json={"version": 1, "geometry": _square(x + 0.00004, y)}), 422
    )
    assert moved["rule"] == "overlap" and moved["plot_no"] == "1" and moved["other_plot"] == "2"
    features = client.get(plots_url).get_json()["features"]
    assert [(f["properties"]["plot_no"], f["properties"]["version"]) for f in features] == [
        ("1", 1),
        ("2", 1),
    ]


def test_budget_lines_create_update_versioned(writable_client):
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, "KPP-LS-05")
    budget_url = f"{case['url']}/budget"
    before = client.get(budget_url).get_json()
    assert before["items"] == [] and before["totals"] == {
        "planned": 0,
        "approved": 0,
        "disbursed": 0,
    }

    created = client.put(f"{budget_url}/land_loan", json={"planned": 1_000_000, "note": HOSTILE})
    assert created.status_code == 201, created.get_data(as_text=True)
    line = created.get_json()
    assert (line["version"], line["planned"], line["note"]) == (1, 1_000_000, HOSTILE)
    assert line["kind_label"]["th"] == "สินเชื่อที่ดิน"

    assert_error(client.put(f"{budget_url}/land_loan", json={"approved": 900_000}), 422)
    updated = client.put(f"{budget_url}/land_loan", json={"approved": 900_000, "version": 1})
    assert updated.status_code == 200 and updated.get_json()["version"] == 2
    assert_error(client.put(f"{budget_url}/land_loan", json={"planned": 5, "version": 1}), 409)
    too_much = client.put(f"{budget_url}/land_loan", json={"disbursed": 900_001, "version": 2})
    assert assert_error(too_much, 422)["field"] == "disbursed"
    assert_error(client.put(f"{budget_url}/land_loan", json={"planned": -1, "version": 2}), 422)
    assert_error(client.put(f"{budget_url}/no_such_kind", json={"planned": 1}), 422)
    now = client.get(budget_url).get_json()
    assert now["totals"] == {"planned": 1_000_000, "approved": 900_000, "disbursed": 0}
    assert now["items"][0]["version"] == 2

    own = case_by_ref(client, "KPP-CC-01")
    refused = client.put(
        f"{own['url']}/budget/land_loan", json={"planned": 1}, headers=basic("rep.cc01")
    )
    assert_error(refused, 403)
    assert client.get(f"{own['url']}/budget", headers=basic("rep.cc01")).status_code == 200


# -- CSRF ----------------------------------------------------------------------------------
def test_csrf_applies_to_cookie_sessions_not_to_basic_auth(writable_config):
    from flask_wtf.csrf import generate_csrf

    app = create_app({"TESTING": True, **writable_config})  # CSRF on, as in production
    client = app.test_client()
    case = case_by_ref(client, "KPP-LS-05", basic("officer"))
    body = {"note": "via Basic", "version": case["version"]}
    assert client.patch(case["url"], json=body, headers=basic("officer")).status_code == 200

    login_page = client.post(
        "/auth/login?next=/api/workflows",
        data={"username": "officer", "password": PASSWORDS["officer"]},
    )
    assert login_page.status_code == 400  # the login form itself needs its token
    with app.test_request_context():
        from flask import session

        token = generate_csrf()
        raw = session["csrf_token"]
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    logged_in = client.post(
        "/auth/login?next=/api/workflows",
        data={"username": "officer", "password": PASSWORDS["officer"], "csrf_token": token},
    )
    assert logged_in.status_code == 302
    with client.session_transaction() as session:  # logging in starts a new session
        session["csrf_token"] = raw
    body = {"note": "via cookie", "version": case["version"] + 1}
    refused = client.patch(case["url"], json=body)
    assert "CSRF" in assert_error(refused, 400)["en"]
    accepted = client.patch(case["url"], json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.get_json()["note"] == "via cookie"
