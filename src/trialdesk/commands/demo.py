"""``trialdesk demo``: run the built-in RESORT trial end to end (``trialdesk.demo.run_demo``).

Progress goes to stderr (a Rich progress bar), the comparison with RESORT's published
numbers and the files written to stdout. ``--serve`` then serves the web app on the demo's
database (development settings: a random secret key for the process, cookies without
``Secure`` on the loopback address) and prints the URL and the demo users' passwords.
"""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from trialdesk.demo import DEFAULT_SEED

if TYPE_CHECKING:
    from trialdesk.demo.run import DemoRun

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _print_summary(console: Console, run: DemoRun, seconds: float) -> None:
    comparison = run.comparison
    table = RichTable(title=comparison.title)
    for name in comparison.columns:
        table.add_column(name, justify="left" if name == "quantity" else "right")
    for row in comparison.rows():
        table.add_row(*(str(cell) for cell in row))
    console.print(table)
    trial = run.trial
    arms = ", ".join(f"{n} {arm}" for arm, n in sorted(trial.counts.randomised.items()))
    interim = trial.results.interim
    decision = f"; interim decision: {interim.decision}" if interim is not None else ""
    console.print(f"{trial.counts.screened} screened, {sum(trial.counts.randomised.values())} randomised "
                  f"({arms}); {trial.audit_records} audit records, chain verified{decision}")
    console.print(f"database  {trial.database.url}")
    for label, path in (("report", run.report.html), ("pdf", run.report.pdf),
                        ("results", run.report.json), ("adam", run.adam[0].parent),
                        ("users", run.credentials)):
        console.print(f"{label:<9} {path}")
    console.print(f"done in {seconds:.1f} s (seed {run.seed})")


def _serve(run: DemoRun, host: str, port: int) -> None:
    import uvicorn

    from trialdesk.api import Settings, create_app

    console = Console(highlight=False)
    console.print(f"serving the demo trial at http://{host}:{port}/ (Ctrl+C stops); demo users:")
    for username, password in run.trial.database.passwords.items():
        console.print(f"  {username:<13} {password}")
    settings = Settings(database_url=run.trial.database.url, secret_key=secrets.token_hex(32),
                        environment="development")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the database, report and datasets.")] = Path(
        "trialdesk-demo"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated RESORT trial.")] = DEFAULT_SEED,
    serve: Annotated[bool, typer.Option(help="Then serve the web app on the demo database.")] = False,
    host: Annotated[str, typer.Option(help="Address to serve on with --serve.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port with --serve.")] = 8000,
) -> None:
    """Run RESORT end to end: screen, randomise, follow up, analyse and report.

    OUT gets an SQLite database: built-in RESORT protocol, 5 sites, a user per role.

    Users and passwords: OUT/credentials.txt. A simulated RESORT trial is replayed through the services.

    Then the interim analysis: OUT/report.html, report.pdf, results.json, adam/ (docs/demo.md).

    A non-empty OUT that is not a previous demo's is refused; a previous demo's files are replaced.
    """
    from trialdesk.demo.run import run_demo

    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def advance(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        run = run_demo(out, seed=seed, progress=advance)
    _print_summary(Console(highlight=False), run, time.perf_counter() - started)
    if serve:
        _serve(run, host, port)


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the root app."""
    app.command("demo")(demo)
