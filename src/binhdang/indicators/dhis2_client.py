"""The DHIS2 connection: push data value sets to a DHIS2 instance and pull them from it.

The instance and its credentials come from the environment (settings DHIS2_URL, DHIS2_TOKEN or
DHIS2_USERNAME and DHIS2_PASSWORD, DHIS2_TIMEOUT). Requests follow DHIS2's Web API:
- push: `POST /api/dataValueSets?dryRun=…&importStrategy=CREATE_AND_UPDATE&idScheme=CODE`, a JSON
  body `{"dataValues": [{dataElement, period, orgUnit, categoryOptionCombo?, value, comment?}]}`;
  DHIS2 answers an import summary, bare (before 2.38) or inside a web message (`response`), with
  HTTP 409 when there are conflicts;
- pull: `GET /api/dataValueSets?dataSet=…&period=…&orgUnit=…&children=true&idScheme=CODE`.

Only the standard library (urllib) is used: HTTPS certificates are verified, a plain-http address
is refused except on this machine (credentials would travel in clear), redirects are not
followed (DHIS2 redirects a failed login to its login page, and the credentials must not follow
elsewhere), answers are read up to IMPORT_MAX_MB and through the JSON nesting limit. Every failure
is a `ValidationError` whose sentence says what to check, in the platform's language.
"""

import base64
import http.client
import json
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from binhdang.core.imports import read_json
from binhdang.core.spreadsheets import ImportErrors

DATA_VALUE_SETS = "/api/dataValueSets"
JSON_TYPE = "application/json"
# Conflicts kept from a summary: enough to see what is wrong, not a second copy of DHIS2's log.
MAX_CONFLICTS = 200
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_COUNTS = ("imported", "updated", "ignored", "deleted")


@dataclass
class Summary:
    """What DHIS2 did (or, on a dry run, would do) with a pushed set."""

    status: str = ""
    description: str = ""
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[str] = field(default_factory=list)

    def add(self, other: "Summary") -> None:
        """Add a batch's summary to this one."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        room = MAX_CONFLICTS - len(self.conflicts)
        self.conflicts.extend(other.conflicts[:room])
        # The worst status of the batches stands for the whole push.
        order = ["", "SUCCESS", "WARNING", "ERROR"]
        if order.index(other.status if other.status in order else "ERROR") > order.index(
            self.status if self.status in order else "ERROR"
        ):
            self.status = other.status
        self.description = other.description or self.description

    def as_dict(self) -> dict:
        """The summary as JSON values, to keep."""
        return asdict(self)


def configured() -> bool:
    """Whether a DHIS2 instance and credentials are set."""
    return bool(
        settings.DHIS2_URL
        and (settings.DHIS2_TOKEN or (settings.DHIS2_USERNAME and settings.DHIS2_PASSWORD))
    )


def data_set() -> str:
    """The DHIS2 data set (by code) that values are pulled from."""
    return settings.DHIS2_DATA_SET


def check_configured() -> None:
    """Refuse, saying what to set, when no DHIS2 connection is configured."""
    if not configured():
        raise ValidationError(
            _(
                "No DHIS2 connection is configured: the server administrator sets DHIS2_URL and "
                "DHIS2_TOKEN (or DHIS2_USERNAME and DHIS2_PASSWORD)."
            )
        )


def _base() -> str:
    check_configured()
    url = settings.DHIS2_URL
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS):
        return url
    raise ValidationError(
        _(
            "DHIS2_URL must be an https:// address (%(url)s): the credentials must not travel "
            "in clear."
        ),
        params={"url": url},
    )


def _authorization() -> str:
    if settings.DHIS2_TOKEN:
        return f"ApiToken {settings.DHIS2_TOKEN}"
    pair = f"{settings.DHIS2_USERNAME}:{settings.DHIS2_PASSWORD}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Make a redirect an error instead of following it with the credentials."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        _NoRedirect(), urllib.request.HTTPSHandler(context=ssl.create_default_context())
    )


def _http_error(code: int, url: str) -> ValidationError:
    if code == 401:
        return ValidationError(
            _(
                "DHIS2 refused the credentials (HTTP 401): check DHIS2_TOKEN, or DHIS2_USERNAME "
                "and DHIS2_PASSWORD."
            )
        )
    if code == 403:
        return ValidationError(
            _("The DHIS2 account may not do this (HTTP 403): ask DHIS2's administrator.")
        )
    if code == 404:
        return ValidationError(
            _(
                "DHIS2 has no such address (HTTP 404): check DHIS2_URL (%(url)s), the address of "
                "DHIS2 without /api."
            ),
            params={"url": url},
        )
    if 300 <= code < 400:
        return ValidationError(
            _(
                "DHIS2 redirected the request elsewhere (HTTP %(code)d), usually to its login "
                "page: check DHIS2_URL and the credentials."
            ),
            params={"code": code},
        )
    return ValidationError(
        _("DHIS2 answered with an error (HTTP %(code)d). Try again later."), params={"code": code}
    )


def _unreachable(error: BaseException, url: str) -> ValidationError:
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError | socket.timeout):
        return ValidationError(
            _("DHIS2 did not answer within %(seconds)s seconds. Try again later."),
            params={"seconds": f"{settings.DHIS2_TIMEOUT:g}"},
        )
    if isinstance(reason, ssl.SSLCertVerificationError):
        return ValidationError(
            _(
                "DHIS2's HTTPS certificate could not be verified (%(url)s): the connection was "
                "not made."
            ),
            params={"url": url},
        )
    if isinstance(reason, ConnectionRefusedError):
        return ValidationError(
            _("DHIS2 refused the connection at %(url)s: the server may be down."),
            params={"url": url},
        )
    if isinstance(reason, socket.gaierror):
        return ValidationError(
            _("The DHIS2 server %(url)s was not found: check DHIS2_URL."), params={"url": url}
        )
    return ValidationError(
        _("Could not reach DHIS2 at %(url)s (%(reason)s)."), params={"url": url, "reason": reason}
    )


def malformed() -> ValidationError:
    """DHIS2's answer is not what its Web API documents."""
    return ValidationError(
        _("DHIS2's answer is not in the expected form; nothing was saved. Check DHIS2_URL.")
    )


