"""Users and roles: argon2-hashed local accounts and the trusted SSO header."""

import pytest
import yaml

from fivestar_dev.demo_accounts import DEMO_USERS, create_demo_users
from pipelines.release.users import Role, UserDirectory, UsersError, user_from_headers


def test_passwords_are_stored_as_argon2_hashes(tmp_path):
    d = UserDirectory.load(tmp_path / "users.yaml")
    d.add("ann", ["statistician"], "correct horse battery", name="Ann")
    raw = (tmp_path / "users.yaml").read_text()
    assert "correct horse battery" not in raw
    assert yaml.safe_load(raw)["users"]["ann"]["password_hash"].startswith("$argon2id$")
    assert oct((tmp_path / "users.yaml").stat().st_mode & 0o777) == "0o600"
    again = UserDirectory.load(tmp_path / "users.yaml")
    user = again.authenticate("ann", "correct horse battery")
    assert user is not None and user.roles == {Role.statistician} and user.display == "Ann"
    assert again.authenticate("ann", "wrong password!!") is None
    assert again.authenticate("nobody", "correct horse battery") is None


def test_short_passwords_and_unknown_roles_are_refused(tmp_path):
    d = UserDirectory.load(tmp_path / "users.yaml")
    with pytest.raises(UsersError, match="at least 12"):
        d.add("ann", ["statistician"], "short")
    with pytest.raises(UsersError, match="unknown role"):
        d.add("ann", ["superuser"], "long enough password")


def test_malformed_users_file_is_an_error(tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text("users:\n  ann:\n    roles: [statistician]\n    pasword_hash: x\n")
    with pytest.raises(UsersError, match="unknown keys"):
        UserDirectory.load(path)


def test_demo_users(tmp_path):
    path = create_demo_users(tmp_path / "users.yaml")
    d = UserDirectory.load(path)
    for username, (_name, role, password) in DEMO_USERS.items():
        user = d.authenticate(username, password)
        assert user is not None and user.roles == {role}


def test_trusted_header_only_when_configured(tmp_path, monkeypatch):
    d = UserDirectory.load(tmp_path / "users.yaml")
    d.add("sso.champion", ["transparency_champion"], None)
    headers = {"X-Remote-User": "sso.champion"}
    monkeypatch.delenv("FIVESTAR_TRUSTED_USER_HEADER", raising=False)
    assert user_from_headers(headers, d) is None
    monkeypatch.setenv("FIVESTAR_TRUSTED_USER_HEADER", "X-Remote-User")
    user = user_from_headers(headers, d)
    assert user is not None and user.roles == {Role.transparency_champion}
    # Unknown user without a roles header: no access.
    assert user_from_headers({"X-Remote-User": "stranger"}, d) is None
    # SSO-only account (no password hash) cannot log in with a password.
    assert d.authenticate("sso.champion", "") is None
    monkeypatch.setenv("FIVESTAR_TRUSTED_ROLES_HEADER", "X-Remote-Roles")
    user = user_from_headers({"X-Remote-User": "stranger",
                              "X-Remote-Roles": "statistician, bogus"}, d)
    assert user is not None and user.roles == {Role.statistician}
