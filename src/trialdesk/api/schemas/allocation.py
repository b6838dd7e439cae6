"""Schema of ``GET /allocation-list``: a stratum's permuted-block list (statistician only)."""

from __future__ import annotations

from pydantic import Field

from trialdesk.api.schemas._base import OutputSchema

__all__ = ["AllocationEntryOut", "AllocationListOut"]


class AllocationEntryOut(OutputSchema):
    """The arm of the stratum's ``position``-th patient, and the block it belongs to."""

    position: int = Field(description="1 for the stratum's first patient.")
    arm: str
    block: int = Field(description="1-based block number.")
    block_size: int


class AllocationListOut(OutputSchema):
    """The first whole blocks of a stratum's list, covering at least the entries asked for."""

    stratum: str
    entries: list[AllocationEntryOut]
