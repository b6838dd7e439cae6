"""RDI histogram: 10-point bins, values above 120% in the last bin, counts in the title."""

from __future__ import annotations

import numpy as np

from trialdesk.report.dose_intensity_plot import plot_rdi_distribution


def test_bins_and_counts() -> None:
    rdi = np.array([0.2, 0.55, 0.95, 1.0, 1.3])
    ax = plot_rdi_distribution(rdi, arm="sorafenib", n_full_dose=1, n_interruption_or_reduction=3)
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1]  # 20-30, 50-60, 90-100, 100-110, 120+
    assert ax.get_title() == ("sorafenib: 5 treated, 1 with the full dose, 3 with an interruption "
                              "or reduction")
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "120+"
