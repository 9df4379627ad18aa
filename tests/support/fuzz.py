"""The form fuzzer: the forms of a page read from its HTML, hostile submissions, and the checks on each.

`own_forms(html, url)` gives the <form> elements of a page that post to it or to its actions;
`fuzz_form(client, form, url, where)` submits hypothesis-generated values mixing plausible input
with hostile ones and checks every answer (no 500, nothing half-written, complete rows, no
privilege escalation, audited changes, escaped output). Used by tests/security/test_fuzz_forms.py
(every page of the app) and by the apps' own fuzz tests (tests/rcp/test_fuzz.py).
"""

import copy
import functools
import os
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.shortcuts import resolve_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pass_unit.models import AuditEvent
from pass_unit.roles import Role, role_of
from patients.models import Patient
from tests.support.users import PASSWORD

# Examples per form: 20 keeps the file near 75 s for the ~45 forms of the app on 2 cores; PASS_UNIT_FUZZ_EXAMPLES=300
# for a deeper run (about 10 minutes) before a release.
EXAMPLES = int(os.environ.get("PASS_UNIT_FUZZ_EXAMPLES", "20"))
# Answers the app gives on purpose; anything else (500 above all) is a bug.
EXPECTED_STATUS = {200, 302, 403, 404, 405}
# Reading a file (or a report) is audited on every GET; only changes matter here.
VIEW_ACTIONS = (AuditEvent.Action.VIEW, AuditEvent.Action.VIEW_MEDICAL, AuditEvent.Action.VIEW_REPORT)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --------------------------------------------------------------------------- forms in the HTML


@dataclass
class Field:
    name: str
    kind: str  # the input type, or "select", "textarea", "button"
    default: str | None = None
    options: list[str] = field(default_factory=list)


@dataclass
class HtmlForm:
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)


