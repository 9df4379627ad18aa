"""Checks on rendered pages, and the queries every logged-in page costs (`REQUEST_QUERIES`)."""

from html.parser import HTMLParser


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP (script-src/style-src 'self') refuses to run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


# Every page of a logged-in user, before the view's own work: session, user, user's groups
# (the role, then cached on the user object); after it, the idle-timeout session save
# (SESSION_SAVE_EVERY_REQUEST): savepoint, UPDATE django_session, release savepoint.
REQUEST_QUERIES = 3 + 3


# /patients/<pk>/: patient, visits of the page (+ professional, their number), assessments
# (+ author), rights, medical context (+ updated_by), orientations (+ author); the panels other
# apps add (pass_unit.panels): the patient's RCP reviews, their care costs per year and
# category; then the audit rows view and view_medical, written by one INSERT.
PATIENT_PANEL_QUERIES = 2
PATIENT_FILE_QUERIES = REQUEST_QUERIES + 6 + PATIENT_PANEL_QUERIES + 1
