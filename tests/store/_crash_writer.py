"""A stream of audited writes for the crash test: prints ``ACK <n>`` after each commit.

Run as ``python _crash_writer.py URL``; the test kills it with SIGKILL mid-stream.
Each write is one transaction adding a site and renaming the previous one (an insert and
an update, with their audit records).
"""

from __future__ import annotations

import sys

from trialdesk.store import AuditContext, audited_transaction, create_engine, session_factory
from trialdesk.store.models import Site, Trial


def main(url: str) -> None:
    engine = create_engine(url)
    session = session_factory(engine)()
    with session.begin():
        trial_id = session.query(Trial.id).scalar()
    previous: Site | None = None
    for number in range(1, 1_000_000):
        with audited_transaction(session, AuditContext(user_id=None, username="writer",
                                                       reason=f"write {number}")):
            site = Site(trial_id=trial_id, code=f"S{number:06d}", name=f"site {number}")
            session.add(site)
            if previous is not None:
                previous.name = f"site {number - 1} (renamed)"
        previous = site
        sys.stdout.write(f"ACK {number}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
