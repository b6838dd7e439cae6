"""The protocol model: RESORT's facts, the three-arm example, and the model's own checks."""

from __future__ import annotations

import copy

import pytest
import yaml
from pydantic import ValidationError

from trialdesk.protocol import Protocol, load_protocol


@pytest.fixture(scope="module")
def resort_data() -> dict:
    return yaml.safe_load(load_protocol("resort").to_yaml())


def test_resort_encodes_the_reported_design() -> None:
    """Facts from ../shared/RESORT.md."""
    resort = load_protocol("resort")
    assert (resort.id, resort.version) == ("RESORT", "1.0")
    assert resort.arm_codes == ("sorafenib", "observation")
    assert resort.allocation_ratio == (1, 1)
    sorafenib, observation = resort.arms
    assert (sorafenib.dose_mg, sorafenib.doses_per_day, sorafenib.daily_dose_mg) == (400, 2, 800.0)
    assert sorafenib.max_duration_weeks == 52
    assert observation.treatment is None
    assert observation.daily_dose_mg is None
    assert observation.max_duration_weeks is None
    assert resort.arm("observation") is observation
    assert [f.name for f in resort.screening_fields] == [
        "birth_date", "sex", "prior_nephrectomy", "nephrectomy_date", "histology",
        "metastases_diagnosis_date", "metastasis_site", "metastases_resected", "resection_complete",
        "metastasectomy_date"]
    assert [(f.name, f.levels) for f in resort.stratification_factors] == [
        ("nephrectomy_to_metastases", (">12m", "<=12m")), ("disease_site", ("lung", "other")),
        ("lesions", ("single", "multiple"))]
    assert resort.randomisation.scheme == "permuted_blocks"
    assert resort.visit_schedule.restaging_interval_weeks == 12
    assert resort.primary_endpoint.code == "rfs"
    assert resort.primary_endpoint.events == ("relapse", "death")
    assert resort.analysis.landmark_months == (12, 24)
    assert resort.analysis.conf_type == "log"
    assert resort.analysis.subgroups == ("nephrectomy_to_metastases", "disease_site", "lesions")
    assert resort.interim is not None
    assert resort.interim.spending == "asOF"
    assert resort.enrolment is not None
    assert resort.enrolment.planned_patients == 76


def test_three_arm_example_is_two_to_one_to_one() -> None:
    example = load_protocol("three_arm_example")
    assert example.allocation_ratio == (2, 1, 1)
    assert len(example.arms) == 3
    assert example.randomisation.scheme == "minimisation"
    assert example.stratification_factors[1].level_probabilities == (0.4, 0.6)
    assert example.stratification_factors[0].level_probabilities == (0.5, 0.5)


def test_yaml_round_trip_keeps_the_fingerprint() -> None:
    for name in ("resort", "three_arm_example"):
        protocol = load_protocol(name)
        again = Protocol.model_validate(yaml.safe_load(protocol.to_yaml()))
        assert again == protocol
        assert again.fingerprint == protocol.fingerprint


def test_fingerprint_changes_with_any_content(resort_data: dict) -> None:
    changed = copy.deepcopy(resort_data)
    changed["visit_schedule"]["window_days"] = 8
    assert Protocol.model_validate(changed).fingerprint != load_protocol("resort").fingerprint


@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_json_schema_shows_rules_as_text(mode: str) -> None:
    schema = Protocol.model_json_schema(mode=mode)
    assert schema["$defs"]["Criterion"]["properties"]["rule"]["type"] == "string"


def test_protocol_is_immutable() -> None:
    resort = load_protocol("resort")
    with pytest.raises(ValidationError):
        resort.title = "changed"  # type: ignore[misc]


def test_arm_lookup_names_the_arms() -> None:
    with pytest.raises(KeyError, match="sorafenib"):
        load_protocol("resort").arm("placebo")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(allocation_ratio=[1, 1, 1]), "3 entries for 2 arms"),
        (lambda d: d["arms"][1].update(code="sorafenib"), "used twice"),
        (lambda d: d["randomisation"].update(block_sizes=[3]), "not a multiple"),
        (lambda d: d["analysis"].update(subgroups=["age"]), "not a stratification factor"),
        (lambda d: d["endpoints"][0].update(primary=False), "exactly one endpoint"),
        (lambda d: d["arms"][0].pop("doses_per_day"), "needs dose_mg and doses_per_day"),
        (lambda d: d["arms"][1].update(dose_mg=10), "needs a treatment"),
        (lambda d: d["interim"].update(information_fraction=[0.6, 0.5]), "increase"),
        (lambda d: d["interim"].update(information_fraction=[0.5, 0.9]), "final analysis"),
        (lambda d: d["interim"].update(events=[20, 40]), "not both"),
        (lambda d: d["stratification_factors"][0].update(prevalence={">12m": 0.5, "<=12m": 0.6}),
         "add up to 1"),
        (lambda d: d["screening_fields"][1].update(choices=[]), "needs choices"),
        (lambda d: d["randomisation"].update(scheme="minimisation", weights={"age": 2}),
         "not a stratification factor"),
    ],
)
def test_model_checks_refuse_inconsistent_protocols(resort_data: dict, edit, message: str) -> None:
    data = copy.deepcopy(resort_data)
    edit(data)
    with pytest.raises(ValidationError, match=message):
        Protocol.model_validate(data)
