"""Hostile requests against the running app, over real HTTP: each is a 4xx that
names the field in Thai and English, never a 500, and leaves the store as it was."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from shapely.geometry import shape

from app import create_app
from cases.sample import load_sample_cases
from cases.store import CaseStore
from gis.layers import load_sample, read_package
from gis.store import open_store
from tests.conftest import DATABASE_URL, AuthActions, _drop_schema, _new_schema, serve

OFFICER = AuthActions(None).basic("officer")
VIEWER = AuthActions(None).basic("viewer")
REP = AuthActions(None).basic("rep.cc01")
NEW_CASE = {"community_id": "KPP-CC-01", "case_type": "canal_side", "title_th": "ทดสอบ"}
BIG = "9" * 30  # past 64 bits


@pytest.fixture(scope="module")
def site(tmp_path_factory, catalog):
    """The real app on a throwaway store (as conftest's writable_config, once for the
    module: every test checks it is unchanged), served over HTTP."""
    schema = _new_schema()
    home = tmp_path_factory.mktemp("hostile") / "instance"
    load_sample(open_store(home, DATABASE_URL, schema=schema), catalog)
    case_store = CaseStore(home, DATABASE_URL, schema=schema)
    load_sample_cases(case_store, read_package(catalog=catalog), demo_users=True)
    case_store.dispose()
    config = {"PLANNER_HOME": str(home), "DATABASE_URL": DATABASE_URL, "DATABASE_SCHEMA": schema}
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **config})
    with serve(app) as base:
        yield Site(base)
    _drop_schema(schema)


class Site:
    def __init__(self, base: str):
        self.base = base
        self.cookies = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def call(self, method, path, body=None, *, headers=None, content_type="application/json"):
        """(status, text) of a request; `body`: bytes, or anything JSON."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        for name, value in {**OFFICER, **(headers or {})}.items():
            request.add_header(name, value)
        try:
            with self.cookies.open(request, timeout=120) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def login_officer(self) -> None:
        """A session cookie for the page routes (the API calls send Basic auth)."""
        self.call(
            "POST",
            "/auth/login",
            urllib.parse.urlencode(
                {"username": "officer", "password": AuthActions.passwords["officer"]}
            ).encode(),
            content_type="application/x-www-form-urlencoded",
        )

    def state(self) -> tuple:
        """What an attack must not change: every case's version, every budget line, the audit."""
        _, text = self.call("GET", "/api/cases?per_page=500")
        cases = sorted((c["id"], c["version"]) for c in json.loads(text)["items"])
        _, text = self.call("GET", "/api/audit?limit=1000")
        return cases, len(json.loads(text)["items"])

    def plot_id(self) -> int:
        """A plot to attack (drawn once, before any state is taken)."""
        if not hasattr(self, "_plot"):
            case_id = self.case_id("KPP-LS-02")
            _, text = self.call("GET", f"/api/cases/{case_id}")
            inner = shape(json.loads(text)["site"]).representative_point()  # inside its site
            x, y = inner.x, inner.y
            ring = [[x, y], [x + 0.0001, y], [x + 0.0001, y + 0.0001], [x, y]]
            status, text = self.call(
                "POST",
                f"/api/cases/{case_id}/plots",
                {"plot_no": "hostile-1", "geometry": {"type": "Polygon", "coordinates": [ring]}},
            )
            assert status == 201, text
            self._plot = json.loads(text)["id"]
        return self._plot

    def case_id(self, ref_prefix: str) -> int:
        _, text = self.call("GET", "/api/cases?per_page=500")
        return next(c["id"] for c in json.loads(text)["items"] if c["ref"].startswith(ref_prefix))


