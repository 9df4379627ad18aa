"""Checks on uploaded or imported files: size, extension and actual content."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# extension -> (accepted content types as sent by browsers, magic-number check)
KINDS = {
    "csv": ({"text/csv", "text/plain", "application/vnd.ms-excel", "application/octet-stream"}, None),
    "xlsx": (
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"},
        b"PK\x03\x04",
    ),
    "pdf": ({"application/pdf", "application/octet-stream"}, b"%PDF-"),
}


def validate_upload(upload, *, allowed: set[str], max_bytes: int | None = None) -> str:
    """Refuse a file that is too big, of the wrong kind, or whose content lies about it.

    Returns the (lower-case) extension. Messages are for the user, in their language.
    """
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed:
        raise ValidationError(
            _("Files of type “%(ext)s” are not accepted (accepted: %(allowed)s).")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(allowed))},
            code="extension",
        )
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too big (%(size)d kB; at most %(max)d kB).")
            % {"size": upload.size // 1024, "max": max_bytes // 1024},
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_types, magic = KINDS[extension]
    content_type = getattr(upload, "content_type", None)
    if content_type and content_type not in content_types:
        raise ValidationError(_("The file content does not match its extension."), code="content_type")
    head = upload.read(2048)
    upload.seek(0)
    if magic is not None and not head.startswith(magic):
        raise ValidationError(_("The file content does not match its extension."), code="magic")
    if magic is None and b"\x00" in head:
        raise ValidationError(_("This is not a text file."), code="binary")
    return extension
