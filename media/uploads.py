"""Resumable uploads of large recordings: a small chunked protocol with a checksum per chunk.

1. `upload_session_create(size, filename)` checks the declared size against the limit
   and the free disk, and returns a session (a UUID) whose bytes go to one file under
   DATA_DIR/tmp/uploads.
2. `upload_chunk_write(start, end, total, sha256, stream)` appends one chunk: it must
   start exactly at the session's offset, declare the session's size, and hash to the
   SHA-256 the client computed. The body is streamed to disk in small blocks (never
   held in memory) and fsynced before the offset moves, so the offset the server
   reports is always on disk. A refused chunk leaves nothing behind.
3. A client that lost its connection asks the session for its offset and goes on from
   there (`UploadSession.received`).
4. `upload_complete` turns the finished file into a Video (moved, not copied, when
   storage is local disk); asking again returns the same video. The API calls it through
   `media.tasks.upload_complete_and_process`, which queues the processing.

Idle sessions are removed with their bytes by `upload_sessions_clean`, run whenever
someone starts an upload and as a task. Why not tus: the Django servers for it on PyPI
are unmaintained (django-tus, last release 2020) or little used, and per-chunk checksums
are an optional extension that tus-js-client does not send; this protocol is four
small views over the functions below.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from media.ffmpeg.validate import format_size, rejection_message
from media.models import UploadSession, Video
from media.services import NewAttemptCallback, video_create

READ_BLOCK = 64 * 1024
# A chunk above this is refused before it is read: the client sends ~8 MiB.
MAX_CHUNK_BYTES = 64 * 1024**2
MAX_OPEN_PER_USER = 5
# Space left free on the data disk for the transcode that follows.
DISK_HEADROOM = 512 * 1024**2
# A file in the upload folder without a session is only removed once it is this old, so
# a session being created right now is never caught between its row and its file.
ORPHAN_GRACE = timedelta(minutes=10)

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


class UploadError(Exception):
    """A refused request, with the HTTP status it maps to and the offset to resume from."""

    def __init__(
        self, message: str, *, code: str, status: int = 400, offset: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.offset = offset


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "tmp" / "uploads"


def upload_part_path(session: UploadSession) -> Path:
    return upload_dir() / f"{session.pk}.part"


def upload_session_ttl() -> timedelta:
    return timedelta(hours=settings.VIDEO_UPLOAD_SESSION_HOURS)


def upload_session_expires_at(session: UploadSession) -> Any:
    return session.updated_at + upload_session_ttl()


# --- create -------------------------------------------------------------------------------


def _clean_filename(filename: str) -> str:
    name = PurePosixPath(str(filename).replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if not name or name in (".", ".."):
        raise UploadError(_("The file needs a name."), code="filename")
    return name[-255:]


def _check_size(size: int) -> None:
    limit = settings.VIDEO_MAX_UPLOAD_BYTES
    if size <= 0:
        raise UploadError(_("The file is empty."), code="empty")
    if size > limit:
        raise UploadError(
            rejection_message(
                "file_too_big",
                {"size": format_size(size), "limit": format_size(limit)},
            ),
            code="file_too_big",
            status=413,
        )


def _check_disk(size: int) -> None:
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    promised = sum(
        s.size - s.received
        for s in UploadSession.objects.filter(status=UploadSession.Status.OPEN).only(
            "size", "received"
        )
    )
    if shutil.disk_usage(folder).free - promised < size + DISK_HEADROOM:
        raise UploadError(
            _("The server does not have enough free space for this file right now."),
            code="no_space",
            status=507,
        )


def upload_session_create(*, user: Any, filename: str, size: int, title: str = "") -> UploadSession:
    """Start a resumable upload of `size` bytes; nothing is written but an empty file."""
    upload_sessions_clean()
    name = _clean_filename(filename)
    _check_size(size)
    open_count = UploadSession.objects.filter(
        created_by=user, status=UploadSession.Status.OPEN
    ).count()
    if open_count >= MAX_OPEN_PER_USER:
        raise UploadError(
            _(
                "You have %(count)d unfinished uploads. Finish or cancel one before starting "
                "another."
            )
            % {"count": open_count},
            code="too_many_uploads",
            status=429,
        )
    _check_disk(size)
    session = UploadSession.objects.create(
        created_by=user, filename=name, title=title.strip()[:255], size=size
    )
    try:
        upload_part_path(session).touch(exist_ok=False)
    except BaseException:
        session.delete()
        raise
    return session


def upload_session_get(*, user: Any, session_id: Any) -> UploadSession:
    """The caller's own session; someone else's is "not found", like one that never was."""
    session = UploadSession.objects.filter(pk=session_id, created_by=user).first()
    if session is None or (
        session.status == UploadSession.Status.OPEN
        and timezone.now() - session.updated_at > upload_session_ttl()
    ):
        raise UploadError(
            _("This upload does not exist or has expired. Start the upload again."),
            code="unknown_upload",
            status=404,
        )
    return session


# --- chunks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkRange:
    start: int
    end: int  # inclusive, as in Content-Range
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_content_range(header: str | None) -> ChunkRange:
    match = _CONTENT_RANGE.fullmatch((header or "").strip())
    if match is None:
        raise UploadError(
            _("Each chunk needs a Content-Range header such as “bytes 0-8388607/73400320”."),
            code="content_range",
        )
    start, end, total = (int(value) for value in match.groups())
    if end < start:
        raise UploadError(_("The chunk's byte range is reversed."), code="content_range")
    return ChunkRange(start, end, total)


def parse_sha256(header: str | None) -> str:
    value = (header or "").strip()
    if not _SHA256_HEX.fullmatch(value):
        raise UploadError(
            _("Each chunk needs its SHA-256 checksum (64 hexadecimal digits)."),
            code="checksum_missing",
        )
    return value.lower()


@contextlib.contextmanager
def _locked_part(path: Path, offset: int) -> Iterator[IO[bytes]]:
    try:
        stream = path.open("r+b")
    except FileNotFoundError as exc:
        raise UploadError(
            _("This upload does not exist or has expired. Start the upload again."),
            code="unknown_upload",
            status=404,
        ) from exc
    try:
        try:
            # One chunk at a time per upload: a second connection of a confused client
            # must not interleave its bytes with the first one's.
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise UploadError(
                _("Another chunk of this upload is still arriving. Try again in a moment."),
                code="busy",
                status=409,
                offset=offset,
            ) from exc
        yield stream
    finally:
        stream.close()


def upload_chunk_write(
    *,
    session: UploadSession,
    content_range: ChunkRange,
    sha256: str,
    stream: IO[bytes],
    content_length: int | None,
) -> UploadSession:
    """Append one chunk at the session's offset; refuse it whole, storing nothing, if it
    is out of order, of the wrong size, incomplete or damaged."""
    offset = session.received
    if session.status != UploadSession.Status.OPEN:
        raise UploadError(
            _("This upload is already complete."), code="complete", status=409, offset=offset
        )
    if content_range.total != session.size:
        raise UploadError(
            _(
                "The chunk says the file has %(total)d bytes, but the upload was started with %(size)d."
            )
            % {"total": content_range.total, "size": session.size},
            code="size_mismatch",
            offset=offset,
        )
    if content_range.end >= session.size:
        raise UploadError(
            _("The chunk goes past the end of the file."), code="past_end", offset=offset
        )
    if content_range.start != offset:
        raise UploadError(
            _("Chunks must arrive in order: the server expects byte %(offset)d next.")
            % {"offset": offset},
            code="out_of_order",
            status=409,
            offset=offset,
        )
    if content_range.length > MAX_CHUNK_BYTES:
        raise UploadError(
            _("A chunk may be at most %(size)s.") % {"size": format_size(MAX_CHUNK_BYTES)},
            code="chunk_too_big",
            status=413,
            offset=offset,
        )
    if content_length is not None and content_length != content_range.length:
        raise UploadError(
            _("The chunk's length does not match its Content-Range."),
            code="length_mismatch",
            offset=offset,
        )
    path = upload_part_path(session)
    with _locked_part(path, offset) as part:
        # Anything past the offset is a refused or interrupted chunk's leftover.
        part.truncate(offset)
        part.seek(offset)
        digest = hashlib.sha256()
        remaining = content_range.length
        try:
            while remaining > 0:
                try:
                    block = stream.read(min(READ_BLOCK, remaining))
                except OSError:  # the connection dropped mid-chunk
                    block = b""
                if not block:
                    break
                digest.update(block)
                part.write(block)
                remaining -= len(block)
            if remaining > 0:
                raise UploadError(
                    _("The chunk arrived incomplete. Send it again."),
                    code="incomplete",
                    offset=offset,
                )
            if digest.hexdigest() != sha256:
                raise UploadError(
                    _("The chunk arrived damaged (its checksum does not match). Send it again."),
                    code="checksum_mismatch",
                    offset=offset,
                )
            part.flush()
            os.fsync(part.fileno())
        except BaseException:
            part.truncate(offset)
            raise
        moved = UploadSession.objects.filter(
            pk=session.pk, status=UploadSession.Status.OPEN, received=offset
        ).update(received=content_range.end + 1, updated_at=timezone.now())
        if not moved:
            part.truncate(offset)
            current = UploadSession.objects.filter(pk=session.pk).first()
            if current is None:  # cancelled or cleaned while the chunk arrived
                raise UploadError(
                    _("This upload does not exist or has expired. Start the upload again."),
                    code="unknown_upload",
                    status=404,
                )
            session = current
            raise UploadError(
                _("Chunks must arrive in order: the server expects byte %(offset)d next.")
                % {"offset": session.received},
                code="out_of_order",
                status=409,
                offset=session.received,
            )
    session.refresh_from_db()
    return session


# --- complete, cancel, clean -------------------------------------------------------------------


class _PartFile(File):
    """The finished part file; `temporary_file_path` lets FileSystemStorage move it into
    place with a rename instead of copying gigabytes."""

    def temporary_file_path(self) -> str:
        return str(self.name)


def upload_complete(
    *, session: UploadSession, on_new_attempt: NewAttemptCallback | None = None
) -> Video:
    """Turn a fully received upload into a Video (idempotent); `on_new_attempt` is handed
    to `video_create` (`media.tasks.upload_complete_and_process` queues its processing)."""
    if session.status == UploadSession.Status.COMPLETE and session.video_id:
        return Video.objects.get(pk=session.video_id)
    if session.received != session.size:
        raise UploadError(
            _("The upload is not finished: %(received)d of %(size)d bytes have arrived.")
            % {"received": session.received, "size": session.size},
            code="incomplete_upload",
            status=409,
            offset=session.received,
        )
    # Claimed with a conditional update, not a lock held while gigabytes move to storage.
    claimed = UploadSession.objects.filter(
        pk=session.pk, status=UploadSession.Status.OPEN, received=session.size
    ).update(status=UploadSession.Status.COMPLETING, updated_at=timezone.now())
    if not claimed:
        session.refresh_from_db()
        if session.status == UploadSession.Status.COMPLETE and session.video_id:
            return Video.objects.get(pk=session.video_id)
        raise UploadError(
            _("This upload is being finished already. Try again in a moment."),
            code="busy",
            status=409,
        )
    path = upload_part_path(session)
    try:
        if not path.is_file() or path.stat().st_size != session.size:
            raise UploadError(
                _("The uploaded file is missing on the server. Start the upload again."),
                code="part_missing",
                status=410,
            )
        with path.open("rb") as stream:
            video = video_create(
                title=session.title or PurePosixPath(session.filename).stem,
                file=_PartFile(stream, name=str(path)),
                filename=session.filename,
                created_by=session.created_by,
                on_new_attempt=on_new_attempt,
            )
    except ValidationError as exc:
        _remove(session)
        raise UploadError(" ".join(exc.messages), code=exc.code or "invalid") from exc
    except UploadError:
        _remove(session)
        raise
    except BaseException:
        UploadSession.objects.filter(pk=session.pk).update(status=UploadSession.Status.OPEN)
        raise
    path.unlink(missing_ok=True)  # still there when storage copied it (S3)
    UploadSession.objects.filter(pk=session.pk).update(
        status=UploadSession.Status.COMPLETE, video=video, updated_at=timezone.now()
    )
    session.refresh_from_db()
    return video


def _remove(session: UploadSession) -> None:
    # Row first: a chunk arriving in between finds no session (404) rather than a file
    # that is about to vanish; a chunk already writing holds an unlinked file, harmlessly.
    UploadSession.objects.filter(pk=session.pk).delete()
    upload_part_path(session).unlink(missing_ok=True)


def upload_cancel(*, session: UploadSession) -> None:
    """Give up an upload: its bytes are removed at once."""
    if session.status == UploadSession.Status.COMPLETE:
        UploadSession.objects.filter(pk=session.pk).delete()
        return
    _remove(session)


def upload_sessions_clean(*, now: Any = None) -> int:
    """Remove sessions idle for longer than VIDEO_UPLOAD_SESSION_HOURS with their bytes,
    and files in the upload folder that no session owns. Returns the sessions removed."""
    now = now or timezone.now()
    stale = list(
        UploadSession.objects.filter(updated_at__lt=now - upload_session_ttl()).values_list(
            "pk", "status"
        )
    )
    if stale:
        UploadSession.objects.filter(pk__in=[pk for pk, _status in stale]).delete()
    folder = upload_dir()
    if folder.is_dir():
        live = {
            f"{pk}.part" for pk in UploadSession.objects.values_list("pk", flat=True).iterator()
        }
        removed = {f"{pk}.part" for pk, _status in stale}
        cutoff = (now - ORPHAN_GRACE).timestamp()
        for path in folder.iterdir():
            if path.name in live:
                continue
            with contextlib.suppress(FileNotFoundError):
                if path.name in removed or path.stat().st_mtime < cutoff:
                    path.unlink()
    return len(stale)
