"""`planner serve`: the web app under waitress, and its network checks."""

from __future__ import annotations

import sys

import click

from app.cli.common import (
    _open_case_store,
    main,
)

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
    envvar="PLANNER_TRUSTED_PROXY",
    help="A reverse proxy's address whose X-Forwarded-For/-Proto/-Host to trust "
    "(or PLANNER_TRUSTED_PROXY); unset, those headers are ignored.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Werkzeug's development server with its debugger; loopback hosts only.",
)
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Run background jobs in this process too (PostgreSQL: `planner worker` also runs them).",
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
    worker: bool = True,
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
    if worker:  # reports and exports: jobs of this store, and those a dead process left
        from app.jobs_views import start_worker

        app.config["JOBS_WORKER"] = True
        start_worker(app)
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
