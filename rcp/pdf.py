"""The minutes as PDF: an HTML template (templates/rcp/pdf/minutes.html) rendered by WeasyPrint.

Three documents come from the one template:
- the minutes of a meeting (draft on the fly, or the official version stored at validation);
- a patient's extract (their case only), filed in the patient's record at validation;
- the medical annex (the medical summaries), for the medical roles only, never stored.

The minutes and the extracts never contain medical summaries: they are read by the social
worker and the coordinator, who may not read medical data (DESIGN.md), and a stored file
cannot be cut per reader.

Documents are written in the unit's language (settings.LANGUAGE_CODE) and time zone,
whoever asks for them: official minutes do not change with a browser's preferences.

A document is made in two steps: the HTML (Django template, ~10 ms a case) then the PDF
(WeasyPrint, ~70 ms of CPU a page). At validation the extracts' HTML is made inside the
transaction, so their text is fixed there; their PDFs are made by a background task
(rcp/tasks.py) from that HTML.
"""

import functools
import hashlib
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from rcp import selectors
from rcp.models import CaseReview, DraftMinutes, Meeting, MinutesVersion

TEMPLATE = "rcp/pdf/minutes.html"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    sha256: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def patient_label(patient, *, full_names: bool) -> str:
    """How the minutes name a patient: file number and initials, or full name when chosen."""
    if full_names:
        return f"{patient.file_number} — {patient.display_name}"
    return f"{patient.file_number} — {patient.initials or '?'}"


def retained_cost(options) -> Decimal | None:
    """The estimated cost of the options retained (options are alternatives: never summed all)."""
    costs = [o.estimated_cost for o in options if o.retained and o.estimated_cost is not None]
    return sum(costs, Decimal("0")) if costs else None


def minutes_context(
    meeting: Meeting,
    *,
    mode: str = "minutes",
    cases: list[CaseReview] | None = None,
    only_case: CaseReview | None = None,
    version_number: int | None = None,
    validated_by=None,
    validated_at=None,
    previous: MinutesVersion | None = None,
    correction_reason: str = "",
    participants: list | None = None,
) -> dict:
    full_names = meeting.full_names_in_minutes
    if participants is None:
        participants = selectors.meeting_participants(meeting)
    if cases is None:
        cases = selectors.meeting_cases(meeting, with_medical=mode == "annex")
    if only_case is not None:
        cases = [c for c in cases if c.pk == only_case.pk]
    for case in cases:
        case.label = patient_label(case.patient, full_names=full_names)
        case.retained_cost = retained_cost(case.options.all())
    follow_up = []
    if mode == "minutes":
        follow_up = selectors.follow_up_actions(meeting, as_of=validated_at or timezone.now())
        for action in follow_up:
            action.label = patient_label(action.case_review.patient, full_names=full_names)
    return {
        "unit_name": settings.PASS_UNIT_NAME,
        "meeting": meeting,
        "mode": mode,
        "participants": participants,
        "members": [p for p in participants if not p.is_guest],
        "guests": [p for p in participants if p.is_guest],
        "quorum": meeting.quorum_status(participants),
        "cases": cases,
        "follow_up": follow_up,
        "version_number": version_number,
        "validated_by": validated_by,
        "validated_at": validated_at,
        "previous": previous,
        "correction_reason": correction_reason,
        "draft": version_number is None and mode != "annex",
        "generated_at": timezone.now(),
    }


@functools.cache
def _no_fetching():
    """A URL fetcher that fetches nothing: the minutes are self-contained (inline CSS, system
    fonts), so no text typed by a user can make the server request a URL. Made once: each
    default fetcher builds an SSL context, a fifth of the time of a small document."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=frozenset())


_fonts = threading.local()


def _font_config():
    """WeasyPrint's font configuration, made once per thread (Pango font maps are not shared
    between threads): saves ~10 ms a document, which counts for the 20 extracts of a meeting."""
    if not hasattr(_fonts, "config"):
        from weasyprint.text.fonts import FontConfiguration

        _fonts.config = FontConfiguration()
    return _fonts.config


def _printed_on(moment) -> str:
    """When a draft or an annex was printed, as the documents say it ("1 décembre 2026, 14:05")."""
    return date_filter(timezone.localtime(moment), "j F Y, H:i")


def render_html(context: dict) -> str:
    """The document's HTML, in the unit's language and time zone."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context.setdefault("printed_on", _printed_on(context["generated_at"]))
        return render_to_string(TEMPLATE, context)