class FormParser(HTMLParser):
    """The <form> elements of a page with their fields, defaults and select options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form = self._select = self._option = self._textarea = None
        self._option_text = ""

    def _add(self, name, kind, default=None) -> Field:
        existing = self._form.fields.get(name)
        if existing is None:
            existing = self._form.fields[name] = Field(name, kind, default)
        return existing

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = HtmlForm((attrs.get("method") or "get").lower(), attrs.get("action") or "")
            self.forms.append(self._form)
            return
        name = attrs.get("name")
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            self._option, self._option_text = attrs, ""
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "reset", "image", "button"):
                kind = "button"
            value = attrs.get("value") or ("on" if kind == "checkbox" else "")
            item = self._add(name, kind)
            if kind in ("checkbox", "radio", "button"):
                item.options.append(value)
                if "checked" in attrs:
                    item.default = value
            else:
                item.default = value
        elif tag == "select":
            self._select = self._add(name, "select")
        elif tag == "textarea":
            self._textarea = self._add(name, "textarea", "")
        elif tag == "button":
            self._add(name, "button").options.append(attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.default += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value = self._option.get("value")
            value = self._option_text.strip() if value is None else value
            self._select.options.append(value)
            if "selected" in self._option:
                self._select.default = value
            self._option = None
        elif tag == "select" and self._select is not None:
            if self._select.default is None and self._select.options:
                self._select.default = self._select.options[0]
            self._select = None


def own_forms(html: str, page_url: str) -> list[HtmlForm]:
    """The forms that submit to the page itself or to one of its actions, at a URL below the page's
    (not the logout button of the menu)."""
    parser = FormParser()
    parser.feed(html)
    page = urlsplit(page_url).path
    paths = [(f, urlsplit(urljoin(page_url, f.action)).path) for f in parser.forms]
    return [f for f, path in paths if path == page or (page != "/" and path.startswith(page))]


# --------------------------------------------------------------------------- hostile values

MISSING = object()  # the field is left out of the submission

# The Django test client cannot encode lone surrogates (UnicodeEncodeError before any request).
TEXT = st.characters(exclude_categories=("Cs",))
HTML_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    '" autofocus onfocus="alert(1)',
    "' onmouseover='alert(1)",
    "</textarea><svg onload=alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "< script >alert(1)</ script >",
)
SQL_PAYLOADS = ("'; DROP TABLE patients_patient; --", "1 OR 1=1", "' OR '1'='1", "%' OR 1=1 --", "\\", "$$;")
NULL_BYTES = ("a\x00b", "\x00", "1\x00", "<script>\x00alert(1)</script>")
NUMBERS = ("-1", "0", "1e309", "-1e309", "NaN", "Infinity", "1.5", "0x10", "1_000", "9" * 5000, "١٢٣", "²")
DATES = (
    "2999-01-01",
    "31/02/2024",
    "2024-02-30",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "0000-00-00",
    "2024-13-01",
    "2024-01-01T25:61",
    "0001-01-01T00:00",
    "0001-01-01T00:05",
    "9999-12-31T23:59",
    "2024-01-01T00:00:00+14:00",
)
FORMULAS = ("=1+1", '=HYPERLINK("http://example.org","x")', "@SUM(1)", "+1", "-1+1")
ODD_TEXT = (
    "\u202eevil",
    "a\u200bb",
    "e\u0301",
    "İ",
    "🧑\u200d⚕️",
    "\ufeff",
    "\r\n",
    "   ",
    "%s %(x)s {0} {{ 7|add:7 }}",
)
# Bookkeeping columns, left out of the audit trail (pass_unit.audit): saving without a change may touch them.
BOOKKEEPING_FIELDS = {"search_text", "version", "updated_at", "created_at", "updated_by", "created_by"}
# Fields no form offers, posted anyway (mass assignment): the privilege and file-number checks watch them.
EXTRA_FIELDS = ("is_superuser", "is_staff", "file_number", "created_by", "professional", "author", "id", "groups")


def _repeat(piece: str, n: int) -> str:
    return (piece * (n // len(piece) + 1))[:n]


LONG = st.builds(
    _repeat,
    st.one_of(st.sampled_from(HTML_PAYLOADS + ("é", "x")), st.text(TEXT, min_size=1, max_size=4)),
    st.integers(10_000, 20_000),
)
SCALAR = st.one_of(
    st.sampled_from(HTML_PAYLOADS + SQL_PAYLOADS + NULL_BYTES + NUMBERS + DATES + FORMULAS + ODD_TEXT),
    st.text(TEXT, max_size=40),
    st.builds(
        lambda a, p, b: a + p + b, st.text(TEXT, max_size=8), st.sampled_from(HTML_PAYLOADS), st.text(TEXT, max_size=8)
    ),
    LONG,
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(str),
    st.dates().map(date.isoformat),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
)
HOSTILE = st.one_of(st.just(MISSING), st.just(""), SCALAR, st.lists(SCALAR, min_size=2, max_size=3))
# Uploads: hostile names, and bytes or CSV-like lines of hostile cells.
FILE_NAMES = (
    "data.csv",
    "../../etc/passwd.csv",
    "<script>alert(1)</script>.csv",
    '"><img src=x onerror=alert(1)>.csv',
    "x" * 300 + ".csv",
    "évé nement.CSV",
    "no_extension",
    "a.csv.exe",
    ".csv",
)
CELL = st.one_of(st.sampled_from(HTML_PAYLOADS + SQL_PAYLOADS + NUMBERS + DATES + FORMULAS), st.text(TEXT, max_size=20))
CSV_TEXT = st.builds(
    lambda rows, sep: "\n".join(sep.join(row) for row in rows),
    st.lists(st.lists(CELL, max_size=6), max_size=8),
    st.sampled_from((";", ",", "\t")),
)
CONTENT = st.one_of(
    st.binary(max_size=1024),
    CSV_TEXT.map(lambda text: text.encode()),
    CSV_TEXT.map(lambda text: "\ufeff".encode() + text.encode("utf-16")),
    CSV_TEXT.map(lambda text: text.encode("cp1252", errors="replace")),
)
UPLOADS = st.builds(SimpleUploadedFile, st.sampled_from(FILE_NAMES), CONTENT)
# Edge cases of the field's own type, half of the time.
HOSTILE_FOR_KIND = {
    "date": st.one_of(st.sampled_from(DATES), st.dates().map(date.isoformat)),
    "datetime-local": st.one_of(st.sampled_from(DATES), st.datetimes().map(lambda d: d.isoformat(timespec="minutes"))),
    "number": st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(str)),
    "email": st.sampled_from(("a@b", "a@b.c" + "c" * 300, "<a@b.c>", "a@b.c\x00", '"a b"@example.org', "é@é.fr")),
    "file": st.one_of(UPLOADS, HOSTILE),  # a text where a file is expected, or a hostile file
}


def hostile(item: Field):
    specific = HOSTILE_FOR_KIND.get(item.kind)
    return HOSTILE if specific is None else st.one_of(specific, HOSTILE)


def plausible(item: Field):
    """What a careful user would type: enough for the form to be saved now and then."""
    if item.kind == "file":
        return UPLOADS
    if item.options:
        choices = [o for o in item.options if o] + [""]
    elif item.kind == "date":
        choices = ["2020-01-15", "2024-02-29", ""]
    elif item.kind == "datetime-local":
        choices = ["2024-01-15T10:30"]
    elif item.kind == "number":
        choices = ["0", "2", "1990", ""]
    elif item.kind == "email":
        choices = ["amina@example.org"]
    elif item.kind == "password":
        choices = [PASSWORD, "tr0ub4dor-horse-staple-9"]
    elif item.kind == "hidden":
        choices = []
    else:
        choices = ["Dupont", "Amina", "Tuberculose", "reception", ""]
    strategies = [st.sampled_from(choices)] if choices else []
    if item.default is not None:  # what the page offers: the record as it is, or the form's initial value
        strategies.insert(0, st.just(item.default))
    if item.kind in ("checkbox", "radio", "button"):
        strategies.append(st.just(MISSING))
    if item.kind in ("text", "textarea", "search"):
        strategies.append(st.text(st.characters(categories=("L", "Zs")), min_size=1, max_size=30))
    return st.one_of(strategies or [st.just("")])


@st.composite
def submissions(draw, form: HtmlForm):
    """The form as the page shows it, or plausible values; then hostile ones in a few fields (or all)."""
    as_shown = draw(st.booleans())  # on an edit page, the record as it is: valid until fuzzed
    values = {}
    for name, item in form.fields.items():
        if as_shown and item.default is not None:
            values[name] = item.default
        elif as_shown and item.kind in ("checkbox", "radio", "button"):
            values[name] = MISSING  # not ticked
        else:
            values[name] = draw(plausible(item))
    if form.fields:
        names = st.sampled_from(sorted(form.fields))
        for name in draw(st.one_of(st.sets(names, max_size=1), st.sets(names, max_size=3), st.sets(names))):
            values[name] = draw(hostile(form.fields[name]))
    for name in draw(st.sets(st.sampled_from(EXTRA_FIELDS), max_size=2)):
        values.setdefault(name, draw(SCALAR))
    return {name: value for name, value in values.items() if value is not MISSING}


# --------------------------------------------------------------------------- the database


ACCOUNT_MODELS = (User, User.groups.through, User.user_permissions.through)


@functools.cache
def tracked_models():
    """Every model of the project's own apps, and the accounts."""
    base = Path(django_settings.BASE_DIR)
    own = [
        model
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and not Path(config.path).is_relative_to(base / ".venv")
        for model in config.get_models()
    ]
    return [*ACCOUNT_MODELS, *own]


