"""A small stand-in for a DHIS2 instance: `/api/dataValueSets` as DHIS2's Web API documents it.

It checks every request the way DHIS2 reads it (method, path, query parameters, the
Authorization header, the content type, the JSON body's shape), records what a real (not dry)
push stores, and answers as DHIS2 2.38+ does: a web message wrapping an import summary
(`response.importCount`, `response.conflicts`), with HTTP 409 when there are conflicts; a pull
gets `{"dataSet", "period", "orgUnit", "dataValues": [...]}`. A request that breaks the
documented shape gets 400 and is listed in `violations`, so a test can assert there are none.
`mode` makes it misbehave: "unauthorized" (401), "html" (a login page), "deep" (JSON nested
10,000 levels), "huge" (an answer past the size limit), "slow" (later than the time-out).
"""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "d2pat_standin_token"
DATA_SET = "BINHDANG"
VALUE_KEYS = {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value", "comment"}


class StandIn:
    """The stand-in's state: what it stored, what it was asked, how it misbehaves."""

    def __init__(self):
        self.stored: dict[tuple, dict] = {}
        self.requests: list[dict] = []
        self.violations: list[str] = []
        self.unknown_elements: set[str] = set()
        self.pull_values: list[dict] = []
        self.mode = ""
        self.huge_bytes = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "StandIn":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, document=None, raw: bytes | None = None, kind=None):
                body = raw if raw is not None else json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", kind or "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _refuse(self, reason: str):
                standin.violations.append(reason)
                self._answer(
                    400,
                    {
                        "httpStatus": "Bad Request",
                        "httpStatusCode": 400,
                        "status": "ERROR",
                        "message": reason,
                    },
                )

            def _misbehave(self) -> bool:
                mode = standin.mode
                if mode == "unauthorized":
                    self._answer(
                        401,
                        {
                            "httpStatus": "Unauthorized",
                            "httpStatusCode": 401,
                            "status": "ERROR",
                            "message": "Unauthorized",
                        },
                    )
                elif mode == "html":
                    self._answer(200, raw=b"<html><body>Login</body></html>", kind="text/html")
                elif mode == "deep":
                    self._answer(200, raw=b"[" * 10_000 + b"]" * 10_000)
                elif mode == "huge":
                    self._answer(200, raw=b'{"dataValues": [' + b" " * standin.huge_bytes + b"]}")
                elif mode == "slow":
                    time.sleep(2)
                    self._answer(200, {"dataValues": []})
                else:
                    return False
                return True

            def _common(self, method: str) -> dict | None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
                standin.requests.append({"method": method, "path": parts.path, "query": query})
                if parts.path != "/api/dataValueSets":
                    self._answer(404, {"httpStatus": "Not Found", "httpStatusCode": 404})
                    return None
                if self.headers.get("Authorization") != f"ApiToken {TOKEN}":
                    self._refuse("Authorization must be 'ApiToken <token>'")
                    return None
                if "application/json" not in self.headers.get("Accept", ""):
                    self._refuse("Accept must ask for JSON")
                    return None
                if query.get("idScheme") != "CODE":
                    self._refuse("idScheme=CODE expected: identifiers are codes")
                    return None
                return query

            def do_GET(self):
                query = self._common("GET")
                if query is None or self._misbehave():
                    return
                for name in ("dataSet", "period", "orgUnit"):
                    if not query.get(name):
                        self._refuse(f"{name} is required")
                        return
                if query["dataSet"] != DATA_SET or query.get("children") != "true":
                    self._refuse("dataSet must be the configured one, children=true")
                    return
                if not (query["period"].isdigit() and len(query["period"]) == 4):
                    self._refuse("period must be a yearly ISO period")
                    return
                self._answer(
                    200,
                    {
                        "dataSet": DATA_SET,
                        "period": query["period"],
                        "orgUnit": query["orgUnit"],
                        "dataValues": standin.pull_values,
                    },
                )

            def do_POST(self):
                query = self._common("POST")
                if query is None:
                    return
                if query.get("dryRun") not in ("true", "false"):
                    self._refuse("dryRun must be true or false")
                    return
                if query.get("importStrategy") != "CREATE_AND_UPDATE":
                    self._refuse("importStrategy must be CREATE_AND_UPDATE")
                    return
                if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    self._refuse("Content-Type must be application/json")
                    return
                length = int(self.headers.get("Content-Length", "0"))
                try:
                    document = json.loads(self.rfile.read(length))
                except ValueError:
                    self._refuse("the body is not JSON")
                    return
                if self._misbehave():
                    return
                values = document.get("dataValues") if isinstance(document, dict) else None
                if not isinstance(values, list):
                    self._refuse("the body must be {'dataValues': [...]}")
                    return
                for value in values:
                    if not isinstance(value, dict) or set(value) - VALUE_KEYS:
                        self._refuse(f"unexpected data value {value!r}")
                        return
                    if not all(
                        isinstance(value.get(k), str) and value[k]
                        for k in ("dataElement", "period", "orgUnit", "value")
                    ):
                        self._refuse(f"incomplete data value {value!r}")
                        return
                    if "categoryOptionCombo" in value and not value["categoryOptionCombo"]:
                        self._refuse("an empty categoryOptionCombo: leave it out for default")
                        return
                self._import(values, dry_run=query["dryRun"] == "true")

            def _import(self, values: list[dict], *, dry_run: bool):
                counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
                conflicts = []
                for index, value in enumerate(values):
                    if value["dataElement"] in standin.unknown_elements:
                        counts["ignored"] += 1
                        conflicts.append(
                            {
                                "object": value["dataElement"],
                                "objects": {"dataElement": value["dataElement"]},
                                "value": "Data element not found or not accessible",
                                "errorCode": "E7610",
                                "property": "dataElement",
                                "indexes": [index],
                            }
                        )
                        continue
                    key = (
                        value["dataElement"],
                        value["period"],
                        value["orgUnit"],
                        value.get("categoryOptionCombo", "default"),
                    )
                    counts["updated" if key in standin.stored else "imported"] += 1
                    if not dry_run:
                        standin.stored[key] = value
                status = "WARNING" if conflicts else "SUCCESS"
                self._answer(
                    409 if conflicts else 200,
                    {
                        "httpStatus": "Conflict" if conflicts else "OK",
                        "httpStatusCode": 409 if conflicts else 200,
                        "status": "WARNING" if conflicts else "OK",
                        "message": "One more conflicts encountered, please check import summary."
                        if conflicts
                        else "Import was successful.",
                        "response": {
                            "responseType": "ImportSummary",
                            "status": status,
                            "importOptions": {
                                "dryRun": dry_run,
                                "importStrategy": "CREATE_AND_UPDATE",
                            },
                            "description": "Import process completed successfully",
                            "importCount": counts,
                            "conflicts": conflicts,
                            "dataSetComplete": "false",
                        },
                    },
                )

        return Handler
