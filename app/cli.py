"""The `planner` command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from gis.catalog import load_catalog
from gis.errors import PlannerError, ValidationError
from gis.paths import SAMPLE_DIR


def _open_store():
    import os

    from app import planner_home
    from gis.store import open_store

    return open_store(
        planner_home(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _open_case_store():
    import os

    from app import planner_home
    from cases.store import CaseStore

    return CaseStore(
        planner_home(),
        os.environ.get("DATABASE_URL") or None,
        schema=os.environ.get("PLANNER_DATABASE_SCHEMA") or None,
    )


def _fail(exc: Exception) -> None:
    click.echo(f"error / ข้อผิดพลาด: {exc}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Community housing planner (ระบบวางแผนที่อยู่อาศัยชุมชน).

    The store lives in the instance folder PLANNER_HOME (default: instance/);
    set DATABASE_URL=postgresql://... to use PostgreSQL/PostGIS instead.
    """


@main.command()
@click.option(
    "--rebuild",
    is_flag=True,
    help="Regenerate the sample files in layers/sample from layers/sources first.",
)
@click.option("--seed", default=2562, show_default=True, help="Random seed of the rebuild.")
@click.option(
    "--setback",
    "setback_m",
    default=8.0,
    show_default=True,
    help="Canal setback in metres from the canal edge (rebuild only).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=SAMPLE_DIR,
    show_default=True,
    help="Folder for the rebuilt files.",
)
@click.option("--no-load", is_flag=True, help="Only rebuild; do not load into the store.")
@click.option(
    "--demo-users",
    is_flag=True,
    help="Also create the README's demo logins (for trying on this machine only; "
    "`planner serve` then refuses any address but 127.0.0.1).",
)
def sample(
    rebuild: bool, seed: int, setback_m: float, out_dir: Path, no_load: bool, demo_users: bool
) -> None:
    """Load the Khlong Prem Prachakorn sample into the store (ชุดข้อมูลตัวอย่าง)."""
    from app.application import sample_loader

    catalog = load_catalog()
    if rebuild:
        from gis.paths import SOURCES_DIR
        from gis.sample import build_sample

        if not SOURCES_DIR.is_dir():  # the wheel carries the built sample, not its sources
            _fail(
                "--rebuild needs a checkout of the project (layers/sources) / "
                "การสร้างชุดข้อมูลตัวอย่างใหม่ต้องใช้ซอร์สโค้ดของโครงการ (layers/sources)"
            )

        started = time.perf_counter()
        summary = build_sample(out_dir, seed=seed, setback_m=setback_m)
        click.echo(f"rebuilt the sample in {out_dir} in {time.perf_counter() - started:.1f} s")
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    if no_load:
        return
    store = _open_store()
    try:
        counts = sample_loader.load_sample_layers(store, catalog, out_dir)
    except (ValidationError, PlannerError, FileNotFoundError) as exc:
        _fail(exc)
    click.echo(f"loaded {len(counts)} layers into {store!r}:")
    for name, count in counts.items():
        click.echo(f"  {name:<18} {count:>7}")
    case_store = _open_case_store()
    result = sample_loader.load_sample_case_data(case_store, catalog, out_dir)
    if result["skipped"]:
        click.echo(f"the case store already has {result['cases']} cases; kept them as they are")
    else:
        click.echo(
            f"loaded {result['cases']} sample cases with {result['households']:,} households"
        )
    if not demo_users:
        click.echo(
            "no demo logins: create users with `planner user add NAME --role ROLE` "
            "(or load with --demo-users to try it on this machine) / "
            "ไม่มีบัญชีทดลอง สร้างผู้ใช้ด้วย planner user add"
        )
        return
    logins = sample_loader.add_demo_logins(case_store)
    click.echo("demo logins (sample only, this machine only) / บัญชีทดลอง (ใช้ในเครื่องนี้เท่านั้น):")
    for username, password, role, community in logins:
        click.echo(f"  {username:<10} {password:<20} {role}{' ' + community if community else ''}")


