"""Caption text: SRT → WebVTT, encodings, validation (pure)."""

import pytest

from media.captions import (
    CaptionError,
    add_timestamp_map,
    caption_to_vtt,
    parse_vtt,
    srt_to_vtt,
)

SRT = """1
00:00:01,000 --> 00:00:02,500
欢迎加入公司

2
00:00:03,000 --> 00:00:04,000 X1:10 X2:20 Y1:30 Y2:40
<font color="#ffff00">风险控制部</font> & 法务部
第二行

"""


def test_srt_to_vtt():
    vtt = srt_to_vtt(SRT)
    assert vtt == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.500\n欢迎加入公司\n\n"
        "00:00:03.000 --> 00:00:04.000\n风险控制部 &amp; 法务部\n第二行\n"
    )
    cues = parse_vtt(vtt)
    assert [(c.start, c.end) for c in cues] == [(1.0, 2.5), (3.0, 4.0)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_srt_in_utf8_or_gbk(encoding):
    vtt = caption_to_vtt(SRT.replace("\n", "\r\n").encode(encoding))
    assert "欢迎加入公司" in vtt and "风险控制部" in vtt
    assert vtt.startswith("WEBVTT\n")


def test_vtt_passes_through():
    text = "WEBVTT - lesson 1\n\nNOTE written by hand\n\nintro\n00:01.000 --> 00:02.000 align:start\nHello\n"
    assert caption_to_vtt(text.encode()) == text
    assert parse_vtt(text)[0].start == 1.0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xff\x00\xfe\x81\x30", "encoding"),
        (b"just some notes", "format"),
        (b"WEBVTT\n\nno cues here\n", "empty"),
        (b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n", "timing"),
        (b"1\n00:00:01,000 --> 00:00:99,000\nbad seconds\n", "timing"),
        (b"WEBVTT\n" + b"x" * (6 * 1024 * 1024), "too_big"),
    ],
)
def test_invalid_captions(data, code):
    with pytest.raises(CaptionError) as error:
        caption_to_vtt(data)
    assert error.value.code == code
    assert error.value.message


def test_timestamp_map_goes_into_the_header():
    vtt = add_timestamp_map("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n", mpegts=126000)
    assert vtt.splitlines()[:3] == [
        "WEBVTT",
        "X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000",
        "",
    ]
    parse_vtt(vtt)
