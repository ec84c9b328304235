"""No stored code shown as text, anywhere (issue 13, item 6): pages, JSON, the A3 sheet.

Every page of the sample is rendered, in Thai and in English, logged in as an officer: the
map, the cases list, a case page of each stage the sample has, households, the dashboard,
search, the imports page and an import report, the site check and a run, the workshop.
Their visible text (text nodes: not attributes, scripts or addresses) must hold no stored
code: no `canal_side`, no "west" or "none" where words belong, no "(None)"; a Thai page
shows no English string the catalogue has in Thai, and the reverse. The JSON answers put
`<field>_label` {th, en} beside every coded field, and the workshop's A3 sheet names house
types in words.

The codes come from where their words are kept (app/application/words.py, the catalogue's
`values`, the rule sets): a new code is checked as soon as it has words. Text marked as the
other language (`lang="en"` on a Thai page: the site check's deliberate second language,
official names) is held to the code rules but not to the page's language.
"""

from __future__ import annotations

import io
import re
import time
from html.parser import HTMLParser

import pytest

from app import create_app
from app.application import words
from app.application.sample_loader import load_whole_sample
from app.strings import STRINGS
from cases import register
from cases.sample import DEMO_USERS
from cases.store import CaseStore
from cases.workflow import default_workflows
from gis.check import DISASTER_KINDS, FLOOD_STATUS_LABELS, SETBACK_LABELS
from gis.layout import DEFAULT_PLOT_TYPES
from gis.rules import available_rule_sets, load_rules
from gis.store import open_store
from tests.conftest import DATABASE_URL, AuthActions, _drop_schema, _new_schema

THAI = re.compile(r"[\u0E00-\u0E7F]")
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?::[a-z]+)?")
# Words that are not codes even where they look like one: file names, case refs, EPSG codes.
NOT_TEXT = re.compile(
    r"[\w.-]+\.(?:txt|pdf|png|jpe?g|gpkg|geojson|json|csv|xlsx|zip|kml|kmz|yaml|shp)\b"
    r"|\b[A-Z]{2,}-[\w-]+|https?://\S+|EPSG:\d+"
)
# What Python or a script prints for nothing: never text for a person.
NOTHING = re.compile(r"\((?:None|null|undefined|NaN|nan)\)|^(?:None|null|undefined|NaN|nan)$")
# Not text for a person (scripts, styles, what a user typed), or an identifier shown on
# purpose as one (`<code>`: a rule's id, a stored layer's name in a site check's
# provenance, a run id, a DOPA code).
SKIPPED_TAGS = {"script", "style", "template", "textarea", "code"}
DEMO_NAMES = {username for username, *_ in DEMO_USERS}


# -- the codes and the words -------------------------------------------------------------
def _catalogue_codes(catalog) -> set[str]:
    codes = set()
    for entry in catalog.vector_layers():
        for spec in entry.fields.values():
            codes |= {str(code) for code in spec.values or ()}
    return codes


def stored_codes(catalog) -> set[str]:
    """Every stored code that has words somewhere: the vocabularies of
    app/application/words.py, the catalogue's `values`, the site check's statuses, the
    rule sets' names and the workshop's house types. Register field names count only
    with an underscore ("head_name"); user names are people, not codes."""
    codes: set[str] = set()
    for name, vocabulary in words.all_codes().items():
        if name == "register_field":
            codes |= {c for c in vocabulary if "_" in c}
        else:
            codes |= vocabulary
    codes |= _catalogue_codes(catalog)
    codes |= set(SETBACK_LABELS) | set(FLOOD_STATUS_LABELS) | set(DISASTER_KINDS)
    codes |= {path.stem for path in available_rule_sets()}
    codes |= {t.name for t in DEFAULT_PLOT_TYPES}
    codes -= DEMO_NAMES
    return {c for c in codes if not THAI.search(c) and c not in {"ok", "unknown"}}


def words_of_codes(catalog) -> dict[str, set[str]]:
    """Each code's words (both languages), to find a code shown beside its own words."""
    out: dict[str, set[str]] = {}
    tables = [words.table(name) for name in words.VOCABULARIES]
    tables += [SETBACK_LABELS, FLOOD_STATUS_LABELS, DISASTER_KINDS]
    tables += [spec.values for e in catalog.vector_layers() for spec in e.fields.values()]
    for table in tables:
        for code, said in (table or {}).items():
            out.setdefault(str(code), set()).update(
                w for w in (said.get("th"), said.get("en")) if w and w != code
            )
    return out


