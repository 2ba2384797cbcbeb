"""/api/v1/videos/ — included by lms/urls.py; see media/api.py."""

from django.urls import path

from media import api
from media.api_common import register_id_converter

register_id_converter()

app_name = "media_api"

urlpatterns = [
    path("uploads/", api.UploadCreateApi.as_view(), name="upload-list"),
    path("uploads/<uuid:upload_id>/", api.UploadDetailApi.as_view(), name="upload-detail"),
    path(
        "uploads/<uuid:upload_id>/complete/",
        api.UploadCompleteApi.as_view(),
        name="upload-complete",
    ),
    path("<id:pk>/", api.VideoDetailApi.as_view(), name="video-detail"),
]
