"""The demo's folder and database: claim the folder, create the trial, its sites and users.

The folder belongs to the demo once it holds the marker file ``.trialdesk-demo`` (JSON: the
entries the demo wrote). ``claim_folder`` refuses a non-empty folder without the marker and,
in a previous demo's folder, removes exactly the entries the marker lists (names inside the
folder only), so a re-run starts fresh and leaves anything else alone; an unreadable marker
is refused too.

The database is the SQLite file ``trialdesk.sqlite``, set up as ``trialdesk init`` does
(schema, the built-in protocol bound to a trial) plus one site per site code and one user per
role (``DEMO_USERS``), each with a random password of 20 characters written to
``credentials.txt`` (readable by the owner only). The trial is created with the demo's seed
as its randomisation seed, so that ``--seed`` replays the same trial; a real trial's seed stays
the secret ``secrets`` draw.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from trialdesk.errors import ConflictError
from trialdesk.protocol import Protocol
from trialdesk.services import SYSTEM, Actor, Role, actor_for, create_site, create_trial, create_user
from trialdesk.store import create_engine, session_factory, upgrade

__all__ = ["CREDENTIALS_FILE", "DATABASE_FILE", "DEMO_USERS", "MARKER_FILE", "DemoDatabase", "claim_folder",
           "create_demo_database", "record_entries"]

logger = logging.getLogger(__name__)

MARKER_FILE = ".trialdesk-demo"
DATABASE_FILE = "trialdesk.sqlite"
CREDENTIALS_FILE = "credentials.txt"
#: Username and role of the demo's users; site roles are linked to every site.
DEMO_USERS: Mapping[str, Role] = {"admin": "admin", "statistician": "statistician",
                                  "datamanager": "data_manager", "investigator": "investigator",
                                  "monitor": "monitor"}
_SITE_ROLES = frozenset({"investigator", "data_manager"})


@dataclass(frozen=True, slots=True)
class DemoDatabase:
    """The demo's database URL and the actors who enter data."""

    url: str
    investigator: Actor
    data_manager: Actor
    passwords: Mapping[str, str]


def _marker_entries(folder: Path) -> list[str]:
    try:
        entries = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConflictError(f"holds an unreadable {MARKER_FILE} file; the demo will not guess what to "
                            "remove", field="out", value=str(folder),
                            hint="choose an empty or new folder with --out") from exc
    return [str(name) for name in entries if Path(name).name == name]


def record_entries(folder: Path, entries: Iterable[str]) -> None:
    """Write the marker: the folder is a demo's, and these entries are the demo's to remove."""
    names = sorted(set(entries) - {MARKER_FILE})
    (folder / MARKER_FILE).write_text(json.dumps({"entries": names}, indent=2), encoding="utf-8")


def claim_folder(folder: Path) -> frozenset[str]:
    """Make ``folder`` ready for a fresh demo run (module doc); return the entries left that
    are not the demo's.

    Raises
    ------
    ConflictError
        ``folder`` is a file, or a non-empty folder that is not a previous demo's.
    """
    if folder.exists() and not folder.is_dir():
        raise ConflictError("is a file, not a folder", field="out", value=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        if not (folder / MARKER_FILE).is_file():
            raise ConflictError("is not empty and not a previous trialdesk demo; the demo will not "
                                "overwrite it", field="out", value=str(folder),
                                hint="choose an empty or new folder with --out")
        for name in _marker_entries(folder):
            path = folder / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        logger.info("removed the previous demo's files in %s", folder)
    others = frozenset(path.name for path in folder.iterdir()) - {MARKER_FILE}
    record_entries(folder, [DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm",
                            CREDENTIALS_FILE])
    return others


def _write_credentials(folder: Path, passwords: Mapping[str, str]) -> None:
    path = folder / CREDENTIALS_FILE
    path.touch(mode=0o600)
    path.write_text("trialdesk demo users (username, role, password)\n" + "".join(
        f"{user}\t{DEMO_USERS[user]}\t{password}\n" for user, password in passwords.items()),
        encoding="utf-8")


def create_demo_database(folder: Path, protocol: Protocol, sites: Iterable[str], *,
                         seed: int) -> DemoDatabase:
    """Create ``folder/trialdesk.sqlite`` with the trial, sites and users (module doc)."""
    url = f"sqlite:///{(folder / DATABASE_FILE).resolve()}"
    engine = create_engine(url)
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            create_trial(session, SYSTEM, protocol, randomisation_seed=seed)
            codes = tuple(sites)
            for code in codes:
                create_site(session, SYSTEM, code, f"Demo hospital {code}")
            passwords = {user: secrets.token_urlsafe(15) for user in DEMO_USERS}
            for user, role in DEMO_USERS.items():
                create_user(session, SYSTEM, user, passwords[user], role,
                            codes if role in _SITE_ROLES else ())
            with session.begin():
                investigator = actor_for(session, "investigator")
                data_manager = actor_for(session, "datamanager")
    finally:
        engine.dispose()
    _write_credentials(folder, passwords)
    return DemoDatabase(url=url, investigator=investigator, data_manager=data_manager,
                        passwords=passwords)