def word_pairs(catalog) -> list[dict[str, str]]:
    """Every {th, en} the catalogues hold where the two differ."""
    wf = default_workflows()
    pairs = [v for v in STRINGS.values() if isinstance(v, dict) and "th" in v and "en" in v]
    for table in words.VOCABULARIES:
        pairs += list(words.table(table).values())
    pairs += list(wf.programmes.values())
    pairs += [label for table in wf.variants.values() for label in table.values()]
    for entry in catalog:
        pairs.append(entry.title)
        for spec in getattr(entry, "fields", {}).values():
            pairs.append(spec.label)
            pairs += list((spec.values or {}).values())
    for field in (*register.HOUSEHOLD_FIELDS, *register.MEMBER_FIELDS):
        pairs.append({"th": field.th, "en": field.en})
    pairs += [load_rules(path).title for path in available_rule_sets()]
    out = []
    for pair in pairs:
        th, en = str(pair.get("th", "")).strip(), str(pair.get("en", "")).strip()
        if th and en and th != en and "{" not in th + en:
            out.append({"th": th, "en": en})
    return out


def english_words(pairs) -> set[str]:
    """Lower-case words English text uses: a code that is one ("flood", "west") is not
    taken for a code on an English page unless it stands alone."""
    found: set[str] = set()
    for pair in pairs:
        found |= set(re.findall(r"[a-z][a-z0-9_]*", pair["en"].lower()))
    return found


class Vocabulary:
    def __init__(self, catalog):
        self.codes = stored_codes(catalog)
        self.words_of = words_of_codes(catalog)
        pairs = word_pairs(catalog)
        self.english = english_words(pairs)
        self.english_only = {p["en"] for p in pairs if not THAI.search(p["en"])}
        self.thai_only = {p["th"] for p in pairs if THAI.search(p["th"]) and len(p["th"]) > 1}
        self.both = {(p["th"], p["en"]) for p in pairs if len(p["th"]) > 2 and len(p["en"]) > 3}
        self.beside: dict[str, list[re.Pattern]] = {}
        self.formats = words.all_codes()["import_format"]


@pytest.fixture(scope="module")
def vocab(catalog):
    return Vocabulary(catalog)


# -- what a person sees ------------------------------------------------------------------
class VisibleText(HTMLParser):
    """Text nodes and the language they are marked as (the nearest `lang` attribute)."""

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.skipping = 0
        self.page_lang = page_lang
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source", "col"):
            return
        lang = dict(attrs).get("lang")
        self.stack.append((tag, lang))
        if tag in SKIPPED_TAGS:
            self.skipping += 1

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for closed, _ in self.stack[i:]:
                    if closed in SKIPPED_TAGS:
                        self.skipping -= 1
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if self.skipping or not text:
            return
        lang = next((lang for _, lang in reversed(self.stack) if lang), self.page_lang)
        self.texts.append((text, lang))


def visible_texts(html: str, lang: str) -> list[tuple[str, str]]:
    parser = VisibleText(lang)
    parser.feed(html)
    return parser.texts


def _beside_its_words(token: str, text: str, vocab: Vocabulary) -> bool:
    """A code next to its own words: "none — ไม่รุกล้ำ", "Clear (none)"."""
    if token not in vocab.beside:
        t = re.escape(token)
        vocab.beside[token] = [
            re.compile(rf"(?<![\w-]){t}\W{{1,4}}{re.escape(w)}|{re.escape(w)}\W{{1,4}}{t}(?![\w-])")
            for w in vocab.words_of.get(token, ())
            # A code that is its own English word ("household" / "Household") is not one
            # beside its words in "head of household, Household members".
            if w.lower() != token.replace("_", " ")
        ]
    return any(pattern.search(text) for pattern in vocab.beside[token])


