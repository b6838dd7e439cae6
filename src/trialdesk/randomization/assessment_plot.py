"""The assessment's figure: imbalance distributions and predictability, scheme by scheme."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from trialdesk.randomization.assessment import RandomisationAssessment

__all__ = ["plot_assessment"]

_COLOURS = {"permuted_blocks": "#1f5fa8", "minimisation": "#c4461b", "simple": "#6b8e23"}
_PANELS = (("overall", "Overall imbalance"), ("worst_stratum", "Imbalance in the worst stratum"),
           ("worst_level", "Imbalance in the worst factor level"))


def plot_assessment(assessment: RandomisationAssessment) -> Figure:
    """Four panels: the distribution over runs of overall, worst-stratum and worst-level
    imbalance (proportion of runs per value, schemes side by side), and the mean proportion
    of correct guesses by a site and by a guesser knowing all earlier assignments.

    Save it with ``figure.savefig(path)`` (SVG, PNG or PDF by the file's suffix).
    """
    figure = Figure(figsize=(11, 8), layout="constrained")
    axes = figure.subplots(2, 2).ravel()
    width = 0.8 / len(assessment.schemes)
    for ax, (measure, title) in zip(axes, _PANELS, strict=False):
        pooled = np.unique(np.concatenate([s.values[measure] for s in assessment.schemes]))
        step = float(np.diff(pooled).min()) if pooled.size > 1 else 1.0
        for j, scheme in enumerate(assessment.schemes):
            values, counts = np.unique(scheme.values[measure], return_counts=True)
            shift = (j - (len(assessment.schemes) - 1) / 2) * width * step
            ax.bar(values + shift, counts / assessment.n_runs, width=width * step,
                   color=_COLOURS[scheme.scheme], label=scheme.scheme)
        ax.set_title(title)
        ax.set_xlabel("max - min of n / ratio (1:1: difference in patients)")
        ax.set_ylabel("proportion of runs")
        ax.grid(alpha=0.3)
    axes[0].legend(frameon=False)
    ax = axes[3]
    positions = np.arange(len(assessment.schemes))
    for offset, measure, label in ((-0.2, "guess_site", "site knows its own patients"),
                                   (0.2, "guess_all", "guesser knows all patients")):
        means = [scheme.values[measure].mean() for scheme in assessment.schemes]
        ax.bar(positions + offset, means, width=0.4, label=label,
               color=[_COLOURS[s.scheme] for s in assessment.schemes],
               alpha=0.55 if measure == "guess_site" else 1.0, edgecolor="black")
    ax.axhline(1 / len(assessment.ratio), color="grey", linestyle="--", label="pure chance (1 / arms)")
    ax.set_xticks(positions, [s.scheme for s in assessment.schemes])
    ax.set_ylim(0, 1)
    ax.set_ylabel("proportion of correct guesses")
    ax.set_title("Predictability (Blackwell-Hodges convergence strategy)")
    ax.legend(frameon=False, loc="upper right")
    figure.suptitle(f"{assessment.protocol_id}: {assessment.n_patients} patients, {assessment.n_sites} "
                    f"sites, {assessment.n_runs} simulated accruals (seed {assessment.seed})")
    return figure
