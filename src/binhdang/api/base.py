"""The API's frame: tokens, rate limit, request limits, errors as problem details (RFC 9457),
the request's language, and the audit marks of its writes. The endpoints (views.py) only read
through the apps' queries and write through their services."""

import functools
import json
import math
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from binhdang.accounts import services as account_services
from binhdang.core import audit, concurrency
from binhdang.core.concurrency import StaleEdit

PROBLEM = "application/problem+json"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)


class Problem(Exception):
    """An error the API answers with a problem document: a stable `code`, a title and detail in
    the request's language, and more members (per-field `errors`, `conflicts`) when given."""

    def __init__(self, status: int, code: str, detail: str, **members):
        super().__init__(detail)
        self.status, self.code, self.detail, self.members = status, code, str(detail), members


# Each status's stable code and title (the detail says more).
TITLES = {
    400: ("bad_request", gettext_lazy("The request cannot be read.")),
    401: ("unauthenticated", gettext_lazy("A valid access token is needed.")),
    403: ("forbidden", gettext_lazy("Your permissions do not allow this.")),
    404: ("not_found", gettext_lazy("Not found, or outside your scope.")),
    409: ("conflict", gettext_lazy("The request conflicts with the current state.")),
    413: ("too_large", gettext_lazy("The request body is too large.")),
    422: ("invalid", gettext_lazy("Some values are not accepted.")),
    429: ("rate_limited", gettext_lazy("Too many requests: wait before trying again.")),
}


def _title(status: int) -> str:
    return str(TITLES[status][1])


def problem_response(status: int, code: str, detail: str, **members) -> HttpResponse:
    """A problem details document (RFC 9457) as the response."""
    body = {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "code": code,
        "detail": str(detail),
        **{key: value for key, value in members.items() if value is not None},
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=PROBLEM
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="binhdang"'
    return response


def _messages(error: ValidationError) -> tuple[str, dict[str, list[str]]]:
    """A service's refusal as (detail, errors by field): the forms' own messages."""
    if hasattr(error, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}
        detail = " ".join(message for messages in errors.values() for message in messages)
        return detail, errors
    return " ".join(str(m) for m in error.messages), {}


# Parsing ------------------------------------------------------------------------------------------


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _depth(data) -> int:
    """How deeply a parsed JSON document nests (iteratively: no recursion on hostile input)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class StrictParser(Parser):
    """JSON bodies read exactly: decimals as Decimal (a figure keeps its digits), no NaN or
    Infinity, and no document nested deeper than API_MAX_DEPTH."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body, parse_float=Decimal, parse_constant=_refuse_constant)
        except RecursionError:
            raise Problem(400, "too_deep", _("The JSON body is nested too deeply.")) from None
        except (ValueError, UnicodeDecodeError):
            raise Problem(400, "bad_json", _("The body is not valid JSON.")) from None
        if _depth(data) > settings.API_MAX_DEPTH:
            raise Problem(400, "too_deep", _("The JSON body is nested too deeply."))
        return data


class Renderer(JSONRenderer):
    """JSON with Vietnamese letters as they are (UTF-8), not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


# Tokens and the rate limit ------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the user's personal access token. Sessions are never
    accepted, so a browser's cookies cannot write through the API (no CSRF to defend)."""

    def authenticate(self, request, token):
        found = account_services.authenticate_token(token.strip())
        if found is None:
            return None
        if request.method not in SAFE_METHODS and not found.can_write:
            raise Problem(403, "read_only_token", _("This token is read-only: it cannot write."))
        # Every entry the request's writes log names the user, and that it came from the API.
        audit.mark(found.user, via="api", token=found.prefix)
        return found


class TokenThrottle(SimpleRateThrottle):
    """Requests per token and period (API_RATE_LIMIT), counted in Django's cache."""

    cache_format = "api_rate_%(ident)s"

    def __init__(self):
        # The setting is read again at each request, so that it can change without a restart.
        super().__init__(settings.API_RATE_LIMIT)

    def allow_request(self, request) -> bool:
        self.num_requests, self.duration = self.parse_rate(settings.API_RATE_LIMIT)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "auth", None)
        return None if token is None else self.cache_format % {"ident": token.prefix}


# The API object -----------------------------------------------------------------------------------


# ninja's names of the OpenAPI document and of its documentation page.
DOCUMENTS = ("openapi-json", "openapi-view")


