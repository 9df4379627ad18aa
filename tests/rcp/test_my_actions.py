"""A user's open RCP actions: the dashboard shows the first few and their exact number, the page
/rcp/actions/ lists every one of them (and only theirs), paginated, overdue ones on their own."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rcp import selectors
from rcp.models import Action
from tests.support import rcp as helpers
from tests.support.pages import REQUEST_QUERIES
from tests.support.rcp import register

# /rcp/actions/: the counts (open, overdue: one aggregate), the paginator's count, one page of
# actions (+ case, patient, meeting).
MY_ACTIONS_QUERIES = REQUEST_QUERIES + 3


def give_actions(meeting, physician, social, assignee, count: int, *, overdue: int = 0) -> list[Action]:
    actions = []
    for n in range(count):
        case = helpers.add_case(meeting, register(social, f"Suivi{n:02d}", "Test"), physician)
        actions.append(helpers.add_action(case, physician, assignee=assignee, description=f"Action {n:02d}"))
    # Decided earlier: their due dates have passed (the service refuses a due date in the past).
    late = [a.pk for a in actions[:overdue]]
    Action.objects.filter(pk__in=late).update(due_on=timezone.localdate() - timedelta(days=3))
    return actions


@pytest.fixture
def busy_nurse(held, physician, social, nurse):
    """The nurse has 1 action from `held` and 29 more, 4 of them overdue; the social worker has 1."""
    give_actions(held, physician, social, nurse, 29, overdue=4)
    return nurse


def test_it_shows_the_first_actions_on_the_dashboard_with_their_exact_number(client, busy_nurse):
    client.force_login(busy_nurse)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert html.count('data-testid="rcp-my-action"') == selectors.MY_ACTIONS_SHOWN
    assert 'data-testid="rcp-my-actions-total">30<' in html
    assert reverse("rcp:my-actions") in html
    # Earliest due first: the four overdue ones lead.
    shown = [int(pk) for pk in re.findall(r'data-testid="rcp-my-action" data-pk="(\d+)"', html)]
    overdue = Action.objects.filter(assignee=busy_nurse, due_on__lt=timezone.localdate())
    assert set(shown[:4]) == set(overdue.values_list("pk", flat=True))


def test_it_has_no_link_to_the_whole_list_when_everything_is_shown(client, held, social):
    client.force_login(social)
    html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="rcp-my-action"') == 1
    assert 'data-testid="rcp-my-actions-all"' not in html


def test_it_lists_every_open_action_of_the_user_and_only_theirs(client, busy_nurse, social):
    client.force_login(busy_nurse)
    first = client.get(reverse("rcp:my-actions"))
    second = client.get(reverse("rcp:my-actions"), {"page": 2})
    shown = [a.pk for a in first.context["page"].object_list] + [a.pk for a in second.context["page"].object_list]
    mine = list(Action.objects.filter(assignee=busy_nurse, status=Action.Status.OPEN).values_list("pk", flat=True))
    assert sorted(shown) == sorted(mine) and len(shown) == 30
    assert first.context["counts"] == {"open": 30, "overdue": 4}
    theirs = Action.objects.get(assignee=social)
    assert f'data-pk="{theirs.pk}"' not in first.content.decode() + second.content.decode()
    dues = [a.due_on for a in first.context["page"].object_list]
    assert dues == sorted(dues)


def test_it_filters_the_overdue_actions(client, busy_nurse):
    client.force_login(busy_nurse)
    response = client.get(reverse("rcp:my-actions"), {"show": "overdue"})
    actions = list(response.context["page"].object_list)
    assert len(actions) == 4 and all(a.is_overdue for a in actions)
    # An unknown filter shows every open action.
    assert client.get(reverse("rcp:my-actions"), {"show": "x"}).context["page"].paginator.count == 30


def test_closing_an_action_from_the_list_comes_back_to_the_list(client, busy_nurse):
    client.force_login(busy_nurse)
    action = Action.objects.filter(assignee=busy_nurse).order_by("due_on", "pk").first()
    form = client.get(reverse("rcp:action-close", args=[action.pk]), {"next": "my-actions"})
    assert 'name="next" value="my-actions"' in form.content.decode()
    response = client.post(
        reverse("rcp:action-close", args=[action.pk]), {"status": Action.Status.DONE, "next": "my-actions"}
    )
    assert response.status_code == 302 and response.url == reverse("rcp:my-actions")
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert client.get(reverse("rcp:my-actions")).context["counts"]["open"] == 29


@pytest.mark.parametrize("role", ["reception", "admin_user", "outsider"])
def test_roles_outside_the_rcp_cannot_list_actions(client, personas, role):
    client.force_login(personas[role])
    assert client.get(reverse("rcp:my-actions")).status_code == 403


@pytest.mark.parametrize("count", [2, 40])
def test_it_lists_actions_in_a_fixed_number_of_queries(
    client, held, physician, social, nurse, django_assert_max_num_queries, count
):
    give_actions(held, physician, social, nurse, count, overdue=1)
    client.force_login(nurse)
    with django_assert_max_num_queries(MY_ACTIONS_QUERIES):
        response = client.get(reverse("rcp:my-actions"))
    assert response.status_code == 200


def test_its_pages_keep_the_filter(client, held, physician, social, nurse):
    give_actions(held, physician, social, nurse, 27, overdue=27)
    client.force_login(nurse)
    assert 'href="?page=2"' in client.get(reverse("rcp:my-actions")).content.decode()
    overdue = client.get(reverse("rcp:my-actions"), {"show": "overdue"}).content.decode()
    assert 'href="?show=overdue&amp;page=2"' in overdue
    second = client.get(reverse("rcp:my-actions"), {"show": "overdue", "page": 2})
    assert len(second.context["page"].object_list) == 2 and 'href="?show=overdue&amp;page=1"' in second.content.decode()