# The user-agent stylesheet of the minutes: the rules of WeasyPrint's HTML5 one (weasyprint/css/
# html5_ua.css, 70.0) for the elements templates/rcp/pdf/minutes.html uses, and nothing else. The
# whole one holds ~250 rules, many for pseudo-elements (::marker, ::footnote-call, ::note-*) that
# WeasyPrint gives a computed style to for every element of the document: a fifth of the CPU time
# of the minutes. A template that uses another element must add its rules here (copied from
# html5_ua.css); tests/rcp/test_pdf_fast.py renders every document both ways and requires
# the same PDF, byte for byte.
MINUTES_UA_CSS = """
head, meta, style, title { display: none }
html, body, div, section, h1, h2, h3, p { display: block }
table { display: table }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group }
tbody { display: table-row-group }
tfoot { display: table-footer-group }
tr { display: table-row }
td, th { display: table-cell }
p { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
h1 { margin-top: .67em; margin-bottom: .67em }
h2 { margin-top: .83em; margin-bottom: .83em }
h3 { margin-top: 1em; margin-bottom: 1em }
table { border-spacing: 2px; border-collapse: separate }
td, th { padding: 1px }
thead, tbody, tfoot, table > tr { vertical-align: middle }
tr, td, th { vertical-align: inherit }
html { color-scheme: light }
strong, th { font-weight: bold }
h1 { font-size: 2em; font-weight: bold }
h2 { font-size: 1.5em; font-weight: bold }
h3 { font-size: 1.17em; font-weight: bold }
table, td, th { border-color: gray }
thead, tbody, tfoot, tr { border-color: inherit }
br::before { content: "\\A"; white-space: pre-line }
table { text-indent: initial }
table { box-sizing: border-box }
h1 { bookmark-level: 1 }
h2 { bookmark-level: 2 }
h3 { bookmark-level: 3 }
h1, h2, h3 { bookmark-label: content(text) }
h1, h2, h3 { hyphens: manual; break-after: avoid; break-inside: avoid }
@page {
  margin: 75px;
  @footnote            { margin-top: 1em }
  @note-area           { content: element(note, all-once) }
  @top-left-corner     { text-align: right;  vertical-align: middle }
  @top-left            { text-align: left;   vertical-align: middle }
  @top-center          { text-align: center; vertical-align: middle }
  @top-right           { text-align: right;  vertical-align: middle }
  @top-right-corner    { text-align: left;   vertical-align: middle }
  @left-top            { text-align: center; vertical-align: top    }
  @left-middle         { text-align: center; vertical-align: middle }
  @left-bottom         { text-align: center; vertical-align: bottom }
  @right-top           { text-align: center; vertical-align: top    }
  @right-middle        { text-align: center; vertical-align: middle }
  @right-bottom        { text-align: center; vertical-align: bottom }
  @bottom-left-corner  { text-align: right;  vertical-align: middle }
  @bottom-left         { text-align: left;   vertical-align: middle }
  @bottom-center       { text-align: center; vertical-align: middle }
  @bottom-right        { text-align: right;  vertical-align: middle }
  @bottom-right-corner { text-align: left;   vertical-align: middle }
}
"""


