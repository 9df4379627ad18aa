"""The minutes are rendered faster than WeasyPrint does by default: with a lean user-agent
stylesheet (rcp.pdf.MINUTES_UA_CSS, through a private WeasyPrint hook) and with the template's
element rules (minutes.css) parsed once. The documents must come out exactly as plain WeasyPrint
makes them from a self-contained HTML (its own user-agent stylesheet, every rule in the document's
<style>), byte for byte, and the tests must fail if the hook stops working."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from weasyprint import HTML

from rcp import pdf, services
from rcp.models import Action, CaseReview
from tests.support import rcp as helpers
from tests.support.rcp import register

TEMPLATE = Path(settings.BASE_DIR) / "templates" / "rcp" / "pdf" / "minutes.html"


@pytest.fixture
def following(held, coordinator, physician, social, nurse, other_patient):
    """A meeting after `held` (validated): every kind of content the minutes can hold — an urgent
    case with ethical issues and a decision departing from guidelines, a postponed case with a long
    name, a guest, and the earlier meeting's actions to follow up, one dropped with its reason."""
    helpers.validate(held, coordinator, real_pdf=False)
    meeting = helpers.plan(physician)
    helpers.add_guest(meeting, coordinator, name="Dr Anne-Sophie Lefèvre-Ngatchou", profession="Infectiologue")
    urgent = helpers.add_case(meeting, other_patient, physician, question="Suite ?\nDeux lignes.", urgent=True)
    long_name = register(social, "Wolfeschlegelsteinhausenbergerdorff-Ngatchou", "Marie-Ange", year=1960)
    postponed = helpers.add_case(meeting, long_name, social, question="Hébergement ? " + "mot-très-long" * 6)
    helpers.pass_time(meeting)
    helpers.take_attendance(meeting, physician)
    helpers.decide(
        urgent,
        physician,
        decision="Hospitalisation",
        deliberation="Discussion collégiale.",
        ethical_issues="Coût au regard du bénéfice.",
        departs_from_guidelines=True,
    )
    helpers.decide(postponed, physician, decision="", postponed=True)
    helpers.add_option(urgent, physician, description="Sans coût", cost=None, retained=False)
    helpers.add_option(urgent, physician, description="Consultation", cost="1234.56")
    helpers.add_action(urgent, physician, assignee=nurse, description="Rendez-vous")
    services.action_close(
        action=Action.objects.get(description="Demande SIAO"),
        status="dropped",
        reason="Perdu de vue",
        acting_user=social,
    )
    meeting.refresh_from_db()
    return meeting


def documents(meeting, held, coordinator) -> dict[str, str]:
    """The HTML of each document the template makes, for `meeting`."""
    case = CaseReview.objects.filter(meeting=meeting).order_by("position").first()
    return {
        "draft minutes": pdf.draft_minutes_html(meeting)[0].replace(pdf._PRINT_TIME, "1 janvier 2026, 10:00"),
        "corrected version": pdf.render_html(
            pdf.minutes_context(
                meeting,
                version_number=2,
                previous=held.versions.get(),
                correction_reason="Erreur de date.\nCorrigée.",
                validated_by=coordinator,
                validated_at=timezone.now(),
            )
        ),
        "extract": pdf.extract_html(meeting, case),
        "medical annex": pdf.render_html(pdf.minutes_context(meeting, mode="annex")),
    }


def plain_weasyprint(html: str, **options) -> bytes:
    """What WeasyPrint makes of the HTML on its own: its user-agent stylesheet, no hook."""
    return HTML(string=html, url_fetcher=pdf._no_fetching()).write_pdf(font_config=pdf._font_config(), **options)


def self_contained(html: str) -> str:
    """The document with minutes.css in its own <style>, after the template's, as it used to be."""
    head, rest = html.split("</style>", 1)
    return f"{head}</style>\n<style>\n{pdf.STYLESHEET.read_text()}</style>{rest}"


def test_every_document_is_the_pdf_plain_weasyprint_makes_of_it(following, held, coordinator):
    for name, html in documents(following, held, coordinator).items():
        assert pdf.pdf_from_html(html).pdf == plain_weasyprint(self_contained(html)), name


def test_the_hook_replaces_the_user_agent_stylesheet():
    """If WeasyPrint stopped calling `HTML._ua_stylesheets` (renamed in an upgrade), the lean
    stylesheet would be silently ignored: a list, which it does not style, must then come out
    differently (WeasyPrint's stylesheet draws bullets)."""
    html = "<!DOCTYPE html><html><body><ul><li>un</li><li>deux</li></ul></body></html>"
    assert pdf.pdf_from_html(html).pdf != plain_weasyprint(html, stylesheets=[pdf._stylesheet()])


def test_every_element_of_the_template_has_its_user_agent_rules():
    """An element added to the template without its rules in MINUTES_UA_CSS would render differently
    (e.g. <ul> without its margins): copy them from weasyprint/css/html5_ua.css."""
    source = TEMPLATE.read_text()
    elements = set(re.findall(r"<([a-z][a-z0-9]*)\b", source))
    element_rules = pdf.MINUTES_UA_CSS.split("@page")[0]
    selectors = set(re.findall(r"(?<![\w.#:-])([a-z][a-z0-9]*)\b(?=[^{}]*\{)", element_rules))
    styled_by_default = {"span"}  # inline: WeasyPrint's stylesheet has no rule for it either
    assert elements - styled_by_default <= selectors, elements - styled_by_default - selectors
    assert "strong" in elements and "strong" in selectors  # the parsing above does find elements
