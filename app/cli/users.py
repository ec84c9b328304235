"""`planner user ...`: logins and roles."""

from __future__ import annotations

import json
import sys

import click

from app.cli.common import (
    _fail,
    _open_case_store,
    main,
)
from cases.model import ROLES


@main.group()
def user() -> None:
    """Manage logins (ผู้ใช้)."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
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
    """Create a user NAME with a role (สร้างผู้ใช้)."""
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
        _fail_both(exc)
    click.echo(
        f"created user {created.username} ({created.role})"
        f" / สร้างผู้ใช้ {created.username} ({created.role}) แล้ว"
    )


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
@click.option("--role", required=True, type=click.Choice(ROLES))
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
