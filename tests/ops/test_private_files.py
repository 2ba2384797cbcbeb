"""Nothing under the data directory is served by a route that does not check who asks.

Every private file the code writes (source videos, HLS playlists and segments, posters
and scrub sprites, captions, roster uploads, report exports, documents, resumable
upload parts, the SQLite file) is put on disk for real, then asked for through every
route that serves files — Wagtail's image folders, /documents/, /media/…, /static/ and
the MEDIA_URL itself — with every spelling of "go up a folder": `..`, `%2e%2e`,
double-encoded `%252e`, `..%2f`, backslashes, doubled slashes, absolute paths. Each
must be a 404, while the legitimate file of each route is still served, so a 404 means
"refused", not "that route is broken".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from lms.reports.models import ReportExport, export_upload_to
from media.uploads import upload_dir
from tests.courses.factories import root_collection
from tests.factories import EmployeeFactory, RosterImportFactory, UserFactory
from tests.media.published import RUN, publish_fake_video

pytestmark = pytest.mark.django_db

SECRET = b"private-bytes-"


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (32, 18), (11, 107, 203)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Layout:
    data: Path  # DATA_DIR
    private: list[Path]  # every private file, absolute
    video_id: int
    document_url: str  # a document no lesson uses, in a public collection
    image_urls: list[str]  # an original image and a rendition


@pytest.fixture
def layout(settings, tmp_path) -> Layout:
    """The data directory as the running app lays it out, with one of each file."""
    data = tmp_path / "data"
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "uploads"
    settings.STATIC_ROOT = data / "static"
    (data / "static" / "learner").mkdir(parents=True)
    (data / "static" / "learner" / "icon.svg").write_text("<svg/>")
    (data / "onramp.sqlite3").write_bytes(SECRET + b"database")

    video = publish_fake_video()
    video.source.save("talk.mp4", ContentFile(SECRET + b"source"), save=True)
    roster = RosterImportFactory()
    export = ReportExport.objects.create(
        requested_by=UserFactory(), kind="people", format=ReportExport.Format.XLSX
    )
    export.file.save(export_upload_to(export, "people.xlsx"), ContentFile(SECRET + b"export"))
    document = get_document_model().objects.create(
        title="员工手册",
        file=ContentFile(SECRET + b"document", name="handbook.pdf"),
        collection=root_collection(),
    )
    upload_dir().mkdir(parents=True)
    (upload_dir() / "123.part").write_bytes(SECRET + b"upload part")

    image = get_image_model().objects.create(
        title="封面",
        file=ContentFile(_png(), name="cover.png"),
        width=32,
        height=18,
        collection=root_collection(),
    )
    rendition = image.get_rendition("fill-16x9")

    public = {Path(image.file.path), Path(rendition.file.path)}
    private = sorted(
        path
        for path in data.rglob("*")
        if path.is_file() and path not in public and not path.is_relative_to(data / "static")
    )
    # The files the test means to attack are all there (and nothing was forgotten).
    names = {path.relative_to(data).as_posix() for path in private}
    for expected in (
        f"uploads/videos/{video.pk}/source/talk.mp4",
        f"uploads/videos/{video.pk}/hls/{RUN}/master.m3u8",
        f"uploads/videos/{video.pk}/hls/{RUN}/360p/index.m3u8",
        f"uploads/videos/{video.pk}/hls/{RUN}/360p/seg_00000.ts",
        f"uploads/videos/{video.pk}/hls/{RUN}/subs/en.vtt",
        f"uploads/videos/{video.pk}/images/{RUN}/poster.jpg",
        f"uploads/videos/{video.pk}/images/{RUN}/sprite_001.jpg",
        f"uploads/videos/{video.pk}/images/{RUN}/thumbnails.vtt",
        f"uploads/videos/{video.pk}/captions/en.vtt",
        f"uploads/{roster.file.name}",
        f"uploads/{export.file.name}",
        f"uploads/{document.file.name}",
        "tmp/uploads/123.part",
        "onramp.sqlite3",
    ):
        assert expected in names, f"{expected} missing from {sorted(names)}"
    return Layout(
        data=data,
        private=private,
        video_id=video.pk,
        document_url=document.url,
        image_urls=[image.file.url, rendition.url],
    )


def climbs(depth: int, target: str, absolute: str) -> list[str]:
    """Ways to write "`depth` folders up, then `target`" (both relative, "/"-separated),
    and ways to name the file by its absolute path."""

    def up(step: str) -> str:
        return step * depth

    return [
        up("../") + target,
        up("../") + "../" + target,  # one too many: a route that clamps at its root
        up("%2e%2e/") + target,
        up(".%2e/") + target,
        up("%2e%2e%2f") + target.replace("/", "%2f"),
        up("%252e%252e/") + target,
        up("%252e%252e%252f") + target.replace("/", "%252f"),
        up("..%2f") + target.replace("/", "%2f"),
        up("..%5c") + target.replace("/", "%5c"),
        up("..\\") + target.replace("/", "\\"),
        up("..//") + target.replace("/", "//"),
        "./" + up("../") + target,
        "/" + absolute.lstrip("/"),
        "//" + absolute.lstrip("/"),
        "%2f" + absolute.lstrip("/").replace("/", "%2f"),
    ]


def attacks(layout: Layout, prefix: str, depth: int) -> list[str]:
    """URLs that try to reach every private file from a route that maps `prefix` onto a
    folder `depth` levels below the data directory."""
    return [
        prefix + tail
        for path in layout.private
        for tail in climbs(depth, path.relative_to(layout.data).as_posix(), str(path))
    ]


def refused(client: Client, urls: list[str]) -> list[tuple[str, int]]:
    """The URLs that were not answered 404, with their status."""
    leaks = []
    for url in urls:
        response = client.get(url)
        if response.status_code != 404:
            leaks.append((url, response.status_code))
    return leaks


def public_routes(layout: Layout) -> dict[str, tuple[str, int]]:
    """Routes that serve without asking who is there: (URL prefix, depth of its folder)."""
    document_id = layout.document_url.split("/")[2]
    return {
        "images": ("/media-files/images/", 2),
        "original_images": ("/media-files/original_images/", 2),
        "media_url": ("/media-files/", 1),
        "documents": (f"/documents/{document_id}/", 2),
        "documents_root": ("/documents/", 2),
        "static": ("/static/", 1),
    }


@pytest.mark.parametrize(
    "route", ["images", "original_images", "media_url", "documents", "documents_root", "static"]
)
def test_no_public_route_reaches_a_private_file(layout, route):
    prefix, depth = public_routes(layout)[route]
    client = Client()
    assert refused(client, attacks(layout, prefix, depth)) == []
    # The direct names (no climbing) are no better.
    direct = [
        f"/media-files/{p.relative_to(layout.data / 'uploads').as_posix()}"
        for p in layout.private
        if p.is_relative_to(layout.data / "uploads")
    ]
    assert refused(client, direct) == []


@pytest.mark.parametrize("autorefresh", [True, False], ids=["development", "production"])
def test_static_files_stay_inside_their_folder_in_both_whitenoise_modes(
    layout, settings, autorefresh
):
    settings.WHITENOISE_AUTOREFRESH = autorefresh
    settings.WHITENOISE_USE_FINDERS = autorefresh
    client = Client()  # a new handler: whitenoise reads its settings when it starts
    assert client.get("/static/learner/icon.svg").status_code == 200
    assert refused(client, attacks(layout, "/static/", 1)) == []
    assert refused(client, attacks(layout, "/static/learner/", 2)) == []


def test_video_routes_refuse_paths_outside_their_folder_even_to_staff(layout):
    """A trainer may fetch every file of the video: a 404 here is the path, not the person."""
    trainer = EmployeeFactory(roles=["Trainer"])
    client = Client()
    client.force_login(trainer.user)
    base = f"/media/videos/{layout.video_id}"
    assert client.get(f"{base}/hls/master.m3u8").status_code == 200
    assert client.get(f"{base}/hls/{RUN}/360p/seg_00000.ts").status_code == 200
    assert client.get(f"{base}/thumbs/sprite_001.jpg").status_code == 200
    assert client.get(f"{base}/captions/en.vtt").status_code == 200
    urls = [
        # hls/ maps onto the run folder (hls/<run>/), as the rewritten master does.
        *attacks(layout, f"{base}/hls/", 5),
        *attacks(layout, f"{base}/thumbs/", 5),
        *attacks(layout, f"{base}/captions/", 4),
    ]
    assert refused(client, urls) == []


def test_video_files_are_refused_to_anonymous_callers(layout):
    client = Client()
    base = f"/media/videos/{layout.video_id}"
    for url in (
        f"{base}/hls/master.m3u8",
        f"{base}/hls/{RUN}/360p/seg_00000.ts",
        f"{base}/poster.jpg",
        f"{base}/thumbs/sprite_001.jpg",
        f"{base}/captions/en.vtt",
    ):
        # 403 before any lookup (see media/views.py): the player learns to sign in again.
        assert client.get(url).status_code == 403, url


def test_wagtail_images_are_served_while_developing(layout, settings):
    client = Client()
    for url in layout.image_urls:
        assert url.startswith("/media-files/")
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    settings.ONRAMP_SERVE_PUBLIC_IMAGES = False
    for url in layout.image_urls:
        assert client.get(url).status_code == 404


def test_a_symlink_in_an_image_folder_does_not_lead_out_of_it(layout):
    images = layout.data / "uploads" / "images"
    source = next(p for p in layout.private if p.name == "talk.mp4")
    (images / "talk.png").symlink_to(source)
    assert Client().get("/media-files/images/talk.png").status_code == 404


def test_documents_no_lesson_uses_stay_downloadable(layout):
    response = Client().get(layout.document_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECRET + b"document"
