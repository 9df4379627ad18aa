"""The patient list writes each row from labels built once (badge, choice labels, why a row
matched) and its two filters as plain selects: the page must still show what it showed, in the
user's language, for each patient's current values."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from pass_unit import access
from patients.forms import PatientFilterForm
from patients.models import CoverageRight, Patient
from patients.templatetags import patients_extras
from tests.support.factories import CoverageRightFactory, PatientFactory

pytestmark = pytest.mark.django_db

LIST = reverse("patients:list")


def row_of(html: str, file_number: str) -> str:
    start = html.index(file_number)
    return html[start : html.index("</tr>", start)]


def select_of(html: str, name: str) -> str:
    start = html.index(f'<div id="div_id_{name}"')
    return html[start : html.index("</select>", start) + len("</select>")]


def test_it_shows_each_patients_identity_badge_in_the_users_language(login, social):
    patient = PatientFactory(
        identity_status=Patient.IdentityStatus.RETRIEVED, identity_attributes=[Patient.IdentityAttribute.HOMONYM]
    )
    client = login(social)

    for language in ("fr", "en"):
        row = row_of(client.get(LIST, headers={"accept-language": language}).content.decode(), patient.file_number)
        with translation.override(language):
            status_label = str(Patient.IdentityStatus.RETRIEVED.label)
            homonym_label = str(Patient.IdentityAttribute.HOMONYM.label)
            title = gettext("Identity status (identity vigilance)")
        assert f'data-identity-status="retrieved" title="{title}">{status_label}</span>' in row
        assert f'data-identity-attribute="homonym">{homonym_label}</span>' in row


def test_it_shows_the_badge_of_the_patients_current_status(login, social):
    patient = PatientFactory(identity_status=Patient.IdentityStatus.PROVISIONAL)
    client = login(social)
    assert 'data-identity-status="provisional"' in row_of(client.get(LIST).content.decode(), patient.file_number)

    Patient.objects.filter(pk=patient.pk).update(
        identity_status=Patient.IdentityStatus.RETRIEVED, identity_attributes=[Patient.IdentityAttribute.DOUBTFUL]
    )

    row = row_of(client.get(LIST).content.decode(), patient.file_number)
    assert 'data-identity-status="retrieved"' in row
    assert 'data-identity-status="provisional"' not in row
    assert 'data-identity-attribute="doubtful"' in row


def test_the_badge_is_the_one_built_for_each_patient():
    """The memo keys on everything the badge shows: two patients differing in one value differ."""
    a = Patient(identity_status="validated", identity_attributes=["homonym"])
    b = Patient(identity_status="validated", identity_attributes=[])
    c = Patient(identity_status="retrieved", identity_attributes=["homonym"])
    badges = {str(patients_extras.identity_badge(p)) for p in (a, b, c)}
    assert len(badges) == 3
    assert patients_extras.identity_badge(a, plain=True) != patients_extras.identity_badge(a)
    with translation.override("en"):
        english = str(patients_extras.identity_badge(a, plain=True))
    with translation.override("fr"):
        french = str(patients_extras.identity_badge(a, plain=True))
    with translation.override("en"):
        assert english == f'<span class="identity-status">({a.IdentityStatus.VALIDATED.label} · Homonym)</span>'
    with translation.override("fr"):
        assert french == (
            f'<span class="identity-status">({a.IdentityStatus.VALIDATED.label} · '
            f"{Patient.IdentityAttribute.HOMONYM.label})</span>"
        )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_label_of_shows_what_get_display_shows(language):
    right = CoverageRight(regime=CoverageRight.Regime.AME, status=CoverageRight.Status.FILED)
    with translation.override(language):
        for value, _label in Patient.Status.choices:
            patient = Patient(status=value)
            assert patients_extras.label_of(patient, "status") == patient.get_status_display()
        for value, _label in CoverageRight.Status.choices:
            right.status = value
            assert patients_extras.label_of(right, "status") == right.get_status_display()
        for value, _label in CoverageRight.Regime.choices:
            right.regime = value
            assert patients_extras.label_of(right, "regime") == right.get_regime_display()
        assert patients_extras.label_of(Patient(status="unknown"), "status") == "unknown"


def test_it_shows_the_status_and_right_of_each_row_in_the_users_language(login, social):
    patient = PatientFactory(status=Patient.Status.LOST)
    CoverageRightFactory(patient=patient, created_by=social, regime="ame", status="filed")
    client = login(social)

    for language in ("fr", "en"):
        row = row_of(client.get(LIST, headers={"accept-language": language}).content.decode(), patient.file_number)
        with translation.override(language):
            right = CoverageRight(regime="ame", status="filed")
            assert f"<td>{Patient(status='lost').get_status_display()}</td>" in row
            expected = f"{right.get_regime_display()} — {right.get_status_display()}".replace("'", "&#x27;")
            assert expected in row


def test_the_filters_keep_the_chosen_values(login, social):
    html = login(social).get(LIST, {"status": "lost", "coverage": "ame"}).content.decode()

    status = select_of(html, "status")
    assert '<label for="id_status" class="form-label">' in status
    assert '<option value="lost" selected>' in status
    assert status.count(" selected>") == 1
    assert "is-invalid" not in status
    coverage = select_of(html, "coverage")
    assert '<option value="ame" selected>' in coverage
    assert coverage.count(" selected>") == 1


def test_the_filters_choose_every_status_and_coverage_by_default(login, social):
    html = login(social).get(LIST).content.decode()

    for name, field in (("status", "status"), ("coverage", "coverage")):
        select = select_of(html, name)
        assert '<option value="" selected>' in select
        assert select.count(" selected>") == 1
        for value, _label in PatientFilterForm().fields[field].choices:
            assert f'<option value="{value}"' in select


def test_the_filters_show_their_errors_beside_them(login, social):
    html = login(social).get(LIST, {"status": "bogus", "coverage": "ame"}).content.decode()

    status = select_of(html, "status")
    assert 'class="select form-select is-invalid" aria-invalid="true" aria-describedby="id_status_error"' in status
    assert " selected>" not in status  # an unknown value chooses nothing, as Django's widget
    error_start = html.index('<div id="id_status_error" class="invalid-feedback">')
    assert 'id="error_1_id_status"' in html[error_start : error_start + 300]
    assert "bogus" in html[error_start : error_start + 300]
    coverage = select_of(html, "coverage")
    assert "is-invalid" not in coverage
    assert '<option value="ame" selected>' in coverage  # the other value typed is kept


def test_the_coverage_filter_is_shown_only_to_the_roles_that_read_the_rights(login, reception, nurse):
    for user in (reception, nurse):
        html = login(user).get(LIST).content.decode()
        assert 'id="id_status"' in html
        assert ('id="id_coverage"' in html) == access.can_read_social_summary(user)


def test_it_says_why_each_row_matched_escaping_the_alias(login, social):
    PatientFactory(last_name="Diallo", first_name="Mamadou", aliases=["<b>Mamadou Dialo</b>"])
    client = login(social)

    html = client.get(LIST, {"q": "diallo mamadou"}, headers={"accept-language": "en"}).content.decode()
    assert '<small class="text-muted match-reason" data-testid="match-reason">exact name</small>' in html

    html = client.get(LIST, {"q": "<b>mamadou dialo"}, headers={"accept-language": "en"}).content.decode()
    assert "<b>Mamadou" not in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_match_reason_writes_what_the_template_wrote(language):
    from django.template import Context, Template

    template = Template(
        '{% load i18n %}{% if hit.match_kind %}<br><small class="text-muted match-reason" data-testid="match-reason">'
        '{% if hit.match_kind == "exact" %}{% translate "exact name" %}'
        '{% elif hit.match_kind == "spelling" %}{% translate "close spelling of the name" %}'
        '{% elif hit.match_kind == "alias" %}{% blocktranslate with spelling=hit.match_spelling %}'
        "found by the alias “{{ spelling }}”{% endblocktranslate %}"
        '{% elif hit.match_kind == "names" %}{% translate "name and aliases together" %}'
        '{% elif hit.match_kind == "file_number" %}{% translate "file number" %}'
        '{% elif hit.match_kind == "ipp" %}{% translate "IPP" %}'
        '{% elif hit.match_kind == "birth_year" %}{% translate "year of birth" %}{% endif %}</small>{% endif %}'
    )
    with translation.override(language):
        for kind in ("", None, "exact", "spelling", "alias", "names", "file_number", "ipp", "birth_year"):
            for spelling in ("", "Ben Ali", "O'Neil <i>"):
                hit = Patient()
                hit.match_kind, hit.match_spelling = kind, spelling
                assert str(patients_extras.match_reason(hit)) == template.render(Context({"hit": hit}))
        assert patients_extras.match_reason(Patient()) == ""


def test_each_row_shows_the_files_latest_right(login, social):
    patient = PatientFactory()
    other = PatientFactory()
    old = CoverageRightFactory(patient=patient, created_by=social, regime="puma", status="expired")
    CoverageRightFactory(patient=patient, created_by=social, regime="ame", status="granted")
    CoverageRight.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    CoverageRightFactory(patient=other, created_by=social, regime="css", status="filed")

    with translation.override("en"):
        html = login(social).get(LIST, headers={"accept-language": "en"}).content.decode()
        ame = CoverageRight(regime="ame", status="granted")
        css = CoverageRight(regime="css", status="filed")
        assert f"{ame.get_regime_display()} — {ame.get_status_display()}".replace("'", "&#x27;") in row_of(
            html, patient.file_number
        )
        assert "PUMa" not in row_of(html, patient.file_number)
        assert f"{css.get_regime_display()} — {css.get_status_display()}" in row_of(html, other.file_number)


def test_the_rights_are_not_read_for_a_role_that_may_not_see_them(login, social, nurse, admin_user):
    patient = PatientFactory()
    CoverageRightFactory(patient=patient, created_by=social, regime="ame", status="granted")
    assert not access.can_read_social_summary(admin_user)
    for user in (social, nurse, admin_user):
        with CaptureQueriesContext(connection) as queries:
            response = login(user).get(LIST)
        read = any("patients_coverageright" in query["sql"] for query in queries.captured_queries)
        assert read == access.can_read_social_summary(user), user
        assert ("AME" in response.content.decode()) == access.can_read_social_summary(user), user
