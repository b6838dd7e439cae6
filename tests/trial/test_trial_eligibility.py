"""Eligibility on RESORT's criteria: met, failed (with the site's messages), missing, deferred."""

from __future__ import annotations

import datetime as dt

import pytest

from trialdesk.errors import InputError
from trialdesk.protocol import load_protocol
from trialdesk.trial.eligibility import assess_eligibility


def test_eligible_patient_at_screening_defers_the_window(resort, make_screening) -> None:
    e = assess_eligibility(resort, make_screening())
    assert e.eligible is True
    assert (e.reasons, e.failed, e.missing) == ((), (), ())
    assert dict(e.outcomes)["randomisation_window"] == "deferred"


@pytest.mark.parametrize(
    ("days_after_metastasectomy", "eligible"),
    [(0, True), (84, True), (85, False), (-1, False)],
)
def test_randomisation_within_84_days_after_metastasectomy(resort, make_screening,
                                                           days_after_metastasectomy: int,
                                                           eligible: bool) -> None:
    randomised = dt.date(2013, 6, 10) + dt.timedelta(days=days_after_metastasectomy)
    e = assess_eligibility(resort, make_screening(), randomisation_date=randomised)
    assert e.eligible is eligible
    assert e.failed == (() if eligible else ("randomisation_window",))


def test_every_failed_criterion_is_reported_with_its_message(resort, make_screening) -> None:
    e = assess_eligibility(resort, make_screening(prior_nephrectomy=False, histology="other",
                                                  resection_complete=False, metastases_resected=4),
                           randomisation_date="2013-12-01")
    assert e.eligible is False
    assert e.failed == ("prior_nephrectomy", "clear_cell_histology", "radical_excision",
                        "at_most_three_metastases", "randomisation_window")
    assert e.reasons[0] == "The patient must have had a previous nephrectomy."
    assert e.reasons[3] == "No more than 3 metastases may have been resected."
    assert len(e.reasons) == 5


def test_missing_fields_make_the_patient_not_assessable(resort, make_screening) -> None:
    e = assess_eligibility(resort, make_screening(histology=None, sex=None))
    assert e.eligible is None
    assert e.missing == ("sex", "histology")
    assert e.failed == ()
    assert dict(e.outcomes)["clear_cell_histology"] == "missing"


def test_a_failure_outweighs_missing_data(resort, make_screening) -> None:
    e = assess_eligibility(resort, make_screening(histology=None, metastases_resected=5))
    assert e.eligible is False
    assert e.failed == ("at_most_three_metastases",)
    assert e.missing == ("histology",)


def test_missing_window_field_at_randomisation(resort, make_screening) -> None:
    e = assess_eligibility(resort, make_screening(metastasectomy_date=None), randomisation_date="2013-07-01")
    assert e.eligible is None
    assert e.missing == ("metastasectomy_date",)


def test_raw_texts_are_coerced_first(resort, make_screening) -> None:
    e = assess_eligibility(resort, make_screening(prior_nephrectomy="no", metastases_resected="3"))
    assert e.failed == ("prior_nephrectomy",)


def test_bad_input_names_the_field(resort, make_screening) -> None:
    with pytest.raises(InputError) as caught:
        assess_eligibility(resort, make_screening(), randomisation_date="next week")
    assert caught.value.field == "randomisation_date"
    with pytest.raises(InputError) as caught:
        assess_eligibility(resort, make_screening(metastasis_site="liver"))
    assert caught.value.field == "metastasis_site"


def test_exclusion_criteria_and_optional_fields() -> None:
    """Three-arm example: prior chemotherapy excludes; creatinine clearance is optional."""
    example = load_protocol("three_arm_example")
    screening = {"consent_date": "2024-01-10", "ecog": "1", "stage": "II", "prior_chemotherapy": "false"}
    assert assess_eligibility(example, screening, randomisation_date="2024-02-07").eligible is True
    excluded = assess_eligibility(example, {**screening, "prior_chemotherapy": "true"})
    assert excluded.failed == ("no_prior_chemotherapy",)
    assert excluded.reasons == ("Patients with prior chemotherapy are excluded.",)


def test_summary_lists_each_criterion(resort, make_screening) -> None:
    table = assess_eligibility(resort, make_screening(histology="other")).summary()
    assert list(table.columns["criterion"]) == [c.name for c in resort.eligibility]
    assert list(table.columns["outcome"]) == ["met", "failed", "met", "met", "deferred"]
