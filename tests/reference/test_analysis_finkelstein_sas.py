"""Finkelstein's interval-censored log-rank test against SAS's published numbers.

Data: the breast cosmesis study (Finkelstein 1986), 46 patients with radiotherapy alone (RT)
and 48 with radiotherapy plus chemotherapy (RCT), months; "." is a right-censored interval.
Printed in the SAS/STAT user's guide, PROC ICLIFETEST, "Getting Started" and Example 62.4.
SAS's numbers are printed to 4 decimals, so they are compared to 1e-4.
"""

from __future__ import annotations

import numpy as np
import pytest

from trialdesk.analysis.interval_censored import finkelstein_scores, finkelstein_test

RT = ("45 . 25 37 37 . 6 10 46 . 0 5 0 7 26 40 18 . 46 . 46 . 24 . 46 . 27 34 36 . 7 16 36 44 "
      "5 11 17 . 46 . 19 35 7 14 36 48 17 25 37 44 37 . 24 . 0 8 40 . 32 . 4 11 17 25 33 . "
      "15 . 46 . 19 26 11 15 11 18 37 . 22 . 38 . 34 . 46 . 5 12 36 . 46 .")
RCT = ("8 12 0 5 30 34 0 22 5 8 13 . 24 31 12 20 10 17 17 27 11 . 8 21 17 23 33 40 4 9 24 30 "
       "31 . 11 . 16 24 13 39 14 19 13 . 19 32 4 8 11 13 34 . 34 . 16 20 13 . 30 36 18 25 "
       "16 24 18 24 17 26 35 . 16 60 32 . 15 22 35 39 23 . 11 17 21 . 44 48 22 32 11 20 14 17 "
       "10 35 48 .")


def _intervals(text: str) -> tuple[np.ndarray, np.ndarray]:
    values = [np.inf if token == "." else float(token) for token in text.split()]
    return np.array(values[0::2]), np.array(values[1::2])


@pytest.fixture(scope="module")
def cosmesis():
    (l_rt, r_rt), (l_rct, r_rct) = _intervals(RT), _intervals(RCT)
    left, right = np.concatenate([l_rt, l_rct]), np.concatenate([r_rt, r_rct])
    return left, right, ["RT"] * l_rt.size + ["RCT"] * l_rct.size


def test_the_data_are_as_published(cosmesis):
    _, right, arm = cosmesis
    assert (arm.count("RT"), arm.count("RCT")) == (46, 48)
    assert int(np.isinf(right).sum()) == 38  # 38 right-censored, 56 finite intervals


def test_scores_and_permutation_z_equal_sas(cosmesis):
    """SAS: PROC ICLIFETEST DATA=bcs; TIME (lTime, rTime); TEST trt / WEIGHT=FINKELSTEIN
    OUTSCORE=out; then PROC NPAR1WAY DATA=out SCORES=DATA; CLASS trt; VAR score:
    statistic (sum of RT's scores) S = -9.9442, Z = -2.6839, two-sided Pr > |Z| = 0.0073."""
    left, right, arm = cosmesis
    scores = finkelstein_scores(left, right)
    assert scores[:46].sum() == pytest.approx(-9.9442, abs=1e-4)
    test = finkelstein_test(left, right, arm, control="RT")
    assert abs(test.z) == pytest.approx(2.6839, abs=1e-4)
    assert test.p_value == pytest.approx(0.0073, abs=1e-4)
    assert test.z < 0  # chemotherapy added: earlier deterioration, not favourable
