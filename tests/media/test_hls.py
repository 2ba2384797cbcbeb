"""Playlist text: parsing ffmpeg's, writing the master (pure)."""

from fractions import Fraction

import pytest

from media.hls import (
    SubtitleTrack,
    Variant,
    build_master_playlist,
    build_subtitle_playlist,
    measure_bandwidth,
    parse_attributes,
    parse_master_playlist,
    parse_media_playlist,
)

MEDIA = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:4.000000,
seg_00000.ts
#EXTINF:4.000000,
seg_00001.ts
#EXTINF:2.000000,
seg_00002.ts
#EXT-X-ENDLIST
"""


def variant(name: str, width: int, height: int, bandwidth: int) -> Variant:
    return Variant(
        uri=f"{name}/index.m3u8",
        bandwidth=bandwidth,
        average_bandwidth=bandwidth * 3 // 4,
        width=width,
        height=height,
        codecs="avc1.4d401e,mp4a.40.2",
        frame_rate=Fraction(30000, 1001),
    )


def test_parse_media_playlist():
    playlist = parse_media_playlist(MEDIA)
    assert playlist.target_duration == 4
    assert [s.uri for s in playlist.segments] == ["seg_00000.ts", "seg_00001.ts", "seg_00002.ts"]
    assert playlist.duration == 10.0
    assert playlist.ended and playlist.playlist_type == "VOD" and playlist.independent_segments


def test_parse_rejects_garbage():
    with pytest.raises(ValueError):
        parse_media_playlist("hello")
    with pytest.raises(ValueError):
        parse_media_playlist("#EXTM3U\nseg.ts\n")


def test_attributes_keep_quoted_commas():
    assert parse_attributes('BANDWIDTH=1,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360') == {
        "BANDWIDTH": "1",
        "CODECS": "avc1.4d401e,mp4a.40.2",
        "RESOLUTION": "640x360",
    }


def test_bandwidth_is_the_peak_segment_and_the_average():
    peak, average = measure_bandwidth([(4.0, 500_000), (4.0, 1_000_000), (2.0, 100_000)])
    assert peak == 2_000_000
    assert average == 1_280_000
    assert measure_bandwidth([]) == (0, 0)


def test_master_playlist_attributes_and_start_rung():
    text = build_master_playlist(
        [
            variant("1080p", 1920, 1080, 5_000_000),
            variant("720p", 1280, 720, 2_500_000),
            variant("480p", 854, 480, 1_000_000),
            variant("360p", 640, 360, 600_000),
        ],
        [],
    )
    master = parse_master_playlist(text)
    assert master.independent_segments
    # A phone starts on the first variant listed: 480p, then the rest by bandwidth.
    assert master.variant_uris == [
        "480p/index.m3u8",
        "360p/index.m3u8",
        "720p/index.m3u8",
        "1080p/index.m3u8",
    ]
    first = master.variants[0]
    assert first == {
        "BANDWIDTH": "1000000",
        "AVERAGE-BANDWIDTH": "750000",
        "RESOLUTION": "854x480",
        "CODECS": "avc1.4d401e,mp4a.40.2",
        "FRAME-RATE": "29.970",
        "CLOSED-CAPTIONS": "NONE",
    }
    assert master.media == []


def test_master_with_subtitles():
    text = build_master_playlist(
        [variant("360p", 640, 360, 600_000)],
        [
            SubtitleTrack(
                uri="subs/zh-hans.m3u8", language="zh-Hans", name="简体中文", default=True
            ),
            SubtitleTrack(uri="subs/en.m3u8", language="en", name="English"),
        ],
    )
    master = parse_master_playlist(text)
    assert [m["LANGUAGE"] for m in master.media] == ["zh-Hans", "en"]
    assert master.media[0] == {
        "TYPE": "SUBTITLES",
        "GROUP-ID": "subs",
        "NAME": "简体中文",
        "LANGUAGE": "zh-Hans",
        "DEFAULT": "YES",
        "AUTOSELECT": "YES",
        "FORCED": "NO",
        "URI": "subs/zh-hans.m3u8",
    }
    assert master.variants[0]["SUBTITLES"] == "subs"


def test_subtitle_playlist():
    playlist = parse_media_playlist(build_subtitle_playlist(duration=62.4, uri="en.vtt"))
    assert playlist.target_duration == 63
    assert playlist.segments[0].uri == "en.vtt"
    assert playlist.duration == pytest.approx(62.4)
    assert playlist.ended