# Bounds of the production server (docs/decisions/0012-production-server.md).
MAX_HEADER_BYTES = 64 * 1024
BODY_SLACK_BYTES = 1024 * 1024  # above MAX_CONTENT_LENGTH, so the app's own 413 page answers first


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1, localhost: addresses no other machine can reach."""
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def waitress_options(
    app, *, host, port, threads, connection_limit, channel_timeout, https=False, trusted_proxy=None
) -> dict:
    """The keyword arguments for `waitress.serve`: every limit bounded."""
    options = {
        "host": host,
        "port": port,
        "threads": threads,
        "connection_limit": connection_limit,
        "channel_timeout": channel_timeout,
        "max_request_header_size": MAX_HEADER_BYTES,
        "max_request_body_size": (app.config.get("MAX_CONTENT_LENGTH") or 0) + BODY_SLACK_BYTES,
        "url_scheme": "https" if https else "http",
        "ident": "waitress",
    }
    if trusted_proxy:
        options.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
            clear_untrusted_proxy_headers=True,
        )
    return options


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--threads",
    default=6,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at once (เธรด); more wait in line.",
)
@click.option(
    "--connection-limit",
    default=100,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Open connections at most.",
)
@click.option(
    "--channel-timeout",
    default=120,
    show_default=True,
    type=click.IntRange(5, 3600),
    help="Seconds before an idle connection is closed.",
)
@click.option(
    "--https",
    is_flag=True,
    help="Reached over HTTPS (behind a reverse proxy): the session cookie is Secure. "
    "Same as PLANNER_SECURE_COOKIES=1.",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    help="A reverse proxy's address whose X-Forwarded-For/-Proto/-Host to trust.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Werkzeug's development server with its debugger; loopback hosts only.",
)
def serve(
    host: str,
    port: int,
    threads: int,
    connection_limit: int,
    channel_timeout: int,
    https: bool,
    trusted_proxy: str | None,
    debug: bool,
) -> None:
    """Serve the map and the API (เปิดเว็บแผนที่) with waitress."""
    if debug and not is_loopback(host):
        click.echo(
            f"error / ข้อผิดพลาด: --debug runs a debugger that executes code; it serves only "
            f"127.0.0.1, not {host} / โหมด --debug เปิดได้เฉพาะเครื่องนี้ (127.0.0.1) เท่านั้น",
            err=True,
        )
        sys.exit(2)
    from app import create_app

    app = create_app()
    # Network checks on the served instance (e.g. demo passwords) go here, before listening.
    refuse_demo_on_network(host, _open_case_store())
    if https:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    behind = "  (HTTPS at the proxy)" if https else ""
    click.echo(f"serving the planner at http://{host}:{port}{behind}  (Ctrl+C to stop)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    import waitress

    waitress.serve(
        app,
        **waitress_options(
            app,
            host=host,
            port=port,
            threads=threads,
            connection_limit=connection_limit,
            channel_timeout=channel_timeout,
            https=https,
            trusted_proxy=trusted_proxy,
        ),
    )


def layer_report(store, catalog) -> list[dict]:
    """Name, geometry type, feature count and CRS of every stored layer, with
    the summaries the catalogue asks for (`summary_by`) and line lengths."""
    report = []
    for name in store.layer_names():
        info = store.info(name)
        item = {
            "name": name,
            "geometry_type": info.geometry_type,
            "feature_count": info.feature_count,
            "crs": info.crs,
            "version": info.version,
            "in_catalog": name in catalog,
        }
        entry = catalog.layers.get(name)
        summary_by = entry.extra.get("summary_by") if entry else None
        if summary_by or info.geometry_type == "LineString":
            gdf = store.read(name)
            if summary_by:
                counts = gdf[summary_by].value_counts().sort_index()
                item["count_by"] = {summary_by: {str(k): int(v) for k, v in counts.items()}}
            if info.geometry_type == "LineString":
                item["length_m"] = round(float(gdf.to_crs(catalog.storage_crs).length.sum()), 1)
        report.append(item)
    for name in store.raster_names():
        import rasterio

        with rasterio.open(store.raster_path(name)) as src:
            report.append(
                {
                    "name": name,
                    "geometry_type": "Raster",
                    "feature_count": 1,
                    "crs": src.crs.to_string() if src.crs else None,
                    "width": src.width,
                    "height": src.height,
                    "cell_size": list(src.res),
                    "in_catalog": name in catalog,
                }
            )
    return report


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def layers(as_json: bool) -> None:
    """List the layers in the store (ชั้นข้อมูลในคลัง)."""
    catalog = load_catalog()
    report = layer_report(_open_store(), catalog)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    if not report:
        click.echo("the store is empty; run `planner sample` / คลังข้อมูลว่าง ให้รัน planner sample")
        return
    for item in report:
        entry = catalog.layers.get(item["name"])
        title = f"{entry.title['th']} / {entry.title['en']}" if entry else "(user layer)"
        click.echo(
            f"{item['name']:<18} {item['geometry_type'] or '':<11} "
            f"{item['feature_count']:>7}  {item['crs'] or 'no CRS':<11} {title}"
        )


def _cli_user():
    """The CLI acts as an officer of the instance it runs on."""
    from cases.model import User

    return User(username="cli", role="admin")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--programme", default=None, help="Only this programme (e.g. canal_side).")
def progress(as_json: bool, programme: str | None) -> None:
    """Progress by district: households agreed, finished, under construction, ready to build."""
    from cases import services

    table = services.progress(_open_case_store().uow(), programme=programme)
    if as_json:
        click.echo(json.dumps(table, ensure_ascii=False, indent=1))
        return
    header = ("district / เขต", "agreed", "finished", "building", "ready", "not started")
    click.echo(
        f"{header[0]:<24}{header[1]:>9}{header[2]:>16}{header[3]:>16}{header[4]:>14}{header[5]:>13}"
    )
    for row in [*table["districts"], table["total"]]:
        s = row["shares"]
        name = (
            f"{row['district_th']} {row['district_en']}"
            if row["district_en"] != "total"
            else "รวม total"
        )
        click.echo(
            f"{name:<24}{row['households_agreed']:>9,}"
            f"{row['finished']:>7,} ({s['finished']:5.2f} %)"
            f"{row['under_construction']:>7,} ({s['under_construction']:5.2f} %)"
            f"{row['ready_to_build']:>5,} ({s['ready_to_build']:5.2f} %)"
            f"{row['not_started']:>13,}"
        )


@main.command("cases")
@click.option("--programme", default=None)
@click.option("--district", default=None)
@click.option("--stage", default=None)
@click.option(
    "--stalled", is_flag=True, help="Only cases longer in their stage than its threshold."
)
@click.option("--json", "as_json", is_flag=True)
def list_cases_command(programme, district, stage, stalled, as_json) -> None:
    """List cases with their stage (กรณีและขั้นตอน)."""
    from cases import services
    from cases.workflow import default_workflows

    rows, total = services.list_cases(
        _open_case_store().uow(),
        _cli_user(),
        programme=programme,
        district=district,
        stage=stage,
        stalled=stalled,
        per_page=500,
    )
    if as_json:
        click.echo(
            json.dumps({"total": total, "cases": rows}, ensure_ascii=False, indent=1, default=str)
        )
        return
    workflows = default_workflows()
    for row in rows:
        label = workflows.case_type(row["case_type"]).stage(row["stage"]).label
        flag = " STALLED/ล่าช้า" if row["stalled"] else ""
        hold = f" [{row['hold_reason']}]" if row["hold_reason"] else ""
        click.echo(
            f"{row['ref']:<12} {row['district_en']:<11} {label['th']} / {label['en']}"
            f" · {row['days_in_stage']} d{flag}{hold}"
        )
    click.echo(f"{total} case(s)")


@main.group()
def user() -> None:
    """Manage logins (ผู้ใช้)."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "officer", "community_rep", "viewer"])
)
@click.option("--community", default=None, help="The community of a community_rep, e.g. KPP-CC-01.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given.",
)
@click.option("--display-name", default="")
def user_add(name, role, community, password, display_name) -> None:
    """Create a user NAME with a role."""
    from cases import services
    from cases.errors import DomainError

    try:
        created = services.add_user(
            _open_case_store().uow(),
            name,
            password,
            role,
            community_id=community,
            display_name=display_name,
        )
    except DomainError as exc:
        _fail(exc)
    click.echo(f"created user {created.username} ({created.role})")