def raw_codes(text: str, lang: str, vocab: Vocabulary) -> list[str]:
    """The stored codes `text` shows as text in a page (or part) in `lang`.

    Everywhere: a code standing alone ("west", "written"), a code with an underscore
    ("canal_side"), a code beside its own words ("none — Clear"), a code in brackets
    ("(row)"), a code that is no English word ("bma"), and Python's or a script's
    nothing ("(None)"). On a Thai page also a code that stands alone among Thai
    ("ชุดกฎ: approval"); English prose in Thai text (a note) is left alone. File
    formats ("zip", ".gpkg") are codes only standing alone: prose names them so."""
    found = []
    if NOTHING.search(text):
        found.append(NOTHING.search(text).group(0))
    if text in vocab.codes:
        return [*found, text]
    plain = NOT_TEXT.sub(" ", text)
    for run in re.finditer(r"[A-Za-z][\w:]*(?: [A-Za-z][\w:]*)*", plain):
        tokens = TOKEN.findall(run.group(0))
        for token in tokens:
            if token not in vocab.codes:
                if lang == "th" and token == "None":
                    found.append(token)
                continue
            if token in vocab.formats:
                continue
            if (
                "_" in token
                or ":" in token
                or token not in vocab.english
                or (lang == "th" and len(tokens) == 1)
                or _beside_its_words(token, text, vocab)
            ):
                found.append(token)
            elif re.search(rf"\({re.escape(token)}\)", text):
                found.append(f"({token})")
    return found


TH_THEN_EN = re.compile(r"([^A-Za-z]*[\u0E00-\u0E7F][^A-Za-z]*?)\s*[-—–/·:(|]+\s*([A-Za-z].*?)\)?")
EN_THEN_TH = re.compile(r"([A-Za-z][^\u0E00-\u0E7F]*?)\s*[-—–/·:(|]+\s*([\u0E00-\u0E7F].*?)\)?")


def wrong_language(text: str, lang: str, vocab: Vocabulary) -> str | None:
    """A catalogue string shown in the other language, or one label's two languages run
    together ("ไม่รุกล้ำ — Clear")."""
    if lang == "th" and not THAI.search(text) and text in vocab.english_only:
        return f"English on a Thai page: {text!r}"
    if lang == "en" and text in vocab.thai_only:
        return f"Thai on an English page: {text!r}"
    for pattern, order in ((TH_THEN_EN, (0, 1)), (EN_THEN_TH, (1, 0))):
        match = pattern.fullmatch(text)
        if match and (match.group(order[0] + 1), match.group(order[1] + 1)) in vocab.both:
            return f"both languages together: {text!r}"
    return None


# A path of the project or the machine in what a person reads (code elements included).
FILE_PATH = re.compile(
    r"(?<![\w/.])(?:layers|gis|app|cases|tests|instance|tmp|home|work|var)/[\w.-]+(?:/[\w.-]+)*"
)
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


def page_problems(html: str, lang: str, vocab: Vocabulary) -> list[str]:
    problems = [f"file path {m.group(0)!r}" for m in FILE_PATH.finditer(_HIDDEN.sub(" ", html))]
    for text, marked in visible_texts(html, lang):
        for code in raw_codes(text, marked, vocab):
            problems.append(f"raw code {code!r} in {text[:120]!r}")
        if marked == lang:
            wrong = wrong_language(text, lang, vocab)
            if wrong:
                problems.append(wrong)
    return problems


# -- the detector catches what issue 13 found -------------------------------------------
ORIGINAL_FINDINGS = [
    ("th", "<td>west</td>"),
    ("en", "<td>east</td>"),
    ("th", "<td>none — ไม่รุกล้ำ</td>"),
    ("en", "<td>none — Clear</td>"),
    ("th", "<td>flood — น้ำท่วม</td>"),
    ("th", "<p>ชุดกฎ: bangkok_baan_mankong</p>"),
    ("en", "<p>Rule set: bangkok_baan_mankong</p>"),
    ("th", "<dd>written</dd>"),
    ("en", "<dd>refused</dd>"),
    ("th", "<dd>communities.geojson (None)</dd>"),
    ("en", "<dd>communities.geojson (None)</dd>"),
    ("en", "<td>canal_side</td>"),
    ("th", "<td>บ้านแถว 3.5 × 8 ม. (row)</td>"),
    ("th", "<td>Clear</td>"),
    ("en", "<td>ไม่รุกล้ำ</td>"),
    ("th", "<td>ไม่รุกล้ำ — Clear</td>"),
    ("en", "<p>shapes generated by gis/sample.py</p>"),
    ("th", "<p>ชุดกฎ <code>layers/rules/bangkok_baan_mankong.yaml</code></p>"),
]


