"""Keyed random streams: one independent, reproducible generator per (seed, keys).

Every random draw of the randomisation schemes comes from a stream named by what it is for
(scheme, stratum label, entry number), so a draw never depends on the order in which other
draws were made: the same key always gives the same numbers, bit for bit, on any machine
(NumPy's PCG64 seeded through a ``SeedSequence`` whose entropy is the seed and the keys;
texts enter as the eight 32-bit words of their SHA-256 digest).
"""

from __future__ import annotations

import hashlib

import numpy as np

from trialdesk.errors import InputError

__all__ = ["check_seed", "keyed_generator"]


def check_seed(seed: int) -> int:
    """The seed as a non-negative int; ``InputError`` naming ``seed`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("must be a non-negative integer", field="seed", value=seed)
    return int(seed)


def _words(key: int | str) -> list[int]:
    if isinstance(key, str):
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        return [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 32, 4)]
    return [int(key)]


def keyed_generator(seed: int, *keys: int | str) -> np.random.Generator:
    """A generator for the stream named by ``seed`` and ``keys`` (ints >= 0 or texts)."""
    entropy = [check_seed(seed)]
    for key in keys:
        entropy.extend(_words(key))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
