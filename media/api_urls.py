"""/api/v1/videos/ — included by lms/urls.py; see media/api.py."""

from django.urls import path

from media import api

app_name = "media_api"

urlpatterns = [
    path("uploads/", api.UploadCreateApi.as_view(), name="upload-list"),
    path("uploads/<uuid:upload_id>/", api.UploadDetailApi.as_view(), name="upload-detail"),
    path(
        "uploads/<uuid:upload_id>/complete/",
        api.UploadCompleteApi.as_view(),
        name="upload-complete",
    ),
    path("<int:pk>/", api.VideoDetailApi.as_view(), name="video-detail"),
]
