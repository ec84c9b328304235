"""`planner serve`: the web app under waitress, and its network checks; with
`--processes N`, N waitress processes on one listening socket (docs/decisions/0034)."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
import time
from collections import deque

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
    """The keyword arguments for `waitress.serve`: every limit bounded. With `port` None,
    no address: the caller hands waitress a listening socket (`sockets=[...]`)."""
    options = {} if port is None else {"host": host, "port": port}
    options |= {
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
@click.option(
    "--processes",
    default=1,
    show_default=True,
    envvar="PLANNER_PROCESSES",
    type=click.IntRange(1, 32),
    help="Server processes (โพรเซส) sharing the port, e.g. one per core "
    "(or PLANNER_PROCESSES); above 1 needs a POSIX system.",
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
    processes: int = 1,
) -> None:
    """Serve the map and the API (เปิดเว็บแผนที่) with waitress."""
    if debug and not is_loopback(host):
        click.echo(
            f"error / ข้อผิดพลาด: --debug runs a debugger that executes code; it serves only "
            f"127.0.0.1, not {host} / โหมด --debug เปิดได้เฉพาะเครื่องนี้ (127.0.0.1) เท่านั้น",
            err=True,
        )
        sys.exit(2)
    if processes > 1 and (debug or not hasattr(os, "fork")):
        raise click.UsageError(
            "--processes above 1 needs a POSIX system (Linux, macOS) and no --debug / "
            "--processes มากกว่า 1 ใช้ได้บนระบบ POSIX (Linux, macOS) และไม่ใช้ร่วมกับ --debug"
        )
    # Network checks on the served instance (e.g. demo passwords) go here, before listening.
    refuse_demo_on_network(host, _open_case_store())
    behind = "  (HTTPS at the proxy)" if https else ""
    limits = {
        "threads": threads,
        "connection_limit": connection_limit,
        "channel_timeout": channel_timeout,
        "https": https,
        "trusted_proxy": trusted_proxy,
    }
    if processes > 1:
        sock = listening_socket(host, port)
        click.echo(
            f"serving the planner at http://{host}:{port}{behind} with {processes} processes "
            f"/ {processes} โพรเซส  (Ctrl+C to stop)"
        )

        def child() -> None:
            app = _ready_app(https, worker)
            import waitress

            waitress.serve(
                app, sockets=[sock], **waitress_options(app, host=None, port=None, **limits)
            )

        sys.exit(supervise(processes, child, sock))
    app = _ready_app(https, worker)
    click.echo(f"serving the planner at http://{host}:{port}{behind}  (Ctrl+C to stop)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    import waitress

    waitress.serve(app, **waitress_options(app, host=host, port=port, **limits))


def _ready_app(https: bool, worker: bool):
    """The app as served: secure cookies behind HTTPS, the job worker, a frozen heap."""
    from app import create_app

    app = create_app()
    if https:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if worker:  # reports and exports: jobs of this store, and those a dead process left
        from app.jobs_views import start_worker

        app.config["JOBS_WORKER"] = True
        start_worker(app)
    # What start-up made lives as long as the process: out of the collector's sight, full
    # collections no longer rescan it (they paused a loaded server for 200-600 ms).
    gc.freeze()
    return app


# -- several processes ---------------------------------------------------------------
RESTARTS_ALLOWED = 5  # children that die within RESTART_WINDOW_S before the server gives up
RESTART_WINDOW_S = 60.0
STOP_WAIT_S = 10.0


def listening_socket(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """One listening TCP socket for every process: the kernel hands each new connection
    to whichever process accepts it first."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} / "
            f"เปิดรับการเชื่อมต่อที่ {host}:{port} ไม่ได้"
        ) from None
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _die_with_parent() -> None:
    """Linux: this child gets SIGTERM when the supervising process dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's SIGTERM still reaches it
        pass


def supervise(processes: int, child, sock: socket.socket) -> int:
    """Fork `processes` children that each run `child()`; start a new one for each that
    dies (more than RESTARTS_ALLOWED deaths in RESTART_WINDOW_S: stop, exit 1); on
    SIGTERM or SIGINT stop them all (SIGTERM, then SIGKILL after STOP_WAIT_S), exit 0."""
    children: set[int] = set()
    deaths: deque[float] = deque()
    stopping: list[int] = []

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _die_with_parent()
                child()
                code = 0
            except BaseException:  # noqa: BLE001 - a child reports and ends, never returns
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        children.add(pid)

    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: stopping.append(signum))
    for _ in range(processes):
        spawn()
    code = 0
    while not stopping:
        pid, _status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.2)
            continue
        children.discard(pid)
        now = time.monotonic()
        deaths.append(now)
        while deaths and now - deaths[0] > RESTART_WINDOW_S:
            deaths.popleft()
        if len(deaths) > RESTARTS_ALLOWED:
            click.echo(
                f"error / ข้อผิดพลาด: server processes keep dying ({len(deaths)} in "
                f"{RESTART_WINDOW_S:.0f} s); stopping / โพรเซสของเซิร์ฟเวอร์หยุดทำงานซ้ำ ๆ "
                f"จึงหยุดให้บริการ",
                err=True,
            )
            code = 1
            break
        spawn()
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_S
    while children and time.monotonic() < deadline:
        pid, _status = os.waitpid(-1, os.WNOHANG)
        if pid:
            children.discard(pid)
        else:
            time.sleep(0.1)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    sock.close()
    return code


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
