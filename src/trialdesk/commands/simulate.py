"""``trialdesk simulate`` and ``trialdesk reproduce``: Monte Carlo trials from the command line.

Results go to stdout (a table, or JSON with ``--json``); the progress bar goes to stderr.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from trialdesk.errors import InputError
from trialdesk.simulate.presets import RESORT_SCENARIOS, resort_scenario
from trialdesk.simulate.reproduction import reproduce_resort
from trialdesk.simulate.runner import BLOCK_TRIALS, simulate
from trialdesk.simulate.scenario import Scenario

__all__ = ["register"]


def _scenario(protocol: str, scenario: str) -> Scenario:
    if protocol.lower() != "resort":
        raise InputError("has no simulation scenarios yet", field="protocol", value=protocol,
                         hint="use --protocol resort")
    return resort_scenario(scenario)  # refuses an unknown scenario, naming the choices


def _run_with_progress(scenario: Scenario, trials: int, *, seed: int, chunk_size: int, backend: str,
                       address: str | None, quiet: bool):
    stderr = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=stderr, disable=quiet, transient=True) as bar:
        task = bar.add_task(f"simulating {scenario.name}", total=trials)
        return simulate(scenario, trials, seed=seed, chunk_size=chunk_size, backend=backend,
                        address=address, progress=lambda done: bar.update(task, completed=done))


def simulate_command(
    protocol: Annotated[str, typer.Option(help="Built-in protocol to simulate.")] = "resort",
    scenario: Annotated[str, typer.Option(help=f"Scenario: {', '.join(RESORT_SCENARIOS)}.")] = "published",
    trials: Annotated[int, typer.Option(help="Number of simulated trials.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Root seed: the same seed gives the same numbers.")] = 1,
    chunk_size: Annotated[int, typer.Option(
        help=f"Trials per task and progress step (a multiple of {BLOCK_TRIALS}); results do not change.")
    ] = 10 * BLOCK_TRIALS,
    backend: Annotated[str, typer.Option(help="local or ray.")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (with --backend ray).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Simulate many trials of a protocol under a scenario: power, type I error, stopping, estimates."""
    result = _run_with_progress(_scenario(protocol, scenario), trials, seed=seed, chunk_size=chunk_size,
                                backend=backend, address=address, quiet=as_json)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        typer.echo(result.summary().to_text())


def reproduce_command(
    protocol: Annotated[str, typer.Argument(help="The published trial to reproduce.")] = "resort",
    trials: Annotated[int, typer.Option(help="Number of simulated trials.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Root seed.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Published results beside the simulated distribution of the same analysis, with percentiles."""
    if protocol.lower() != "resort":
        raise InputError("cannot be reproduced yet", field="protocol", value=protocol, hint="try resort")
    table = reproduce_resort(trials, seed=seed)
    if as_json:
        typer.echo(json.dumps({"title": table.title, "rows": table.to_records()}, indent=2))
    else:
        typer.echo(table.to_text())


def register(app: typer.Typer) -> None:
    """Add ``simulate`` and ``reproduce`` to the root app."""
    app.command("simulate")(simulate_command)
    app.command("reproduce")(reproduce_command)