def snapshot(ignored_actions) -> dict:
    """label -> {pk: (hash of the row, hash of the fields the audit trail follows)}, in one query."""
    quote = connection.ops.quote_name
    parts, params = [], []
    for model in tracked_models():
        followed = ", ".join(
            f"t.{quote(f.column)}" for f in model._meta.concrete_fields if f.name not in BOOKKEEPING_FIELDS
        )
        row = f"json_build_array(t.{quote(model._meta.pk.column)}, md5(t::text), md5(row({followed})::text))"
        sql = f"SELECT %s, coalesce(json_agg({row}), '[]') FROM {quote(model._meta.db_table)} t"
        params.append(model._meta.label)
        if model is AuditEvent:
            sql += f" WHERE t.{quote('action')} <> ALL(%s)"
            params.append(list(ignored_actions))
        parts.append(sql)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {label: {pk: tuple(hashes) for pk, *hashes in rows} for label, rows in cursor.fetchall()}


@dataclass
class Change:
    added: set
    changed: set
    removed: set
    followed: set  # added, removed, or changed in a field the audit trail follows


def differences(before: dict, after: dict) -> dict[str, Change]:
    diff = {}
    for label, old in before.items():
        new = after[label]
        kept = set(old) & set(new)
        change = Change(
            added=set(new) - set(old),
            changed={pk for pk in kept if old[pk][0] != new[pk][0]},
            removed=set(old) - set(new),
            followed=(set(new) ^ set(old)) | {pk for pk in kept if old[pk][1] != new[pk][1]},
        )
        if change.added or change.changed or change.removed:
            diff[label] = change
    return diff


