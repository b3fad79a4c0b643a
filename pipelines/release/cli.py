"""Release governance commands, mounted on the top-level ``fivestar`` CLI.

``fivestar login | logout | whoami | ticket | releases | approve | reject |
withdraw | audit | users`` (``fivestar stage`` and ``publish`` live in
``pipelines/cli.py``; ``fivestar service …`` runs the service itself).

Every command is a client of the review service: it reads no users file and
no audit database, so no environment variable can change whose rules apply.
Who you are comes from a token (``fivestar login`` stores one per OS user;
``FIVESTAR_REVIEW_TOKEN`` for service accounts) or, with ``--user`` /
``FIVESTAR_USER``, from your password (``FIVESTAR_PASSWORD`` or a hidden
prompt) checked by the service. Exit codes: 0 ok, 1 refused or failed,
2 usage, 3 not permitted or not signed in.

Text other people typed (comments, reasons, names) is printed as text, never
as markup, with control characters shown as escapes (``\\x1b``), so a
comment cannot repaint or hide anything in your terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipelines.release import client as service
from pipelines.release.approvals import WITHDRAW_MODES
from pipelines.release.embargo import UK, parse_time
from pipelines.release.users import Role

commands = typer.Typer(no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="Review service accounts (admins only).", no_args_is_help=True)
commands.add_typer(users_app, name="users")
console = Console()
err = Console(stderr=True)

USER_OPTION = typer.Option(None, "--user", envvar="FIVESTAR_USER",
                           help="Sign in with this user's password instead of a token.")

# C0 and C1 controls, DEL, and Unicode line/paragraph separators and bidi overrides.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(value: object) -> Text:
    """User-supplied text as inert terminal text: no markup, controls escaped."""
    def esc(m: re.Match) -> str:
        code = ord(m.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return Text(_CONTROL.sub(esc, "" if value is None else str(value)))


def _fail(exc: Exception, code: int = 1) -> typer.Exit:
    err.print(Text.assemble(("refused", "red"), ": ", visible(exc)))
    return typer.Exit(code)


def _exit_code(exc: service.ServiceError) -> int:
    return 3 if isinstance(exc, service.NotAuthenticated | service.PermissionDenied) else 1


@contextmanager
def signed_in(username: str | None = None) -> Iterator[service.ReviewServiceClient]:
    """A client carrying the caller's identity (see the module docstring)."""
    client = service.ReviewServiceClient()
    once = False
    try:
        if username:
            password = os.environ.get("FIVESTAR_PASSWORD")
            if password is None:
                password = typer.prompt(f"Password for {username}", hide_input=True)
            client.login(username, password, label="cli (one command)")
            once = True
        else:
            client.token = service.stored_token()
            if not client.token:
                err.print("not signed in: run `fivestar login` (or pass --user)")
                raise typer.Exit(3)
        yield client
    except service.ServiceError as exc:
        raise _fail(exc, _exit_code(exc)) from None
    finally:
        if once and client.token:
            with suppress(service.ServiceError):
                client.logout()


