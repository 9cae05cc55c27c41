"""Checks on uploaded plan decisions and task evidence: PDF, Word or image, within the size limit.

The PDF/image check and the size limit (settings.DECISION_FILE_MAX_MB) are the committees' own
(`committees.uploads.check_decision_file`); plans add Word files, in which decisions and reports
often circulate. The type is read from the file's first bytes, never from its name.
"""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binhdang.committees.uploads import check_decision_file

# An old Word document is an OLE2 compound file; a .docx is a zip holding word/document.xml.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


def _word_kind(file) -> str | None:
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(OLE2):
        return "doc"
    if head.startswith(ZIP):
        try:
            with zipfile.ZipFile(file) as archive:
                is_docx = "word/document.xml" in archive.namelist()
        except zipfile.BadZipFile:
            is_docx = False
        finally:
            file.seek(0)
        return "docx" if is_docx else None
    return None


def check_document_file(file, field: str = "file") -> str:
    """Refuse anything but a PDF, DOC, DOCX, PNG or JPEG within the size limit; return its type."""
    try:
        return check_decision_file(file)
    except ValidationError as error:
        too_large = file.size > settings.DECISION_FILE_MAX_MB * 1024 * 1024
        kind = None if too_large else _word_kind(file)
        if kind:
            return kind
        if too_large:
            raise ValidationError({field: error.message_dict["file"]}) from None
        raise ValidationError(
            {field: _("Only a PDF, a Word file (DOC, DOCX) or an image (PNG, JPEG) is accepted.")}
        ) from None
