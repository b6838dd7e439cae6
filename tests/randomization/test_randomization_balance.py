"""The balance report, counted by hand."""

from __future__ import annotations

import pytest
from numpy.testing import assert_array_equal

from trialdesk.errors import InputError
from trialdesk.randomization import PriorAllocation
from trialdesk.randomization.balance import balance_report
from trialdesk.trial.strata import all_strata


def test_counts_and_imbalance_by_hand(resort) -> None:
    """Three in stratum 0 (lung, single, >12m): S, S, O; one in stratum 7 (other, multiple, <=12m): S."""
    first, last = all_strata(resort)[0], all_strata(resort)[7]
    allocations = [PriorAllocation(first.label, first.levels, arm) for arm in ("sorafenib", "sorafenib",
                                                                               "observation")]
    allocations.append(PriorAllocation(last.label, last.levels, "sorafenib"))
    report = balance_report(resort, allocations)
    table = report.summary()
    rows = {(g, level): (s, o, n, i) for g, level, s, o, n, i in table.rows()}
    assert rows["overall", "all"] == (3, 1, 4, 2.0)
    assert rows["stratum", first.label] == (2, 1, 3, 1.0)
    assert rows["stratum", last.label] == (1, 0, 1, 1.0)
    assert rows["stratum", all_strata(resort)[3].label] == (0, 0, 0, 0.0)
    assert rows["disease_site", "lung"] == (2, 1, 3, 1.0)
    assert rows["lesions", "multiple"] == (1, 0, 1, 1.0)
    assert (report.worst("overall"), report.worst("stratum"), report.worst("level")) == (2.0, 1.0, 1.0)
    assert_array_equal(table.columns["n"][:1], [4])
    assert table.n_rows == 1 + 8 + 6


def test_three_arms_are_scaled_by_the_ratio(three_arm) -> None:
    stratum = all_strata(three_arm)[0]
    allocations = [PriorAllocation(stratum.label, stratum.levels, arm)
                   for arm in ("high_dose", "high_dose", "low_dose", "control")]
    assert balance_report(three_arm, allocations).worst("overall") == 0.0


def test_unknown_arm_or_stratum_is_refused(resort) -> None:
    stratum = all_strata(resort)[0]
    with pytest.raises(InputError) as caught:
        balance_report(resort, [PriorAllocation(stratum.label, stratum.levels, "sorafenib"),
                                PriorAllocation("disease_site:lung", {}, "sorafenib")])
    assert caught.value.row == 1
