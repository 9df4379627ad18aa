"""Extension points for pages that show data from several apps.

`patients` must not import `rcp` or `budget` (dependencies point one way), yet the
patient file shows a patient's RCP reviews and care costs, and the home dashboard
shows open actions and the budget. Those apps register small panel functions here
in their AppConfig.ready(); the pages render whatever is registered.

A panel function takes (request, obj) and returns rendered HTML (a SafeString)
or None when there is nothing to show or the user may not see it. It must check
access itself and run a bounded number of queries.
Action functions return a list of (label, url, css_class) for the page's buttons.
Visit action functions take (request, visits), the visits listed on the patient file, and
return {visit pk: [(label, url, css_class), ...]}: one call for the whole list, no query per row.
"""

from collections.abc import Callable

PATIENT_FILE = "patient_file"  # panels on /patients/<pk>/, obj = Patient
PATIENT_ACTIONS = "patient_actions"  # buttons on /patients/<pk>/, obj = Patient
DASHBOARD = "dashboard"  # blocks on /, obj = None
RCP_CASE = "rcp_case"  # panels on /rcp/cases/<pk>/, obj = CaseReview (the budget prices its options)
VISIT_ACTIONS = "visit_actions"  # links on each visit of /patients/<pk>/, obj = the list of visits shown

_registry: dict[str, list[tuple[int, Callable]]] = {
    PATIENT_FILE: [],
    PATIENT_ACTIONS: [],
    DASHBOARD: [],
    RCP_CASE: [],
    VISIT_ACTIONS: [],
}


def register(kind: str, func: Callable | None = None, *, order: int = 100):
    """Register `func` (or decorate it) as a panel of `kind`."""

    def decorator(f):
        entries = _registry[kind]
        if f not in [fn for _, fn in entries]:
            entries.append((order, f))
            entries.sort(key=lambda entry: entry[0])
        return f

    return decorator(func) if func is not None else decorator


def render(kind: str, request, obj=None) -> list:
    """The non-empty outputs of every panel of `kind`, in order."""
    outputs = []
    for _, func in _registry[kind]:
        result = func(request, obj)
        if not result:
            continue
        if kind == PATIENT_ACTIONS:
            outputs.extend(result)  # a list of buttons
        else:
            outputs.append(result)  # one rendered section
    return outputs


def visit_actions(request, visits) -> dict[int, list]:
    """{visit pk: [(label, url, css_class), ...]} from every VISIT_ACTIONS function, in order."""
    actions: dict[int, list] = {}
    for _, func in _registry[VISIT_ACTIONS]:
        for visit_pk, links in (func(request, visits) or {}).items():
            actions.setdefault(visit_pk, []).extend(links)
    return actions
