"""Shared test helpers, the only place tests import helpers from (fixtures stay in conftest.py files).

- `tests.support.clock`: the instant the tests run at (`now_for_tests`, PASS_UNIT_TEST_NOW);
- `tests.support.users`: the test password and `make_user`;
- `tests.support.factories`: factory_boy factories for patients;
- `tests.support.patients`: intake form data and the "refused, input kept" assertion;
- `tests.support.rcp`: RCP state built through the real services;
- `tests.support.budget`: budget factories and URL arguments;
- `tests.support.pages`: checks on rendered pages (inline code);
- `tests.support.access`: the access matrix's URL builder and world.
"""
