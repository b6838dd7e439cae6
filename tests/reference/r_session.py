"""Run R code on data from a test and read back its result, in one R process per test session.

The helper writes each table as a CSV (full double precision), prepends code that reads them
into data frames of the same names, sources the script in the session's R process (the script
must assign a list to ``out``), and reads ``out`` back from JSON exactly (``NA``/``NaN``
become NaN, ``Inf`` infinity). Live-R tests use ``requires_r("survival")`` to skip where
Rscript or the package is missing.
"""

from __future__ import annotations

import atexit
import functools
import json
import math
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

__all__ = ["RError", "RSession", "r_has_packages", "requires_r", "run_r"]

_SPECIAL = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}

# R doubles travel as "%.17g" strings, which read back to the identical double (jsonlite's
# own number output stops at 15 significant digits).
_EXACT_NUMBERS = (".exact <- function(x) if (is.list(x)) lapply(x, .exact) "
                  "else if (is.double(x)) sprintf('%.17g', x) else x")


class RError(RuntimeError):
    """Rscript failed; the message holds R's stderr."""


@functools.cache
def r_has_packages(*packages: str) -> bool:
    """True when Rscript runs and can load every package (checked once per session)."""
    if shutil.which("Rscript") is None:
        return False
    loads = "; ".join(f"suppressMessages(library({name}))" for name in (*packages, "jsonlite"))
    completed = subprocess.run(["Rscript", "--vanilla", "-e", loads], capture_output=True,
                               timeout=120, check=False)
    return completed.returncode == 0


def requires_r(*packages: str) -> pytest.MarkDecorator:
    """Skip unless Rscript with ``packages`` (and jsonlite) is installed."""
    return pytest.mark.skipif(not r_has_packages(*packages),
                              reason=f"needs Rscript with {', '.join(packages)} and jsonlite")


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        if value in _SPECIAL:
            return _SPECIAL[value]
        try:
            return float(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {key: _decode(v) for key, v in value.items()}
    return value


def _write_csv(path: Path, columns: Mapping[str, Any]) -> None:
    names = list(columns)
    arrays = [np.asarray(columns[name]) for name in names]
    lines = [",".join(names)]
    for row in zip(*arrays, strict=True):
        lines.append(",".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(v)
                              for v in row))
    path.write_text("\n".join(lines) + "\n")


class RSession:
    """One R process fed through stdin; each :meth:`run` sources a script and waits for it."""

    _DONE = "__trialdesk_done__"
    _FAILED = "__trialdesk_failed__"

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            ["R", "--vanilla", "--quiet", "--no-echo"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)

    def run(self, script_path: Path) -> None:
        """Source ``script_path``; raise RError with R's message if it fails."""
        process = self._process
        if process.poll() is not None or process.stdin is None or process.stdout is None:
            raise RError("the R session has ended")
        process.stdin.write(
            f"tryCatch(source('{script_path}'), error = function(e) "
            f"cat('{self._FAILED}', conditionMessage(e), '\\n'))\n"
            f"cat('{self._DONE}\\n')\n")
        process.stdin.flush()
        printed = []
        for line in process.stdout:
            if line.startswith(self._DONE):
                break
            printed.append(line)
        else:
            raise RError("the R session ended: " + "".join(printed))
        failure = [line for line in printed if line.startswith(self._FAILED)]
        if failure:
            raise RError(failure[0].removeprefix(self._FAILED).strip())

    def close(self) -> None:
        """Quit R."""
        if self._process.poll() is None and self._process.stdin is not None:
            self._process.stdin.write("q('no')\n")
            self._process.stdin.flush()
            self._process.wait(timeout=30)


@functools.cache
def _session() -> RSession:
    session = RSession()
    atexit.register(session.close)
    return session


def run_r(script: str, tables: Mapping[str, Mapping[str, Any]], *,
          packages: tuple[str, ...] = ("survival",)) -> dict[str, Any]:
    """Run ``script`` with each of ``tables`` loaded as a data frame; return its ``out`` list.

    Runs in one R process shared by the test session (starting R and loading survival for
    each example would cost seconds). Strings in the CSVs are read as characters
    (``stringsAsFactors = FALSE``); doubles come back exactly (17 significant digits), NA/NaN
    as NaN.
    """
    with tempfile.TemporaryDirectory(prefix="trialdesk-r-") as folder:
        root = Path(folder)
        lines = [f"suppressMessages(library({name}))" for name in packages]
        for name, columns in tables.items():
            _write_csv(root / f"{name}.csv", columns)
            lines.append(f"{name} <- read.csv('{root / name}.csv', stringsAsFactors = FALSE)")
        lines.append(script)
        lines.append(_EXACT_NUMBERS)
        lines.append(f"jsonlite::write_json(.exact(out), '{root / 'out.json'}', auto_unbox = TRUE)")
        (root / "script.R").write_text("\n".join(lines) + "\n")
        _session().run(root / "script.R")
        return _decode(json.loads((root / "out.json").read_text()))
