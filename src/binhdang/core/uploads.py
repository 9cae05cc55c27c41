"""The one home of uploaded files (decision scans, plan decisions, task evidence): what is
accepted, the name it is stored under, and how it is served back.

An uploaded file is an attack on whoever opens it unless three things hold, so all three live here:
- its type is read from its content, never from the name the uploader gave, and only PDF, PNG,
  JPEG, XLSX and DOCX are accepted; anything a browser could run as a page (HTML, SVG, script)
  is refused even behind the first bytes of an accepted type (a "PDF" that goes on with `<script>`);
- it is stored under a name the platform chooses, with the extension of the detected type;
- it is served with that exact type, `nosniff`, a sandboxing Content-Security-Policy and, except
  for PDF and images, as an attachment, so a file that slipped through still cannot run as a page
  of the site.
"""

import dataclasses
import re
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


@dataclasses.dataclass(frozen=True)
class Kind:
    """An accepted file type."""

    extension: str
    content_type: str
    inline: bool  # viewed in the browser (PDF, images); everything else is downloaded


PDF = Kind("pdf", "application/pdf", True)
PNG = Kind("png", "image/png", True)
JPEG = Kind("jpg", "image/jpeg", True)
_OFFICE = "application/vnd.openxmlformats-officedocument"
XLSX = Kind("xlsx", f"{_OFFICE}.spreadsheetml.sheet", False)
DOCX = Kind("docx", f"{_OFFICE}.wordprocessingml.document", False)
KINDS = (PDF, PNG, JPEG, XLSX, DOCX)
EXTENSIONS = {kind.extension for kind in KINDS}

# What each upload accepts: a decision scan is a PDF or an image; plan decisions and task evidence
# may also be Word files, in which decisions and reports often circulate.
SCANS = (PDF, PNG, JPEG)
DOCUMENTS = (PDF, DOCX, PNG, JPEG)

# Files stored before detection was enforced may be anything: served as an opaque download, except
# old Word files (OLE2), which plans accepted then and are still downloaded as such.
UNKNOWN = Kind("bin", "application/octet-stream", False)
LEGACY_DOC = Kind("doc", "application/msword", False)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
_ZIP = b"PK\x03\x04"
# The part that tells an Office Open XML zip apart (any other zip is refused).
_OOXML = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX))
# Browsers sniff markup anywhere near the start; read generously and refuse on any sign of a page.
HEAD_BYTES = 64 * 1024
_MARKUP = re.compile(
    rb"<\s*(script|html|svg|body|iframe|object|embed|!doctype\s+html)\b", re.IGNORECASE
)

_UNSAFE_NAME = re.compile(r'[\\/"\x00-\x1f]')

# The response headers that keep a file from running as a page of the site.
PROTECTIVE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}


def _head(file) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def _zip_kind(file) -> Kind | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    return next((kind for part, kind in _OOXML if part in names), None)


def detect(file) -> Kind | None:
    """The type of a file read from its content, or None when it is not one we accept
    (including anything that carries HTML, SVG or script, whatever its first bytes)."""
    head = _head(file)
    if _MARKUP.search(head):
        return None
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(_ZIP):
        return _zip_kind(file)
    return None


def _refusal(kinds) -> str:
    if set(kinds) == set(SCANS):
        return _("Only a PDF file or an image (PNG, JPEG) is accepted.")
    if set(kinds) == set(DOCUMENTS):
        return _("Only a PDF, a Word file (DOCX) or an image (PNG, JPEG) is accepted.")
    return _("This type of file is not accepted.")


def check(file, kinds=DOCUMENTS, field: str = "file") -> Kind:
    """Refuse a file over the size limit or not of one of `kinds` (read from its content);
    return its type."""
    limit = settings.DECISION_FILE_MAX_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            {field: _("The file is larger than %d MB.") % settings.DECISION_FILE_MAX_MB}
        )
    kind = detect(file)
    if kind not in kinds:
        raise ValidationError({field: _refusal(kinds)})
    return kind


def save(field_file, file, kinds=DOCUMENTS) -> Kind:
    """Store a checked upload in a model's file field under a platform-chosen name carrying the
    detected type's extension (the uploader's name is dropped); save the model."""
    kind = check(file, kinds)
    field_file.save(f"upload.{kind.extension}", file, save=True)
    return kind


def storage_name(folder: str, filename: str) -> str:
    """Where an upload is kept (for `upload_to`): a random name in the folder, with the extension
    `save` chose, never one the uploader chose."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"{folder}/{uuid.uuid4().hex}.{suffix if suffix in EXTENSIONS else 'bin'}"


def protect(response):
    """Add the headers that keep a served file from running as a page of the site."""
    for header, value in PROTECTIVE_HEADERS.items():
        response[header] = value
    return response


def serve(field_file, name: str) -> FileResponse:
    """A stored upload for a permission-checked view: typed by its content (also for files
    stored before this check), inline only for PDF and images, with the protective headers;
    404 when the file is missing on disk."""
    if not field_file:
        raise Http404(_("This file is no longer on the server."))
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("This file is no longer on the server.")) from None
    kind = detect(handle) or (LEGACY_DOC if _head(handle).startswith(_OLE2) else UNKNOWN)
    # The name only labels the download; strip what could break the header or a path.
    download = f"{_UNSAFE_NAME.sub('-', name).strip() or 'tep'}.{kind.extension}"
    response = FileResponse(
        handle, as_attachment=not kind.inline, filename=download, content_type=kind.content_type
    )
    return protect(response)
