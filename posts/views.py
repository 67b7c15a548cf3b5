"""The staff-only media view."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from posts.media import MediaPathError, media_resolve
from wagglebot.lib.ranges import Unsatisfiable, file_slice, range_parse

MEDIA_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
INLINE_TYPES = ("audio/", "video/", "image/")
SCRIPTABLE_TYPES = {"image/svg+xml"}


@require_GET
def media_file(request, path: str):
    """Serve a file under MEDIA_ROOT to staff, with Range support so <video> can seek."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("posts.view_post")):
        return HttpResponse(_("Staff only."), status=403, content_type="text/plain")
    try:
        file = media_resolve(path)
    except MediaPathError:
        return HttpResponse(_("Not found."), status=404, content_type="text/plain")
    size = file.stat().st_size
    try:
        byte_range = range_parse(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _private(response)
    if byte_range is None:
        response = FileResponse(file.open("rb"), content_type=_content_type(file))
    else:
        start, end = byte_range
        response = StreamingHttpResponse(file_slice(file, start, end), status=206, content_type=_content_type(file))
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    return _private(response)


def _content_type(file: Path) -> str:
    return mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def _private(response: HttpResponse) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=300"
    # MEDIA_ROOT holds files derived from crawled pages: an .html or .svg opened inline would run
    # its script with a staff session. So no sniffing, no script, and only media shown inline.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    if not (content_type.startswith(INLINE_TYPES) and content_type not in SCRIPTABLE_TYPES):
        response["Content-Disposition"] = "attachment"
    return response
