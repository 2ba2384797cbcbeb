"""The signed-in person: their profile and their path map."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.v1.errors import errors
from lms.org.selectors import employee_for_user, employee_profile_for
from lms.paths.selectors import PathMap, path_map_versions_for, path_maps_for


class ProfileOutput(serializers.Serializer):
    username = serializers.CharField()
    employee_no = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    position = serializers.CharField(allow_null=True)
    level = serializers.CharField(allow_null=True)
    cohort = serializers.CharField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField()


class MeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ProfileOutput, **errors()}, summary="The signed-in person")
    def get(self, request: Request) -> Response:
        user = request.user
        employee = employee_profile_for(user)
        data = {
            "username": user.get_username(),
            "employee_no": employee.employee_no if employee else None,
            "name": employee.name if employee else (user.get_full_name() or user.get_username()),
            "department": employee.department.name if employee else None,
            "position": employee.position.name if employee and employee.position else None,
            "level": str(employee.level) if employee and employee.level else None,
            "cohort": employee.cohort.name if employee and employee.cohort else None,
            "start_date": employee.start_date if employee else None,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "language": (employee.preferred_language if employee else "") or get_language(),
        }
        return Response(ProfileOutput(data).data)


class MapItemOutput(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    title = serializers.CharField(source="item.title")
    kind = serializers.CharField(source="item.item.kind", allow_null=True, default=None)
    course_id = serializers.IntegerField(
        source="item.item.course_id", allow_null=True, default=None
    )
    state = serializers.ChoiceField(
        choices=["done", "exempt", "overdue", "current", "todo", "locked"]
    )
    due_date = serializers.DateField(source="item.due_date", allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    progress = serializers.IntegerField(source="item.progress")


class MapStageOutput(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.CharField()
    items = MapItemOutput(many=True)


class PathMapOutput(serializers.Serializer):
    enrolment_id = serializers.IntegerField(source="enrolment.pk")
    path = serializers.CharField(source="enrolment.path.name")
    percent = serializers.IntegerField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    next_item = MapItemOutput(allow_null=True)
    stages = MapStageOutput(many=True)


class MyPathApi(APIView):
    """The map the phone shows first on every start.

    A map depends only on the person's enrolments (each with a version that every
    change raises) and on today's date, so it is cached under exactly that and sent
    with an ETag: an unchanged map costs one small query, or a 304 with no body.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={
            200: PathMapOutput(many=True),
            304: OpenApiResponse(description="Unchanged since the ETag in If-None-Match."),
            **errors(404, described={404: "This account is not linked to an employee."}),
        },
        summary="My path map",
    )
    def get(self, request: Request) -> Response:
        versions = path_map_versions_for(user=request.user)
        today = timezone.localdate()
        stamp = ",".join(f"{pk}.{version}" for pk, version in versions)
        key = f"path-map:1:{request.user.pk}:{today.isoformat()}:{stamp}"
        etag = f'"{hashlib.blake2b(key.encode(), digest_size=12).hexdigest()}"'
        sent = {
            tag.strip().removeprefix("W/")
            for tag in request.headers.get("If-None-Match", "").split(",")
        }
        if etag in sent:
            return Response(status=304, headers={"ETag": etag})
        body = cache.get(key)
        if body is None:
            maps: list[PathMap] = path_maps_for(
                user=request.user, today=today, with_course_pages=False
            )
            if not maps and employee_for_user(request.user) is None:
                raise NotFound("This account is not linked to an employee.")
            # Built once per version and day (then cached): the serializer's cost is paid
            # on a change, not on every start of the phone.
            body = PathMapOutput(maps, many=True).data
            cache.set(key, body, timeout=_MAP_CACHE_SECONDS)
        # Private: the map is the person's own; "no-cache" makes the phone revalidate.
        return Response(body, headers={"ETag": etag, "Cache-Control": "private, no-cache"})


_MAP_CACHE_SECONDS = 24 * 3600