def _assert_names_field(status: int, text: str, field: str) -> None:
    assert status != 500 and 400 <= status < 500, (status, text[:300])
    error = json.loads(text)["error"]
    named = {error.get("field"), *(error.get("fields") or {})}
    named |= {p.get("field") for p in error.get("problems") or []}
    assert field in named or field in error["en"], (field, error)
    assert error["en"] and any("\u0e00" <= ch <= "\u0e7f" for ch in error["th"]), error


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "hostile-boundary-7f3a"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# (name, method, path, body, extra headers, expected status, field named). {case} and
# {ls02} are filled in with a case of KPP-CC-01 and the Lak Si 2 case (the workshop's).
ATTACKS = [
    ("json 100,000 deep", "POST", "/api/cases", b"[" * 100_000 + b"]" * 100_000, {}, 400, "body"),
    ("json 65 deep", "POST", "/api/cases", b"[" * 65 + b"]" * 65, {}, 400, "body"),
    (
        "lone surrogate",
        "POST",
        "/api/cases",
        b'{"community_id":"KPP-CC-01","case_type":"canal_side","title_th":"\\ud800"}',
        {},
        400,
        "title_th",
    ),
    ("surrogate in a key", "PATCH", "/api/cases/{case}", b'{"\\udfff":1}', {}, 400, "body"),
    # A NUL character: PostgreSQL's text cannot hold one (a 500 there before).
    ("NUL in a search", "GET", "/api/search?q=ab%00cd", None, {}, 400, "q"),
    (
        "NUL in a JSON string",
        "POST",
        "/api/cases",
        b'{"community_id":"KPP-CC-01","case_type":"canal_side","title_th":"a\\u0000b"}',
        {},
        400,
        "title_th",
    ),
    (
        "NaN",
        "PUT",
        "/api/cases/{case}/budget/construction",
        b'{"planned": NaN}',
        {},
        400,
        "planned",
    ),
    ("id past 64 bits", "GET", f"/api/cases/{BIG}", None, {}, 404, "id"),
    ("id past 32 bits", "PATCH", f"/api/cases/{2**40}", {"note": "x"}, {}, 404, "id"),
    ("household id", "PATCH", f"/api/households/{2**63}", {"version": 1}, {}, 404, "id"),
    ("page past 64 bits", "GET", f"/api/cases?page={BIG}", None, {}, 422, "page"),
    ("per_page", "GET", "/api/cases?per_page=501", None, {}, 422, "per_page"),
    ("query surrogate", "GET", "/api/cases?q=%ED%A0%80", None, {}, 400, "q"),
    (
        "version past 64 bits",
        "PATCH",
        "/api/cases/{case}",
        b'{"version": ' + BIG.encode() + b"}",
        {},
        400,
        "version",
    ),
    (
        "version past 32 bits",
        "PATCH",
        "/api/cases/{case}",
        {"version": 2**40, "note": "x"},
        {},
        422,
        "version",
    ),
    (
        "If-Match past 64 bits",
        "PATCH",
        "/api/cases/{case}",
        {"note": "x"},
        {"If-Match": f'"{BIG}"'},
        422,
        "If-Match",
    ),
    ("delete ?version", "DELETE", f"/api/plots/{{plot}}?version={BIG}", None, {}, 422, "version"),
    (
        "layout 1e400",
        "POST",
        "/api/cases/{ls02}/layouts",
        b'{"lane_width": 1e400}',
        {},
        400,
        "lane_width",
    ),
    (
        "layout Infinity",
        "POST",
        "/api/cases/{ls02}/layouts",
        b'{"setback": -Infinity}',
        {},
        400,
        "setback",
    ),
    (
        "layout households",
        "POST",
        "/api/cases/{ls02}/layouts",
        {"households": "1e400"},
        {},
        400,
        "households",
    ),
    (
        "layout plot width",
        "POST",
        "/api/cases/{ls02}/layouts",
        {"plot_types": [{"name": "row", "width": "1e400", "depth": 8}]},
        {},
        400,
        "plot",  # gis.layout.parse_plot_type's own problem: "plot type 'row=infx8.0': ..."
    ),
    (
        "budget 40 digits",
        "PUT",
        "/api/cases/{case}/budget/construction",
        b'{"planned": ' + b"9" * 40 + b"}",
        {},
        400,
        "planned",
    ),
    (
        "budget past 10^12",
        "PUT",
        "/api/cases/{case}/budget/construction",
        {"approved": 10**12 + 1},
        {},
        422,
        "approved",
    ),
    (
        "title 3,000,000",
        "POST",
        "/api/cases",
        {**NEW_CASE, "title_th": "x" * 3_000_000},
        {},
        422,
        "title_th",
    ),
    (
        "title_en on create",
        "POST",
        "/api/cases",
        {**NEW_CASE, "title_en": "x" * 2001},
        {},
        422,
        "title_en",
    ),
    ("date 0001-01-01", "POST", "/api/cases", {**NEW_CASE, "on": "0001-01-01"}, {}, 422, "on"),
    ("date 2999-01-01", "POST", "/api/cases", {**NEW_CASE, "on": "2999-01-01"}, {}, 422, "on"),
    (
        "move date 1900",
        "POST",
        "/api/cases/{case}/stage",
        {"to_stage": "design", "version": 1, "on": "1900-01-01"},
        {},
        422,
        "on",
    ),
    (
        "viewer, bad body",
        "PATCH",
        "/api/cases/{case}",
        {"version": "x", "title_th": ""},
        VIEWER,
        403,
        None,
    ),
    ("viewer creates, bad body", "POST", "/api/cases", {"title_th": 5}, VIEWER, 403, None),
    (
        "viewer budget, bad body",
        "PUT",
        "/api/cases/{case}/budget/construction",
        {"planned": -1},
        VIEWER,
        403,
        None,
    ),
    ("rep, other community", "PATCH", "/api/cases/{ls02}", {"version": -5}, REP, 403, None),
    ("rep moves stage, bad body", "POST", "/api/cases/{case}/stage", {"on": "x"}, REP, 403, None),
]


