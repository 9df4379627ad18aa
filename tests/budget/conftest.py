import pytest

# The access matrix's `world` (a patient with a visit, a right and a medical context), reused here.
from tests.security.test_access_matrix import world  # noqa: F401


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock):
    """Budget tests run on the test clock: "today" does not depend on when they run."""