def _fail_both(exc) -> None:
    """Exit 1 with a domain error's English and Thai message."""
    _fail(f"{exc.message_en} / {exc.message_th}")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def user_passwd(name, password_stdin) -> None:
    """Set a new password for NAME; ends all of NAME's sessions (เปลี่ยนรหัสผ่าน)."""
    from cases import services
    from cases.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "New password / รหัสผ่านใหม่", hide_input=True, confirmation_prompt=True
        )
    try:
        ended = services.change_password(_open_case_store().uow(), name, password)
    except DomainError as exc:
        _fail_both(exc)
    click.echo(
        f"changed the password of {name}; ended {ended} session(s) / "
        f"เปลี่ยนรหัสผ่านของ {name} แล้ว ออกจากระบบ {ended} เซสชัน"
    )


@user.command("disable")
@click.argument("name")
def user_disable(name) -> None:
    """Stop NAME logging in; ends all of NAME's sessions at once (ระงับผู้ใช้)."""
    from cases import services
    from cases.errors import DomainError

    try:
        ended = services.set_user_active(_open_case_store().uow(), name, False)
    except DomainError as exc:
        _fail_both(exc)
    click.echo(
        f"disabled {name}; ended {ended} session(s) / ระงับ {name} แล้ว ออกจากระบบ {ended} เซสชัน"
    )


@user.command("enable")
@click.argument("name")
def user_enable(name) -> None:
    """Let a disabled user NAME log in again (เปิดใช้ผู้ใช้)."""
    from cases import services
    from cases.errors import DomainError

    try:
        services.set_user_active(_open_case_store().uow(), name, True)
    except DomainError as exc:
        _fail_both(exc)
    click.echo(f"enabled {name} / เปิดใช้ {name} แล้ว")


