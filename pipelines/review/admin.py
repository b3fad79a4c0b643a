"""``fivestar service …``: set up and run the review service on its host.

These commands work on the service's home folder directly, so only root or
the service's own OS user can use them: on the pipeline host a statistician
or operator gets "permission denied", which is the point. Everyone else uses
the service through its API (``fivestar login``, ``approve``, …).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import typer
from rich.console import Console

from pipelines import paths
from pipelines.errors import FivestarError
from pipelines.release.authority import SERVICE_TOKEN_TTL, Authority
from pipelines.release.home import SERVICE_USER, ServiceConfig, ServiceHome, chown_tree
from pipelines.release.users import Role
from pipelines.review.service import separated

service_app = typer.Typer(help="Set up and run the review service (on its host, as root).",
                          no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def default_home() -> Path:
    return Path(os.environ.get("FIVESTAR_REVIEW_HOME") or paths.STATE_DIR / "review")


HOME_OPTION = typer.Option(None, "--home", help="Service home (default .fivestar/review).")


def _home(home: Path | None) -> ServiceHome:
    return ServiceHome(Path(home) if home else default_home())


def hand_to_service(home: ServiceHome) -> None:
    """Hand what a root-run command wrote back to the service user."""
    if separated():
        chown_tree(home.path, SERVICE_USER)


def init_home(home: ServiceHome, *, db_url: str | None = None, ckan_url: str | None = None,
              ckan_token: str | None = None, releases_root: Path | None = None,
              public_origin: str | None = None) -> ServiceHome:
    """Create the home (idempotent; keys are never replaced), owned by the service user.

    The catalogue credentials only the service holds (CKAN's publisher token, the
    triple store's publisher password: what makes data public and takes it down) are
    copied into it.
    """
    from pipelines.linkeddata.store import read_publisher_password

    config = ServiceConfig(db_url=db_url, ckan_url=ckan_url,
                           releases_root=str(releases_root or paths.releases_dir()),
                           public_origin=public_origin)
    home.init(config, owner=SERVICE_USER if separated() else None, ckan_token=ckan_token,
              fuseki_password=read_publisher_password())
    return home


@service_app.command("init")
def init(
    home: Path | None = HOME_OPTION,
    db_url: str | None = typer.Option(None, help="Audit database URL (default SQLite in the "
                                      "home; e.g. postgresql+psycopg2://…)."),
    ckan_url: str | None = typer.Option(None, help="The catalogue the service publishes on."),
    ckan_token_file: Path | None = typer.Option(None, help="File holding the service's CKAN "
                                                "API token (copied into the home)."),
    releases_root: Path | None = typer.Option(None, help="The pipeline's releases folder."),
) -> None:
    """Create the service home: keys, configuration, 0700, owned by fivestar-review."""
    token = ckan_token_file.read_text().strip() if ckan_token_file else None
    h = init_home(_home(home), db_url=db_url, ckan_url=ckan_url, ckan_token=token,
                  releases_root=releases_root)
    console.print(f"review service home ready: {h.path} (public key {h.public_key_path})")


@service_app.command("add-user")
def add_user(
    username: str = typer.Argument(...),
    role: list[Role] = typer.Option(..., "--role", help="Repeat for several roles."),
    name: str = typer.Option("", help="Display name."),
    no_password: bool = typer.Option(False, "--no-password",
                                     help="SSO or token only (service accounts)."),
    home: Path | None = HOME_OPTION,
) -> None:
    """Add an account directly in the users file (bootstrap the first admin with this)."""
    h = _home(home)
    password = None
    if not no_password:
        password = os.environ.get("FIVESTAR_NEW_PASSWORD") or typer.prompt(
            f"New password for {username}", hide_input=True, confirmation_prompt=True)
    try:
        authority = Authority(h)  # file access is the authority here: no admin check
        user = authority.users().add(username, list(role), password, name=name)
        authority.records.end_sessions_of(username)
    except FivestarError as exc:
        err.print(f"[red]refused[/]: {exc}")
        raise typer.Exit(1) from None
    hand_to_service(h)
    console.print(f"{user.username}: {', '.join(sorted(r.value for r in user.roles))}")


@service_app.command("issue-token")
def issue_token(
    username: str = typer.Argument(..., help="An existing account (e.g. fivestar-publisher)."),
    out: Path = typer.Option(..., help="Write the token here (0600)."),
    days: int = typer.Option(SERVICE_TOKEN_TTL.days, help="Valid for this many days."),
    home: Path | None = HOME_OPTION,
) -> None:
    """A long-lived token for a service account (the publication sensor)."""
    h = _home(home)
    authority = Authority(h)
    user = authority.user(username)
    if user is None:
        err.print(f"[red]no account {username}[/]")
        raise typer.Exit(1)
    token, expires = authority.issue_token(user, "service account", timedelta(days=days))
    write_token(out, token)
    hand_to_service(h)
    console.print(f"token for {username} written to {out} (expires {expires:%Y-%m-%d})")


def write_token(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")


@service_app.command("public-key")
def public_key(home: Path | None = HOME_OPTION) -> None:
    """Print the public half of the signing key (what the catalogue trusts)."""
    console.print(_home(home).public_key_path.read_text(), end="", markup=False)


@service_app.command("serve")
def serve_cmd(
    home: Path | None = HOME_OPTION,
    host: str = typer.Option("127.0.0.1", help="Listen address (keep loopback; put a TLS "
                             "proxy in front to share it)."),
    port: int | None = typer.Option(None, help="Port (default FIVESTAR_REVIEW_PORT or 8765)."),
) -> None:
    """Run the service in this process (as the service's OS user: see `start`)."""
    from pipelines.review import review_port, serve

    console.print(f"review service: http://{host}:{port or review_port()}/")
    serve(_home(home).path, host=host, port=port)


@service_app.command("start")
def start_cmd(
    home: Path | None = HOME_OPTION,
    port: int | None = typer.Option(None, help="Port (default FIVESTAR_REVIEW_PORT or 8765)."),
) -> None:
    """Start the service in the background as fivestar-review (run as root)."""
    from pipelines.review import review_port
    from pipelines.review.service import port_open, start, wait_ready

    port = port or review_port()
    url = f"http://127.0.0.1:{port}"
    if port_open(port):
        console.print(f"something already listens on {url}")
        return
    proc = start(_home(home).path, port, paths.STATE_DIR / "logs" / "review.log")
    (paths.STATE_DIR / "review.pid").write_text(str(proc.pid))
    if not wait_ready(url, proc):
        err.print(f"[red]the review service did not start[/]; see "
                  f"{paths.STATE_DIR / 'logs' / 'review.log'}")
        raise typer.Exit(1)
    who = SERVICE_USER if separated() else "the current user (not root: no OS separation)"
    console.print(f"review service: {url} (running as {who})")
