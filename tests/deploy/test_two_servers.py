"""Two application servers, one database: nothing lives on an application server.

Two real gunicorn processes on two loopback ports share the test database and the secret key,
as two servers behind a load balancer would. A user logged in through one is served by the
other with the same session cookie; minutes validated through one download byte for byte the
same from the other (the PDF is stored in the database, not on a server's disk); logging out
through one ends the session on both.
"""

import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from pass_unit.roles import Role
from rcp.models import Meeting, MinutesVersion
from tests.deploy.servers import Browser, database_url, gunicorn_server, server_env
from tests.support import rcp as helpers
from tests.support.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def real_password(user: User) -> None:
    """The test settings hash with MD5, which the servers' settings refuse: a PBKDF2 hash they accept."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])


@pytest.fixture
def servers(transactional_db, tmp_path):
    """Two gunicorns (one worker each) on the test database, with one SECRET_KEY and their own temp dirs."""
    key = secrets.token_urlsafe(50)
    db_url = database_url(connection.settings_dict)
    envs = []
    for name in ("a", "b"):
        scratch = tmp_path / name
        scratch.mkdir()
        envs.append(server_env(db_url, secret_key=key, TMPDIR=str(scratch)))
    with ExitStack() as stack, ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(stack.enter_context, gunicorn_server(env, log=tmp_path / f"gunicorn-{n}.log"))
            for n, env in enumerate(envs)
        ]
        bases = [f.result() for f in futures]
        yield bases
    connection.close()  # the servers' connections are gone; ours is reopened for the flush


@pytest.fixture
def meeting():
    """A meeting held earlier today, its case decided: ready to be validated by its chair."""
    physician = make_user("physician", Role.PHYSICIAN, last_name="Vasseur")
    social = make_user("social", Role.SOCIAL_WORKER, last_name="Bensaïd")
    nurse = make_user("nurse", Role.NURSE, last_name="Mercier")
    real_password(physician)
    meeting = helpers.plan(physician, members=[social, nurse])
    patient = helpers.register(social, "Nguyễn", "Éloïse", year=1991)
    case = helpers.add_case(meeting, patient, social, question="Hébergement ?")
    helpers.pass_time(meeting)
    helpers.take_attendance(meeting, physician)
    helpers.decide(case, physician, decision="Orientation vers un CHRS")
    return meeting


def test_it_serves_a_user_logged_in_on_one_server_from_the_other(servers, meeting):
    first, second = servers
    browser = Browser()
    status, _, _ = browser.get(f"{second}{reverse('home')}")
    assert status == 302  # not logged in yet
    browser.log_in(first, "physician", PASSWORD)
    session = browser.cookie("sessionid")
    assert session

    status, _, page = browser.get(f"{second}{reverse('rcp:detail', args=[meeting.pk])}")
    assert status == 200
    assert "Vasseur" in page.decode()
    assert browser.cookie("sessionid") == session

    # Logged out through the second server: the first one no longer knows the session.
    status, _, _ = browser.post_form(f"{second}{reverse('logout')}", {}, form_url=f"{second}{reverse('home')}")
    assert status == 302
    status, headers, _ = browser.get(f"{first}{reverse('home')}")
    assert status == 302
    assert headers["Location"].startswith(reverse("login"))


def test_minutes_validated_through_one_server_download_identically_from_the_other(servers, meeting):
    first, second = servers
    browser = Browser()
    browser.log_in(first, "physician", PASSWORD)
    validate = f"{first}{reverse('rcp:validate', args=[meeting.pk])}"
    status, _, body = browser.post_form(validate, {"confirm": "on"})
    assert status == 302, body[:2000]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.VALIDATED
    stored = MinutesVersion.objects.get(meeting=meeting)

    downloads = {}
    for base in (first, second):
        status, headers, pdf = browser.get(f"{base}{reverse('rcp:minutes-pdf', args=[meeting.pk])}")
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        assert pdf.startswith(b"%PDF")
        downloads[base] = pdf
    assert downloads[first] == downloads[second] == bytes(stored.pdf)
    assert hashlib.sha256(downloads[second]).hexdigest() == stored.sha256