@user.command("role")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "officer", "community_rep", "viewer"])
)
@click.option("--community", default=None, help="The community of a community_rep.")
def user_role(name, role, community) -> None:
    """Give NAME another role; it applies from NAME's next request (เปลี่ยนบทบาท)."""
    from cases import services
    from cases.errors import DomainError

    try:
        services.set_user_role(_open_case_store().uow(), name, role, community_id=community)
    except DomainError as exc:
        _fail_both(exc)
    click.echo(f"{name} is now {role} / {name} มีบทบาท {role} แล้ว")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def user_list(as_json) -> None:
    """The users: name, role, community, active, last login (รายชื่อผู้ใช้). Never hashes."""
    from cases import services

    rows = [
        {
            "username": u.username,
            "role": u.role,
            "community_id": u.community_id,
            "active": bool(u.active),
            "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
        }
        for u in services.list_users(_open_case_store().uow())
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    click.echo(
        f"{'user / ผู้ใช้':<20} {'role / บทบาท':<16} {'community':<11} "
        f"{'active':<12} last login (UTC) / เข้าระบบล่าสุด"
    )
    for r in rows:
        active = "yes / ใช้งาน" if r["active"] else "no / ระงับ"
        click.echo(
            f"{r['username']:<20} {r['role']:<16} {r['community_id'] or '-':<11} "
            f"{active:<12} {r['last_login_at'] or '-'}"
        )


def refuse_demo_on_network(host: str, store) -> None:
    """Refuse (ClickException, exit 1) to serve a non-loopback `host` while any demo user
    still has its demo password: anyone on the network could log in with it."""
    if is_loopback(host):
        return
    from cases import services
    from cases.sample import DEMO_USERS

    try:
        names = services.users_with_password(
            store.uow(), {name: password for name, password, _, _ in DEMO_USERS}
        )
    finally:
        store.dispose()
    if not names:
        return
    fixes = "\n".join(
        f"  planner user passwd {n}    # or / หรือ  planner user disable {n}" for n in names
    )
    raise click.ClickException(
        f"refusing to serve on {host}: the demo account(s) {', '.join(names)} still have the "
        f"published demo password, so anyone on the network could log in. Change or disable "
        f"them first, or serve on 127.0.0.1 only.\n"
        f"ไม่เปิดบริการที่ {host}: บัญชีทดลอง {', '.join(names)} ยังใช้รหัสผ่านทดลองที่เผยแพร่ไว้ "
        f"ใครในเครือข่ายก็เข้าระบบได้ กรุณาเปลี่ยนรหัสผ่านหรือระงับบัญชีก่อน "
        f"หรือเปิดบริการเฉพาะ 127.0.0.1\n{fixes}"
    )


def _problem_lines(exc: ValidationError) -> str:
    lines = []
    for p in exc.problems:
        where = p.where()
        lines.append(f"  - {where}: {p.message_en}" if where else f"  - {p.message_en}")
        lines.append(f"    {where}: {p.message_th}" if where else f"    {p.message_th}")
    return "\n".join(lines)


def _echo_problems(exc: ValidationError, en: str = "", th: str = "") -> None:
    """A bilingual headline with the count, then every problem, on stderr."""
    n = len(exc.problems)
    headline = f"{en} ({n} problem(s)) / {th} ({n} ปัญหา)" if en else f"{n} problem(s) / ปัญหา"
    click.echo(f"error / ข้อผิดพลาด: {headline}", err=True)
    click.echo(_problem_lines(exc), err=True)


@main.command("import")
@click.argument("path")
@click.option("--layer", "layer_name", required=True, help="Catalogue layer, or a new layer name.")
@click.option("--mode", type=click.Choice(["replace", "append"]), default="replace")
@click.option("--encoding", default=None, help="Text encoding, e.g. cp874 (usually detected).")
@click.option("--crs", default=None, help="CRS of a file that has none, e.g. EPSG:24047.")
@click.option("--map", "mappings", multiple=True, help="FILE_FIELD=LAYER_FIELD (repeatable).")
@click.option("--source-layer", default=None, help="Layer inside a GeoPackage (or PATH::NAME).")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
def import_command(path, layer_name, mode, encoding, crs, mappings, source_layer, as_json):
    """Import a file (GeoPackage, Shapefile/zip, GeoJSON, KML/KMZ, CSV, XLSX, KoBo, ODK)
    into layer NAME (นำเข้าข้อมูล)."""
    from gis.importing import import_file

    field_map = {}
    for item in mappings:
        if "=" not in item:
            _fail(PlannerError(f"--map takes FILE_FIELD=LAYER_FIELD, not {item!r}"))
        src, dst = item.split("=", 1)
        field_map[src.strip()] = dst.strip()
    try:
        report = import_file(
            path,
            layer=layer_name,
            catalog=load_catalog(),
            store=_open_store(),
            mode=mode,
            encoding=encoding,
            crs=crs,
            field_map=field_map or None,
            source_layer=source_layer,
        )
    except ValidationError as exc:
        rid = getattr(getattr(exc, "report", None), "id", None)
        click.echo(
            f"error / ข้อผิดพลาด: import refused, nothing was written / "
            f"ไม่นำเข้า ไม่มีการเขียนข้อมูล ({len(exc.problems)} problem(s) / ปัญหา)",
            err=True,
        )
        click.echo(_problem_lines(exc), err=True)
        if rid:
            click.echo(f"report / รายงาน: planner imports --show {rid}", err=True)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(report.summary())


@main.command("imports")
@click.option("--show", "show_id", default=None, help="Show one import report.")
@click.option("--json", "as_json", is_flag=True)
def imports_command(show_id, as_json):
    """List import reports, or show one (รายงานการนำเข้า)."""
    from gis.importing import ImportReport, list_reports, load_report

    store = _open_store()
    if show_id:
        try:
            data = load_report(store, show_id)
        except PlannerError as exc:
            _fail(exc)
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            click.echo(ImportReport(**data).summary())
        return
    reports = list_reports(store)
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=1))
        return
    for r in reports:
        click.echo(
            f"{r['id']}  {r['status']:<9} {r['layer']:<20} {r['features_written']:>7}  {r['file']}"
        )