def assert_stored_rows_are_complete(diff: dict[str, Change], where: str):
    for label, change in diff.items():
        model = apps.get_model(label)
        skip = [f.name for f in model._meta.concrete_fields if not f.editable]
        for obj in model._base_manager.filter(pk__in=change.added | change.changed):
            try:
                obj.full_clean(exclude=skip)
            except ValidationError as error:
                raise AssertionError(f"{where}: {label} {obj.pk} stored invalid: {error.message_dict}") from None
            if isinstance(obj, Patient):
                assert re.fullmatch(r"PASS-\d{4}-\d{5}", obj.file_number), f"{where}: file number {obj.file_number!r}"
    traced = AuditEvent._meta.label in diff
    untraced = [label for label, change in diff.items() if change.followed and label != AuditEvent._meta.label]
    assert traced or not untraced, f"{where}: {untraced} changed without an audit event"


def administrators() -> set[int]:
    admin = Q(is_superuser=True) | Q(is_staff=True) | Q(groups__name=Role.ADMIN)
    return set(User.objects.filter(admin).values_list("pk", flat=True))


def assert_no_privilege_escalation(acting_user, before: set[int], where: str):
    staff = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True)).exclude(groups__name=Role.ADMIN)
    assert not staff.exists(), f"{where}: {list(staff.values_list('username', flat=True))} staff without the role"
    if role_of(acting_user) != Role.ADMIN:
        assert administrators() <= before, f"{where}: only an administrator makes an administrator"


# --------------------------------------------------------------------------- escaped output


class XssFinder(HTMLParser):
    """Markup that can only come from injected input: handlers calling alert(), javascript: links…"""

    URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name.startswith("on") and "alert(" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in self.URL_ATTRS and squeezed.startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")
        self._script = tag == "script"

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.found.append(f"<script>{data[:80]}")


def posted_strings(data: dict) -> list[str]:
    values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    return [v if isinstance(v, str) else v.name for v in values]


def assert_escaped(response, data: dict, where: str):
    if "html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode(response.charset or "utf-8", errors="replace")
    finder = XssFinder()
    finder.feed(html)
    assert not finder.found, f"{where}: injected markup in the page: {finder.found[:3]}"
    posted = posted_strings(data)
    for payload in HTML_PAYLOADS:
        if any(c in payload for c in "<>\"'") and any(payload in value for value in posted):
            assert payload not in html, f"{where}: {payload!r} is shown unescaped"


# --------------------------------------------------------------------------- the fuzzing


def fuzz_form(
    client,
    form: HtmlForm,
    url: str,
    where: str,
    *,
    examples=EXAMPLES,
    statuses=EXPECTED_STATUS,
    ignored=VIEW_ACTIONS,
    acting_user=None,
):
    action = urljoin(url, form.action)
    login_url = resolve_url(django_settings.LOGIN_URL)
    send = client.post if form.method == "post" else client.get
    logged_in = acting_user is not None
    admins = administrators()

    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(data=submissions(form))
    def submit(data):
        cookies = copy.deepcopy(client.cookies)
        if not logged_in:
            client.cookies.clear()
        try:
            with transaction.atomic():
                try:
                    check_submission(data)
                finally:
                    transaction.set_rollback(True)  # the next example starts from the same data
        finally:
            client.cookies = cookies

    def check_submission(data):
        before = snapshot(ignored)
        try:
            response = send(action, data)
        except Exception as error:
            raise AssertionError(f"{where}: {form.method.upper()} {action} raised {error!r}") from error
        status = response.status_code
        assert status in statuses, f"{where}: answered {status}"
        diff = differences(before, snapshot(ignored))
        assert_escaped(response, data, where)
        if status != 302:
            assert not diff, f"{where}: answered {status} but changed {diff}"
            return
        assert_stored_rows_are_complete(diff, where)
        if diff.keys() & {m._meta.label for m in ACCOUNT_MODELS}:
            assert_no_privilege_escalation(acting_user, admins, where)
        target = urljoin(action, response["Location"])
        if logged_in:
            assert urlsplit(target).path != login_url, f"{where}: the session was lost"
        if urlsplit(target).netloc:
            return  # never followed off-site
        try:
            page = client.get(target)
        except Exception as error:
            raise AssertionError(f"{where}: after saving, GET {target} raised {error!r}") from error
        # A "next" such as "<script>" is a relative path: the login sends there and it does not exist.
        assert page.status_code in statuses, f"{where}: after saving, GET {target} answered {page.status_code}"
        assert_escaped(page, data, f"{where} → {target}")

    submit()
