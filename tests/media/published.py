"""A published video without an encode: the files the pipeline writes, as small stand-ins,
and signed-in clients per role. Shared by the delivery, admin and API tests."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from media import hls
from media.models import Video
from tests.factories import EmployeeFactory, UserFactory
from tests.media.factories import CaptionFactory, RenditionFactory, VideoFactory

RUN = "0123456789ab"
SEGMENT = bytes(range(256)) * 8  # 2048 bytes, every offset distinguishable
ROLES = ("Learner", "Trainer", "HR", "Admin")


def _write(name: str, data: bytes) -> None:
    saved = default_storage.save(name, ContentFile(data))
    assert saved == name, saved


def publish_fake_video(**fields) -> Video:
    """A READY video with one 360p rung of two segments, a poster, scrub thumbnails and
    English captions, laid out in storage exactly as `media.pipeline` publishes them."""
    fields = {"duration": 8.0, **fields}
    video = VideoFactory(status=Video.Status.READY, width=640, height=360, **fields)
    hls_dir = f"videos/{video.pk}/hls/{RUN}"
    images = f"videos/{video.pk}/images/{RUN}"
    RenditionFactory(video=video)
    _write(
        f"{hls_dir}/master.m3u8",
        hls.build_master_playlist(
            [
                hls.Variant(
                    uri="360p/index.m3u8",
                    bandwidth=700_000,
                    average_bandwidth=500_000,
                    width=640,
                    height=360,
                    codecs="avc1.4d401e,mp4a.40.2",
                    frame_rate=30,
                )
            ],
            [hls.SubtitleTrack(uri="subs/en.m3u8", language="en", name="English")],
        ).encode(),
    )
    _write(
        f"{hls_dir}/360p/index.m3u8",
        b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        b"#EXTINF:4.000,\nseg_00000.ts\n#EXTINF:4.000,\nseg_00001.ts\n#EXT-X-ENDLIST\n",
    )
    _write(f"{hls_dir}/360p/seg_00000.ts", SEGMENT)
    _write(f"{hls_dir}/360p/seg_00001.ts", SEGMENT[::-1])
    _write(
        f"{hls_dir}/subs/en.m3u8",
        hls.build_subtitle_playlist(duration=video.duration, uri="en.vtt").encode(),
    )
    _write(f"{hls_dir}/subs/en.vtt", b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n")
    _write(f"{images}/poster.jpg", b"\xff\xd8\xff\xe0poster")
    _write(f"{images}/sprite_001.jpg", b"\xff\xd8\xff\xe0sprite")
    _write(
        f"{images}/thumbnails.vtt",
        b"WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nsprite_001.jpg#xywh=0,0,160,90\n",
    )
    video.master_playlist.name = f"{hls_dir}/master.m3u8"
    video.poster.name = f"{images}/poster.jpg"
    video.thumbnails_sprite.name = f"{images}/sprite_001.jpg"
    video.thumbnails_vtt.name = f"{images}/thumbnails.vtt"
    video.save()
    CaptionFactory(video=video, language="en")
    return video


def client_for(role: str | None) -> Client:
    """A fresh client signed in with one role; None for anonymous, "superuser" for one."""
    client = Client()
    if role == "superuser":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    elif role is not None:
        employee = EmployeeFactory(roles=[role])
        client.force_login(employee.user)
        client.user = employee.user
    return client
