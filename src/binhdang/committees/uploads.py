"""Checks on uploaded decision files: PDF or image, and not too large."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The first bytes of the accepted formats; the file name's extension is not trusted.
SIGNATURES = {
    b"%PDF-": "pdf",
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
}


def check_decision_file(file) -> str:
    """Refuse anything but a PDF, PNG or JPEG within the size limit; return its type."""
    limit = settings.DECISION_FILE_MAX_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %d MB.") % settings.DECISION_FILE_MAX_MB}
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    raise ValidationError({"file": _("Only a PDF file or an image (PNG, JPEG) is accepted.")})
