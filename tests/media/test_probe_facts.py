"""Probe facts and validation from ffprobe JSON (pure, no ffprobe)."""

from fractions import Fraction

import pytest

from media.ffmpeg.probe import ProbeFacts, choose_frame_rate, looks_like_container, parse_probe
from media.ffmpeg.validate import (
    classify_decode_failure,
    classify_probe_failure,
    decoded_a_frame,
    rejection_message,
    validate_probe,
)


def probe_json(*, video: dict | None = None, audio: dict | None = None, **fmt) -> dict:
    streams = []
    if video is not None:
        streams.append(
            {
                "index": 0,
                "codec_type": "video",
                "codec_name": "h264",
                "width": 1920,
                "height": 1080,
                "sample_aspect_ratio": "1:1",
                "r_frame_rate": "30/1",
                "avg_frame_rate": "30/1",
                "pix_fmt": "yuv420p",
                "disposition": {"default": 1, "attached_pic": 0},
                **video,
            }
        )
    if audio is not None:
        streams.append(
            {
                "index": len(streams),
                "codec_type": "audio",
                "codec_name": "aac",
                "channels": 2,
                "channel_layout": "stereo",
                "sample_rate": "48000",
                **audio,
            }
        )
    return {
        "streams": streams,
        "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "60.0", **fmt},
    }


def check(facts: ProbeFacts, **limits):
    return validate_probe(
        facts,
        max_duration=limits.get("max_duration", 4 * 3600),
        max_side=limits.get("max_side", 4096),
    )


def test_plain_landscape():
    facts = parse_probe(probe_json(video={}, audio={}))
    assert facts.video.width == 1920 and facts.video.height == 1080
    assert facts.video.rotation == 0
    assert facts.video.fps == "30" and not facts.video.vfr
    assert facts.video.bit_depth == 8 and facts.video.chroma == "4:2:0"
    assert facts.audio.channels == 2
    assert facts.duration == 60.0
    assert check(facts) is None


@pytest.mark.parametrize(
    ("stream", "rotation"),
    [
        ({"side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]}, 90),
        ({"side_data_list": [{"side_data_type": "Display Matrix", "rotation": 90}]}, 270),
        ({"side_data_list": [{"side_data_type": "Display Matrix", "rotation": 180}]}, 180),
        ({"tags": {"rotate": "90"}}, 90),
    ],
)
def test_rotation_swaps_the_display_size(stream, rotation):
    facts = parse_probe(probe_json(video=stream))
    assert facts.video.rotation == rotation
    if rotation in (90, 270):
        assert (facts.video.width, facts.video.height) == (1080, 1920)
    else:
        assert (facts.video.width, facts.video.height) == (1920, 1080)


def test_anamorphic_pixels_become_square():
    facts = parse_probe(
        probe_json(video={"width": 720, "height": 576, "sample_aspect_ratio": "64:45"})
    )
    assert (facts.video.width, facts.video.height) == (1024, 576)


def test_ten_bit_422():
    facts = parse_probe(probe_json(video={"pix_fmt": "yuv422p10le", "bits_per_raw_sample": "10"}))
    assert facts.video.bit_depth == 10 and facts.video.chroma == "4:2:2"
    assert check(facts) is None


def test_hdr_is_recognised():
    facts = parse_probe(
        probe_json(video={"color_transfer": "arib-std-b67", "pix_fmt": "yuv420p10le"})
    )
    assert facts.video.hdr and facts.video.bit_depth == 10


def test_duration_falls_back_to_streams():
    data = probe_json(video={"duration": "12.5"}, audio={"duration": "12.0"})
    del data["format"]["duration"]
    assert parse_probe(data).duration == 12.5


def test_matroska_track_duration_tag():
    facts = parse_probe(probe_json(video={"tags": {"DURATION": "00:01:02.500000000"}}))
    assert facts.video.duration == 62.5


def test_cover_art_is_not_a_video_stream():
    data = probe_json(audio={})
    data["streams"].append(
        {
            "index": 1,
            "codec_type": "video",
            "codec_name": "mjpeg",
            "disposition": {"attached_pic": 1},
        }
    )
    facts = parse_probe(data)
    assert facts.video is None
    assert check(facts).code == "audio_only"


def test_five_one_audio():
    facts = parse_probe(probe_json(video={}, audio={"channels": 6, "channel_layout": "5.1(side)"}))
    assert facts.audio.channels == 6


def test_json_round_trip():
    facts = parse_probe(probe_json(video={}, audio={}))
    assert ProbeFacts.from_json(facts.to_json()) == facts


@pytest.mark.parametrize(
    ("r_fps", "avg_fps", "expected", "vfr"),
    [
        ("30/1", "30/1", Fraction(30), False),
        ("30000/1001", "30000/1001", Fraction(30000, 1001), False),
        ("60/1", "60/1", Fraction(60), False),
        ("120/1", "120/1", Fraction(60), False),  # slow-motion: every other frame
        ("100/1", "100/1", Fraction(50), False),
        ("30/1", "2587/87", Fraction(30), True),  # phone VFR around 29.7
        ("90000/1", "2587/87", Fraction(30), True),  # odd base rate: snap the average up
        ("1000/1", "12/1", Fraction(24), True),  # screen recorder writing on change
    ],
)
def test_frame_rate_choice(r_fps, avg_fps, expected, vfr):
    assert choose_frame_rate(Fraction(r_fps), Fraction(avg_fps)) == (expected, vfr)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (probe_json(audio={}), "audio_only"),
        (probe_json(), "not_media"),
        (probe_json(video={}, format_name="tty"), "not_media"),
        (probe_json(video={"codec_name": "png"}, format_name="png_pipe"), "still_image"),
        (probe_json(video={"codec_name": None, "codec_tag_string": "QQQQ"}), "undecodable"),
        (probe_json(video={}, duration="0.04"), "zero_duration"),
        (probe_json(video={}, duration="N/A"), "zero_duration"),
        (probe_json(video={}, duration="99999999"), "absurd_duration"),
        (probe_json(video={}, duration="14401"), "too_long"),
        (probe_json(video={"width": 7680, "height": 4320}), "too_large"),
        (probe_json(video={"width": 0, "height": 0}), "truncated"),
    ],
)
def test_rejections(data, code):
    assert check(parse_probe(data)).code == code


