"""Locust's side of the load benchmark: each simulated user is one commune data officer making the
deadline visit of scenario.py again and again, with a reading time between pages.

Run by bench/load/run.py (which builds the database, starts the server and reads the results);
by hand only against a server on this machine:
    LOAD_OFFICERS=officers.txt locust -f bench/load/locustfile.py --headless \
        --host http://127.0.0.1:8000 -u 20 -r 10 -t 15s
Any other host is refused before the first request.

Environment: LOAD_OFFICERS, a file of user names (one a line; the users take them in turn, so
give at least as many as users: two users sharing an officer would change the same figures);
LOAD_PASSWORD (default the demo's); LOAD_WAIT, the reading time between pages in seconds as
"min,max" (default "1,3"); LOAD_COUNTS, a JSON file to write the visits and the failures by kind
to at the end.

Locust counts a request without an answer as a failure with status 0, but an officer who never
got an answer at all (a connection left waiting) makes no request it can count: LOAD_COUNTS says
how many officers completed no visit, and each failure's kind (scenario.KINDS).
"""

import itertools
import json
import os
import random
from collections import Counter
from pathlib import Path

import scenario
from locust import FastHttpUser, between, events, task

OFFICERS = itertools.cycle(
    [line.strip() for line in Path(os.environ["LOAD_OFFICERS"]).read_text().splitlines() if line]
)
PASSWORD = os.environ.get("LOAD_PASSWORD", "binhdang-demo")
WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "1,3").split(",")]
COUNTS = {"visits": 0, "completed": 0, "failures": Counter(), "officers": {}}


@events.init.add_listener
def _loopback_only(environment, **_kw):
    if not scenario.is_loopback(environment.host):
        raise SystemExit(
            f"Load benchmark refused: {environment.host!r} is not this machine's loopback "
            "address. It only loads a server on 127.0.0.1 / ::1 / localhost."
        )


@events.quitting.add_listener
def _write_counts(environment, **_kw):
    path = os.environ.get("LOAD_COUNTS")
    if not path:
        return
    officers = COUNTS["officers"]
    Path(path).write_text(
        json.dumps(
            {
                "visits": COUNTS["visits"],
                "completed": COUNTS["completed"],
                "failures": dict(COUNTS["failures"]),
                "officers": len(officers),
                "officers_without_a_visit": sum(1 for done in officers.values() if not done),
            }
        )
    )


class _Adapter:
    """scenario.Client over locust's FastHttpSession: redirects not followed, each answer
    checked by the scenario and recorded under the page's name as a success or a failure."""

    def __init__(self, session):
        self.session = session

    def _request(self, method, path, *, name, check, data=None):
        headers = {"Content-Type": scenario.FORM_TYPE} if data is not None else None
        with self.session.request(
            method,
            path,
            name=name,
            data=scenario.encode(data) if data is not None else None,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # No answer at all (refused, reset, timed out): status 0 and the error.
            status = response.status_code or 0
            answer = scenario.Answer(
                status=status,
                text=(response.text or "") if status else "",
                location=(response.headers or {}).get("Location", "") if status else "",
                error="" if status else repr(getattr(response, "error", None)),
            )
            failure = check(answer)
            if failure:
                response.failure(str(failure))
            else:
                response.success()
        if failure:
            raise failure
        return answer

    def get(self, path, *, name, check):
        return self._request("GET", path, name=name, check=check)

    def post(self, path, data, *, name, check):
        return self._request("POST", path, name=name, check=check, data=data)


class Officer(FastHttpUser):
    """A commune data officer at the deadline."""

    wait_time = between(*WAIT)
    # A page slower than this counts as no answer (scenario.CONNECTION), not as a long wait.
    network_timeout = 60.0
    connection_timeout = 30.0

    def on_start(self):
        self.username = next(OFFICERS)
        self.rng = random.Random(self.username)
        self.adapter = _Adapter(self.client)
        COUNTS["officers"].setdefault(self.username, 0)

    @task
    def deadline_visit(self):
        COUNTS["visits"] += 1
        try:
            scenario.visit(self.adapter, self.username, PASSWORD, rng=self.rng, pause=self.wait)
        except scenario.Failure as failure:
            COUNTS["failures"][failure.kind] += 1
            return
        COUNTS["completed"] += 1
        COUNTS["officers"][self.username] += 1
