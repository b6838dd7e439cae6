"""Sites and users: create them (admin), check a password, load the acting user.

Passwords are stored only as Argon2id hashes (argon2-cffi's ``PasswordHasher``, RFC 9106
defaults); a password has at least 12 characters. Site roles (investigator, data_manager)
need at least one site; the other roles see all sites or none and take no site links.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, NotFoundError
from trialdesk.services.actors import DATA_ENTRY_ROLES, Actor, Role, require_role
from trialdesk.services.trials import trial_by_code
from trialdesk.store.audit import audited_transaction
from trialdesk.store.models import ROLES, Site, User, UserSite

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "SiteView",
    "UserView",
    "actor_for",
    "check_new_user",
    "check_password",
    "create_site",
    "create_user",
    "list_sites",
]

logger = logging.getLogger(__name__)

#: The shortest password accepted.
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True, slots=True)
class SiteView:
    """A site as callers see it."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as callers see it (never the password hash)."""

    username: str
    role: Role
    sites: tuple[str, ...]


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # Argon2id with argon2-cffi's RFC 9106 low-memory profile


def create_site(session: Session, actor: Actor, code: str, name: str, *,
                trial_code: str | None = None) -> SiteView:
    """Add a site to the trial (the database's only trial unless ``trial_code`` names one).

    Raises
    ------
    PermissionDeniedError
        Unless the actor is an admin.
    ConflictError
        A site with this code exists already (``field="code"``).
    """
    require_role(actor, {"admin"}, "create sites")
    with audited_transaction(session, actor.audit_context("create site")):
        trial = trial_by_code(session, trial_code)
        if session.scalar(select(Site.id).where(Site.trial_id == trial.id, Site.code == code)):
            raise ConflictError("a site with this code exists", field="code", value=code)
        session.add(Site(trial_id=trial.id, code=code, name=name))
    logger.info("site %s created by %s", code, actor.username)
    return SiteView(code=code, name=name)


def list_sites(session: Session, actor: Actor) -> tuple[SiteView, ...]:
    """The sites the actor may see (admins, statisticians and monitors: all)."""
    with session.begin():
        sites = session.scalars(select(Site).order_by(Site.code)).all()
    return tuple(SiteView(code=site.code, name=site.name) for site in sites
                 if actor.role == "admin" or actor.sees_site(site.code))


def create_user(session: Session, actor: Actor, username: str, password: str, role: str,
                sites: Iterable[str] = ()) -> UserView:
    """Create a user with an Argon2id-hashed password and links to their sites.

    Raises
    ------
    PermissionDeniedError
        Unless the actor is an admin.
    InputError
        A password shorter than 12 characters, an unknown role, a site role without sites or
        another role with sites, an unknown site code (each naming the field).
    ConflictError
        The username is taken.
    """
    require_role(actor, {"admin"}, "create users")
    site_codes = tuple(dict.fromkeys(sites))
    check_new_user(password, role, site_codes)
    with audited_transaction(session, actor.audit_context("create user")):
        if session.scalar(select(User.id).where(User.username == username)):
            raise ConflictError("this username is taken", field="username", value=username)
        site_ids = _site_ids(session, site_codes)
        user = User(username=username, role=role, password_hash=_hasher().hash(password),
                    active=True, created_at=datetime.now(UTC))
        session.add(user)
        session.flush()
        session.add_all(UserSite(user_id=user.id, site_id=site_id) for site_id in site_ids)
    logger.info("user %s (%s) created by %s", username, role, actor.username)
    return UserView(username=username, role=role, sites=site_codes)  # type: ignore[arg-type]


def check_new_user(password: str, role: str, site_codes: tuple[str, ...] = ()) -> None:
    """The checks ``create_user`` makes before it writes anything (its ``InputError`` cases,
    except an unknown site code): for a caller that must not write at all when they fail."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"must have at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if role not in ROLES:
        raise InputError(f"must be one of {', '.join(ROLES)}", field="role", value=role)
    if role in DATA_ENTRY_ROLES and not site_codes:
        raise InputError(f"a {role} needs at least one site", field="sites")
    if role not in DATA_ENTRY_ROLES and site_codes:
        raise InputError(f"a {role} sees all sites or none and takes no site links", field="sites")


def _site_ids(session: Session, site_codes: tuple[str, ...]) -> list[int]:
    ids = dict(session.execute(select(Site.code, Site.id).where(Site.code.in_(site_codes))).all())
    for code in site_codes:
        if code not in ids:
            raise InputError("is not a site of this trial", field="sites", value=code)
    return [ids[code] for code in site_codes]


def actor_for(session: Session, username: str) -> Actor:
    """The acting user, with role and site codes; ``NotFoundError`` for an unknown or inactive user."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise NotFoundError(f"no active user {username!r}")
    codes = session.scalars(select(Site.code).join(UserSite, UserSite.site_id == Site.id)
                            .where(UserSite.user_id == user.id)).all()
    return Actor(user_id=user.id, username=user.username, role=user.role,  # type: ignore[arg-type]
                 sites=frozenset(codes))


def check_password(session: Session, username: str, password: str) -> Actor | None:
    """The actor when ``password`` is the active user's password, else None.

    An unknown username costs one hash verification too, so timing does not tell whether a
    username exists.
    """
    with session.begin():
        stored = session.scalar(select(User.password_hash).where(
            User.username == username, User.active.is_(True)))
        try:
            _hasher().verify(stored or _unknown_user_hash(), password)
        except (VerificationError, InvalidHashError):
            logger.info("failed password check for %s", username)
            return None
        if stored is None:
            return None
        return actor_for(session, username)


@cache
def _unknown_user_hash() -> str:
    return _hasher().hash("no such user: this hash only equalises timing")
