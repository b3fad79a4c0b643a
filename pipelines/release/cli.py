"""Release governance commands, mounted on the top-level ``fivestar`` CLI.

``fivestar releases | approve | reject | withdraw | audit | review | users``
(``fivestar publish`` lives in ``pipelines/cli.py``).

Decisions are authenticated exactly like the review app: the acting user
comes from ``--user`` or ``FIVESTAR_USER``, the password from
``FIVESTAR_PASSWORD`` or a hidden prompt, checked against the argon2 hash in
the users file; the same rules (roles, separation of duties) apply because
both call ``pipelines.release.approvals``. Exit codes: 0 ok, 1 refused or
failed, 2 usage, 3 not permitted.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import ckanapi
import requests
import typer
from rich.console import Console
from rich.table import Table

from pipelines.errors import FivestarError
from pipelines.release import approvals
from pipelines.release.audit import AuditStore
from pipelines.release.embargo import UK, parse_time
from pipelines.release.users import Role, User, UserDirectory, UsersError, create_demo_users

commands = typer.Typer(no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="Local review accounts (argon2-hashed passwords).",
                        no_args_is_help=True)
commands.add_typer(users_app, name="users")
console = Console()
err = Console(stderr=True)

USER_OPTION = typer.Option(None, "--user", envvar="FIVESTAR_USER",
                           help="Acting user (or FIVESTAR_USER).")


def _fail(exc: Exception, code: int = 1) -> typer.Exit:
    err.print(f"[red]refused[/]: {exc}")
    return typer.Exit(code)


def _authenticate(username: str | None, *, directory: UserDirectory | None = None) -> User:
    """The acting user, after checking their password (FIVESTAR_PASSWORD or a prompt)."""
    if not username:
        err.print("say who you are: --user NAME or FIVESTAR_USER")
        raise typer.Exit(2)
    directory = directory or UserDirectory.load()
    password = os.environ.get("FIVESTAR_PASSWORD")
    if password is None:
        password = typer.prompt(f"Password for {username}", hide_input=True)
    user = directory.authenticate(username, password)
    if user is None:
        err.print("[red]wrong user name or password[/]")
        raise typer.Exit(3)
    return user


def _when(value: datetime | None) -> str:
    return value.astimezone(UK).strftime("%Y-%m-%d %H:%M %Z") if value else "-"


@commands.command()
def releases(
    all_: bool = typer.Option(False, "--all", help="Include published, rejected, withdrawn."),
    dataset: str | None = typer.Option(None, help="Only this dataset."),
) -> None:
    """List staged releases and their approval state."""
    store = AuditStore()
    shown = approvals.list_releases(
        store, states=None if all_ else {approvals.AWAITING, approvals.APPROVED})
    table = Table(title="Releases" if all_ else "Releases awaiting approval or publication")
    for col in ("release", "dataset", "period", "stars", "state", "staged by", "scheduled"):
        table.add_column(col, overflow="fold")
    for r in shown:
        if dataset and r.dataset_id != dataset:
            continue
        table.add_row(r.id[:16], r.dataset_id, r.manifest.get("period") or "-",
                      str((r.manifest.get("stars") or {}).get("rating", "-")),
                      r.status.state, ", ".join(sorted(r.status.stagers)) or "-",
                      _when(r.scheduled))
    console.print(table)


@commands.command()
def approve(
    release: str = typer.Argument(..., help="Release id (or its first 8+ hex digits)."),
    comment: str = typer.Option("", "--comment", help="Why it may go out."),
    release_at: str | None = typer.Option(
        None, "--release-at", help="Release time (ISO 8601, or 'now') when the spec announced "
        "none; default: next weekday 09:30 UK time."),
    user: str | None = USER_OPTION,
) -> None:
    """Approve a staged release (Transparency Champion; never the person who staged it)."""
    actor = _authenticate(user)
    store = AuditStore()
    try:
        when = datetime.now(UTC) if release_at == "now" else parse_time(release_at)
        path = approvals.find_release(release)
        entry = approvals.approve(store, path, actor, comment, release_at=when)
        info = approvals.load_release(path, store)
    except approvals.PermissionDenied as exc:
        raise _fail(exc, 3) from None
    except (FivestarError, ValueError) as exc:
        raise _fail(exc) from None
    console.print(f"approved [bold]{entry.release_id}[/] ({info.dataset_id}); "
                  f"goes public at {_when(info.scheduled)}")


@commands.command()
def reject(
    release: str = typer.Argument(..., help="Release id (or its first 8+ hex digits)."),
    comment: str = typer.Option(..., "--comment", help="Why it may not go out (required)."),
    user: str | None = USER_OPTION,
) -> None:
    """Reject a staged release, or revoke an approval not yet published."""
    actor = _authenticate(user)
    try:
        entry = approvals.reject(AuditStore(), approvals.find_release(release), actor, comment)
    except approvals.PermissionDenied as exc:
        raise _fail(exc, 3) from None
    except FivestarError as exc:
        raise _fail(exc) from None
    console.print(f"rejected [bold]{entry.release_id}[/]")


def ckan_client():
    """The configured catalogue's client (see pipelines.ckan_resource)."""
    from pipelines.ckan_resource import connect

    return connect()


