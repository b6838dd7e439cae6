"""Domain rules of a running trial: eligibility, strata, visit schedule; and ``TrialData``.

Import from the modules (``trialdesk.trial.eligibility``, ``.strata``, ``.schedule``,
``.data``); this package imports none of them, so each stays cheap to import.
"""

__all__: list[str] = []