@pytest.mark.parametrize(("lang", "html"), ORIGINAL_FINDINGS)
def test_the_check_catches_what_issue_13_found(vocab, lang, html):
    assert page_problems(html, lang, vocab), html


@pytest.mark.parametrize(
    ("lang", "html"),
    [
        ("en", "<p>Flood depth: mean 0.70 m, on the west bank; none within 200 m</p>"),
        ("th", "<p>เอกสาร: KPP-CC-01-agreement.txt</p>"),
        ("th", '<span lang="en">Bangkok — Baan Mankong secure housing</span>'),
        ("th", "<td>officer</td>"),
        ("th", "<script>const x = {kind: 'canal_side'};</script>"),
        ("th", '<a href="/cases?programme=canal_side">ที่อยู่อาศัยชุมชนริมคลอง</a>'),
        ("en", "<td>EPSG:32647</td>"),
    ],
)
def test_the_check_leaves_words_names_and_markup_alone(vocab, lang, html):
    assert page_problems(html, lang, vocab) == [], html


def test_the_codes_come_from_every_list_of_words(vocab):
    for code in ("canal_side", "treasury_encroaching", "written", "west", "none", "flood"):
        assert code in vocab.codes, code
    for code in ("housing_loan", "daily_wage", "partly_inside", "bangkok_baan_mankong", "row"):
        assert code in vocab.codes, code
    assert "officer" not in vocab.codes  # a demo user's name


# -- the sample, rendered ------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory, catalog):
    """The app over a sample of its own (layers and cases), an officer logged in, and a
    kept import report, site-check run and layout decision to show."""
    schema = _new_schema()
    home = tmp_path_factory.mktemp("codes-instance")
    case_store = CaseStore(home, DATABASE_URL, schema=schema)
    load_whole_sample(
        open_store(home, DATABASE_URL, schema=schema), case_store, catalog, demo_users=True
    )
    case_store.dispose()
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "PLANNER_HOME": str(home),
            "DATABASE_URL": DATABASE_URL,
            "DATABASE_SCHEMA": schema,
        }
    )
    client = app.test_client()
    assert AuthActions(client).login("officer").status_code == 302
    made = _Site(client)
    # The import replaces the communities: the site check and the workshop run first.
    made.overlap_run(), made.layouts(), made.import_report()
    yield made
    _drop_schema(schema)


