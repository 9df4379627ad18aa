# The access matrix's `world` (a patient with a visit, a right and a medical context), reused here.
from tests.security.test_access_matrix import world  # noqa: F401
