"""Who is acting: the signed-in user's id, role and sites, and what each role may do.

Roles (issue 5): investigator and data_manager enter data for their own sites' patients;
statistician reads all data and the allocation list, enters none; monitor reads everything
and the audit trail, writes nothing; admin manages users, sites and the trial set-up.
A patient of another site is reported as not found (``NotFoundError``), never as forbidden,
so a site cannot learn which subject ids exist elsewhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from trialdesk.errors import PermissionDeniedError
from trialdesk.store.audit import AuditContext

__all__ = [
    "DATA_ENTRY_ROLES",
    "READ_ALL_ROLES",
    "SYSTEM",
    "Actor",
    "Role",
    "require_role",
]

logger = logging.getLogger(__name__)

Role = Literal["admin", "statistician", "data_manager", "investigator", "monitor"]

#: Roles that screen, randomise and record data, for their own sites only.
DATA_ENTRY_ROLES: frozenset[Role] = frozenset({"investigator", "data_manager"})
#: Roles that read every site's patients.
READ_ALL_ROLES: frozenset[Role] = frozenset({"statistician", "monitor"})


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller of a service: user id (None for the system), username, role, site codes."""

    user_id: int | None
    username: str
    role: Role
    sites: frozenset[str] = frozenset()

    def audit_context(self, reason: str | None) -> AuditContext:
        """Who and why, as the audit trail records it."""
        return AuditContext(user_id=self.user_id, username=self.username, reason=reason)

    def sees_site(self, site_code: str) -> bool:
        """True when the actor may see the patients of ``site_code``."""
        return self.role in READ_ALL_ROLES or (self.role in DATA_ENTRY_ROLES and site_code in self.sites)


#: The actor of set-up done from the command line (``trialdesk init``).
SYSTEM = Actor(user_id=None, username="system", role="admin")


def require_role(actor: Actor, allowed: frozenset[Role] | set[Role], action: str) -> None:
    """Raise ``PermissionDeniedError`` unless the actor's role is in ``allowed``."""
    if actor.role not in allowed:
        logger.info("denied: %s (%s) may not %s", actor.username, actor.role, action)
        raise PermissionDeniedError(f"the {actor.role} role may not {action}")
