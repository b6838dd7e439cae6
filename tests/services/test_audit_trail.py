"""Reading the audit trail: admins and monitors only, secrets as digests, filters and paging."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.services.service_factory import SCREENED, TrialUsers, make_screening
from trialdesk.errors import PermissionDeniedError
from trialdesk.services import audit_trail, screen
from trialdesk.store.models import Trial


def test_monitor_reads_the_trail_with_the_seed_only_as_a_digest(db: Session, users: TrialUsers) -> None:
    with db.begin():
        seed = db.scalar(select(Trial.randomisation_seed))
    entries = audit_trail(db, users.monitor, table_name="trials")
    seed_entry = next(e for e in entries if e.field == "randomisation_seed")
    assert seed_entry.new_value.startswith('"sha256:')
    assert all(str(seed) not in (e.new_value or "") for e in entries)


def test_filters_and_paging(db: Session, users: TrialUsers) -> None:
    screen(db, users.investigator, "MI01", make_screening(), screening_date=SCREENED)
    mine = audit_trail(db, users.admin, username="investigator")
    assert {e.table_name for e in mine} == {"patients"}
    assert {e.reason for e in mine} == {"screen"}
    newest_first = [e.seq for e in audit_trail(db, users.admin, limit=5)]
    assert newest_first == sorted(newest_first, reverse=True)
    assert [e.seq for e in audit_trail(db, users.admin, limit=3, before_seq=newest_first[1])] == \
        newest_first[2:5]


@pytest.mark.parametrize("role", ["statistician", "investigator", "data_manager"])
def test_other_roles_may_not_read_the_trail(db: Session, users: TrialUsers, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        audit_trail(db, getattr(users, role))
