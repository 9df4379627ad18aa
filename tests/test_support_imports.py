"""Tests import shared helpers from tests/support/ only, never from another test module.

Fixtures are used by name (pytest finds them in the conftest.py files), not imported; a helper two
test modules need moves to tests/support/. A test module importing another one runs its tests'
module code twice, couples two files, and hides where a helper lives.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# Modules under tests/ that are not test modules, read by a test and by a bench script outside tests/.
NOT_TEST_MODULES = {
    "tests.patients.search_eval": "the search evaluation set, also read by bench/bench_search.py",
    "tests.deploy.servers": "the gunicorn servers of the deployment tests, also used by bench/load/run.py",
}


def imported_test_modules(path: Path) -> list[str]:
    """The `tests.*` modules `path` imports that are not under tests.support (nor listed above)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "tests":  # from tests import x
                names = [f"tests.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom):  # relative: from .conftest import x
            names = [f"{'.' * node.level}{node.module or ''}"]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("."):
                found.append(f"{name} (relative import)")
            elif name.split(".")[0] == "tests" and name != "tests":
                if name.split(".")[1] != "support" and name not in NOT_TEST_MODULES:
                    found.append(name)
    return found


def test_it_finds_an_import_of_another_test_module(tmp_path):
    module = tmp_path / "test_x.py"
    module.write_text(
        "from tests.support.access import url_for\n"
        "from tests.security.test_access_matrix import RULES\n"
        "def test():\n    from tests.browser.conftest import screenshot\n"
        "import tests.budget.test_queries\nfrom tests import conftest\nfrom .conftest import x\n"
    )
    assert sorted(imported_test_modules(module)) == sorted(
        [
            "tests.security.test_access_matrix",
            "tests.browser.conftest",
            "tests.budget.test_queries",
            "tests.conftest",
            ".conftest (relative import)",
        ]
    )


def test_no_test_module_imports_another():
    offenders = {
        str(path.relative_to(TESTS.parent)): names
        for path in sorted(TESTS.rglob("*.py"))
        if "support" not in path.relative_to(TESTS).parts[:1] and (names := imported_test_modules(path))
    }
    assert not offenders, f"import helpers from tests/support/ (fixtures: by name), not from test modules: {offenders}"