@functools.cache
def _html_class():
    """WeasyPrint's HTML class, with the minutes' user-agent stylesheet.

    WeasyPrint 70 has no public option to replace the user-agent stylesheet (`stylesheets=` adds
    user stylesheets on top of it): this overrides the private method `HTML._ua_stylesheets`,
    which is why weasyprint is pinned (pyproject.toml). tests/rcp/test_pdf_fast.py fails if
    WeasyPrint stops calling it, or if the output differs from that of the default stylesheet."""
    from weasyprint import CSS, HTML  # imported late: a heavy import that only PDF views need

    sheet = CSS(string=MINUTES_UA_CSS)

    class MinutesHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet]

    return MinutesHTML


STYLESHEET = Path(settings.BASE_DIR) / "templates" / "rcp" / "pdf" / "minutes.css"


@functools.cache
def _stylesheet():
    """The template's element rules (minutes.css), parsed once per process (~25 ms a document when
    they were in the template's <style>). Given as a user stylesheet: with the template's own
    <style> holding only @page rules, no author rule competes with them, so they apply exactly as
    they did from the template."""
    from weasyprint import CSS

    return CSS(string=STYLESHEET.read_text(), url_fetcher=_no_fetching())


def pdf_from_html(html: str) -> Rendered:
    font_config = _font_config()
    document = _html_class()(string=html, url_fetcher=_no_fetching())
    data = document.write_pdf(font_config=font_config, stylesheets=[_stylesheet()])
    return Rendered(pdf=data, sha256=sha256(data))


def render_pdf(context: dict) -> Rendered:
    return pdf_from_html(render_html(context))


def render_minutes(meeting: Meeting, **kwargs) -> Rendered:
    return render_pdf(minutes_context(meeting, mode="minutes", **kwargs))


# Stands for the print time in the HTML a draft is keyed by: the only part of a draft that
# changes when nothing else does. NUL never comes from a form (Django refuses it in text fields).
_PRINT_TIME = "\x00printed-on\x00"


def draft_minutes_html(meeting: Meeting) -> tuple[str, str]:
    """The draft minutes' HTML with the print time left as a placeholder, and its SHA-256: the key
    under which its PDF is stored (rcp.models.DraftMinutes)."""
    context = minutes_context(
        meeting,
        mode="minutes",
        cases=selectors.meeting_cases(meeting),
        previous=selectors.latest_version(meeting),
        correction_reason=meeting.correction_reason,
    )
    context["printed_on"] = _PRINT_TIME
    html = render_html(context)
    return html, sha256(html.encode())


def draft_minutes(meeting: Meeting) -> tuple[bytes, bool]:
    """The draft minutes PDF of a meeting not yet validated, and whether it was served from the
    store: the stored PDF when it was made from the same HTML as now (the same text, made earlier,
    saying when), otherwise made now and stored for the next download."""
    html, key = draft_minutes_html(meeting)
    stored = DraftMinutes.objects.filter(meeting=meeting, html_sha256=key).values_list("pdf", flat=True).first()
    if stored is not None:
        return bytes(stored), True
    made_at = timezone.now()
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        printed = _printed_on(made_at)
    data = pdf_from_html(html.replace(_PRINT_TIME, str(escape(printed)))).pdf
    _store_draft(meeting, key, data, made_at)
    return data, False


def _store_draft(meeting: Meeting, key: str, data: bytes, made_at) -> None:
    try:
        with transaction.atomic():
            DraftMinutes.objects.update_or_create(
                meeting=meeting, defaults={"html_sha256": key, "pdf": data, "made_at": made_at}
            )
    except IntegrityError:
        pass  # made at the same time by the worker or another download: either is right


def extract_html(meeting: Meeting, case: CaseReview, **kwargs) -> str:
    """A patient's extract as HTML: what validation fixes, before the PDF is made in the background."""
    return render_html(minutes_context(meeting, mode="extract", only_case=case, **kwargs))


def render_extract(meeting: Meeting, case: CaseReview, **kwargs) -> Rendered:
    return pdf_from_html(extract_html(meeting, case, **kwargs))


def render_medical_annex(meeting: Meeting) -> Rendered:
    return render_pdf(minutes_context(meeting, mode="annex"))
