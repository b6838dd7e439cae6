"""Strata: RESORT's levels derived by the documented conventions, labels, parsing."""

from __future__ import annotations

import pytest

from trialdesk.errors import InputError
from trialdesk.protocol import load_protocol
from trialdesk.trial.strata import UNSTRATIFIED, Stratum, all_strata, derive_stratum, parse_stratum_label


def test_label_of_a_resort_patient(resort, make_screening) -> None:
    stratum = derive_stratum(resort, make_screening())
    assert stratum.label == "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single"
    assert dict(stratum.levels) == {"nephrectomy_to_metastases": ">12m", "disease_site": "lung",
                                    "lesions": "single"}


@pytest.mark.parametrize(
    ("diagnosis", "level"),
    [("2011-02-02", ">12m"),    # 366 days after 2010-02-01: 12.02 months
     ("2011-02-01", "<=12m"),   # 365 days: 11.99 months
     ("2010-03-01", "<=12m")],
)
def test_more_than_12_months_means_more_than_365_25_days(resort, make_screening, diagnosis: str,
                                                         level: str) -> None:
    stratum = derive_stratum(resort, make_screening(metastases_diagnosis_date=diagnosis))
    assert stratum.levels["nephrectomy_to_metastases"] == level


@pytest.mark.parametrize(("resected", "level"), [(1, "single"), (2, "multiple"), (3, "multiple")])
def test_single_is_one_lesion_multiple_two_or_three(resort, make_screening, resected: int,
                                                    level: str) -> None:
    assert derive_stratum(resort, make_screening(metastases_resected=resected)).levels["lesions"] == level


def test_missing_field_is_named(resort, make_screening) -> None:
    with pytest.raises(InputError) as caught:
        derive_stratum(resort, make_screening(metastasis_site=None))
    assert caught.value.field == "metastasis_site"


def test_all_strata_are_the_eight_combinations_first_factor_slowest(resort) -> None:
    strata = all_strata(resort)
    assert len(strata) == 8
    assert strata[0].label == "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single"
    assert strata[1].label == "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:multiple"
    assert strata[-1].label == "nephrectomy_to_metastases:<=12m|disease_site:other|lesions:multiple"
    assert all(parse_stratum_label(resort, s.label) == s for s in strata)


@pytest.mark.parametrize(
    "label",
    ["disease_site:lung|nephrectomy_to_metastases:>12m|lesions:single",   # not protocol order
     "nephrectomy_to_metastases:>12m|site:bone|lesions:single",   # unknown level
     "nephrectomy_to_metastases:>12m|disease_site:lung",                  # factor missing
     "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single|age:old",
     "lung"],
)
def test_bad_labels_are_refused(resort, label: str) -> None:
    with pytest.raises(InputError):
        parse_stratum_label(resort, label)


def test_rules_giving_two_levels_are_an_error(resort, make_screening) -> None:
    broken = resort.model_copy(update={"stratification_factors": (
        resort.stratification_factors[0].model_copy(update={"derive": {
            ">12m": resort.stratification_factors[0].derive[">12m"],
            "<=12m": resort.stratification_factors[0].derive[">12m"]}}),)})
    with pytest.raises(InputError, match="2 levels"):
        derive_stratum(broken, make_screening())


def test_protocol_without_factors_has_one_stratum(resort) -> None:
    plain = resort.model_copy(update={"stratification_factors": ()})
    assert [s.label for s in all_strata(plain)] == [UNSTRATIFIED]
    assert parse_stratum_label(plain, UNSTRATIFIED) == Stratum.from_levels(plain, {})


def test_three_arm_example_strata() -> None:
    example = load_protocol("three_arm_example")
    stratum = derive_stratum(example, {"ecog": "2", "stage": "III"})
    assert stratum.label == "ecog:1|stage:III"
