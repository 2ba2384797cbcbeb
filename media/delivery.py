"""Delivery of a video's files once access is granted: which stored file a URL means,
and the response that hands its bytes over.

A URL path never reaches storage as given: it is split into parts that must each look
like the names the pipeline writes (letters, digits, `_`, `-`, `.`; never `.`/`..`,
never empty, never absolute), with a known suffix, under the one folder the route
allows. Anything else is "not found", exactly like a missing file.

Cache policy, all `private` (the responses depend on who asks):
- files under the run folder of the published ladder (`hls/<run>/…`) never change: a
  new transcode writes a new run folder, so they are immutable for a year;
- playlists and subtitle files are revalidated every time (`no-cache` + ETag): the master
  names the current run and captions can be replaced in place;
- the rest (poster, scrub thumbnails, captions by language) may change with a new run or
  upload: an hour, then revalidate.

Playlists are always answered by Django, whatever `VIDEO_DELIVERY` says: they are a few
kilobytes, the master is rewritten on the way out, and a playlist redirected to a signed
S3 URL would resolve its relative segment URIs against the bucket, unsigned.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from media import hls
from media.models import Caption, Video

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
}
HLS_SUFFIXES = frozenset({".m3u8", ".ts", ".m4s", ".mp4", ".vtt"})
THUMB_SUFFIXES = frozenset({".vtt", ".jpg"})

CACHE_IMMUTABLE = "private, max-age=31536000, immutable"
CACHE_REVALIDATE = "private, no-cache"
CACHE_SHORT = "private, max-age=3600"

DELIVERY_MODES = ("django", "x-accel", "x-sendfile", "s3")
READ_BLOCK = 256 * 1024

_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Deliverable:
    """One stored file, ready to be handed over."""

    name: str  # storage name, e.g. videos/7/hls/0a1b2c3d4e5f/480p/seg_00001.ts
    content_type: str
    cache_control: str
    # The master playlist as the player must see it: URIs under the run folder.
    uri_prefix: str = ""

    @property
    def is_playlist(self) -> bool:
        return self.name.endswith(".m3u8")


def safe_parts(path: str, suffixes: frozenset[str]) -> list[str] | None:
    """The parts of a relative URL path if every one is a plain file or folder name and
    the last has an allowed suffix; None for anything else (traversal, absolute paths,
    backslashes, NUL, empty or dot parts, odd characters, unknown file types)."""
    if not path or len(path) > 300 or path.startswith("/"):
        return None
    parts = path.split("/")
    if len(parts) > _MAX_DEPTH or not all(_PART.fullmatch(part) for part in parts):
        return None
    if PurePosixPath(parts[-1]).suffix.lower() not in suffixes:
        return None
    return parts


def _content_type(name: str) -> str:
    return CONTENT_TYPES[PurePosixPath(name).suffix.lower()]


def _folder(name: str) -> str:
    return str(PurePosixPath(name).parent) if name else ""


def hls_file(video: Video, path: str) -> Deliverable | None:
    """A file of the published ladder, `path` relative to the master playlist's folder,
    optionally starting with the run folder's name (what the rewritten master points to)."""
    base = video.hls_dir
    parts = safe_parts(path, HLS_SUFFIXES)
    if not base or parts is None:
        return None
    run = PurePosixPath(base).name
    in_run = len(parts) > 1 and parts[0] == run
    if in_run:
        parts = parts[1:]
    name = f"{base}/{'/'.join(parts)}"
    mutable = name.endswith(".m3u8") or parts[0] == "subs"
    cache = CACHE_REVALIDATE if mutable else (CACHE_IMMUTABLE if in_run else CACHE_SHORT)
    is_master = parts == [PurePosixPath(video.master_playlist.name).name]
    return Deliverable(
        name=name,
        content_type=_content_type(name),
        cache_control=cache,
        uri_prefix=f"{run}/" if is_master and not in_run else "",
    )


def poster_file(video: Video) -> Deliverable | None:
    if not video.poster.name:
        return None
    return Deliverable(video.poster.name, _content_type(video.poster.name), CACHE_SHORT)


def thumbs_file(video: Video, path: str) -> Deliverable | None:
    """The scrub-thumbnail track or one of its sprite sheets, relative to the track."""
    base = _folder(video.thumbnails_vtt.name)
    parts = safe_parts(path, THUMB_SUFFIXES)
    if not base or parts is None or len(parts) != 1:
        return None
    name = f"{base}/{parts[0]}"
    return Deliverable(name, _content_type(name), CACHE_SHORT)


def caption_file(video: Video, path: str) -> Deliverable | None:
    """Captions by language: `zh-Hans.vtt` (any case)."""
    parts = safe_parts(path, frozenset({".vtt"}))
    if parts is None or len(parts) != 1:
        return None
    language = PurePosixPath(parts[0]).stem
    caption = Caption.objects.filter(video=video, language__iexact=language).only("file").first()
    if caption is None or not caption.file.name:
        return None
    return Deliverable(caption.file.name, CONTENT_TYPES[".vtt"], CACHE_REVALIDATE)


# --- responses ---------------------------------------------------------------------------


def delivery_mode() -> str:
    mode = getattr(settings, "VIDEO_DELIVERY", "django")
    if mode not in DELIVERY_MODES:
        raise ImproperlyConfigured(f"VIDEO_DELIVERY must be one of {DELIVERY_MODES}, not {mode!r}")
    return mode