@main.command("export")
@click.option("--layer", "layer_names", multiple=True, help="Layer to export (repeatable).")
@click.option("--all", "all_layers", is_flag=True, help="Every vector layer in the store.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gpkg", "shp", "geojson", "kml", "csv", "xlsx"]),
    required=True,
)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--open-data", is_flag=True, help="Community counts and geometry only.")
@click.option(
    "--without-personal",
    is_flag=True,
    help="Leave out personal fields (cases/privacy.py), as a municipality viewer gets them.",
)
def export_command(layer_names, all_layers, fmt, out, open_data, without_personal):
    """Export layers for QGIS or spreadsheets (ส่งออกข้อมูล)."""
    from cases import privacy
    from gis.exporting import export_layers

    store = _open_store()
    names = list(layer_names)
    if all_layers:
        catalog = load_catalog()
        names = [
            n
            for n in store.layer_names()
            if n not in catalog.layers or catalog.layers[n].kind == "vector"
        ]
    if not names:
        _fail(PlannerError("give --layer NAME or --all / ระบุ --layer หรือ --all"))
    missing = [n for n in names if not store.has_layer(n)]
    if missing:
        _fail(PlannerError(f"no layer {', '.join(missing)} in the store / ไม่มีชั้นข้อมูลนี้"))
    try:
        drop = set()
        if open_data or without_personal:  # open data never holds a personal field
            for name in names:
                drop |= set(privacy.personal_fields(store.read(name, bbox=(0, 0, 0, 0)).columns))
        written = export_layers(
            store, load_catalog(), names, fmt=fmt, out=out, open_data=open_data, drop_fields=drop
        )
    except PlannerError as exc:
        _fail(exc)
    click.echo(f"exported {', '.join(names)} → {written}")


def _is_stored_layer(store, spec: str) -> bool:
    """A stored layer name rather than a file path."""
    from gis.layer_names import is_layer_name

    return is_layer_name(spec) and not Path(spec).exists() and store.has_layer(spec)


def _split(values: str) -> list[str]:
    return [v.strip() for v in values.split(",") if v.strip()]


@main.command("overlap")
@click.option(
    "--sites",
    "sites_spec",
    required=True,
    help="A stored polygon layer (e.g. communities) or a file (gpkg, shp/zip, geojson, kml).",
)
@click.option("--ids", default=None, help="Only these sites of a stored layer, comma-separated.")
@click.option(
    "--against",
    default="zoning,tenure,setback,flood,disasters",
    show_default=True,
    help="Checks to run, comma-separated.",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rule-set YAML (default: layers/rules/bangkok_baan_mankong.yaml).",
)
@click.option(
    "--zoning-file",
    default=None,
    help="Check against this zoning file instead of the stored zoning layer.",
)
@click.option("--crs", default=None, help="CRS of a sites file that has none, e.g. EPSG:24047.")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Report file: .csv, .geojson, .html or .pdf.",
)
@click.option("--json", "as_json", is_flag=True, help="Also print the verdicts as JSON.")
def overlap_command(sites_spec, ids, against, rules_path, zoning_file, crs, lang, out, as_json):
    """Check sites against zoning, tenure, canal setback, flood depth and past disasters
    (ตรวจสอบพื้นที่กับผังเมือง กรรมสิทธิ์ ระยะถอยร่น น้ำท่วม และภัยพิบัติ)."""
    from gis.check import (
        inputs_from_store,
        layer_from_file,
        run_checks,
        sites_bbox,
        sites_from_file,
        sites_from_store,
    )
    from gis.report import FORMATS, write_report
    from gis.rules import DEFAULT_RULES, load_rules

    if out.suffix.lower() not in FORMATS:
        _fail(PlannerError(f"--out must end in {', '.join(FORMATS)} / นามสกุลไฟล์ไม่รองรับ"))
    catalog = load_catalog()
    store = _open_store()
    checks = _split(against)
    try:
        rules = load_rules(rules_path or DEFAULT_RULES)
        if _is_stored_layer(store, sites_spec):
            sites, sites_info = sites_from_store(store, sites_spec, ids=_split(ids or ""))
        else:
            if ids:
                raise PlannerError("--ids selects sites of a stored layer, not of a file")
            sites, sites_info = sites_from_file(sites_spec, catalog=catalog, crs=crs)
        replacements = {}
        if zoning_file:
            replacements["zoning"] = layer_from_file(zoning_file, "zoning", catalog=catalog)
        inputs = inputs_from_store(
            store, checks, catalog=catalog, replacements=replacements, bbox=sites_bbox(sites)
        )
        report = run_checks(
            sites,
            inputs,
            rules=rules,
            against=checks,
            site_name="site_name",
            sites_info=sites_info,
        )
        written = write_report(report, out, lang=lang)
    except ValidationError as exc:
        _echo_problems(exc, "the check could not run", "ตรวจสอบไม่ได้")
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    counts = report.counts()
    click.echo(
        f"{len(report.sites)} site(s) / พื้นที่: "
        f"{counts['pass']} pass / ผ่าน, {counts['warning']} warning / ต้องระวัง, "
        f"{counts['conflict']} conflict / ขัดแย้ง"
    )
    for row in report.verdicts.to_dict("records"):
        click.echo(f"  {row['site_id']:<14} {row['verdict']}")
        for reason in row["reasons"]:
            click.echo(f"      - {reason['th']}")
            click.echo(f"        {reason['en']}")
    timings = report.provenance["timings_s"]
    click.echo(f"took {timings['total']:.2f} s; report → {written}")
    if as_json:
        click.echo(
            json.dumps(
                report.verdicts.to_dict("records"), ensure_ascii=False, indent=1, default=str
            )
        )