class _Site:
    def __init__(self, client):
        self.client = client
        self.cases = client.get("/api/cases?per_page=500").get_json()["items"]
        self._made: dict = {}

    def get(self, url: str, lang: str):
        joiner = "&" if "?" in url else "?"
        response = self.client.get(f"{url}{joiner}lang={lang}")
        assert response.status_code == 200, (url, response.status_code)
        return response

    def case_pages(self) -> list[str]:
        """A case of each (case type, stage) the sample has, and one on hold."""
        chosen: dict = {}
        for case in self.cases:
            chosen.setdefault((case["case_type"], case["stage"]), case["id"])
            if case.get("hold_reason"):
                chosen.setdefault("hold", case["id"])
        return [f"/cases/{case_id}" for case_id in chosen.values()]

    def households(self, n: int = 3) -> list[int]:
        out = []
        for case in self.cases:
            items = self.client.get(f"/api/cases/{case['id']}/households").get_json()["items"]
            out += [h["id"] for h in items[:1]]
            if len(out) >= n:
                break
        return out

    def case_id(self, ref: str) -> int:
        return next(c["id"] for c in self.cases if c["ref"] == ref)

    def import_report(self) -> str:
        if "import" not in self._made:
            from pathlib import Path

            path = Path(__file__).parent / "data" / "corpus" / "good" / "communities.geojson"
            response = self.client.post(
                "/api/imports",
                data={"file": (io.BytesIO(path.read_bytes()), path.name), "layer": "communities"},
                content_type="multipart/form-data",
            )
            assert response.status_code == 201, response.get_data(as_text=True)[:300]
            self._made["import"] = response.get_json()
        return self._made["import"]["id"]

    def overlap_run(self) -> dict:
        if "overlap" not in self._made:
            ids = [c["community_id"] for c in self.cases[:3]]
            response = self.client.post("/api/overlap", json={"site_ids": ids, "lang": "th"})
            assert response.status_code == 201, response.get_data(as_text=True)[:300]
            self._made["overlap"] = response.get_json()
        return self._made["overlap"]

    def layouts(self) -> tuple[int, dict]:
        if "layouts" not in self._made:
            case_id = self.case_id("KPP-LS-02")
            response = self.client.post(f"/api/cases/{case_id}/layouts", json={"options": 2})
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            self._made["layouts"] = (case_id, response.get_json())
        return self._made["layouts"]

    def pages(self) -> list[str]:
        community = self.cases[0]["community_id"]
        workshop = self.case_id("KPP-LS-02")
        return [
            "/",
            "/cases",
            f"/cases?community={community}",
            "/cases?stalled=1",
            *self.case_pages(),
            *(f"/cases/households/{h}" for h in self.households()),
            "/dashboard",
            "/search?q=KPP",
            "/search?q=ชุมชน",
            "/imports",
            f"/imports/{self.import_report()}",
            "/overlap",
            f"/overlap/runs/{self.overlap_run()['run_id']}",
            f"/cases/{workshop}/workshop",
            f"/cases/{workshop}/survey-import",
            "/cases/new",
            "/cases/from-layer",
        ]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_page_shows_a_raw_code_or_the_other_language(site, vocab, lang):
    started = time.perf_counter()
    problems: dict[str, list[str]] = {}
    pages = site.pages()
    assert len(pages) >= 15
    for url in pages:
        html = site.get(url, lang).get_data(as_text=True)
        found = page_problems(html, lang, vocab)
        if found:
            problems[url] = sorted(set(found))
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())
    assert time.perf_counter() - started < 120


# -- the JSON answers --------------------------------------------------------------------
# Keys whose values are names or ids, not codes to put in words.
NOT_CODED = {"id", "code", "name", "rule", "username", "by", "uploaded_by", "recorded_by"}


def _coded(value, vocab: Vocabulary) -> str | None:
    """`_label` for a code, `_labels` for a list of codes, None for anything else."""
    if isinstance(value, str) and value in vocab.codes:
        return "_label"
    codes = isinstance(value, list) and all(isinstance(v, str) for v in value)
    if codes and value and set(value) <= vocab.codes:
        return "_labels"
    return None


def unlabelled(obj, vocab: Vocabulary, path: str = "") -> list[str]:
    """Coded fields without `<field>_label` (a list of codes: `<field>_labels`) beside."""
    found = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            where = f"{path}.{key}"
            suffix = None if key in NOT_CODED else _coded(value, vocab)
            if suffix and not key.endswith(("_label", "_labels")) and key + suffix not in obj:
                found.append(f"{where} = {value!r}")
            found += unlabelled(value, vocab, where)
    elif isinstance(obj, list):
        for item in obj[:30]:
            found += unlabelled(item, vocab, f"{path}[]")
    return found


