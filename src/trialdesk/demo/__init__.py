"""``trialdesk demo``: RESORT run end to end through the real services, analysis and report.

The work is in the submodules, imported where used so that ``trialdesk --help`` stays fast:
``trialdesk.demo.run.run_demo`` (the whole run), ``plan`` (the simulated trial to replay),
``workspace`` (folder and database), ``replay`` (the services, in calendar order) and
``comparison`` (RESORT's published numbers beside the demo's); docs/demo.md.
"""

from __future__ import annotations

__all__ = ["DEFAULT_SEED"]

#: The seed used when none is given (the month RESORT opened).
DEFAULT_SEED = 20121101