@main.command("exposure")
@click.option("--sites", "sites_path", required=True, help="Sites file, or a stored layer.")
@click.option(
    "--raster", "raster_path", required=True, help="Raster file (GeoTIFF), e.g. flood depth."
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Report the area above this value (e.g. 0.5 m). Default: the flood rule's 0.5.",
)
@click.option("--crs", default=None, help="CRS of a sites file that has none.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output .csv file.")
def exposure_command(sites_path, raster_path, threshold, crs, out):
    """Exposure of each site to a raster: coverage-weighted mean, max, min and the area above
    a threshold (ค่าความเสี่ยงจากแรสเตอร์ของแต่ละพื้นที่)."""
    from gis import hazard
    from gis.check import sites_from_file, sites_from_store

    if out.suffix.lower() != ".csv":
        _fail(PlannerError("--out must be a .csv file / ต้องเป็นไฟล์ .csv"))
    raster = Path(raster_path)
    if not raster.exists():
        _fail(PlannerError(f"no raster file {raster} / ไม่พบไฟล์แรสเตอร์"))
    threshold = hazard.DEFAULT_FLOOD_THRESHOLD_M if threshold is None else threshold
    try:
        store = _open_store()
        if _is_stored_layer(store, sites_path):
            sites, _ = sites_from_store(store, sites_path)
        else:
            sites, _ = sites_from_file(sites_path, catalog=load_catalog(), crs=crs)
        started = time.perf_counter()
        table = hazard.exposure(sites, raster, threshold=threshold, site_id="site_id")
        elapsed = time.perf_counter() - started
    except ValidationError as exc:
        _echo_problems(exc)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    columns = {
        "site_id": "site_id",
        "mean": "mean",
        "max": "max",
        "min": "min",
        "covered_area_m2": "covered_area_m2",
        "area_above_m2": f"area_above_{threshold:g}_m2",
        "status": "status",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    table[list(columns)].rename(columns=columns).to_csv(
        out, index=False, float_format="%.6g", encoding="utf-8-sig"
    )
    counts = table["status"].value_counts().to_dict()
    click.echo(
        f"{len(table)} site(s) in {elapsed:.2f} s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f" → {out}"
    )
    if counts.get("no_data"):
        click.echo(
            f"{counts['no_data']} site(s) have no data under them (status no_data), not 0 "
            f"/ {counts['no_data']} พื้นที่ไม่มีข้อมูล",
        )


# ------------------------------------------------------------------- layout


def _layout_case_community(spec: str) -> str | None:
    """The community of case `spec` (a case ref) in the case store, or None."""
    try:
        from cases import services

        rows, _ = services.list_cases(_open_case_store().uow(), _cli_user(), search=spec)
    except Exception:  # no case store here: the value is simply not a case
        return None
    return next((r["community_id"] for r in rows if r["ref"] == spec), None)


@main.command("layout")
@click.option(
    "--site",
    "site_spec",
    required=True,
    help="Site file (GeoPackage or GeoJSON with one polygon; a GeoPackage may hold "
    "`canal` and `access` layers too), or a community id of the store (e.g. KPP-LS-02) "
    "or a case ref.",
)
@click.option(
    "--households",
    type=int,
    default=None,
    help="Households to house (default for a community: its agreed households).",
)
@click.option(
    "--plot",
    "plot_specs",
    multiple=True,
    help="Plot type NAME=WIDTHxDEPTH in metres, repeatable (default row=3.5x8 twin=5x10).",
)
@click.option("--lane-width", type=float, default=4.0, show_default=True, help="Metres.")
@click.option("--main-lane-width", type=float, default=6.0, show_default=True, help="Metres.")
@click.option(
    "--setback",
    type=float,
    default=None,
    help="No building within this many metres of the canal line (default: the store's "
    "half canal width plus setback for a community; for a file the canal layer's "
    "width_m/2 + setback_m, else 8).",
)
@click.option(
    "--common-share",
    type=float,
    default=0.10,
    show_default=True,
    help="Common space, as a share of the buildable land.",
)
@click.option("--options", "n_options", type=click.IntRange(1, 12), default=4, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--canal", "canal_path", default=None, help="Canal lines file (gpkg, geojson).")
@click.option("--access", "access_path", default=None, help="Access points file (gpkg, geojson).")
@click.option(
    "--unit-cost",
    "unit_cost_specs",
    multiple=True,
    help="NAME=BAHT to replace an illustrative unit cost (main_lane_per_m, lane_per_m, "
    "plot_services, common_space_per_m2); repeatable.",
)
@click.option("--crs", default=None, help="CRS of a site file that has none, e.g. EPSG:24047.")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="GeoPackage to write (layers plots, lanes, open_space, site; metrics JSON beside).",
)
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path),
    default=None,
    help="A3 landscape PDF: a sheet per option and a comparison sheet.",
)
@click.option(
    "--dxf",
    "dxf_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for one DXF drawing per option.",
)
def layout_command(
    site_spec,
    households,
    plot_specs,
    lane_width,
    main_lane_width,
    setback,
    common_share,
    n_options,
    seed,
    canal_path,
    access_path,
    unit_cost_specs,
    crs,
    lang,
    out,
    pdf_path,
    dxf_dir,
):
    """Layout options for a site: plots, lanes and common space for every household, or
    how many do not fit (ทางเลือกผังชุมชน: แปลง ซอย และพื้นที่ส่วนกลาง)."""
    from app.application import workshop

    started = time.perf_counter()
    _layout_check_outputs(out, pdf_path)
    try:
        chosen = workshop.choose_site(
            _open_store,
            site_spec,
            load_catalog(),
            case_community=_layout_case_community,
            households=households,
            crs=crs,
            canal=canal_path,
            access=access_path,
        )
        if chosen.via_case:
            click.echo(f"case {site_spec} → community {chosen.via_case} / กรณีของชุมชน")
        params = _layout_parameters(chosen, plot_specs, unit_cost_specs, setback)
        params.update(main_lane_width=main_lane_width, lane_width=lane_width)
        params.update(common_share=common_share, options=n_options, seed=seed)
        t0 = time.perf_counter()
        layouts = workshop.generate_options(chosen.site, params)
        t_generate = time.perf_counter() - t0
    except ValidationError as exc:
        _echo_problems(exc, "no layout was made", "สร้างผังไม่ได้")
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    broken = workshop.broken_rules(layouts, chosen.site, params["setback"])
    if broken:
        click.echo(
            "error / ข้อผิดพลาด: a generated layout breaks its own rules; nothing was written "
            "/ ผังที่สร้างผิดเงื่อนไข ไม่ได้เขียนไฟล์ (please report this)\n"
            + "\n".join(f"  - {line}" for line in broken),
            err=True,
        )
        sys.exit(1)
    _layout_echo(chosen, layouts, params)
    timings = _layout_write(chosen, layouts, params, out, pdf_path, dxf_dir, lang)
    click.echo(
        f"took {time.perf_counter() - started:.2f} s (layouts {t_generate:.2f} s, "
        f"files {timings[0]:.2f} s" + (f", PDF {timings[1]:.2f} s" if pdf_path else "") + ")"
    )