def test_limits_come_from_the_caller():
    facts = parse_probe(probe_json(video={}, duration="90"))
    assert check(facts, max_duration=60).code == "too_long"
    assert check(facts, max_side=1280).code == "too_large"


def test_rejection_messages_are_translated_and_filled(settings):
    from django.utils import translation

    facts = parse_probe(probe_json(video={}, duration="18000"))
    rejection = check(facts)
    with translation.override("en"):
        assert rejection.message == "This video is 5:00:00 long; the limit is 4:00:00."
    assert rejection_message("nonsense") == rejection_message("internal_error")


def test_container_sniffing():
    assert looks_like_container(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 20)
    assert looks_like_container(b"\x1a\x45\xdf\xa3" + b"\x00" * 20)
    assert looks_like_container(b"RIFF\x00\x00\x00\x00AVI ")
    assert not looks_like_container(b"These are my notes, not a video")
    assert classify_probe_failure(b"\x00\x00\x00\x20ftypisom").code == "truncated"
    assert classify_probe_failure(b"hello").code == "not_media"


def test_decode_check_helpers():
    assert decoded_a_frame("#tb 0: 1/30\n0,          0,          0,        1,   115200, 0x8b2a\n")
    assert not decoded_a_frame("#tb 0: 1/30\n")
    failure = classify_decode_failure("Decoder (codec none) not found for input stream #0:0")
    assert failure.code == "undecodable"
    assert classify_decode_failure("Invalid NAL unit size").code == "truncated"


@pytest.mark.parametrize(
    ("head", "code"),
    [
        (b"\x00\x00\x00\x20ftypisom" + b"\x00" * 20, None),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20, None),
        (b"RIFF\x00\x00\x00\x00AVI LIST", None),
        (b"OggS\x00\x02" + b"\x00" * 20, None),
        ((b"\x47" + b"\x00" * 187) * 4, None),
        ((b"\x00\x00\x00\x00\x47" + b"\x00" * 187) * 4, None),  # M2TS
        (b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nhttp://cdn/seg.ts\n", "not_media"),
        (b"PK\x03\x04\x14\x00", "not_media"),
        (b"<!doctype html><html>", "not_media"),
        (b"\x89PNG\r\n\x1a\n", "still_image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "still_image"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "still_image"),
        (b"ID3\x04\x00", "audio_only"),
        (b"\xff\xfb\x90\x64", "audio_only"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio_only"),
    ],
)
def test_signature_check(head, code):
    from media.ffmpeg.validate import refuse_by_signature

    rejection = refuse_by_signature(head)
    assert (rejection.code if rejection else None) == code
