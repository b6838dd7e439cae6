"""Run simulation chunks as Ray tasks (``trialdesk simulate --backend ray --address ...``).

Each chunk is one task running ``simulate_chunk``; the scenario is put in the object store
once. At most ``max_in_flight`` tasks are pending at a time (memory stays bounded), and
results are yielded in chunk order whatever order tasks finish in, so the merged operating
characteristics equal the local backend's bit for bit. Ray is an optional extra
(``pip install trialdesk[ray]``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from trialdesk.errors import InputError
from trialdesk.simulate.characteristics import BlockSummary
from trialdesk.simulate.scenario import Scenario

__all__ = ["iter_on_ray"]

logger = logging.getLogger(__name__)


def iter_on_ray(scenario: Scenario, chunks: Sequence[Sequence[tuple[int, object]]], *,
                address: str | None, max_in_flight: int | None = None) -> Iterator[list[BlockSummary]]:
    """Run every chunk as a Ray task; yield each chunk's block summaries in chunk order.

    Joins the cluster at ``address`` (``"auto"``, ``"ray://host:10001"``, ...) unless Ray is
    already initialised in this process; with ``address=None`` Ray starts a local instance.
    ``max_in_flight`` defaults to twice the cluster's CPUs.
    """
    try:
        import ray
    except ImportError as exc:
        raise InputError("needs Ray", field="backend", value="ray",
                         hint="pip install 'trialdesk[ray]'") from exc
    from trialdesk.simulate.runner import simulate_chunk

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
        logger.info("joined Ray at %s", address or "a new local instance")
    limit = max_in_flight or max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
    remote_chunk = ray.remote(simulate_chunk)
    scenario_ref = ray.put(scenario)
    pending: dict[int, object] = {}
    submitted = 0
    for index in range(len(chunks)):
        while submitted < len(chunks) and len(pending) < limit:
            pending[submitted] = remote_chunk.remote(scenario_ref, chunks[submitted])
            submitted += 1
        yield ray.get(pending.pop(index))