def _read(response) -> dict:
    limit = settings.IMPORT_MAX_MB * 1024 * 1024
    data = response.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("DHIS2's answer is larger than %(mb)d MB; nothing was saved."),
            params={"mb": settings.IMPORT_MAX_MB},
        )
    try:
        document = read_json(data)
    except ImportErrors:
        raise malformed() from None
    if not isinstance(document, dict):
        raise malformed()
    return document


def _request(method: str, query: dict, body: bytes | None = None, *, conflict_ok=False) -> dict:
    """Send one request to the data value sets endpoint; its JSON answer."""
    base = _base()
    url = f"{base}{DATA_VALUE_SETS}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Authorization", _authorization())
    request.add_header("Accept", JSON_TYPE)
    if body is not None:
        request.add_header("Content-Type", JSON_TYPE)
    try:
        with _opener().open(request, timeout=settings.DHIS2_TIMEOUT) as response:
            return _read(response)
    except urllib.error.HTTPError as error:
        # DHIS2 2.38+ answers a set with conflicts with 409 and the import summary.
        if error.code == 409 and conflict_ok:
            with error:
                return _read(error)
        raise _http_error(error.code, base) from None
    except (urllib.error.URLError, OSError) as error:
        raise _unreachable(error, base) from None
    except http.client.HTTPException:
        raise malformed() from None


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise malformed()
    return value


def _conflict(item) -> str:
    if not isinstance(item, dict):
        return str(item)[:500]
    parts = [str(item.get(key)) for key in ("object", "value") if item.get(key)]
    return ": ".join(parts)[:500]


def read_summary(document: dict) -> Summary:
    """An import summary from DHIS2's answer, bare or inside a web message."""
    body = document.get("response") if isinstance(document.get("response"), dict) else document
    counts = body.get("importCount")
    if not isinstance(counts, dict):
        raise malformed()
    conflicts = body.get("conflicts") or []
    if not isinstance(conflicts, list):
        raise malformed()
    return Summary(
        status=str(body.get("status", ""))[:32],
        description=str(body.get("description", ""))[:500],
        conflicts=[_conflict(item) for item in conflicts[:MAX_CONFLICTS]],
        **{name: _count(counts.get(name, 0)) for name in _COUNTS},
    )


def _sendable(record: dict) -> dict:
    """A record as DHIS2 takes it: the default category combination and an empty comment left
    out rather than sent empty."""
    value = {
        "dataElement": record["dataElement"],
        "period": record["period"],
        "orgUnit": record["orgUnit"],
        "value": record["value"],
    }
    if record.get("categoryOptionCombo"):
        value["categoryOptionCombo"] = record["categoryOptionCombo"]
    if record.get("comment"):
        value["comment"] = record["comment"]
    return value


def push(records: list[dict], *, dry_run: bool) -> Summary:
    """Send records to DHIS2 (`dryRun=true`: DHIS2 checks them and saves nothing); its summary."""
    body = json.dumps({"dataValues": [_sendable(r) for r in records]}, ensure_ascii=False).encode()
    query = {
        "dryRun": "true" if dry_run else "false",
        "importStrategy": "CREATE_AND_UPDATE",
        "idScheme": "CODE",
    }
    return read_summary(_request("POST", query, body, conflict_ok=True))


def pull(data_set: str, year: int, org_unit: str) -> list[dict]:
    """The data values DHIS2 holds for the data set, the year and the unit's subtree."""
    document = _request(
        "GET",
        {
            "dataSet": data_set,
            "period": str(year),
            "orgUnit": org_unit,
            "children": "true",
            "idScheme": "CODE",
        },
    )
    values = document.get("dataValues", [])
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise malformed()
    return values