def _layout_check_outputs(out: Path, pdf_path: Path | None) -> None:
    if out.suffix.lower() != ".gpkg":
        _fail(PlannerError("--out must be a .gpkg file / --out ต้องเป็นไฟล์ .gpkg"))
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        _fail(PlannerError("--pdf must be a .pdf file / --pdf ต้องเป็นไฟล์ .pdf"))


def _layout_parameters(chosen, plot_specs, unit_cost_specs, setback) -> dict:
    """The generator's parameters from the command line; the setback, when not given, is
    the site's (its canal's rule), or none without a canal."""
    from gis.layout import DEFAULT_PLOT_TYPES, DEFAULT_UNIT_COSTS, parse_plot_type

    plot_types = tuple(parse_plot_type(p) for p in plot_specs) or DEFAULT_PLOT_TYPES
    names = [t.name for t in plot_types]
    if len(set(names)) != len(names):
        raise PlannerError(f"--plot names must differ ({', '.join(names)}) / ชื่อแบบแปลงซ้ำกัน")
    unit_costs = dict(DEFAULT_UNIT_COSTS)
    for item in unit_cost_specs:
        key, _, value = item.partition("=")
        try:
            unit_costs[key.strip()] = float(value)
        except ValueError:
            key = ""
        if key.strip() not in DEFAULT_UNIT_COSTS:
            raise PlannerError(
                f"--unit-cost takes NAME=BAHT with NAME one of "
                f"{', '.join(DEFAULT_UNIT_COSTS)}, not {item!r} / ราคาต่อหน่วยไม่ถูกต้อง"
            )
    site = chosen.site
    if setback is not None:
        chosen.setback_how = "--setback"
    else:
        setback = site.setback_from_centreline_m if len(site.canal) else 0.0
    return {
        "households": site.households,
        "_plot_types": plot_types,
        "setback": setback,
        "unit_costs": unit_costs,
    }


def _layout_echo(chosen, layouts, params) -> None:
    """What was made: the site, its setback, and each option's households and costs."""
    site = chosen.site
    m0 = layouts[0].metrics
    click.echo(
        f"site / พื้นที่: {site.site_id}"
        + (f" {site.name_th} / {site.name_en}" if site.name_th != site.site_id else "")
        + f" — {m0['site_area_m2']:,.0f} m², {site.households:,} households / ครัวเรือน"
    )
    for note in chosen.notes:
        click.echo(f"  reprojected / แปลงพิกัด: {note}")
    if len(site.canal):
        click.echo(
            f"  canal setback / ระยะถอยร่นจากคลอง: {params['setback']:g} m ({chosen.setback_how})"
        )
    else:
        click.echo("  no canal given: no setback / ไม่มีข้อมูลคลอง ไม่มีระยะถอยร่น")
    for lay in layouts:
        m = lay.metrics
        short = m["shortfall"]
        verdict = (
            f"{short:,} households do not fit / ขาดอีก {short:,} ครัวเรือน"
            if short
            else "everyone has a plot / ทุกครัวเรือนมีแปลง"
        )
        per_hh = m["cost_per_household_baht"]
        click.echo(f"{lay.name['en']} / {lay.name['th']}")
        click.echo(
            f"  housed {m['households_housed']:,} of {m['households_needed']:,} / มีแปลง "
            f"{m['households_housed']:,} จาก {m['households_needed']:,} — {verdict}"
        )
        click.echo(
            f"  lane {m['lane_length_per_plot_m']:.1f} m per plot / ซอย "
            f"{m['lane_length_per_plot_m']:.1f} ม. ต่อแปลง · "
            + (
                f"{per_hh:,} baht per household / บาทต่อครัวเรือน (illustrative unit costs)"
                if per_hh is not None
                else "no cost per household / ไม่มีค่าต่อครัวเรือน"
            )
        )


