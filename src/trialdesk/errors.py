"""The one error hierarchy of trialdesk.

Imports nothing from trialdesk, so every layer can raise these::

    TrialdeskError
    ├── InputError (ValueError)            bad input: names field, row, value, hint
    │   ├── ProtocolError                  a protocol file or model that does not validate
    │   ├── DataImportError                an imported file (CSV, ADaM, XPT, JSON) that does not validate
    │   └── ConflictError                  a valid request the trial's state forbids (already randomised, ...)
    ├── NotFoundError (LookupError)        a record that does not exist or is not visible to the caller
    ├── PermissionDeniedError              the caller's role does not allow the action
    ├── RandomizationError                 the allocation cannot be made (list exhausted, no eligible arm)
    ├── AuditIntegrityError                the audit chain or a trial row disagrees with its history
    └── ConvergenceError (ArithmeticError) an iterative fit that did not converge

    TrialdeskWarning (UserWarning)         statistical caveats (monotone likelihood, few events, ...)

Messages are plain text (no markup): they reach the terminal, JSON and logs alike.
"""

from __future__ import annotations

__all__ = [
    "AuditIntegrityError",
    "ConflictError",
    "ConvergenceError",
    "DataImportError",
    "InputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RandomizationError",
    "TrialdeskError",
    "TrialdeskWarning",
]


class TrialdeskError(Exception):
    """Root of every error trialdesk raises on purpose."""


class InputError(TrialdeskError, ValueError):
    """Input that cannot be used, with where it is and how to fix it.

    Parameters
    ----------
    message
        What is wrong, in words a user acts on (``"must be 0 or 1"``).
    field
        The argument, column or form field (``"event"``, ``"arms[1].dose_mg"``).
    row
        The row or index as the user sees it (0-based index for arrays, 1-based line for files).
    value
        The offending value, shown with ``repr``.
    hint
        What to do about it.
    source
        The file or form the input came from (``"adtte.csv"``).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        row: int | None = None,
        value: object = None,
        hint: str | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.row = row
        self.value = value
        self.hint = hint
        self.source = source
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.source is not None:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        prefix = " ".join(where)
        if self.field is not None:
            prefix = f"{prefix}, {self.field}" if prefix else self.field
        text = f"{prefix}: {self.message}" if prefix else self.message
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        """The error as plain JSON-ready data (the API's error shape uses it)."""
        return {
            "message": self.message,
            "field": self.field,
            "row": self.row,
            "value": None if self.value is None else repr(self.value),
            "hint": self.hint,
            "source": self.source,
        }


class ProtocolError(InputError):
    """A protocol file or model that does not validate; ``field`` is the YAML path."""


class DataImportError(InputError):
    """An imported data file that does not validate; ``source`` is the file, ``row`` its line."""


class ConflictError(InputError):
    """A well-formed request that the trial's current state does not allow."""


class NotFoundError(TrialdeskError, LookupError):
    """A record that does not exist, or that the caller may not see."""


class PermissionDeniedError(TrialdeskError):
    """The caller's role does not allow the action."""


class RandomizationError(TrialdeskError):
    """An allocation that cannot be made."""


class AuditIntegrityError(TrialdeskError):
    """The audit chain is broken, or a trial row differs from what its history says."""


class ConvergenceError(TrialdeskError, ArithmeticError):
    """An iterative fit that did not converge."""


class TrialdeskWarning(UserWarning):
    """A statistical caveat the user should read (monotone likelihood, few events, ...)."""
