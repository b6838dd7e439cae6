"""Variable metadata of the ADaM datasets trialdesk writes: names, labels, types, origins.

Names and labels follow the ADaM Implementation Guide (v1.1) where it defines the variable
(``USUBJID``, ``TRT01P``, ``ITTFL``, ``PARAMCD``, ``AVAL``, ``CNSR``, ``AEDECOD``, ...); the
sponsor-defined ones (``SCRNDT``, ``ELIGFL``, ``SCRFREAS``, ``STRATAR``, ``LSTNEDDT``,
``DOSECHG``) are marked so in ``origin``. Every name has at most 8 characters and every label
at most 40, as SAS XPORT version 5 requires (``docs/interop.md#variables``).

Types: ``Char`` (text; missing = empty string), ``Num`` (float; missing = NaN) and ``Date``
(a calendar date; in XPT a SAS date, days since 1960-01-01, with format ``DATE9.``; in CSV
and Dataset-JSON an ISO 8601 string). The define table calls dates ``Num`` as SAS does and
names the ``DATE9.`` format.

The screening fields of a protocol become ADSL variables under a name derived from the
field name (``screening_variable_names``): ``birth_date`` -> ``BIRTHDT``,
``metastasis_site`` -> ``METASITE``; their labels are the protocol's field labels.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from trialdesk.table import Table

__all__ = [
    "ADAE_VARIABLES",
    "ADEX_VARIABLES",
    "ADSL_VARIABLES",
    "ADTTE_VARIABLES",
    "DATASET_LABELS",
    "Variable",
    "define_table",
    "screening_variable_names",
]

logger = logging.getLogger(__name__)

VariableType = Literal["Char", "Num", "Date"]

#: Longest variable name and label SAS XPORT version 5 allows.
MAX_NAME_LENGTH = 8
MAX_LABEL_LENGTH = 40

SPONSOR = "Derived (sponsor-defined variable)"


@dataclass(frozen=True, slots=True)
class Variable:
    """One ADaM variable: ``name`` (<= 8 characters), ``label`` (<= 40), ``type``, ``origin``."""

    name: str
    label: str
    type: VariableType
    origin: str

    def __post_init__(self) -> None:
        if len(self.name) > MAX_NAME_LENGTH or len(self.label) > MAX_LABEL_LENGTH:
            raise ValueError(f"ADaM variable {self.name!r}: name <= 8 and label <= 40 characters")


def _variables(*rows: tuple[str, str, VariableType, str]) -> tuple[Variable, ...]:
    return tuple(Variable(*row) for row in rows)


DATASET_LABELS: dict[str, str] = {
    "ADSL": "Subject-Level Analysis Dataset",
    "ADTTE": "Time-to-Event Analysis Dataset",
    "ADAE": "Adverse Events Analysis Dataset",
    "ADEX": "Exposure Analysis Dataset",
}

#: ADSL variables before the stratification factors and screening fields (which follow).
ADSL_VARIABLES = _variables(
    ("STUDYID", "Study Identifier", "Char", "Assigned (protocol id)"),
    ("USUBJID", "Unique Subject Identifier", "Char", "Derived (STUDYID-SUBJID)"),
    ("SUBJID", "Subject Identifier for the Study", "Char", "Collected"),
    ("SITEID", "Study Site Identifier", "Char", "Collected"),
    ("ARM", "Description of Planned Arm", "Char", "Assigned (randomisation)"),
    ("ARMCD", "Planned Arm Code", "Char", "Assigned (randomisation)"),
    ("ACTARM", "Description of Actual Arm", "Char", "Derived (dosing records)"),
    ("ACTARMCD", "Actual Arm Code", "Char", "Derived (dosing records)"),
    ("TRT01P", "Planned Treatment for Period 01", "Char", "Derived (ARM)"),
    ("TRT01A", "Actual Treatment for Period 01", "Char", "Derived (ACTARM)"),
    ("SCRNDT", "Date of Screening", "Date", SPONSOR),
    ("ELIGFL", "Eligibility Criteria Met Flag", "Char", SPONSOR),
    ("SCRFREAS", "Reason for Screen Failure", "Char", SPONSOR),
    ("RANDFL", "Randomized Population Flag", "Char", "Derived"),
    ("RANDDT", "Date of Randomization", "Date", "Assigned (randomisation)"),
    ("TRTSDT", "Date of First Exposure to Treatment", "Date", "Derived (ADEX)"),
    ("TRTEDT", "Date of Last Exposure to Treatment", "Date", "Derived (ADEX)"),
    ("ITTFL", "Intent-To-Treat Population Flag", "Char", "Derived"),
    ("SAFFL", "Safety Population Flag", "Char", "Derived"),
    ("PPROTFL", "Per-Protocol Population Flag", "Char", "Derived"),
    ("AGE", "Age", "Num", "Derived (whole years at RANDDT)"),
    ("AGEU", "Age Units", "Char", "Assigned"),
    ("DTHFL", "Subject Death Flag", "Char", "Derived (death events)"),
    ("DTHDT", "Date of Death", "Date", "Derived (death events)"),
    ("EOSSTT", "End of Study Status", "Char", "Derived (study events)"),
    ("DCSREAS", "Reason for Discontinuation from Study", "Char", "Derived (study events)"),
    ("EOSDT", "End of Study Date", "Date", "Derived (study events)"),
    ("DCUTDT", "Data Cutoff Date", "Date", "Assigned (analysis)"),
    ("STRATAR", "Randomization Stratum", "Char", SPONSOR + ": stratum label as recorded"),
)

ADTTE_VARIABLES = _variables(
    ("STUDYID", "Study Identifier", "Char", "Predecessor (ADSL.STUDYID)"),
    ("USUBJID", "Unique Subject Identifier", "Char", "Predecessor (ADSL.USUBJID)"),
    ("TRT01P", "Planned Treatment for Period 01", "Char", "Predecessor (ADSL.TRT01P)"),
    ("PARAMCD", "Parameter Code", "Char", "Assigned (protocol endpoint)"),
    ("PARAM", "Parameter", "Char", "Assigned (protocol endpoint)"),
    ("AVAL", "Analysis Value", "Num", "Derived (ADT - STARTDT, days)"),
    ("AVALU", "Analysis Value Unit", "Char", "Assigned"),
    ("CNSR", "Censor", "Num", "Derived (0 = event, 1 = censored)"),
    ("STARTDT", "Time-to-Event Origin Date for Subject", "Date", "Derived (ADSL.RANDDT)"),
    ("ADT", "Analysis Date", "Date", "Derived (event or censoring date)"),
    ("EVNTDESC", "Event or Censoring Description", "Char", "Derived"),
    ("CNSDTDSC", "Censor Date Description", "Char", "Derived"),
    ("SRCDOM", "Source Data", "Char", "Derived"),
    ("LSTNEDDT", "Last Disease-Free Assessment Date", "Date",
     SPONSOR + ": last adequate scan before ADT"),
)

ADAE_VARIABLES = _variables(
    ("STUDYID", "Study Identifier", "Char", "Predecessor (ADSL.STUDYID)"),
    ("USUBJID", "Unique Subject Identifier", "Char", "Predecessor (ADSL.USUBJID)"),
    ("TRTA", "Actual Treatment", "Char", "Predecessor (ADSL.TRT01A)"),
    ("AEDECOD", "Dictionary-Derived Term", "Char", "Collected (CTCAE term)"),
    ("AETOXGR", "Standard Toxicity Grade", "Char", "Collected (CTCAE grade)"),
    ("AESER", "Serious Event", "Char", "Collected"),
    ("AREL", "Analysis Causality", "Char", "Collected (RELATED / NOT RELATED)"),
    ("ASTDT", "Analysis Start Date", "Date", "Collected"),
    ("AENDT", "Analysis End Date", "Date", "Collected"),
    ("ASTDY", "Analysis Start Relative Day", "Num", "Derived (days from RANDDT)"),
    ("TRTEMFL", "Treatment Emergent Analysis Flag", "Char", "Derived"),
)

ADEX_VARIABLES = _variables(
    ("STUDYID", "Study Identifier", "Char", "Predecessor (ADSL.STUDYID)"),
    ("USUBJID", "Unique Subject Identifier", "Char", "Predecessor (ADSL.USUBJID)"),
    ("TRTA", "Actual Treatment", "Char", "Predecessor (ADSL.TRT01A)"),
    ("PARAMCD", "Parameter Code", "Char", "Assigned (DOSE, RDI)"),
    ("PARAM", "Parameter", "Char", "Assigned"),
    ("AVAL", "Analysis Value", "Num", "Collected (DOSE) or derived (RDI)"),
    ("AVALU", "Analysis Value Unit", "Char", "Assigned"),
    ("ASTDT", "Analysis Start Date", "Date", "Collected (cut at DCUTDT)"),
    ("AENDT", "Analysis End Date", "Date", "Collected (cut at DCUTDT)"),
    ("DOSECHG", "Dose Change", "Char", SPONSOR + ": start, interruption, ..."),
    ("EXADJ", "Reason for Dose Adjustment", "Char", "Collected"),
)


def screening_variable_names(fields: Iterable[str], *, taken: Sequence[str] = ()) -> dict[str, str]:
    """ADSL names (<= 8 characters, unique) for screening fields, in the fields' order.

    The name is the field's words in capitals, a trailing ``date`` written ``DT``; when that
    is longer than 8 characters each word is cut to 4, 3, 2, then 1 letters until it fits;
    a name already taken gets a digit. The same fields always give the same names, which is
    how the importer finds them again.
    """
    used = set(taken)
    names: dict[str, str] = {}
    for field in fields:
        words = field.upper().split("_")
        suffix = "DT" if len(words) > 1 and words[-1] == "DATE" else ""
        words = words[:-1] if suffix else words
        candidate = "".join(words) + suffix
        for width in (4, 3, 2, 1):
            if len(candidate) <= MAX_NAME_LENGTH:
                break
            candidate = "".join(word[:width] for word in words) + suffix
        candidate = candidate[:MAX_NAME_LENGTH]
        base, number = candidate, 1
        while candidate in used:
            candidate = f"{base[:MAX_NAME_LENGTH - len(str(number))]}{number}"
            number += 1
        used.add(candidate)
        names[field] = candidate
    return names


def define_table(variables_by_dataset: Iterable[tuple[str, Sequence[Variable]]]) -> Table:
    """The define-style metadata: one row per dataset and variable with its order, label,
    SAS type (``Char``/``Num``; dates are ``Num`` with format ``DATE9.``) and origin."""
    rows = [(dataset, order, v.name, v.label, "Num" if v.type == "Date" else v.type,
             "DATE9." if v.type == "Date" else "", v.origin)
            for dataset, variables in variables_by_dataset
            for order, v in enumerate(variables, start=1)]
    return Table.from_rows(("dataset", "order", "variable", "label", "type", "format", "origin"), rows,
                           title="ADaM variable metadata")
