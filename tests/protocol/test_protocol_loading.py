"""Loading YAML: built-in names, files, and errors that name the YAML path and line."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from trialdesk.errors import ProtocolError
from trialdesk.protocol import BUILTIN_PROTOCOLS, load_protocol, protocol_from_yaml

RESORT_YAML = (resources.files("trialdesk.protocol") / "resort.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_builtins_load_by_name_in_any_case() -> None:
    assert set(BUILTIN_PROTOCOLS) == {"resort", "three_arm_example"}
    assert load_protocol("RESORT") is load_protocol("resort")


def test_a_file_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(RESORT_YAML)
    assert load_protocol(path) == load_protocol("resort")
    assert load_protocol(str(path)).fingerprint == load_protocol("resort").fingerprint


def test_unknown_name_lists_the_builtins() -> None:
    with pytest.raises(ProtocolError, match="built-in protocols: resort, three_arm_example"):
        load_protocol("no-such-protocol")


def test_error_names_path_and_line_of_a_bad_value() -> None:
    text = RESORT_YAML.replace("dose_mg: 400", "dose_mg: -400")
    with pytest.raises(ProtocolError) as caught:
        protocol_from_yaml(text, source="trial.yaml")
    line = _line_of(text, "dose_mg: -400")
    assert str(caught.value) == f"trial.yaml, arms[0].dose_mg: must be positive, line {line}"
    assert caught.value.field == "arms[0].dose_mg"


def test_error_in_the_second_arm_names_index_one() -> None:
    text = RESORT_YAML.replace("    name: Observation", "    name: Observation\n    dose_mg: 0")
    with pytest.raises(ProtocolError) as caught:
        protocol_from_yaml(text)
    assert caught.value.field == "arms[1].dose_mg"
    assert caught.value.message == f"must be positive, line {_line_of(text, 'dose_mg: 0')}"


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ("metastases_resected <= 3", "metastases_resected <= 'three'", "eligibility[3].rule",
         "metastases_resected <= 'three'"),
        ("block_sizes: [2, 4, 6]", "block_sizes: [2, 3]", "randomisation.block_sizes[1]", "block_sizes"),
        ("metastasis_site == 'lung'", "metastasis_site == 'liver'", "stratification_factors[1].derive.lung",
         "metastasis_site == 'liver'"),
        ("  conf_type: log", "  conf_type: logit", "analysis.conf_type", "conf_type: logit"),
        ("  - name: disease_site", "  - name: site", "stratification_factors[1].name", "- name: site"),
        ("title: Rand", "titel: x\ntitle: Rand", "titel", "titel: x"),
        ("months_between(nephrectomy_date, metastases_diagnosis_date) > 12", "eval('1')",
         "stratification_factors[0].derive.>12m", "eval("),
    ],
)
def test_every_kind_of_error_points_at_its_line(old: str, new: str, field: str, needle: str) -> None:
    text = RESORT_YAML.replace(old, new, 1)
    with pytest.raises(ProtocolError) as caught:
        protocol_from_yaml(text, source="trial.yaml")
    assert caught.value.field == field
    assert caught.value.message.endswith(f", line {_line_of(text, needle)}")


def test_missing_section_is_required() -> None:
    text = RESORT_YAML.replace("visit_schedule:", "visit_plan:")
    with pytest.raises(ProtocolError) as caught:
        protocol_from_yaml(text)
    assert caught.value.field == "visit_schedule"
    assert caught.value.message.startswith("is required")
    assert "visit_plan: is not a known key here" in str(caught.value)


@pytest.mark.parametrize("text", ["arms: [", "- just\n- a list\n", "", "id: 2012-02-30\n",
                                  "id: !!python/object/apply:os.system [ls]\n"])
def test_text_that_is_not_a_protocol_mapping(text: str) -> None:
    with pytest.raises(ProtocolError, match="YAML"):
        protocol_from_yaml(text, source="x.yaml")


def test_a_key_given_twice_is_an_error() -> None:
    text = RESORT_YAML.replace("  window_days: 7", "  window_days: 7\n  window_days: 14")
    with pytest.raises(ProtocolError) as caught:
        protocol_from_yaml(text, source="trial.yaml")
    assert caught.value.field == "visit_schedule.window_days"
    assert str(caught.value).startswith(
        f"trial.yaml, visit_schedule.window_days: is given twice, line {_line_of(text, 'window_days: 14')}")