@pytest.mark.parametrize(
    "method, path, body, headers, status, field",
    [attack[1:] for attack in ATTACKS],
    ids=[attack[0] for attack in ATTACKS],
)
def test_attack_is_refused_and_changes_nothing(site, method, path, body, headers, status, field):
    path = path.format(
        case=site.case_id("KPP-CC-01"),
        ls02=site.case_id("KPP-LS-02"),
        plot=site.plot_id() if "{plot}" in path else None,
    )
    before = site.state()
    got, text = site.call(method, path, body, headers=headers)
    assert got == status, (got, text[:400])
    if field:
        _assert_names_field(got, text, field)
    else:
        assert json.loads(text)["error"]["th"]
    assert site.state() == before


def test_odd_crs_on_an_import_is_refused(site):
    for crs in ("EPSG:" + BIG, 'PROJCS["x"]', "+proj=longlat +a=0", "IAU_2015:30100", "EPSG:4978"):
        body, content_type = _multipart(
            {"crs": crs, "layer": "__new__", "new_layer": "points"},
            {"file": ("points.csv", b"name,x,y\na,100.55,13.86\n")},
        )
        before = site.state()
        status, text = site.call("POST", "/api/imports", body, content_type=content_type)
        assert status == 422, (crs, status, text[:300])
        _assert_names_field(status, text, "crs")
        assert site.state() == before
    status, _ = site.call("GET", "/api/exports/points?format=csv")
    assert status == 404  # nothing was written


def test_form_fields_and_dates_on_the_pages(site):
    """The HTML forms: a 40-digit amount, a far date, an unreadable field; never 500."""
    case = site.case_id("KPP-CC-01")
    site.login_officer()
    before = site.state()
    form = "application/x-www-form-urlencoded"
    for path, fields in (
        (f"/cases/{case}/budget", {"kind": "construction", "planned": "9" * 40}),
        (f"/cases/{case}/move", {"to_stage": "design", "version": "1", "on": "0001-01-01"}),
        (f"/cases/{case}/move", {"to_stage": "design", "version": BIG, "on": "2567-01-01"}),
        ("/cases/new", {**NEW_CASE, "title_th": "ก" * 3000}),
    ):
        status, text = site.call(
            "POST", path, urllib.parse.urlencode(fields).encode(), content_type=form
        )
        assert 400 <= status < 500, (path, fields, status, text[:300])
    status, text = site.call("POST", f"/cases/{case}/edit", b"note=%ED%A0%80", content_type=form)
    assert status == 400 and "note" in text
    assert site.state() == before


