"""Sites and users: admin-only set-up, Argon2id hashes, password checks, site links."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.services.service_factory import PASSWORD, TrialUsers
from trialdesk.errors import ConflictError, InputError, PermissionDeniedError
from trialdesk.services import audit_trail, check_password, create_site, create_user, list_sites
from trialdesk.store.models import User


def test_passwords_are_stored_as_argon2id_and_checked(db: Session, users: TrialUsers) -> None:
    with db.begin():
        stored = db.scalar(select(User.password_hash).where(User.username == "investigator"))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    actor = check_password(db, "investigator", PASSWORD)
    assert actor == users.investigator
    assert actor.sites == frozenset({"MI01"})
    assert check_password(db, "investigator", PASSWORD + "x") is None
    assert check_password(db, "nobody", PASSWORD) is None


def test_password_hashes_never_reach_the_audit_trail(db: Session, users: TrialUsers) -> None:
    hashes = [e.new_value for e in audit_trail(db, users.monitor, table_name="users")
              if e.field == "password_hash"]
    assert hashes
    assert all(value.startswith('"sha256:') for value in hashes)


@pytest.mark.parametrize(("arguments", "field"), [
    (("short", "monitor", ()), "password"),
    ((PASSWORD, "superuser", ()), "role"),
    ((PASSWORD, "investigator", ()), "sites"),
    ((PASSWORD, "monitor", ("MI01",)), "sites"),
    ((PASSWORD, "investigator", ("XX99",)), "sites"),
])
def test_bad_users_are_refused_naming_the_field(db: Session, users: TrialUsers,
                                                arguments: tuple[str, str, tuple[str, ...]],
                                                field: str) -> None:
    password, role, sites = arguments
    with pytest.raises(InputError) as raised:
        create_user(db, users.admin, "new_user", password, role, sites)
    assert raised.value.field == field


def test_only_admins_set_up_and_names_are_unique(db: Session, users: TrialUsers) -> None:
    with pytest.raises(PermissionDeniedError):
        create_site(db, users.statistician, "TO01", "Torino")
    with pytest.raises(PermissionDeniedError):
        create_user(db, users.investigator, "x", PASSWORD, "monitor")
    with pytest.raises(ConflictError):
        create_site(db, users.admin, "MI01", "Milano again")
    with pytest.raises(ConflictError):
        create_user(db, users.admin, "monitor", PASSWORD, "monitor")
    create_site(db, users.admin, "TO01", "Torino")
    assert [site.code for site in list_sites(db, users.admin)] == ["MI01", "RM01", "TO01"]
    assert [site.code for site in list_sites(db, users.investigator)] == ["MI01"]
