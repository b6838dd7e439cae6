"""Log-rank (rho 0), Peto-Peto (rho 1) and stratified log-rank against R survival 3.5-3.

Every number under "logrank", "logrank_rho1" and "logrank_stratified" in aml.json and lung.json
(../shared/reference) is compared: estimates 1e-6 absolute, p-values 1e-4, counts exactly.
``d`` is read as each JSON's meta.data_setup says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.conftest import load_reference
from tests.reference.reference_data import reference_frame
from tests.reference.tolerances import ESTIMATE, P_VALUE
from trialdesk.survival import logrank_test


def _cases() -> list[Any]:
    cases = []
    for name in ("aml", "lung"):
        reference = load_reference(name)
        cases.append(pytest.param(name, "logrank", None, 0.0, id=f"{name}-rho0"))
        cases.append(pytest.param(name, "logrank_rho1", None, 1.0, id=f"{name}-rho1"))
        for variable in reference["logrank_stratified"] or {}:
            cases.append(pytest.param(name, "logrank_stratified", variable, 0.0,
                                      id=f"{name}-strata-{variable}"))
    return cases


@pytest.mark.parametrize(("name", "block", "stratum", "rho"), _cases())
def test_logrank_matches_survdiff(name: str, block: str, stratum: str | None, rho: float) -> None:
    """R: survdiff(Surv(time, event) ~ arm, data = d, rho = rho); stratified:
    survdiff(Surv(time, event) ~ arm + strata(sex), data = d)."""
    data, reference = reference_frame(name)
    expected = reference[block] if stratum is None else reference[block][stratum]
    lr = logrank_test(data["time"], data["event"], data["arm"],
                      strata=None if stratum is None else data[stratum], rho=rho)
    assert lr.groups == tuple(expected["groups"])
    np.testing.assert_array_equal(lr.n, expected["n"])
    for field in ("observed", "expected"):
        np.testing.assert_allclose(getattr(lr, field), expected[field], rtol=0, atol=ESTIMATE)
    np.testing.assert_allclose(lr.observed - lr.expected, expected["o_minus_e"], rtol=0,
                               atol=ESTIMATE)
    np.testing.assert_allclose(lr.variance, expected["variance"], rtol=0, atol=ESTIMATE)
    assert lr.chisq == pytest.approx(expected["chisq"], abs=ESTIMATE)
    assert lr.df == expected["df"]
    assert lr.p_value == pytest.approx(expected["p"], abs=P_VALUE)
    assert lr.p_value == pytest.approx(expected["p"], rel=1e-6)
    if stratum is not None:
        assert lr.strata == tuple(label.split("=", 1)[1] for label in expected["strata"])
        np.testing.assert_allclose(lr.observed_by_stratum, expected["observed_by_stratum"],
                                   rtol=0, atol=ESTIMATE)
        np.testing.assert_allclose(lr.expected_by_stratum, expected["expected_by_stratum"],
                                   rtol=0, atol=ESTIMATE)
