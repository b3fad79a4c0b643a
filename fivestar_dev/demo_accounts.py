"""The demo's review-service accounts, with public passwords: ``make demo`` and tests only.

Kept out of the ``pipelines`` package (and so out of the wheel): a production
service has no account whose password is printed in a README.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.release.authority import SERVICE_TOKEN_TTL, Authority
from pipelines.release.home import ServiceHome
from pipelines.release.users import PUBLISHER, Role, UserDirectory
from pipelines.review.admin import hand_to_service, init_home, write_token

#: Demo accounts for `make demo` only. The passwords are public (they are in
#: the README); the file is written into the demo's review-service home.
DEMO_USERS: dict[str, tuple[str, Role, str]] = {
    "stats.demo": ("Demo Statistician", Role.statistician, "stats-demo-password"),
    "champion.demo": ("Demo Transparency Champion", Role.transparency_champion,
                      "champion-demo-password"),
    "admin.demo": ("Demo Administrator", Role.admin, "admin-demo-password"),
    "ops.demo": ("Demo Pipeline Operator", Role.operator, "ops-demo-password"),
}


def create_demo_users(path: Path) -> Path:
    """Write (or refresh) the demo accounts into the users file; return its path."""
    directory = UserDirectory.load(path)
    for username, (name, role, password) in DEMO_USERS.items():
        rec = directory.records.get(username)
        if rec and rec.get("roles") == [role.value] and rec.get("password_hash") and \
                directory.authenticate(username, password):
            continue  # unchanged: keep the hash (argon2 is slow on purpose)
        directory.add(username, [role], password, name=name)
    if PUBLISHER not in directory.records:
        directory.add(PUBLISHER, [Role.publisher], None, name="Publication sensor")
    return directory.path


def demo_setup(home: ServiceHome, *, ckan_url: str, ckan_token: str | None,
               publisher_token_file: Path, releases_root: Path | None = None) -> None:
    """The demo's service: home, demo accounts, the publisher's token (all idempotent)."""
    init_home(home, ckan_url=ckan_url, ckan_token=ckan_token, releases_root=releases_root)
    create_demo_users(home.users_path)
    if not publisher_token_file.exists():
        authority = Authority(home)
        token, _ = authority.issue_token(authority.user(PUBLISHER), "publication sensor",
                                         SERVICE_TOKEN_TTL)
        write_token(publisher_token_file, token)
    hand_to_service(home)
