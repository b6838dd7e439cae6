"""200 randomisations from parallel workers (threads and processes) on both databases.

Each worker screens and randomises its own patients through the services, each call one
transaction on its own connection. Afterwards: numbers are 1..200 without gap or repeat,
each stratum's arms follow its permuted-block list exactly (so every block is intact),
subject ids are unique, and the audit chain verifies.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from tests.seeds import TEST_RANDOMISATION_SEED
from tests.services.service_factory import RANDOMISED, SCREENED, make_screening
from trialdesk.protocol import load_protocol
from trialdesk.randomization import allocation_list
from trialdesk.services import SYSTEM, create_site, create_trial, create_user, randomise, screen
from trialdesk.services.accounts import actor_for
from trialdesk.store import create_engine, session_factory, verify_audit
from trialdesk.store.models import Randomisation, Trial

N_PATIENTS = 200
N_WORKERS = 4


def _screening(index: int) -> dict[str, object]:
    """Patients spread over the 8 RESORT strata."""
    return make_screening(metastasis_site=("lung", "other")[index % 2],
                          metastases_resected=1 + (index // 2) % 2,
                          metastases_diagnosis_date=("2023-12-01", "2019-12-01")[(index // 4) % 2])


def enrol(url: str, username: str, indices: list[int]) -> list[tuple[str, int, str]]:
    """Screen and randomise patients ``indices`` as ``username``: (subject id, number, arm) each."""
    engine = create_engine(url)
    session = session_factory(engine)()
    try:
        with session.begin():
            actor = actor_for(session, username)
        made = []
        for index in indices:
            subject_id = screen(session, actor, "MI01", _screening(index), screening_date=SCREENED).subject_id
            allocation = randomise(session, actor, subject_id, randomisation_date=RANDOMISED)
            made.append((subject_id, allocation.randomization_number, allocation.arm))
        return made
    finally:
        session.close()
        engine.dispose()


@contextmanager
def _threads() -> Iterator[Executor]:
    with ThreadPoolExecutor(N_WORKERS) as pool:
        yield pool


@contextmanager
def _processes() -> Iterator[Executor]:
    with ProcessPoolExecutor(N_WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


@pytest.mark.slow
@pytest.mark.parametrize("workers", [_threads, _processes], ids=["threads", "processes"])
def test_parallel_randomisations_keep_numbers_blocks_and_chain(
        make_database: Callable[[], str], workers: Callable[[], contextmanager]) -> None:
    url = make_database()
    engine = create_engine(url)
    session = session_factory(engine)()
    create_trial(session, SYSTEM, load_protocol("resort"), randomisation_seed=TEST_RANDOMISATION_SEED)
    create_site(session, SYSTEM, "MI01", "Milano")
    usernames = [f"site_user_{w}" for w in range(N_WORKERS)]
    for username in usernames:
        create_user(session, SYSTEM, username, "correct horse battery staple", "data_manager", ["MI01"])
    shares = [list(range(w, N_PATIENTS, N_WORKERS)) for w in range(N_WORKERS)]
    session.close()
    engine.dispose()  # no connection crosses a fork
    with workers() as pool:
        futures = [pool.submit(enrol, url, username, share)
                   for username, share in zip(usernames, shares, strict=True)]
        made = [row for future in futures for row in future.result(timeout=240)]

    assert sorted(number for _, number, _ in made) == list(range(1, N_PATIENTS + 1))
    assert len({subject_id for subject_id, _, _ in made}) == N_PATIENTS
    session = session_factory(engine)()
    with session.begin():
        seed = session.scalar(select(Trial.randomisation_seed))
        stored = session.execute(select(Randomisation.number, Randomisation.stratum, Randomisation.arm)
                                 .order_by(Randomisation.number)).all()
    assert [number for number, _, _ in stored] == list(range(1, N_PATIENTS + 1))
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for _, stratum, arm in stored:
        by_stratum[stratum].append(arm)
    assert len(by_stratum) == 8
    protocol = load_protocol("resort")
    for stratum, arms in by_stratum.items():
        planned = allocation_list(seed, stratum, len(arms), block_sizes=protocol.randomisation.block_sizes,
                                  ratio=protocol.allocation_ratio, arms=protocol.arm_codes)
        assert arms == list(planned.arm_codes[:len(arms)]), stratum
        for block in set(planned.block[:len(arms)].tolist()):
            in_block = [arm for arm, b in zip(arms, planned.block, strict=False) if b == block]
            if len(in_block) == int(planned.block_size[planned.block == block][0]):
                counts = Counter(in_block)
                assert counts["sorafenib"] == counts["observation"], (stratum, block)
    verification = verify_audit(session)
    assert verification.ok, verification.chain_problems + verification.replay_problems
    session.close()
    engine.dispose()
