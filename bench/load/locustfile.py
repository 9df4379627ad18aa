"""Simulated PASS staff for the load test (run by bench/load/run.py, `make load`).

Each simulated user logs in as a nurse or a physician of the demo, then, with a short think
time, searches patients, opens files, records visits and charges dispensed items to the
budget. Every visit and expense carries a unique tag (visit notes, expense reference) that is
written to LOAD_TAGS_OUT when the server confirmed it (302), so that run.py can check each one
reached the database exactly once; every request's start and response time go there too.

Environment: LOAD_FIXTURE (JSON written by run.py: patient ids, catalogue item ids, accounts,
password), LOAD_TAGS_OUT (file for the confirmed tags), LOAD_RUN_ID (prefix of the tags).
"""

import itertools
import json
import os
import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text(encoding="utf-8"))
RUN_ID = os.environ.get("LOAD_RUN_ID", "manual")
PARIS = ZoneInfo("Europe/Paris")
SEARCHES = ["mohamed", "diallo", "nguyen", "konate", "traore", "sow", "benali", "ali 1990", "camara", "fofana"]
CONFIRMED: dict[str, list[str]] = {"visits": [], "expenses": []}
_counter = itertools.count(1)


def tag(kind: str) -> str:
    return f"load-{RUN_ID}-{kind}-{next(_counter)}"


# Every request: (start, name, response time in ms, failed), for run.py's steady-state figures.
REQUESTS: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, start_time=None, **kwargs):
    REQUESTS.append((start_time or 0.0, name, response_time, exception is not None))


@events.test_stop.add_listener
def _write_tags(environment, **kwargs):
    out = os.environ.get("LOAD_TAGS_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump({**CONFIRMED, "requests": REQUESTS}, handle)


class Staff(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.username, self.role = random.choice(FIXTURE["accounts"])
        self.client.get("/accounts/login/", name="/accounts/login/")
        response = self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": FIXTURE["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
            name="/accounts/login/ (POST)",
        )
        if response.status_code != 302:
            raise RuntimeError(f"login as {self.username} answered {response.status_code}")

    def _post(self, url: str, data: dict, name: str) -> bool:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + url}
        with self.client.post(
            url, data, headers=headers, allow_redirects=False, name=name, catch_response=True
        ) as response:
            if response.status_code == 302:
                response.success()
                return True
            response.failure(f"{response.status_code}: {response.text[:300]!r}")
            return False

    @task(4)
    def search(self):
        self.client.get(f"/patients/?q={random.choice(SEARCHES)}", name="/patients/?q=[name]")

    @task(3)
    def open_file(self):
        self.client.get(f"/patients/{random.choice(FIXTURE['patients'])}/", name="/patients/[pk]/")

    @task(1)
    def patient_list(self):
        self.client.get("/patients/", name="/patients/")

    @task(2)
    def record_visit(self):
        patient = random.choice(FIXTURE["patients"])
        note = tag("visit")
        now = datetime.now(PARIS).replace(second=0, microsecond=0)
        data = {
            "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
            "kind": "nursing" if self.role == "nurse" else "medical",
            "reason": "Test de charge",
            "interpreting": "none",
            "interpreter_language": "",
            "notes": note,
        }
        if self._post(f"/patients/{patient}/visits/new/", data, "/patients/[pk]/visits/new/ (POST)"):
            CONFIRMED["visits"].append(note)

    @task(2)
    def charge_expense(self):
        patient = random.choice(FIXTURE["patients"])
        reference = tag("expense")
        data = {
            f"qty_{random.choice(FIXTURE['items'])}": "1",
            "spent_on": datetime.now(PARIS).date().isoformat(),
            "status": "committed",
            "reference": reference,
            "visit": "",
            "case_review": "",
            "free_category": "",
            "free_description": "",
            "free_amount": "",
        }
        if self._post(f"/budget/patients/{patient}/dispense/", data, "/budget/patients/[pk]/dispense/ (POST)"):
            CONFIRMED["expenses"].append(reference)