@commands.command()
def withdraw(
    dataset: str = typer.Argument(..., help="Dataset id."),
    reason: str = typer.Option(..., "--reason", help="Why (recorded and shown publicly)."),
    mode: str = typer.Option(os.environ.get("FIVESTAR_WITHDRAW_MODE", "notice"), "--mode",
                             help="CKAN: 'notice' (findable, withdrawn notice, files removed), "
                                  "'private' (hide) or 'delete'."),
    catalogue: bool = typer.Option(True, "--catalogue/--no-catalogue",
                                   help="Also take it out of CKAN (default)."),
    user: str | None = USER_OPTION,
) -> None:
    """Withdraw a dataset's pending or published release, and hide it in CKAN."""
    if mode not in approvals.WITHDRAW_MODES:
        err.print("--mode must be 'notice', 'private' or 'delete'")
        raise typer.Exit(2)
    actor = _authenticate(user)
    try:
        result = approvals.withdraw(AuditStore(), dataset, actor, reason)
    except approvals.PermissionDenied as exc:
        raise _fail(exc, 3) from None
    except FivestarError as exc:
        raise _fail(exc) from None
    console.print(f"withdrawal of {dataset} recorded ({len(result.entries)} audit entries)")
    if not catalogue:
        return
    try:
        approvals.withdraw_from_catalogue(ckan_client(), dataset, reason, mode)
    except ckanapi.NotFound:
        console.print(f"{dataset} is not in the catalogue; nothing to hide")
        return
    except (ckanapi.CKANAPIError, requests.RequestException) as exc:  # no secrets in the name
        err.print(f"[red]the decision is recorded, but CKAN was not updated[/]: "
                  f"{type(exc).__name__}; rerun this command to retry")
        raise typer.Exit(1) from None
    shown = {"notice": "withdrawn (notice on its page, files removed)", "delete": "deleted",
             "private": "private"}[mode]
    console.print(f"{dataset} is {shown} in the catalogue")


@commands.command()
def audit(
    dataset: str | None = typer.Option(None, help="Only this dataset."),
    limit: int = typer.Option(50, help="Newest N entries."),
) -> None:
    """Show the audit log (newest first) and check its hash chain."""
    store = AuditStore()
    table = Table(title="Audit log")
    for col in ("#", "when (UK)", "who", "role", "dataset", "release", "decision", "comment"):
        table.add_column(col, overflow="fold")
    for e in store.entries(dataset_id=dataset, newest_first=True, limit=limit):
        table.add_row(str(e.id), _when(e.at), e.actor, e.role, e.dataset_id,
                      (e.release_id or "-")[:12], e.decision.value, e.comment)
    console.print(table)
    broken = store.verify_chain()
    if broken:
        err.print(f"[red]hash chain broken at entries {broken}[/]")
        raise typer.Exit(1)


@commands.command()
def review(
    host: str = typer.Option("127.0.0.1", help="Listen address (keep loopback; put a TLS "
                             "proxy in front to share it)."),
    port: int | None = typer.Option(None, help="Port (default FIVESTAR_REVIEW_PORT or 8765)."),
) -> None:
    """Start the review web app for the Transparency Champion."""
    from pipelines.review import review_port, serve

    console.print(f"review app: http://{host}:{port or review_port()}/")
    serve(host=host, port=port)


@users_app.command("list")
def users_list() -> None:
    """List accounts and their roles (never hashes)."""
    directory = UserDirectory.load()
    table = Table(title=f"Users in {directory.path}")
    for col in ("user", "name", "roles", "password"):
        table.add_column(col, overflow="fold")
    for u in directory.list():
        has_pw = bool(directory.records[u.username].get("password_hash"))
        table.add_row(u.username, u.name, ", ".join(sorted(r.value for r in u.roles)),
                      "set" if has_pw else "none (SSO only)")
    console.print(table)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(...),
    role: list[Role] = typer.Option(..., "--role", help="Repeat for several roles."),
    name: str = typer.Option("", help="Display name."),
    sso_only: bool = typer.Option(False, "--sso-only", help="No password (proxy login only)."),
    user: str | None = USER_OPTION,
) -> None:
    """Add or replace an account (an admin must authenticate once an admin exists).

    The new password comes from FIVESTAR_NEW_PASSWORD or a hidden prompt.
    """
    directory = UserDirectory.load()
    if directory.has_admin():
        actor = _authenticate(user, directory=directory)
        if not actor.has(Role.admin):
            err.print("[red]only an admin can manage users[/]")
            raise typer.Exit(3)
    password = None
    if not sso_only:
        password = os.environ.get("FIVESTAR_NEW_PASSWORD") or typer.prompt(
            f"New password for {username}", hide_input=True, confirmation_prompt=True)
    try:
        added = directory.add(username, list(role), password, name=name)
    except UsersError as exc:
        raise _fail(exc) from None
    console.print(f"{added.username}: {', '.join(sorted(r.value for r in added.roles))} "
                  f"in {directory.path}")


@users_app.command("demo")
def users_demo() -> None:
    """Create the demo accounts (stats.demo, champion.demo, admin.demo) under the state folder."""
    from pipelines.release.users import DEMO_USERS

    path = create_demo_users()
    for username, (_n, r, password) in DEMO_USERS.items():
        console.print(f"{username} ({r.value}) password: {password}")
    console.print(f"written to {path}")