class Api(NinjaAPI):
    """NinjaAPI whose documented error responses are problem documents."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        return schema

    def _get_urls(self):
        """Every endpoint: outside the login wall (a token signs each request), no CSRF (no
        cookies accepted), in the request's language, never cached, its audit marks scoped."""
        urls = super()._get_urls()
        for pattern in urls:
            if getattr(pattern, "name", "") in DOCUMENTS:
                # Pages for people: public, in the language they chose like every page.
                pattern.callback = login_not_required(pattern.callback)
            elif hasattr(pattern, "callback"):
                pattern.callback = _frame(pattern.callback)
        return urls


def _language(request) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        code = code.split("-")[0].lower()
        if code in available:
            return code
    return settings.LANGUAGE_CODE


def _frame(view):
    @functools.wraps(view)
    def framed(request, *args, **kwargs):
        language = _language(request)
        with translation.override(language), audit.marking():
            request.LANGUAGE_CODE = language
            try:
                length = int(request.headers.get("Content-Length") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY:
                response = problem_response(
                    413,
                    "too_large",
                    _("The body may hold at most %(n)d bytes.") % {"n": settings.API_MAX_BODY},
                )
            else:
                response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Language", "Authorization"])
        response.headers["Content-Language"] = language
        add_never_cache_headers(response)
        return response

    return csrf_exempt(login_not_required(framed))


api = Api(
    title="Binhdang API",
    version="1",
    description=(
        "Đọc và ghi dữ liệu của nền tảng bằng mã truy cập cá nhân (Authorization: Bearer …), "
        "với đúng quyền của người dùng. / Read and write the platform's data with a personal "
        "access token, with the user's own permissions. Errors are problem details (RFC 9457) "
        "with a stable `code`; messages follow Accept-Language (vi, en)."
    ),
    urls_namespace="api-1",
    auth=TokenAuth(),
    throttle=TokenThrottle(),
    parser=StrictParser(),
    renderer=Renderer(),
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)


@api.exception_handler(Problem)
def _problem(request, error: Problem):
    return problem_response(error.status, error.code, error.detail, **error.members)


@api.exception_handler(ValidationError)
def _refused(request, error: ValidationError):
    if isinstance(error, StaleEdit):
        # Both values of each field changed on both sides, as the edit page shows them, and
        # the versions to send to keep one's own knowingly.
        return problem_response(
            409,
            "stale",
            str(error.message),
            conflicts=[
                {
                    "field": conflict.name,
                    "current": concurrency.display(conflict.theirs),
                    "sent": concurrency.display(conflict.mine),
                }
                for conflict in error.conflicts
            ],
            versions=error.seen,
        )
    detail, errors = _messages(error)
    if getattr(error, "code", None) == "stale":
        return problem_response(409, "stale", detail)
    return problem_response(422, "invalid", detail, errors=errors or None)


@api.exception_handler(SchemaError)
def _schema_refused(request, error: SchemaError):
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        location = ".".join(str(part) for part in item.get("loc", ())[1:]) or "body"
        # Our own validators' messages as written (pydantic prefixes them with "Value error, ").
        raised = (item.get("ctx") or {}).get("error")
        errors.setdefault(location, []).append(str(raised or item.get("msg", "")))
    return problem_response(
        422, "invalid", _("Some values do not have the expected form."), errors=errors
    )


@api.exception_handler(PermissionDenied)
def _denied(request, error: PermissionDenied):
    return problem_response(403, "forbidden", str(error) or _title(403))


@api.exception_handler(Http404)
def _missing(request, error: Http404):
    return problem_response(404, "not_found", str(error) or _title(404))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    return problem_response(
        401, "unauthenticated", _("The access token is missing, wrong, expired or revoked.")
    )


@api.exception_handler(AuthorizationError)
def _unauthorised(request, error):
    return problem_response(403, "forbidden", _title(403))


@api.exception_handler(Throttled)
def _throttled(request, error: Throttled):
    wait = max(1, math.ceil(getattr(error, "wait", None) or 1))
    response = problem_response(
        429, "rate_limited", _("Too many requests: try again in %(n)d seconds.") % {"n": wait}
    )
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    if isinstance(error.__cause__, Problem):  # our parser's refusal, wrapped by ninja
        return _problem(request, error.__cause__)
    status = error.status_code if error.status_code in ERROR_STATUSES else 400
    return problem_response(status, TITLES[status][0], _title(status))
