"""Seeds the test factories use, so every run of the suite sees the same allocations."""

#: The randomisation seed of every trial the test factories create (a real trial draws its
#: seed with ``secrets``; tests fix it so that which patient gets which arm never varies).
TEST_RANDOMISATION_SEED = 20121101
