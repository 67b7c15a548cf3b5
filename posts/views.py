"""The staff-only media view."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from posts.media import MediaPathError, media_resolve
from wagglebot.lib.ranges import Unsatisfiable, file_slice, range_parse


@require_GET
def media_file(request, path: str):
    """Serve a file under MEDIA_ROOT to staff, with Range support so <video> can seek."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("posts.view_post")):
        return HttpResponse("Staff only.", status=403, content_type="text/plain")
    try:
        file = media_resolve(path)
    except MediaPathError:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
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
    return response
