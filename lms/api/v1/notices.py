"""The signed-in person's in-app notices (reminders), and marking them read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.v1.errors import errors
from lms.org.selectors import employee_for_user
from lms.reports.notices import notices_for
from lms.reports.services import notice_mark_read
from media.api_common import IdField


class NoticeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    lines = serializers.ListField(child=serializers.DictField())
    created_at = serializers.DateTimeField()


class NoticesReadInput(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), max_length=100)


class NoticesReadOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many of them were unread until now.")


class MyNoticesApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: NoticeOutput(many=True), **errors()}, summary="My unread reminders"
    )
    def get(self, request: Request) -> Response:
        employee = employee_for_user(request.user)
        notices = notices_for(employee=employee, limit=20) if employee else []
        return Response(NoticeOutput(notices, many=True).data)


class MyNoticesReadApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=NoticesReadInput,
        responses={200: NoticesReadOutput, **errors(400)},
        summary="Mark reminders read",
    )
    def post(self, request: Request) -> Response:
        data = NoticesReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        employee = employee_for_user(request.user)
        marked = (
            notice_mark_read(employee=employee, notice_ids=data.validated_data["ids"])
            if employee
            else 0
        )
        return Response(NoticesReadOutput({"marked": marked}).data)