def _when(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(UK).strftime("%Y-%m-%d %H:%M %Z")


@commands.command()
def login(username: str = typer.Argument(None, envvar="FIVESTAR_USER"),
          user: str = typer.Option(None, "--user", help="The user name, as the other "
                                   "commands take it (same as the argument).")) -> None:
    """Sign in to the review service and keep a token for this OS user (12 hours)."""
    username = user or username
    if not username:
        username = typer.prompt("User name")
    password = os.environ.get("FIVESTAR_PASSWORD") or typer.prompt(
        f"Password for {username}", hide_input=True)
    client = service.ReviewServiceClient()
    try:
        out = client.login(username, password)
    except service.ServiceError as exc:
        raise _fail(exc, _exit_code(exc)) from None
    path = service.save_token(out["token"])
    console.print(Text.assemble("signed in as ", visible(out["username"]),
                                f" until {_when(out['expires_at'])}; token in {path}"))


@commands.command()
def logout() -> None:
    """Revoke this OS user's token."""
    token = service.stored_token()
    if token:
        with suppress(service.ServiceError):
            service.ReviewServiceClient(token=token).logout()
    with suppress(FileNotFoundError):
        service.token_file().unlink()
    console.print("signed out")


@commands.command()
def whoami(user: str | None = USER_OPTION) -> None:
    """Who the review service says you are."""
    with signed_in(user) as client:
        me = client.me()
    console.print(Text.assemble(visible(me["username"]), f" ({', '.join(me['roles'])})"))


@commands.command()
def ticket(
    dataset: str = typer.Argument(..., help="Dataset id."),
    period: str | None = typer.Option(None, help="Only this release period."),
    user: str | None = USER_OPTION,
) -> None:
    """Print a staging ticket (for a run launched in Dagster: tag fivestar/ticket)."""
    with signed_in(user) as client:
        out = client.ticket(dataset, period)
    console.print(out["ticket"], markup=False, soft_wrap=True)
    err.print(f"valid once, until {_when(out['expires_at'])}")


@commands.command()
def releases(
    all_: bool = typer.Option(False, "--all", help="Include published, rejected, withdrawn."),
    dataset: str | None = typer.Option(None, help="Only this dataset."),
    user: str | None = USER_OPTION,
) -> None:
    """List staged releases and their approval state."""
    with signed_in(user) as client:
        shown = client.releases(all_states=all_, dataset_id=dataset)
    table = Table(title="Releases" if all_ else "Releases awaiting approval or publication")
    for col in ("release", "dataset", "period", "stars", "state", "staged by", "scheduled"):
        table.add_column(col, overflow="fold")
    for r in shown:
        table.add_row(r["release_id"][:16], visible(r["dataset_id"]), visible(r["period"] or "-"),
                      str(r["stars"] or "-"), r["state"],
                      visible(", ".join(r["stagers"]) or "-"), _when(r["scheduled"]))
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
    try:
        when = datetime.now(UTC) if release_at == "now" else parse_time(release_at)
    except ValueError:
        err.print("--release-at must be ISO 8601 or 'now'")
        raise typer.Exit(2) from None
    with signed_in(user) as client:
        entry = client.approve(release, comment, when)
        info = client.release(entry["release_id"])
    console.print(Text.assemble("approved ", (entry["release_id"], "bold"), " (",
                                visible(info["dataset_id"]), "); goes public at ",
                                _when(info["scheduled"])))


@commands.command()
def reject(
    release: str = typer.Argument(..., help="Release id (or its first 8+ hex digits)."),
    comment: str = typer.Option(..., "--comment", help="Why it may not go out (required)."),
    user: str | None = USER_OPTION,
) -> None:
    """Reject a staged release, or revoke an approval not yet published."""
    with signed_in(user) as client:
        entry = client.reject(release, comment)
    console.print(Text.assemble("rejected ", (entry["release_id"], "bold")))


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
    """Withdraw a dataset's pending or published release; the service updates CKAN."""
    if mode not in WITHDRAW_MODES:
        err.print("--mode must be 'notice', 'private' or 'delete'")
        raise typer.Exit(2)
    with signed_in(user) as client:
        result = client.withdraw(dataset, reason, mode=mode, catalogue=catalogue)
    console.print(Text.assemble("withdrawal of ", visible(dataset),
                                f" recorded ({len(result['entries'])} audit entries)"))
    if result["catalogue_error"]:
        err.print(f"[red]the decision is recorded, but CKAN was not updated[/]: "
                  f"{result['catalogue_error']}; rerun this command to retry")
        raise typer.Exit(1)
    if catalogue:
        shown = {"notice": "withdrawn (notice on its page, files removed)",
                 "delete": "deleted", "private": "private"}[mode]
        console.print(Text.assemble(visible(dataset), f" is {shown} in the catalogue"))


@commands.command()
def audit(
    dataset: str | None = typer.Option(None, help="Only this dataset."),
    limit: int = typer.Option(50, help="Newest N entries."),
    verify: bool = typer.Option(False, "--verify", help="Only check the log: every MAC, the "
                                "chain, the anchors; exit 1 on any break."),
    user: str | None = USER_OPTION,
) -> None:
    """Show the audit log (newest first); the service checks its keyed chain and anchors."""
    with signed_in(user) as client:
        entries = [] if verify else client.audit(dataset, limit)
        report = client.verify()
    if not verify:
        table = Table(title="Audit log")
        for col in ("#", "when (UK)", "who", "role", "dataset", "release", "decision",
                    "comment"):
            table.add_column(col, overflow="fold")
        for e in entries:
            table.add_row(str(e["id"]), _when(e["at"]), visible(e["actor"]), visible(e["role"]),
                          visible(e["dataset_id"]), visible((e["release_id"] or "-")[:12]),
                          visible(e["decision"]), visible(e["comment"]))
        console.print(table)
    if not report["ok"]:
        err.print(f"[bold red]AUDIT LOG BROKEN[/]: {len(report['breaks'])} problem(s) in "
                  f"{report['entries']} entries")
        for b in report["breaks"][:50]:
            err.print(Text.assemble("  ", visible(f"entry {b['seq']}" if b["seq"] else "log"),
                                    ": ", visible(b["message"]), f" [{b['code']}]"))
        raise typer.Exit(1)
    console.print(f"audit log verified: {report['entries']} entries, keyed chain intact, "
                  f"{report['anchors_checked']} anchors match (head {report['head_seq']})")
    checked = report.get("catalogue_checked")
    if checked is None:
        err.print("[yellow]the catalogue was not compared with the log[/] (the service "
                  "could not ask it)")
    else:
        console.print(f"catalogue matches the log: {checked} public dataset(s), each "
                      "showing a release the log published")
    linked = report.get("linked_checked")
    if linked is None:
        err.print("[yellow]the triple store was not compared with the log[/] (the service "
                  "could not ask it, or linked data is off)")
    else:
        console.print(f"triple store matches the log: {linked} live graph(s), each a "
                      "published release's approved RDF, its series or the vocabulary")


@users_app.command("list")
def users_list(user: str | None = USER_OPTION) -> None:
    """List accounts and their roles (never hashes)."""
    with signed_in(user) as client:
        users = client.users()
    table = Table(title="Review service accounts")
    for col in ("user", "name", "roles", "password"):
        table.add_column(col, overflow="fold")
    for u in users:
        table.add_row(visible(u["username"]), visible(u["name"]), ", ".join(u["roles"]),
                      "set" if u["password"] else "none (SSO or token only)")
    console.print(table)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(...),
    role: list[Role] = typer.Option(..., "--role", help="Repeat for several roles."),
    name: str = typer.Option("", help="Display name."),
    sso_only: bool = typer.Option(False, "--sso-only", help="No password (proxy login only)."),
    user: str | None = USER_OPTION,
) -> None:
    """Add or replace an account (an admin, signed in to the service).

    The new password comes from FIVESTAR_NEW_PASSWORD or a hidden prompt.
    """
    password = None
    if not sso_only:
        password = os.environ.get("FIVESTAR_NEW_PASSWORD") or typer.prompt(
            f"New password for {username}", hide_input=True, confirmation_prompt=True)
    with signed_in(user) as client:
        added = client.add_user(username, [r.value for r in role], password, name)
    console.print(Text.assemble(visible(added["username"]), ": ", ", ".join(added["roles"])))