def test_every_coded_field_of_the_json_has_its_words(site, vocab):
    client = site.client
    answers = {"/api/cases": client.get("/api/cases?per_page=500").get_json()}
    for url in site.case_pages():
        case_id = url.rsplit("/", 1)[1]
        for part in ("", "/households", "/plots", "/budget", "/layout-decisions"):
            answers[f"/api/cases/{case_id}{part}"] = client.get(f"/api/cases/{case_id}{part}")
        answers[f"/cases/{case_id}/survey.json"] = client.get(f"/cases/{case_id}/survey.json")
    for household in site.households():
        answers[f"/api/households/{household}"] = client.get(f"/api/households/{household}")
        answers[f"/api/households/{household}/members"] = client.get(
            f"/api/households/{household}/members"
        )
    for url in ("/api/progress", "/api/stalled", "/api/finished-over-time", "/api/audit"):
        answers[url] = client.get(url)
    answers["/api/search"] = client.get("/api/search?q=KPP")
    # /api/workflows is the code lists themselves, each code keyed to its words.
    answers["/api/imports/<id>"] = client.get(f"/api/imports/{site.import_report()}")
    answers["/api/overlap"] = site.overlap_run()
    problems = {}
    for url, answer in answers.items():
        if not isinstance(answer, dict):
            assert answer.status_code == 200, (url, answer.status_code)
            answer = answer.get_json()
        found = unlabelled(answer, vocab)
        if found:
            problems[url] = found[:8]
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_the_labels_are_the_catalogue_words(site):
    case = site.cases[0]
    assert case["programme_label"] == default_workflows().programmes[case["programme"]]
    assert case["case_type_label"] == dict(default_workflows().case_types[case["case_type"]].label)
    household = site.client.get(f"/api/households/{site.households(1)[0]}").get_json()
    assert household["tenure_label"] == default_workflows().tenure_kinds[household["tenure"]]
    assert household["house_status_label"]["th"] and household["house_status_label"]["en"]
    report = site.client.get(f"/api/imports/{site.import_report()}").get_json()
    assert report["status_label"] == {"th": "บันทึกแล้ว", "en": "Written"}
    assert report["layer_label"]["en"] == "Communities"
    reason = site.overlap_run()["verdicts"][0]["reasons"][0]
    assert THAI.search(reason["check_label"]["th"]) and reason["severity_label"]["en"]


# -- the workshop's A3 sheet -----------------------------------------------------------
def _pdf_text(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_layout_sheet_names_house_types_in_words(site, vocab, lang):
    pytest.importorskip("weasyprint")
    case_id, data = site.layouts()
    body = {
        "parameters": data["parameters"],
        "options": [
            {"option": o["option"], "features": o["utm"]["features"]} for o in data["options"]
        ],
    }
    response = site.client.post(f"/cases/{case_id}/workshop/options.pdf?lang={lang}", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = _pdf_text(response.data)
    problems = []
    for line in text.splitlines():
        line = " ".join(line.split())
        # The sheet is in both languages, each line in either: English's rules for codes.
        problems += [f"{code!r} in {line!r}" for code in raw_codes(line, "en", vocab)]
        for t in DEFAULT_PLOT_TYPES:
            if re.search(rf"(?<![\w-]){t.name} \d", line):
                problems.append(f"{t.name!r} counted in {line!r}")
    assert problems == []
    assert "บ้านแถว" in text and "Row house" in text


def test_the_answers_say_codes_the_sample_does_not_hold_in_words(app):
    """Members, plots, the audit log and a refused move, shaped by their schemas."""
    from datetime import UTC, datetime

    import shapely

    from app.cases_schemas import AuditEntrySchema, MemberSchema, PlotFeatureSchema
    from app.errors import _details_in_words
    from cases.model import AuditEntry, Plot

    member = MemberSchema().dump(
        {"member_no": 1, "name": "ก", "sex": "female", "birth_year": 2510, "relation": "head"}
    )
    assert member["sex_label"] == {"th": "หญิง", "en": "Female"}
    assert member["relation_label"] == {"th": "หัวหน้าครัวเรือน", "en": "Head of household"}
    assert MemberSchema().dump({"member_no": 2, "name": "ข", "sex": None})["sex_label"] is None
    entry = AuditEntry(datetime.now(UTC), "officer", "move_stage", "case", "1", None, None, id=1)
    said = AuditEntrySchema().dump(entry)
    assert said["action_label"]["en"] == "Moved to another stage"
    assert said["entity_label"] == {"th": "กรณี", "en": "Case"}
    plot = Plot(case_id=1, plot_no="L1", geometry=shapely.box(0, 0, 4, 30), kind="lane", id=7)
    with app.test_request_context("/"):
        feature = PlotFeatureSchema().dump(plot)
    assert feature["properties"]["kind_label"] == {"th": "ทางเดิน/ถนน", "en": "Lane"}
    refused = _details_in_words({"missing": [{"kind": "document", "code": "agreement"}]})
    assert refused["missing"][0]["kind_label"] == {"th": "เอกสาร", "en": "Document"}
    for vocabulary, table in ((v, words.table(v)) for v in words.VOCABULARIES):
        for code, said in table.items():
            assert THAI.search(said["th"]) or said["th"] == said["en"], (vocabulary, code)
            assert said["en"] and said["en"] != code, (vocabulary, code)