def test_layout_pdf_refuses_a_plot_no_it_cannot_print(site):
    ls02 = site.case_id("KPP-LS-02")
    feature = {
        "type": "Feature",
        "properties": {"layer": "plot", "plot_no": "A-1", "plot_type": "row"},
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 8], [0, 8], [0, 0]]]},
    }
    site.login_officer()
    status, text = site.call(
        "POST",
        f"/cases/{ls02}/workshop/options.pdf",
        {"parameters": {"options": 2}, "options": [{"option": 1, "features": [feature]}]},
    )
    assert status == 422, (status, text[:300])
    assert "plot_no" in text


# -- what the red team sent that once gave a 500 -------------------------------------
_SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 8], [0, 8], [0, 0]]]}
_PLOT = {"type": "Feature", "properties": {"layer": "plot", "plot_no": "1", "plot_type": "row"}}


@pytest.mark.parametrize(
    "features",
    [
        [1],
        [{**_PLOT, "properties": [1], "geometry": _SQUARE}],
        [{**_PLOT, "properties": "x", "geometry": _SQUARE}],
        [{**_PLOT, "geometry": {"type": "Polygon", "coordinates": {"a": 1}}}],
        [{**_PLOT, "properties": {**_PLOT["properties"], "plot_no": "9" * 5000}, "geometry": _SQUARE}],
        [{**_PLOT, "properties": {"layer": "open_space", "kind": "common"}, "geometry": _SQUARE}],
    ],
    ids=["not-a-feature", "properties-list", "properties-text", "coordinates-object",
         "plot_no-5000-digits", "no-plot-at-all"],
)  # fmt: skip
def test_hostile_layout_features_are_refused(site, features):
    ls02 = site.case_id("KPP-LS-02")
    before = site.state()
    body = {"version": 1, "option": 0, "crs": "EPSG:32647", "features": features}
    status, text = site.call("POST", f"/api/cases/{ls02}/layout-decisions", body)
    assert 400 <= status < 500, (status, text[:300])
    assert json.loads(text)["error"]["th"]
    pdf = {"parameters": {"options": 2}, "options": [{"option": 1, "features": features}]}
    status, text = site.call("POST", f"/cases/{ls02}/workshop/options.pdf", pdf)
    # An option of open space only may be printed; none of these may give a 500.
    assert status != 500 and (
        400 <= status < 500 or features[0]["properties"]["layer"] == "open_space"
    ), (status, text[:300])
    assert site.state() == before


def test_sites_without_names_are_refused_plainly(site):
    sites = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": None}, "geometry": g}
            for g in (
                {"type": "Polygon", "coordinates": [[[100.55, 13.86], [100.551, 13.86],
                                                     [100.551, 13.861], [100.55, 13.86]]]},
                {"type": "Polygon", "coordinates": [[[100.56, 13.86], [100.561, 13.86],
                                                     [100.561, 13.861], [100.56, 13.86]]]},
            )
        ],
    }  # fmt: skip
    body, content_type = _multipart(
        {"source": "file", "against": "zoning"},
        {"sites_file": ("sites.geojson", json.dumps(sites).encode())},
    )
    status, text = site.call(
        "POST", "/api/overlap", body, content_type=content_type, headers=VIEWER
    )
    assert 400 <= status < 500, (status, text[:300])
    assert json.loads(text)["error"]["th"]