def local_path(name: str) -> Path | None:
    """The file on this machine's disk, or None when storage is remote."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


def _exists_locally(path: Path) -> bool:
    # Belt and braces: the parts are already plain names, but a symlink planted under the
    # video folder must not lead outside the storage root either.
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        resolved = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return False
    return resolved.is_file() and resolved.is_relative_to(root)


def storage_supports_signed_urls() -> bool:
    return "expire" in inspect.signature(default_storage.url).parameters


def respond(request: HttpRequest, item: Deliverable) -> HttpResponseBase | None:
    """The response for a granted request; None when the file is not there."""
    mode = delivery_mode()
    if item.is_playlist:
        return _playlist_response(request, item)
    path = local_path(item.name)
    if path is not None and not _exists_locally(path):
        return None
    if mode == "x-accel":
        response: HttpResponseBase = HttpResponse(content_type=item.content_type)
        prefix = settings.VIDEO_X_ACCEL_PREFIX.rstrip("/") + "/"
        response["X-Accel-Redirect"] = prefix + quote(item.name)
    elif mode == "x-sendfile":
        if path is None:
            raise ImproperlyConfigured("VIDEO_DELIVERY=x-sendfile needs files on local disk.")
        response = HttpResponse(content_type=item.content_type)
        response["X-Sendfile"] = str(path.resolve())
    elif mode == "s3":
        return _signed_redirect(item)
    else:
        return _file_response(request, item, path)
    response["Cache-Control"] = item.cache_control
    return response


def _signed_redirect(item: Deliverable) -> HttpResponseBase:
    if not storage_supports_signed_urls():
        raise ImproperlyConfigured(
            "VIDEO_DELIVERY=s3 needs a default storage that signs URLs (django-storages S3)."
        )
    seconds = int(settings.VIDEO_SIGNED_URL_SECONDS)
    response = HttpResponseRedirect(default_storage.url(item.name, expire=seconds))
    # The browser may reuse the redirect while the signature is comfortably valid.
    response["Cache-Control"] = f"private, max-age={max(0, seconds // 2)}"
    return response


def _validators(path: Path | None) -> tuple[str | None, float | None]:
    """A cheap ETag and the modification time, from one stat; none for remote storage."""
    if path is None:
        return None, None
    stat = path.stat()
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"', stat.st_mtime


def _not_modified(
    request: HttpRequest, item: Deliverable, etag: str | None, mtime: float | None
) -> HttpResponseBase | None:
    if etag is None and mtime is None:
        return None
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(mtime) if mtime is not None else None
    )
    if conditional is not None:
        conditional["Cache-Control"] = item.cache_control
        if etag:
            conditional["ETag"] = etag
    return conditional


def _playlist_response(request: HttpRequest, item: Deliverable) -> HttpResponseBase | None:
    path = local_path(item.name)
    if path is not None:
        if not _exists_locally(path):
            return None
        data = path.read_bytes()
    elif default_storage.exists(item.name):
        with default_storage.open(item.name, "rb") as stream:
            data = stream.read()
    else:
        return None
    if item.uri_prefix:
        data = hls.prefix_uris(data.decode("utf-8"), item.uri_prefix).encode("utf-8")
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    conditional = _not_modified(request, item, etag, None)
    if conditional is not None:
        return conditional
    response = HttpResponse(data, content_type=item.content_type)
    response["Cache-Control"] = item.cache_control
    response["ETag"] = etag
    return response


# --- byte ranges -----------------------------------------------------------------------------

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range, clipped to the file; None when the
    whole file is to be sent (no header, another unit, or several ranges, which players
    never ask for). Raises RangeNotSatisfiable for a malformed, inverted or out-of-file
    range, answered with 416."""
    header = header.strip()
    if not header or not header.lower().startswith("bytes="):
        return None
    if "," in header:
        return None
    match = _RANGE.fullmatch(header.replace(" ", ""))
    if match is None:
        raise RangeNotSatisfiable(header)
    first, last = match[1], match[2]
    if not first and not last:
        raise RangeNotSatisfiable(header)
    if not first:  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - count), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if end < start or start >= size:
        raise RangeNotSatisfiable(header)
    return start, min(end, size - 1)


def _if_range_allows(request: HttpRequest, etag: str | None, mtime: float | None) -> bool:
    """A range only applies while the client's copy is the current one (RFC 9110 13.1.5)."""
    condition = request.headers.get("If-Range", "").strip()
    if not condition:
        return True
    if condition.startswith(('"', "W/")):
        return etag is not None and condition == etag
    since = parse_http_date_safe(condition)
    return since is not None and mtime is not None and int(mtime) <= since


def _read_range(stream: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        stream.seek(start)
        while length > 0:
            block = stream.read(min(READ_BLOCK, length))
            if not block:
                break
            length -= len(block)
            yield block
    finally:
        stream.close()


def _file_response(
    request: HttpRequest, item: Deliverable, path: Path | None
) -> HttpResponseBase | None:
    if path is None and not default_storage.exists(item.name):
        return None
    etag, mtime = _validators(path)
    conditional = _not_modified(request, item, etag, mtime)
    if conditional is not None:
        return conditional
    size = path.stat().st_size if path is not None else default_storage.size(item.name)
    byte_range = None
    if request.headers.get("Range") and _if_range_allows(request, etag, mtime):
        try:
            byte_range = parse_range(request.headers["Range"], size)
        except RangeNotSatisfiable:
            response: HttpResponseBase = HttpResponse(
                status=416, content_type="text/plain; charset=utf-8"
            )
            response["Content-Range"] = f"bytes */{size}"
            response["Accept-Ranges"] = "bytes"
            return response
    stream = path.open("rb") if path is not None else default_storage.open(item.name, "rb")
    if byte_range is None:
        response = FileResponse(stream, content_type=item.content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = byte_range
        response = StreamingHttpResponse(
            _read_range(stream, first, last - first + 1),
            status=206,
            content_type=item.content_type,
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = item.cache_control
    if etag:
        response["ETag"] = etag
    if mtime is not None:
        response["Last-Modified"] = http_date(mtime)
    return response
