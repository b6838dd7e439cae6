"""``trialdesk randomization``: allocation lists, balance and the assessment of schemes.

* ``list``: every stratum's permuted-block list as CSV (for the trial statistician);
* ``check-list``: validate an allocation list made elsewhere before it is used;
* ``balance``: counts by arm overall, per stratum and per factor level from a CSV of
  randomised patients (columns ``stratum`` and ``arm``);
* ``assess``: the schemes side by side on simulated accruals (imbalance, predictability),
  as a table or ``--json`` on stdout, the figure with ``--plot FILE``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from trialdesk.errors import DataImportError, InputError
from trialdesk.protocol import load_protocol
from trialdesk.randomization.allocation_csv import (
    generate_allocation_lists,
    read_allocation_file,
    write_allocation_lists,
)
from trialdesk.randomization.assessment import assess_randomisation
from trialdesk.randomization.assign import PriorAllocation
from trialdesk.randomization.balance import balance_report
from trialdesk.trial.strata import parse_stratum_label

__all__ = ["allocation_lists", "assess", "balance", "check_list", "register"]

logger = logging.getLogger(__name__)

randomization_app = typer.Typer(help="Allocation lists, balance reports and scheme assessment.",
                                no_args_is_help=True)

ProtocolOption = Annotated[str, typer.Option(help="A built-in protocol name or a protocol YAML file.")]


@randomization_app.command("list")
def allocation_lists(
    seed: Annotated[int, typer.Option(help="The trial's randomisation seed (keep it secret).")],
    protocol: ProtocolOption = "resort",
    per_stratum: Annotated[int, typer.Option(help="Patients to cover per stratum (whole blocks).")] = 40,
    out: Annotated[Path | None, typer.Option(help="Write the CSV here instead of stdout.")] = None,
) -> None:
    """Export every stratum's permuted-block allocation list as CSV."""
    loaded = load_protocol(protocol)
    if per_stratum < 1:
        raise InputError("must be at least 1", field="per-stratum", value=per_stratum)
    text = write_allocation_lists(loaded, generate_allocation_lists(loaded, seed=seed,
                                                                    per_stratum=per_stratum).values())
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@randomization_app.command("check-list")
def check_list(file: Annotated[Path, typer.Argument(help="Allocation list CSV.")],
               protocol: ProtocolOption = "resort") -> None:
    """Validate an allocation list CSV against the protocol; print entries per stratum."""
    loaded = load_protocol(protocol)
    lists = read_allocation_file(loaded, file)
    for label, entries in lists.items():
        typer.echo(f"{label}: {len(entries)} entries in {int(entries.block.max())} blocks")
    typer.echo(f"{file}: valid allocation list for {loaded.id} ({len(lists)} strata)")


@randomization_app.command()
def balance(file: Annotated[Path, typer.Argument(help="CSV of randomised patients: stratum, arm.")],
            protocol: ProtocolOption = "resort") -> None:
    """Counts by arm and imbalance, overall, per stratum and per factor level."""
    loaded = load_protocol(protocol)
    reader = csv.DictReader(io.StringIO(file.read_text(encoding="utf-8")))
    if not {"stratum", "arm"} <= set(reader.fieldnames or ()):
        raise DataImportError("needs the columns stratum and arm", source=file.name, row=1)
    allocations = []
    for line, row in enumerate(reader, start=2):
        if not (row["arm"] or "").strip():
            continue
        try:
            stratum = parse_stratum_label(loaded, row["stratum"])
        except InputError as exc:
            raise DataImportError(exc.message, source=file.name, row=line, field="stratum",
                                  value=row["stratum"]) from exc
        allocations.append(PriorAllocation(stratum.label, stratum.levels, row["arm"].strip()))
    typer.echo(balance_report(loaded, allocations).summary().to_text())


@randomization_app.command()
def assess(
    protocol: ProtocolOption = "resort",
    patients: Annotated[int, typer.Option(help="Patients per simulated accrual.")] = 76,
    sites: Annotated[int, typer.Option(help="Sites; patients arrive at a random site.")] = 5,
    runs: Annotated[int, typer.Option(help="Simulated accruals.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the simulation.")] = 1,
    plot: Annotated[Path | None, typer.Option(help="Write the figure (SVG, PNG, PDF).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Compare permuted blocks, minimisation and simple randomisation on the planned accrual."""
    loaded = load_protocol(protocol)
    assessment = assess_randomisation(loaded, n_patients=patients, n_sites=sites, n_runs=runs, seed=seed)
    if plot is not None:
        from trialdesk.randomization.assessment_plot import plot_assessment

        plot_assessment(assessment).savefig(plot)
        typer.echo(f"wrote {plot}", err=True)
    if as_json:
        typer.echo(json.dumps(assessment.to_dict(), indent=2))
    else:
        typer.echo(assessment.summary().to_text())
        for scheme in assessment.schemes:
            typer.echo(f"{scheme.scheme}: {scheme.settings}")


def register(app: typer.Typer) -> None:
    """Add the ``randomization`` group to the root app."""
    app.add_typer(randomization_app, name="randomization")