def test_a_new_case_with_a_site_nested_deep_is_refused(site):
    site.login_officer()
    before = site.state()
    form = urllib.parse.urlencode({**NEW_CASE, "site": "[" * 50_000 + "]" * 50_000}).encode()
    status, text = site.call(
        "POST", "/cases/new", form, content_type="application/x-www-form-urlencoded"
    )
    assert 400 <= status < 500, (status, text[:300])
    assert site.state() == before


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"layer": "points", "encoding": "undefined"}, "encoding"),
        ({"layer": "points", "encoding": "utf\x008"}, "encoding"),
        ({"layer": "sqlite_master"}, "layer"),
        ({"layer": "gpkg_contents"}, "layer"),
        ({"layer": "layer_styles"}, "layer"),
        ({"layer": "points", "map": "name=geometry"}, "name"),
        ({"layer": "points", "map": "name=fid"}, "name"),
        ({"layer": "points", "mapto-geometry": "name"}, None),
        ({"layer": "points", "mapto-name": "geometry"}, "name"),
    ],
)
def test_hostile_import_options_are_refused(site, fields, field):
    body, content_type = _multipart(fields, {"file": ("points.csv", b"name,x,y\na,100.55,13.86\n")})
    status, text = site.call("POST", "/api/imports", body, content_type=content_type)
    assert 400 <= status < 500, (fields, status, text[:300])
    if field:
        _assert_names_field(status, text, field)
    status, _ = site.call("GET", "/api/exports/points?format=csv")
    assert status == 404  # nothing was written


def test_an_upload_with_a_very_long_file_name_is_kept_under_a_short_name(site):
    """A 10,000-character name once gave ENAMETOOLONG (500); the file is now saved
    under a short safe name, and the report still names what the user sent."""
    long_name = "p" * 10_000 + ".csv"
    body, content_type = _multipart(
        {"layer": "long_name_points"}, {"file": (long_name, b"name,x,y\na,100.55,13.86\n")}
    )
    status, text = site.call("POST", "/api/imports", body, content_type=content_type)
    assert status == 201, (status, text[:300])
    status, _ = site.call("GET", "/api/exports/long_name_points?format=csv")
    assert status == 200


def test_a_site_check_of_too_many_sites_is_refused_before_it_runs(site):
    """400 sites once held a server thread for 24 s; the web check takes 200 at most."""
    squares = [
        {
            "type": "Feature",
            "properties": {"name": f"s{i}"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [100.55 + i * 1e-4, 13.86],
                        [100.55 + i * 1e-4 + 5e-5, 13.86],
                        [100.55 + i * 1e-4 + 5e-5, 13.86005],
                        [100.55 + i * 1e-4, 13.86],
                    ]
                ],
            },
        }
        for i in range(201)
    ]
    body, content_type = _multipart(
        {"source": "file", "against": "zoning"},
        {"sites_file": ("plan.geojson", json.dumps({"type": "FeatureCollection", "features": squares}).encode())},
    )  # fmt: skip
    status, text = site.call(
        "POST", "/api/overlap", body, content_type=content_type, headers=VIEWER
    )
    assert status == 400, (status, text[:300])
    error = json.loads(text)["error"]
    assert (
        "201" in error["en"]
        and "200" in error["en"]
        and "แห่ง" in json.dumps(error, ensure_ascii=False)
    )


# -- the second red team: work bounds and shapes on the workshop ---------------------
def _star(vertices: int, cx=0.0, cy=0.0, r=40.0) -> dict:
    import math

    ring = [
        [cx + (r if k % 2 else r / 2) * math.cos(2 * math.pi * k / vertices),
         cy + (r if k % 2 else r / 2) * math.sin(2 * math.pi * k / vertices)]
        for k in range(vertices)
    ]  # fmt: skip
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.mark.parametrize(
    "features, field",
    [
        ([{"type": "Feature", "properties": {"layer": "lane"}, "geometry": _star(3_000)}], "geometry"),
        ([{"type": "Feature", "properties": {"layer": "lane"}, "geometry": _star(60_000)},
          {"type": "Feature", "properties": {"layer": "lane"}, "geometry": _star(60_000)}], "features"),
        ([{"type": "Feature", "properties": {"layer": "lane"},
           "geometry": {"type": "Point", "coordinates": [0, 0]}}], "geometry"),
        ([{"type": "Feature", "properties": {"layer": "lane"},
           "geometry": {"type": "LineString", "coordinates": [[0, 0], [9, 9]]}}], "geometry"),
        ([{"type": "Feature", "properties": {"layer": "plot", "plot_no": "1"},
           "geometry": {"type": "FeatureCollection", "features": []}}], "geometry"),
    ],
    ids=["3000-vertex-lane", "120000-vertices", "point-lane", "line-lane", "collection"],
)  # fmt: skip
def test_workshop_check_refuses_shapes_it_cannot_check_cheaply(site, features, field):
    """A 100,000-vertex star once held the check for 259 s; a point lane gave a 500."""
    site.login_officer()
    ls02 = site.case_id("KPP-LS-02")
    body = {"crs": "EPSG:32647", "features": features}
    status, text = site.call("POST", f"/api/cases/{ls02}/workshop/check", body, headers=VIEWER)
    assert status == 400, (status, text[:300])
    assert field in text and json.loads(text)["error"]["th"]
    pdf = {"parameters": {"options": 2}, "options": [{"option": 1, "features": features}]}
    status, text = site.call("POST", f"/cases/{ls02}/workshop/options.pdf", pdf)
    assert 400 <= status < 500, (status, text[:300])
    status, text = site.call("POST", f"/cases/{ls02}/workshop/options.pdf", {"options": 5})
    assert status == 400 and "options" in text, (status, text[:300])


