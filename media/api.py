"""/api/v1/videos/: resumable upload of a recording, and the state of a video.

    POST   uploads/                 {filename, size, title?} → 201 the session (its id, offset 0)
    GET    uploads/<id>/            the session: the offset to resume from (also HEAD)
    PUT    uploads/<id>/            one chunk: raw bytes, Content-Range, X-Chunk-SHA256
    DELETE uploads/<id>/            cancel: the bytes are removed
    POST   uploads/<id>/complete/   → 201 the video, queued for processing
    GET    <id>/                    status, progress and ETA, failure reason, renditions

Thin views over `media.uploads` and `media.selectors`. Session authentication, so every
unsafe request needs the CSRF token (X-CSRFToken). A refused request answers with the
API's one error body, `{"error": {"code", "message", "fields"}}`; where an offset helps
the client resume, `error.offset` and the `Upload-Offset` header carry it. Nothing of a
refused chunk is stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media import selectors
from media.api_common import ErrorDetailOutput, ErrorOutput, TextField, error_body
from media.models import UploadSession, Video
from media.tasks import upload_complete_and_process
from media.uploads import (
    UploadError,
    parse_content_range,
    parse_sha256,
    upload_cancel,
    upload_chunk_write,
    upload_session_create,
    upload_session_expires_at,
    upload_session_get,
)

CHECKSUM_HEADER = "X-Chunk-SHA256"


class CanUploadVideos(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.has_perm("onramp_media.add_video"))


class CanViewVideos(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.has_perm("onramp_media.view_video"))


class ChunkParser(BaseParser):
    """Declares the chunk's media type; the view reads the body as a stream itself, so
    this never runs (and a chunk is never held in memory whole)."""

    media_type = "application/octet-stream"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return stream  # pragma: no cover


class UploadErrorDetailOutput(ErrorDetailOutput):
    offset = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Bytes the server holds: resume from here (also the Upload-Offset header).",
    )


class UploadErrorOutput(serializers.Serializer):
    error = UploadErrorDetailOutput()


class VideoUploadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField(help_text="Where to send chunks and ask for the offset.")
    complete_url = serializers.CharField()
    filename = serializers.CharField()
    title = serializers.CharField()
    size = serializers.IntegerField()
    offset = serializers.IntegerField(help_text="Bytes received so far: the next chunk's start.")
    chunk_size = serializers.IntegerField(help_text="The chunk size the server suggests.")
    status = serializers.ChoiceField(choices=UploadSession.Status.choices)
    expires_at = serializers.DateTimeField(help_text="Removed if no chunk arrives before this.")
    video = serializers.IntegerField(allow_null=True)


def _upload_data(session: UploadSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "url": reverse("media_api:upload-detail", args=[session.pk]),
        "complete_url": reverse("media_api:upload-complete", args=[session.pk]),
        "filename": session.filename,
        "title": session.title,
        "size": session.size,
        "offset": session.received,
        "chunk_size": settings.VIDEO_UPLOAD_CHUNK_BYTES,
        "status": session.status,
        "expires_at": upload_session_expires_at(session),
        "video": session.video_id,
    }


def _upload_response(session: UploadSession, code: int = status.HTTP_200_OK) -> Response:
    response = Response(VideoUploadSerializer(_upload_data(session)).data, status=code)
    response["Upload-Offset"] = str(session.received)
    response["Cache-Control"] = "no-store"
    return response


def _error(exc: UploadError) -> Response:
    extra = {"offset": exc.offset} if exc.offset is not None else {}
    response = Response(error_body(exc.code, str(exc.message), **extra), status=exc.status)
    if exc.offset is not None:
        response["Upload-Offset"] = str(exc.offset)
    return response


_ERRORS = {
    code: OpenApiResponse(UploadErrorOutput, description=text)
    for code, text in {
        400: "Bad input: no name, empty file, bad range or checksum.",
        401: "Not signed in.",
        403: "No CSRF token, or no permission to upload.",
        404: "No such upload for this user, or it expired.",
        409: "Out of order, already complete, or another chunk is arriving.",
        413: "The file or the chunk is too big.",
    }.items()
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: _ERRORS[code] for code in codes}


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": settings.VIDEO_MAX_UPLOAD_BYTES})
class UploadSizeField(serializers.IntegerField):
    """The file's size in bytes. Above VIDEO_MAX_UPLOAD_BYTES the service answers 413
    with the limit in words; the schema states that limit as the maximum (a number
    beyond any file, past 2⁶², is a plain 400)."""


class UploadCreateApi(APIView):
    permission_classes = [IsAuthenticated, CanUploadVideos]
    parser_classes = [JSONParser]

    class VideoUploadCreateInputSerializer(serializers.Serializer):
        filename = TextField(max_length=1000)
        size = UploadSizeField(min_value=1, max_value=2**62)
        title = TextField(max_length=255, required=False, allow_blank=True)

    @extend_schema(
        operation_id="video_upload_create",
        tags=["videos"],
        summary="Start a resumable upload",
        request=VideoUploadCreateInputSerializer,
        responses={
            201: VideoUploadSerializer,
            **_ERRORS,
            429: OpenApiResponse(UploadErrorOutput, description="Too many uploads under way."),
            507: OpenApiResponse(UploadErrorOutput, description="Not enough disk space."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.VideoUploadCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            session = upload_session_create(user=request.user, **data.validated_data)
        except UploadError as exc:
            return _error(exc)
        response = _upload_response(session, status.HTTP_201_CREATED)
        response["Location"] = reverse("media_api:upload-detail", args=[session.pk])
        return response


class UploadDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanUploadVideos]
    parser_classes = [ChunkParser]

    def _session(self, request: Request, upload_id: Any) -> UploadSession:
        return upload_session_get(user=request.user, session_id=upload_id)

    @extend_schema(
        operation_id="video_upload_retrieve",
        tags=["videos"],
        summary="Where to resume: the bytes received so far",
        responses={200: VideoUploadSerializer, **_errors(401, 403, 404)},
    )
    def get(self, request: Request, upload_id: Any) -> Response:
        try:
            return _upload_response(self._session(request, upload_id))
        except UploadError as exc:
            return _error(exc)

    @extend_schema(
        operation_id="video_upload_chunk",
        tags=["videos"],
        summary="Send one chunk",
        request={"application/octet-stream": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter(
                "Content-Range",
                str,
                OpenApiParameter.HEADER,
                required=True,
                pattern=r"^bytes [0-9]{1,19}-[0-9]{1,19}/[0-9]{1,19}$",
                description="bytes START-END/SIZE; START must be the current offset.",
            ),
            OpenApiParameter(
                CHECKSUM_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                pattern="^[0-9a-fA-F]{64}$",
                description="SHA-256 of this chunk's bytes, in hexadecimal.",
            ),
        ],
        responses={200: VideoUploadSerializer, **_ERRORS},
    )
    def put(self, request: Request, upload_id: Any) -> Response:
        try:
            session = self._session(request, upload_id)
            content_range = parse_content_range(request.headers.get("Content-Range"))
            sha256 = parse_sha256(request.headers.get(CHECKSUM_HEADER))
            length = request.META.get("CONTENT_LENGTH") or ""
            session = upload_chunk_write(
                session=session,
                content_range=content_range,
                sha256=sha256,
                # The Django request itself: read in blocks, never parsed into memory.
                stream=request._request,
                content_length=int(length) if length.isdigit() else None,
            )
        except UploadError as exc:
            return _error(exc)
        return _upload_response(session)

    @extend_schema(
        operation_id="video_upload_cancel",
        tags=["videos"],
        summary="Cancel an upload and remove its bytes",
        responses={204: None, **_errors(401, 403, 404)},
    )
    def delete(self, request: Request, upload_id: Any) -> Response:
        try:
            upload_cancel(session=self._session(request, upload_id))
        except UploadError as exc:
            return _error(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoRenditionSerializer(serializers.Serializer):
    name = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    bandwidth = serializers.IntegerField()
    average_bandwidth = serializers.IntegerField()


class VideoStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Video.Status.choices)
    status_label = serializers.CharField()
    progress = serializers.FloatField(help_text="Percent, 0–100.")
    eta_seconds = serializers.IntegerField(allow_null=True)
    finished = serializers.BooleanField(help_text="Ready or failed: nothing more will change.")
    failure_reason = serializers.CharField(help_text="Why it failed, in the reader's language.")
    duration = serializers.FloatField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    renditions = VideoRenditionSerializer(many=True)
    master_url = serializers.CharField(allow_null=True)
    poster_url = serializers.CharField(allow_null=True)
    thumbnails_url = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


def video_data(video: Video) -> dict[str, Any]:
    progress = selectors.video_progress(video)
    return {
        "id": video.pk,
        "title": video.title,
        "status": video.status,
        "status_label": progress.label,
        "progress": progress.percent,
        "eta_seconds": progress.eta_seconds,
        "finished": progress.finished,
        "failure_reason": progress.failure_reason,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "renditions": list(video.renditions.all()),
        "master_url": selectors.video_master_url(video),
        "poster_url": selectors.video_poster_url(video),
        "thumbnails_url": selectors.video_thumbnails_url(video),
        "created_at": video.created_at,
    }


class UploadCompleteApi(APIView):
    permission_classes = [IsAuthenticated, CanUploadVideos]

    @extend_schema(
        operation_id="video_upload_complete",
        tags=["videos"],
        summary="Finish the upload: the file becomes a video, queued for processing",
        request=None,
        responses={
            201: VideoStatusSerializer,
            **_ERRORS,
            410: OpenApiResponse(UploadErrorOutput, description="The bytes are gone; start again."),
        },
    )
    def post(self, request: Request, upload_id: Any) -> Response:
        try:
            session = upload_session_get(user=request.user, session_id=upload_id)
            video = upload_complete_and_process(session=session)
        except UploadError as exc:
            return _error(exc)
        response = Response(VideoStatusSerializer(video_data(video)).data, status=201)
        response["Location"] = reverse("media_api:video-detail", args=[video.pk])
        return response


class VideoDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanViewVideos]

    @extend_schema(
        operation_id="video_retrieve",
        tags=["videos"],
        summary="A video's state: poll it while it is processed",
        responses={
            200: VideoStatusSerializer,
            **{
                code: OpenApiResponse(ErrorOutput, description=text)
                for code, text in {
                    401: "Not signed in.",
                    403: "No permission to see videos.",
                    404: "No such video.",
                }.items()
            },
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        video = Video.objects.filter(pk=pk).prefetch_related("renditions").first()
        if video is None:
            raise NotFound(_("No such video."))
        response = Response(VideoStatusSerializer(video_data(video)).data)
        response["Cache-Control"] = "no-store"
        return response
