"""``trialdesk design``: group-sequential boundaries and survival sample size.

Results go to stdout (a Rich table, or JSON with ``--json``); ``--plot FILE`` writes the
boundary plot (SVG, PNG or PDF by the file's suffix). A thin shell over ``trialdesk.design``.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from trialdesk.analysis import json_ready
from trialdesk.design import GroupSequentialDesign, group_sequential, survival_sample_size
from trialdesk.errors import InputError
from trialdesk.table import Table

__all__ = ["boundaries", "register", "sample_size"]

logger = logging.getLogger(__name__)

design_app = typer.Typer(help="Design a trial: group-sequential boundaries and sample size.",
                         no_args_is_help=True)

RatesOption = Annotated[str, typer.Option(
    "--information-rates", help="Information rates of the looks, comma-separated, ending at 1.")]
AlphaOption = Annotated[float, typer.Option(help="Type I error (two-sided when --sided 2).")]
SidedOption = Annotated[int, typer.Option(help="1 or 2.")]
SpendingOption = Annotated[str, typer.Option(
    help="Efficacy family: asOF, asP, asHSD, asKD, OF, P, WT (or descriptive names).")]
ParameterOption = Annotated[float | None, typer.Option(
    help="gamma (asHSD), rho (asKD) or Delta (WT).")]
BetaSpendingOption = Annotated[str | None, typer.Option(
    help="Futility bounds by beta spending: bsOF, bsP, bsHSD, bsKD.")]
BetaParameterOption = Annotated[float | None, typer.Option(help="gamma (bsHSD) or rho (bsKD).")]
BindingOption = Annotated[bool, typer.Option(help="Binding futility bounds.")]
PlotOption = Annotated[Path | None, typer.Option(help="Write the boundary plot to this file.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _numbers(text: str, field: str) -> list[float]:
    """Comma-separated numbers from an option."""
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise InputError("must be numbers separated by commas", field=field, value=text) from exc


def _print_table(table: Table) -> None:
    """A per-look ``table`` as a Rich table on stdout, one column per look (as rpact prints)."""
    columns = dict(table.columns)
    stages = columns.pop("Stage")
    rich_table = RichTable(title=table.title or None)
    rich_table.add_column("")
    for stage in stages:
        rich_table.add_column(f"Stage {stage}", justify="right")
    for name, values in columns.items():
        rich_table.add_row(name, *(_cell(value.item(), table.digits) for value in values))
    Console(highlight=False).print(rich_table)


def _cell(value: object, digits: int) -> str:
    if isinstance(value, float):
        return "NA" if math.isnan(value) else f"{value:.{digits}g}"
    return str(value)


def _save_plot(design: GroupSequentialDesign, path: Path) -> None:
    from trialdesk.report.boundary_plot import plot_boundaries  # matplotlib only when asked

    ax = plot_boundaries(design.information_rates, design.critical_values,
                         futility_bounds=[*design.futility_bounds, -math.inf])
    ax.set_title(f"{design.spending}, alpha {design.alpha:g}, {design.n_looks} looks")
    ax.figure.savefig(path, bbox_inches="tight")
    logger.info("boundary plot written to %s", path)


def _design(rates: str, alpha: float, beta: float, sided: int, spending: str,
            spending_parameter: float | None, beta_spending: str | None,
            beta_spending_parameter: float | None, binding: bool) -> GroupSequentialDesign:
    return group_sequential(_numbers(rates, "--information-rates"), alpha=alpha, beta=beta, sided=sided,
                            spending=spending,  # type: ignore[arg-type]
                            spending_parameter=spending_parameter,
                            beta_spending=beta_spending,  # type: ignore[arg-type]
                            beta_spending_parameter=beta_spending_parameter, binding=binding)


def _emit(result: object, table: Table, design: GroupSequentialDesign, plot: Path | None,
          json_output: bool) -> None:
    if plot is not None:
        _save_plot(design, plot)
    if json_output:
        typer.echo(json.dumps(json_ready(result), indent=2))
    else:
        _print_table(table)


@design_app.command("boundaries")
def boundaries(
    information_rates: RatesOption = "0.5,1",
    alpha: AlphaOption = 0.025,
    beta: Annotated[float, typer.Option(help="Type II error (power = 1 - beta).")] = 0.2,
    sided: SidedOption = 1,
    spending: SpendingOption = "asOF",
    spending_parameter: ParameterOption = None,
    beta_spending: BetaSpendingOption = None,
    beta_spending_parameter: BetaParameterOption = None,
    binding: BindingOption = False,
    plot: PlotOption = None,
    json_output: JsonOption = False,
) -> None:
    """Group-sequential boundaries and characteristics (as rpact::getDesignGroupSequential)."""
    design = _design(information_rates, alpha, beta, sided, spending, spending_parameter,
                     beta_spending, beta_spending_parameter, binding)
    _emit(design, design.summary(), design, plot, json_output)


@design_app.command("sample-size")
def sample_size(
    hazard_ratio: Annotated[float, typer.Option(help="Treatment / control hazard ratio to detect.")],
    median_control: Annotated[float | None, typer.Option(
        help="Control median survival (exponential), in the trial's time unit.")] = None,
    hazard_control: Annotated[str | None, typer.Option(
        help="Control hazards per time unit, comma-separated (piecewise with --piecewise-times).")] = None,
    piecewise_times: Annotated[str | None, typer.Option(
        help="Start of each hazard piece, comma-separated, first 0.")] = None,
    accrual_time: Annotated[float | None, typer.Option(help="Accrual period.")] = None,
    accrual_rate: Annotated[float | None, typer.Option(help="Patients per time unit.")] = None,
    follow_up_time: Annotated[float | None, typer.Option(
        help="Follow-up after the end of accrual. Give two of accrual time, rate, follow-up.")] = None,
    allocation_ratio: Annotated[float, typer.Option(help="Treatment : control patients.")] = 1.0,
    dropout_rate: Annotated[float, typer.Option(help="Fraction lost by --dropout-time.")] = 0.0,
    dropout_time: Annotated[float, typer.Option(help="Time the dropout rate refers to.")] = 12.0,
    information_rates: RatesOption = "1",
    alpha: AlphaOption = 0.025,
    power: Annotated[float, typer.Option(help="Power (1 - beta).")] = 0.8,
    sided: SidedOption = 1,
    spending: SpendingOption = "asOF",
    spending_parameter: ParameterOption = None,
    beta_spending: BetaSpendingOption = None,
    beta_spending_parameter: BetaParameterOption = None,
    binding: BindingOption = False,
    plot: PlotOption = None,
    json_output: JsonOption = False,
) -> None:
    """Events (Schoenfeld), patients and look times (as rpact::getSampleSizeSurvival)."""
    design = _design(information_rates, alpha, round(1.0 - power, 12), sided, spending, spending_parameter,
                     beta_spending, beta_spending_parameter, binding)
    plan = survival_sample_size(
        hazard_ratio=hazard_ratio, median_control=median_control,
        hazard_control=None if hazard_control is None else _numbers(hazard_control, "--hazard-control"),
        piecewise_times=None if piecewise_times is None else _numbers(piecewise_times, "--piecewise-times"),
        accrual_time=accrual_time, accrual_rate=accrual_rate, follow_up_time=follow_up_time,
        allocation_ratio=allocation_ratio, dropout_rate=dropout_rate, dropout_time=dropout_time,
        design=design)
    _emit(plan, plan.summary(), design, plot, json_output)


def register(app: typer.Typer) -> None:
    """Add the ``design`` group to the root app."""
    app.add_typer(design_app, name="design")