def test_stacked_plots_are_checked_in_bounded_time(site):
    """600 plots stacked on each other once took 13 s (every pair overlaps)."""
    import time

    ls02 = site.case_id("KPP-LS-02")
    square = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 8], [0, 8], [0, 0]]]}
    features = [
        {"type": "Feature", "properties": {"layer": "plot", "plot_no": str(i + 1)}, "geometry": square}
        for i in range(600)
    ]  # fmt: skip
    started = time.perf_counter()
    status, text = site.call(
        "POST",
        f"/api/cases/{ls02}/workshop/check",
        {"crs": "EPSG:32647", "features": features},
        headers=VIEWER,
    )
    assert status == 200, (status, text[:300])
    problems = json.loads(text)["problems"]
    assert any("more than 2,000 pairs" in p["en"] for p in problems)
    assert len(problems) < 5_000
    assert time.perf_counter() - started < 30  # a bound on the work, not a benchmark


def test_a_site_too_large_for_its_plots_is_refused_before_generating(site):
    """A 1.2 km² site of 1.5 × 3 m plots once took 104 s and 386 MB."""
    cc01 = site.case_id("KPP-CC-01")
    status, text = site.call("GET", f"/api/cases/{cc01}")
    version = json.loads(text)["version"]
    x, y = 100.56, 13.86
    big = {"type": "Polygon", "coordinates": [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]]}  # fmt: skip
    status, text = site.call(
        "PATCH", f"/api/cases/{cc01}", {"site": big}, headers={**REP, "If-Match": str(version)}
    )
    assert status == 200, (status, text[:300])
    body = {
        "households": 5000,
        "options": 4,
        "plot_types": [{"name": "a", "width": 1.5, "depth": 3}],
    }
    status, text = site.call("POST", f"/api/cases/{cc01}/layouts", body, headers=VIEWER)
    assert status == 400 and "plot_types" in text, (status, text[:300])
    assert "เฮกตาร์" in json.loads(text)["error"]["th"] or "เฮกตาร์" in text


def test_a_drawn_site_with_too_many_vertices_is_refused(site):
    cc01 = site.case_id("KPP-CC-01")
    status, text = site.call("GET", f"/api/cases/{cc01}")
    version = json.loads(text)["version"]
    star = _star(12_000, cx=100.56, cy=13.86, r=0.001)
    before = site.state()
    status, text = site.call(
        "PATCH", f"/api/cases/{cc01}", {"site": star}, headers={"If-Match": str(version)}
    )
    assert status == 422 or status == 400, (status, text[:300])
    assert "10,000" in text
    assert site.state() == before


def test_a_csv_with_too_many_columns_is_refused_fast(site):
    header = ",".join(f"c{i}" for i in range(3_000)) + ",x,y\n"
    row = ",".join("1" for _ in range(3_000)) + ",100.55,13.86\n"
    body, content_type = _multipart(
        {"layer": "wide_points"}, {"file": ("wide.csv", (header + row).encode())}
    )
    status, text = site.call("POST", "/api/imports", body, content_type=content_type)
    assert status == 422, (status, text[:300])
    assert "1,000" in text
