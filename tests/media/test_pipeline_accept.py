"""What real recordings look like is accepted and becomes a valid HLS ladder."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from media.models import Video
from tests.media.hls_checks import check_ladder, ffprobe, storage_path

pytestmark = pytest.mark.django_db


def rungs(video: Video) -> list[tuple[str, int, int]]:
    return [(r.name, r.width, r.height) for r in video.renditions.order_by("-height")]


def audio_of(video: Video, uri: str) -> list[dict]:
    folder = storage_path(video.master_playlist.name).parent / uri.rsplit("/", 1)[0]
    segment = sorted(folder.glob("seg_*.ts"))[0]
    return ffprobe(
        segment,
        "-select_streams",
        "a",
        "-show_entries",
        "stream=codec_name,profile,channels,sample_rate",
    )["streams"]


def test_landscape(ingest):
    video = ingest("landscape")
    ladder = check_ladder(video)
    assert (video.width, video.height, video.rotation, video.has_audio) == (854, 480, 0, True)
    assert video.duration == pytest.approx(5.0, abs=0.1)
    assert rungs(video) == [("480p", 854, 480), ("360p", 640, 360)]
    assert video.progress == 100 and video.progress_eta is None
    assert video.failure_code == "" and video.failure_reason == ""
    attributes, _, _ = ladder["480p/index.m3u8"]
    assert attributes["CODECS"] == "avc1.4d401f,mp4a.40.2"
    assert attributes["FRAME-RATE"] == "30.000"
    assert audio_of(video, "480p/index.m3u8") == [
        {"codec_name": "aac", "profile": "LC", "channels": 2, "sample_rate": "48000"}
    ]
    # Published under the run's own folder; nothing left in the temp dir.
    assert video.master_playlist.name.startswith(f"videos/{video.pk}/hls/")
    from django.conf import settings

    assert not any((settings.DATA_DIR / "tmp").rglob("*.ts"))
    check_gops_aligned_across_renditions(ladder)
    check_poster_and_scrub_thumbnails(video)


def test_portrait_phone_video_keeps_its_orientation(ingest):
    video = ingest("portrait")
    check_ladder(video)
    assert video.rotation in (90, 270)
    assert (video.width, video.height) == (360, 640)
    assert rungs(video) == [("360p", 360, 640)]


def test_odd_dimensions(ingest):
    video = ingest("odd")
    check_ladder(video)
    assert (video.width, video.height) == (853, 481)
    assert rungs(video) == [("480p", 852, 480), ("360p", 638, 360)]


def test_variable_frame_rate(ingest):
    video = ingest("vfr")
    assert video.probe["video"]["vfr"] is True
    ladder = check_ladder(video)
    (attributes, _, _) = ladder["180p/index.m3u8"]
    assert attributes["FRAME-RATE"] == "30.000"


def test_no_audio_gives_video_only_playlists(ingest):
    video = ingest("no_audio")
    ladder = check_ladder(video)
    assert video.has_audio is False
    (attributes, _, _) = ladder["180p/index.m3u8"]
    assert attributes["CODECS"] == "avc1.4d401e"
    assert audio_of(video, "180p/index.m3u8") == []


def test_surround_is_downmixed_to_stereo(ingest):
    video = ingest("surround")
    check_ladder(video)
    assert video.probe["audio"]["channels"] == 6
    assert audio_of(video, "180p/index.m3u8")[0]["channels"] == 2


def test_ten_bit_422_becomes_8_bit_420(ingest):
    video = ingest("ten_bit_422")
    check_ladder(video)  # asserts yuv420p in the segments
    assert video.probe["video"]["bit_depth"] == 10
    assert video.probe["video"]["chroma"] == "4:2:2"


def test_hdr_phone_video_is_tone_mapped_to_sdr(ingest):
    video = ingest("hdr_hlg")
    ladder = check_ladder(video)
    assert video.probe["video"]["hdr"] is True
    (_, playlist, folder) = ladder["180p/index.m3u8"]
    tags = ffprobe(
        folder / playlist.segments[0].uri,
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=color_transfer,color_primaries",
    )["streams"][0]
    assert tags == {"color_transfer": "bt709", "color_primaries": "bt709"}


def test_60fps_screen_recording(ingest):
    video = ingest("sixty")
    ladder = check_ladder(video)
    assert rungs(video) == [("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)]
    assert ladder["720p/index.m3u8"][0]["FRAME-RATE"] == "60.000"
    assert ladder["720p/index.m3u8"][0]["CODECS"].startswith("avc1.640020")  # High 3.2
    assert ladder["360p/index.m3u8"][0]["FRAME-RATE"] == "30.000"


def test_below_360p_gets_one_rung_at_its_own_size(ingest):
    video = ingest("small")
    check_ladder(video)
    assert rungs(video) == [("180p", 320, 180)]


def test_segments_are_4s_and_keyframes_aligned_every_2s(ingest):
    video = ingest("long")  # 9 s at 29.97 fps
    ladder = check_ladder(video)
    (_, playlist, folder) = ladder["180p/index.m3u8"]
    assert [round(s.duration, 2) for s in playlist.segments][:2] == [4.0, 4.0]
    start = None
    keyframes: list[float] = []
    for segment in playlist.segments:
        times = keyframe_times_of(folder / segment.uri)
        # Every segment starts with a keyframe: players switch rungs there.
        first_frame = ffprobe(
            folder / segment.uri,
            "-select_streams",
            "v:0",
            "-read_intervals",
            "%+#1",
            "-show_entries",
            "frame=key_frame,pts_time",
        )["frames"][0]
        assert first_frame["key_frame"] == 1
        start = times[0] if start is None else start
        keyframes += [t - start for t in times]
    assert [round(t, 1) for t in keyframes] == [0.0, 2.0, 4.0, 6.0, 8.0]


def keyframe_times_of(segment):
    from tests.media.hls_checks import keyframe_times

    return keyframe_times(segment)


def check_gops_aligned_across_renditions(ladder) -> None:
    boundaries = {
        uri: [round(s.duration, 3) for s in playlist.segments]
        for uri, (_, playlist, _) in ladder.items()
    }
    assert len(set(map(tuple, boundaries.values()))) == 1
    keyframes = {
        uri: [round(t, 2) for s in playlist.segments for t in keyframe_times_of(folder / s.uri)]
        for uri, (_, playlist, folder) in ladder.items()
    }
    assert keyframes["480p/index.m3u8"] == keyframes["360p/index.m3u8"]
    assert len(keyframes["480p/index.m3u8"]) == 3  # 0, 2, 4 s of a 5 s clip


def check_poster_and_scrub_thumbnails(video: Video) -> None:
    from PIL import Image

    poster = storage_path(video.poster.name)
    with Image.open(poster) as image:
        assert image.size == (854, 480)
        assert image.format == "JPEG"
    vtt = default_storage.open(video.thumbnails_vtt.name).read().decode()
    assert vtt.splitlines()[:3] == [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:02.000",
    ]
    assert "sprite_001.jpg#xywh=160,0,160,90" in vtt
    assert vtt.count("-->") == 3
    with Image.open(storage_path(video.thumbnails_sprite.name)) as sprite:
        assert sprite.size == (3 * 160, 90)


def test_poster_is_not_the_black_opening(ingest):
    from media.pipeline.transcode import _luma_stats

    video = ingest("black_start")  # 1.5 s black, then picture
    mean, stddev = _luma_stats(storage_path(video.poster.name))
    assert mean > 24 and stddev > 8
