"""POST /api/v1/progress/events/ — the phone's progress, in batches."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.v1.errors import errors
from lms.progress.events import MAX_EVENTS_PER_BATCH, progress_events_apply
from media.api_common import BoundedDateTimeField, IdField, within_a_day


class EventInput(serializers.Serializer):
    id = serializers.UUIDField(help_text="Made by the phone; resending it changes nothing.")
    type = serializers.ChoiceField(
        choices=["video.watched", "video.position", "lesson.viewed", "checklist.ticked"]
    )
    client_time = BoundedDateTimeField(
        latest=within_a_day, help_text="The phone's clock: from 2000 to at most a day ahead."
    )
    lesson = IdField(required=False)
    video = IdField(required=False)
    start = serializers.FloatField(required=False)
    end = serializers.FloatField(required=False)
    position = serializers.FloatField(required=False)
    item = IdField(required=False)


class BatchInput(serializers.Serializer):
    events = EventInput(many=True, max_length=MAX_EVENTS_PER_BATCH)


class AckOutput(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["applied", "duplicate", "rejected"])
    reason = serializers.CharField(
        allow_blank=True,
        help_text=(
            "Why an event was rejected; on an applied watched range, that part of it is not "
            "counted yet (more than can have played since the video was first sent)."
        ),
    )


class AcksOutput(serializers.Serializer):
    acks = AckOutput(many=True)


class ProgressEventsApi(APIView):
    """Each event is checked on its own: bad ones come back rejected with a reason."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=BatchInput,
        responses={200: AcksOutput, **errors(400)},
        summary="Send progress events",
        description="Each event is checked on its own: an invalid one comes back "
        "`rejected` with a reason, and the others are applied.",
    )
    def post(self, request: Request) -> Response:
        events = request.data.get("events") if isinstance(request.data, dict) else None
        if not isinstance(events, list):
            raise ValidationError({"events": ["Send a list of events."]})
        if len(events) > MAX_EVENTS_PER_BATCH:
            raise ValidationError(
                {
                    "events": [
                        f"At most {MAX_EVENTS_PER_BATCH} events per batch; send the rest next."
                    ]
                }
            )
        acks = progress_events_apply(user=request.user, events=events)
        return Response(AcksOutput({"acks": acks}).data)
