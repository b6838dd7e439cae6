"""The demo's folder: refuse someone else's, clear exactly a previous demo's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialdesk.demo.workspace import MARKER_FILE, claim_folder, record_entries
from trialdesk.errors import ConflictError


def test_new_or_empty_folder_is_claimed(tmp_path: Path) -> None:
    assert claim_folder(tmp_path / "new") == frozenset()
    assert (tmp_path / "new" / MARKER_FILE).is_file()


def test_folder_with_other_files_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("1,2")
    with pytest.raises(ConflictError, match="not a previous trialdesk demo") as caught:
        claim_folder(tmp_path)
    assert caught.value.field == "out"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("x")
    with pytest.raises(ConflictError, match="is a file"):
        claim_folder(tmp_path / "report.html")


def test_previous_demo_files_are_removed_and_others_kept(tmp_path: Path) -> None:
    (tmp_path / "adam").mkdir()
    (tmp_path / "adam" / "adsl.csv").write_text("old")
    (tmp_path / "report.html").write_text("old")
    (tmp_path / "notes.txt").write_text("mine")
    record_entries(tmp_path, ["adam", "report.html"])
    assert claim_folder(tmp_path) == frozenset({"notes.txt"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER_FILE, "notes.txt"]


def test_unreadable_marker_is_refused(tmp_path: Path) -> None:
    (tmp_path / MARKER_FILE).write_text("not json")
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ConflictError, match="unreadable"):
        claim_folder(tmp_path)
    assert (tmp_path / "keep.txt").is_file()
