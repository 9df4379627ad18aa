"""Shared test helpers, the only place tests import helpers from (fixtures stay in conftest.py files).

- `tests.support.clock`: the instant the tests run at (`now_for_tests`, PASS_UNIT_TEST_NOW);
- `tests.support.users`: the test password and `make_user`;
- `tests.support.factories`: factory_boy factories for patients;
- `tests.support.patients`: intake form data and the "refused, input kept" assertion;
- `tests.support.rcp`: RCP state built through the real services;
- `tests.support.budget`: budget factories and URL arguments;
- `tests.support.pages`: checks on rendered pages (inline code), the queries of any logged-in page;
- `tests.support.access`: the access matrix's URL walk, role table, world (`build_world`) and URL
  builder (`url_for`), `expected_status`;
- `tests.support.object_access`: the per-kind table of object access (`CASES`, `COVERED_URLS`);
- `tests.support.fuzz`: the form fuzzer (`own_forms`, `fuzz_form`);
- `tests.support.browser`: the browser tests' helpers (`login`, `screenshot`, axe-core).

tests/test_support_imports.py fails if a test module imports from another test module.
"""
