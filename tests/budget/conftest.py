import pytest


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock):
    """Budget tests run on the test clock: "today" does not depend on when they run."""