def _layout_write(chosen, layouts, params, out, pdf_path, dxf_dir, lang) -> tuple[float, float]:
    """The GeoPackage with its metrics JSON, the DXF drawings and the PDF; their times."""
    from gis.layout import write_dxf, write_geopackage

    site = chosen.site
    parameters = {
        "plot_types": [f"{t.name}={t.width:g}x{t.depth:g}" for t in params["_plot_types"]],
        **{k: params[k] for k in ("main_lane_width", "lane_width", "setback", "common_share")},
        "seed": params["seed"],
        "options": params["options"],
        "households": site.households,
        "unit_costs": params["unit_costs"],
        "source": chosen.source,
    }
    t0 = time.perf_counter()
    write_geopackage(layouts, out, site=site.site)
    metrics_path = out.with_suffix(".metrics.json")
    data = json.loads(metrics_path.read_text(encoding="utf-8"))
    data = {"site_id": site.site_id, "parameters": parameters, "reprojected": chosen.notes, **data}
    metrics_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out} (plots, lanes, open_space, site) and {metrics_path.name}")
    if dxf_dir is not None:
        dxf_dir.mkdir(parents=True, exist_ok=True)
        for lay in layouts:
            write_dxf(lay, dxf_dir / f"{out.stem}-option{lay.option}.dxf", site=site.site)
        click.echo(f"wrote {len(layouts)} DXF drawing(s) in {dxf_dir}")
    t_write = time.perf_counter() - t0
    if pdf_path is None:
        return t_write, 0.0
    from gis.report.layout_pdf import write_layout_pdf

    t0 = time.perf_counter()
    named = site.name_th != site.site_id
    write_layout_pdf(
        layouts,
        site.site,
        pdf_path,
        canal=site.canal if len(site.canal) else None,
        setback=params["setback"],
        title_th=f"ทางเลือกผังชุมชน {site.name_th}" if named else "ทางเลือกผังชุมชน",
        title_en=f"Layout options: {site.name_en}"
        if site.name_en != site.site_id
        else "Layout options",
        lang=lang,
        site_id=site.site_id,
        parameters=parameters,
    )
    click.echo(f"wrote {pdf_path} (A3, {len(layouts) + -(-len(layouts) // 4)} pages)")
    return t_write, time.perf_counter() - t0


@main.command("flood-scenario")
@click.option("--dem", "dem_path", required=True, help="Ground elevation GeoTIFF (m).")
@click.option("--level", type=float, required=True, help="Water level in the canal (m).")
@click.option(
    "--canal",
    "canal_layer",
    default=None,
    help="Flood only ground connected to this stored line/polygon layer (e.g. canal_water).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output .tif")
def flood_scenario_command(dem_path, level, canal_layer, out):
    """Flood depth from a canal water level and a DEM (ความลึกน้ำท่วมจากระดับน้ำในคลอง)."""
    from gis import hazard

    try:
        canal = None
        if canal_layer:
            store = _open_store()
            if not store.has_layer(canal_layer):
                raise PlannerError(f"no layer {canal_layer} in the store / ไม่มีชั้นข้อมูลนี้")
            canal = store.read(canal_layer)
        written = hazard.flood_depth_from_level(dem_path, level, out, connected_to=canal)
    except ValidationError as exc:
        _echo_problems(exc)
        sys.exit(1)
    except PlannerError as exc:
        _fail(exc)
    click.echo(f"flood depth at level {level:g} m → {written} / ความลึกน้ำท่วม → {written}")


@main.command("prune")
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=None,
    help="Keep site checks this many days (default: PLANNER_OVERLAP_RUN_DAYS, or 30).",
)
def prune_command(days):
    """Remove site checks older than the days kept (ลบผลการตรวจสอบพื้นที่ที่เก่าเกินกำหนด)."""
    import os

    from app import planner_home
    from app.overlap_views import RUN_DAYS, prune_runs

    if days is None:
        days = float(os.environ.get("PLANNER_OVERLAP_RUN_DAYS") or RUN_DAYS)
    removed = prune_runs(planner_home() / "reports" / "overlap", days)
    click.echo(
        f"removed {removed} site check(s) older than {days:g} days"
        f" / ลบผลการตรวจสอบพื้นที่ {removed} รายการที่เก่ากว่า {days:g} วัน"
    )


if __name__ == "__main__":
    main()
