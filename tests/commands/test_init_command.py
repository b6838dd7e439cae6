"""``trialdesk init``: schema, trial and first admin; the password never comes from argv."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.errors import ConflictError, InputError
from trialdesk.services import check_password
from trialdesk.store import create_engine, session_factory, verify_audit
from trialdesk.store.models import Trial

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


def test_init_creates_trial_and_admin_from_a_password_file(make_database: Callable[[], str],
                                                           tmp_path: Path) -> None:
    url = make_database()
    password_file = tmp_path / "admin.pw"
    password_file.write_text("a long admin password\n")
    result = runner.invoke(app, ["init", "--protocol", "resort", "--db", url, "--admin-user", "boss",
                                 "--admin-password-file", str(password_file)])
    assert result.exit_code == 0, result.output
    assert "trial RESORT (protocol version 1.0), admin boss" in result.stdout
    engine = create_engine(url)
    with session_factory(engine)() as session:
        actor = check_password(session, "boss", "a long admin password")
        assert actor is not None
        assert actor.role == "admin"
        with session.begin():
            assert session.scalar(select(Trial.code)) == "RESORT"
        assert verify_audit(session).ok
    engine.dispose()


def test_init_prompts_for_the_password_without_a_file(make_database: Callable[[], str]) -> None:
    url = make_database()
    result = runner.invoke(app, ["init", "--protocol", "resort", "--db", url, "--admin-user", "boss"],
                           input="prompted password!\nprompted password!\n")
    assert result.exit_code == 0, result.output
    assert "prompted password!" not in result.stdout
    engine = create_engine(url)
    with session_factory(engine)() as session:
        assert check_password(session, "boss", "prompted password!") is not None
    engine.dispose()


@pytest.mark.parametrize("option", ["--admin-password", "--password"])
def test_there_is_no_password_option(option: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--protocol", "resort", "--db", f"sqlite:///{tmp_path}/t.db",
                                 "--admin-user", "boss", option, "secret secret"])
    assert result.exit_code == 2


def test_a_second_init_of_the_same_protocol_is_a_conflict(make_database: Callable[[], str],
                                                          tmp_path: Path) -> None:
    url = make_database()
    password_file = tmp_path / "admin.pw"
    password_file.write_text("a long admin password")
    arguments = ["init", "--protocol", "resort", "--db", url, "--admin-user", "boss",
                 "--admin-password-file", str(password_file)]
    assert runner.invoke(app, arguments).exit_code == 0
    again = runner.invoke(app, arguments)
    assert isinstance(again.exception, ConflictError)
    assert again.exception.field == "protocol"


def test_a_refused_admin_password_leaves_the_database_ready_for_another_init(
        make_database: Callable[[], str], tmp_path: Path) -> None:
    url = make_database()
    password_file = tmp_path / "admin.pw"
    password_file.write_text("short")
    arguments = ["init", "--protocol", "resort", "--db", url, "--admin-user", "boss",
                 "--admin-password-file", str(password_file)]
    refused = runner.invoke(app, arguments)
    assert isinstance(refused.exception, InputError)
    assert refused.exception.field == "password"
    password_file.write_text("a long admin password")
    assert runner.invoke(app, arguments).exit_code == 0
