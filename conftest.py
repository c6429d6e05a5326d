"""Root conftest, loaded for every pytest run in this repository (including
``pytest notebooks/x.ipynb``): it puts ``tools/`` on the path, loads the plugin
``tools/nbval_setup.py`` (nbval's kernels run under ``tools/notebook_env.py`` and the way
Jupyter runs cells) and ``tools/pytest_markers.py`` (every test gets one of the markers
``unit``, ``notebook``, ``site``, ``browser``, ``gpu``), and sets hypothesis's profiles.
Fixtures shared by tests live in ``tests/conftest.py``.

Hypothesis profiles (the one place they are defined):

``ci`` (loaded by default, for ``make test`` and ``.ci/run``)
    ``derandomize=True``: every property test draws the same examples on every run and
    every machine, so a run cannot fail by chance; no example database, no deadline and no
    ``too_slow`` health check (both depend on the machine's speed).
``explore`` (``make test-explore [SEED="1 2 3"]``, or ``--hypothesis-profile=explore``)
    random examples, five times as many for the tests that use ``tests/strategies.py``'s
    ``examples(n)``. No example database either: a run depends on its seed only, so
    ``make test-explore SEED=n`` replays a failure found with seed ``n``.
    Passing ``--hypothesis-seed=N`` without a profile loads ``explore`` too, since a seed
    means nothing to derandomized tests.

A test may set its own ``max_examples`` (``@settings(max_examples=20)``); it must not set
``derandomize=False``: under ``ci`` a property test that would draw random examples stops
the run before any test runs (``pytest_collection_modifyitems`` below).
"""

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).absolute().parent / "tools"))

pytest_plugins = ["nbval_setup", "pytest_markers"]

settings.register_profile(
    "ci",
    settings.get_profile("default"),
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    settings.get_profile("default"),
    max_examples=500,
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """``--hypothesis-seed=N`` alone selects the random ``explore`` profile."""
    seed = config.getoption("--hypothesis-seed", default=None)
    profile = config.getoption("--hypothesis-profile", default=None)
    if seed is not None and profile is None:
        settings.load_profile("explore")


def random_property_tests(items: list[pytest.Item]) -> list[str]:
    """Node ids of the hypothesis tests among ``items`` whose examples would be random
    (neither derandomized nor given a fixed ``@seed``)."""
    found = []
    for item in items:
        test = getattr(item, "obj", None)
        used = getattr(test, "_hypothesis_internal_use_settings", None)
        if used is None:
            continue
        seeded = getattr(test, "_hypothesis_internal_use_seed", None) is not None
        if not (used.derandomize or seeded):
            found.append(item.nodeid)
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the ``ci`` profile every property test must be reproducible."""
    if settings.get_current_profile_name() != "ci":
        return
    random = random_property_tests(items)
    if random:
        raise pytest.UsageError(
            "these property tests draw random examples under the 'ci' hypothesis profile "
            "(a CI run could fail by chance); remove derandomize=False from their "
            "@settings:\n  " + "\n  ".join(random)
        )
