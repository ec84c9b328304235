"""`planner serve`: the web app under waitress, and its network checks.

With `--processes N` (N > 1, POSIX) the command makes the listening socket itself,
forks N processes that each create the app and run waitress on that socket, and
supervises them (docs/decisions/0034-several-server-processes.md).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
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
    app,
    *,
    host=None,
    port=None,
    threads,
    connection_limit,
    channel_timeout,
    https=False,
    trusted_proxy=None,
) -> dict:
    """The keyword arguments for `waitress.serve`: every limit bounded. Without `host`
    and `port` (waitress refuses them next to `sockets=`) only the limits and proxy."""
    options = {"host": host, "port": port} if host is not None or port is not None else {}
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
    type=click.IntRange(1, 32),
    envvar="PLANNER_PROCESSES",
    help="Server processes (โพรเซส) sharing the port; more than one needs a POSIX system "
    "(or PLANNER_PROCESSES).",
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
    limits = {
        "threads": threads,
        "connection_limit": connection_limit,
        "channel_timeout": channel_timeout,
        "https": https,
        "trusted_proxy": trusted_proxy,
    }
    behind = "  (HTTPS at the proxy)" if https else ""
    if processes > 1:
        if debug:
            raise click.UsageError(
                "--debug runs one process; leave out --processes.\n"
                "โหมด --debug ใช้โพรเซสเดียว กรุณาไม่ใส่ --processes"
            )
        if not hasattr(os, "fork"):
            raise click.ClickException(
                "--processes above 1 needs a POSIX system (Linux, macOS); on this system "
                "run one process, or several `planner serve` behind a reverse proxy.\n"
                "--processes มากกว่า 1 ใช้ได้เฉพาะระบบ POSIX (Linux, macOS) บนระบบนี้ให้ใช้โพรเซสเดียว "
                "หรือหลาย `planner serve` หลัง reverse proxy"
            )
        # Checked before forking, with the store disposed: no connection crosses a fork.
        if not is_loopback(host):
            refuse_demo_on_network(host, _open_case_store())
        sockets = _listening_sockets(host, port)
        click.echo(
            f"serving the planner at http://{host}:{port}{behind} with {processes} processes "
            f"(โพรเซส)  (Ctrl+C to stop)"
        )
        sys.exit(_supervise(sockets, processes, lambda: _serve_child(sockets, worker, limits)))
    from app import create_app

    app = create_app()
    # Network checks on the served instance (e.g. demo passwords) go here, before listening.
    refuse_demo_on_network(host, _open_case_store())
    _prepare(app, https=https, worker=worker)
    click.echo(f"serving the planner at http://{host}:{port}{behind}  (Ctrl+C to stop)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    import waitress

    waitress.serve(app, **waitress_options(app, host=host, port=port, **limits))


def _prepare(app, *, https: bool, worker: bool) -> None:
    """What every serving process does to its app after creating it, before serving."""
    if https:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if worker:  # reports and exports: jobs of this store, and those a dead process left
        from app.jobs_views import start_worker

        app.config["JOBS_WORKER"] = True
        start_worker(app)
    gc.freeze()  # startup objects live forever: rescanning them made multi-100-ms GC pauses


# Several processes on one port (POSIX): the parent listens and supervises, never
# creating the app (no database connection or thread may cross a fork).
STOP_GRACE_SECONDS = 5.0
RESTARTS_ALLOWED = 5  # children restarted within RESTART_WINDOW_SECONDS before giving up
RESTART_WINDOW_SECONDS = 60.0


def _listening_sockets(host: str, port: int) -> list:
    """Listening sockets for `host` and `port`, one per address it names (as waitress
    binds them: "localhost" may be 127.0.0.1 and ::1), made before any fork."""
    import socket

    name = host.strip("[]") if host not in ("", "*") else None
    try:
        found = socket.getaddrinfo(
            name, port, socket.AF_UNSPEC, socket.SOCK_STREAM, socket.IPPROTO_TCP, socket.AI_PASSIVE
        )
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc}\nเปิดบริการที่ {host}:{port} ไม่ได้: {exc}"
        ) from exc
    sockets, seen = [], set()
    try:
        for family, kind, proto, _, address in found:
            if (family, address[:2]) in seen:
                continue
            seen.add((family, address[:2]))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(1024)
            sock.setblocking(False)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc}\nเปิดบริการที่ {host}:{port} ไม่ได้: {exc}"
        ) from exc
    return sockets


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel sends this child SIGTERM when the parent dies (prctl)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(0)


def _serve_child(sockets: list, worker: bool, limits: dict) -> None:
    """One child: its own app over the shared sockets, until SIGTERM."""
    import waitress

    from app import create_app

    app = create_app()
    _prepare(app, https=limits["https"], worker=worker)
    waitress.serve(app, sockets=sockets, **waitress_options(app, **limits))


def _fork(run) -> int:
    """A child process running `run`; it never returns into the parent's code."""
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    # Held while forking: the child must not run the parent's handlers before its own.
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    pid = os.fork()
    if pid:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
        return pid
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C: the parent stops us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
        _die_with_parent(parent)
        run()
        code = 0
    except BaseException:  # noqa: BLE001 - report anything, then leave without cleanup
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _supervise(sockets: list, processes: int, run) -> int:
    """Keep `processes` children running `run`; on SIGTERM or SIGINT stop them and
    answer 0; when they keep dying, stop them and answer 1."""
    stopping = []
    previous = {
        sig: signal.signal(sig, lambda signum, frame: stopping.append(signum))
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    children: set[int] = set()
    restarts: deque[float] = deque()
    status = 0
    try:
        while len(children) < processes and not stopping:
            children.add(_fork(run))
        while not stopping:
            try:
                pid, code = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid, code = 0, 0
            if not pid or pid not in children:
                time.sleep(0.2)
                continue
            children.discard(pid)
            if stopping:
                break
            now = time.monotonic()
            restarts.append(now)
            while restarts and now - restarts[0] > RESTART_WINDOW_SECONDS:
                restarts.popleft()
            if len(restarts) > RESTARTS_ALLOWED:
                click.echo(
                    f"error / ข้อผิดพลาด: server processes keep dying ({len(restarts)} in "
                    f"{RESTART_WINDOW_SECONDS:.0f} s; see the errors above); stopping.\n"
                    f"โพรเซสของเซิร์ฟเวอร์หยุดทำงานซ้ำ ๆ ({len(restarts)} ครั้งใน "
                    f"{RESTART_WINDOW_SECONDS:.0f} วินาที ดูข้อผิดพลาดด้านบน) จึงหยุดบริการ",
                    err=True,
                )
                status = 1
                break
            click.echo(
                f"server process {pid} ended ({_how(code)}); starting another / "
                f"โพรเซส {pid} หยุดทำงาน กำลังเริ่มโพรเซสใหม่",
                err=True,
            )
            children.add(_fork(run))
    finally:
        _stop(children)
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _how(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"signal {os.WTERMSIG(code)}"
    return f"exit status {os.waitstatus_to_exitcode(code)}"


def _stop(children: set[int]) -> None:
    """SIGTERM every child, wait for them, SIGKILL those still running after the grace."""
    _signal(children, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while children:
        for pid in list(children):
            try:
                done = os.waitpid(pid, 0 if time.monotonic() > deadline else os.WNOHANG)[0]
            except ChildProcessError:
                done = pid
            if done:
                children.discard(pid)
        if children and time.monotonic() > deadline:
            _signal(children, signal.SIGKILL)
        elif children:
            time.sleep(0.05)


def _signal(children: set[int], sig: int) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


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
