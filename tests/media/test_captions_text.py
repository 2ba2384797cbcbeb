"""Caption text: SRT → WebVTT, encodings, validation (pure)."""

import multiprocessing

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


# --- hostile files: linear time, short messages --------------------------------

MEGABYTE = 1024 * 1024
TIMING_SRT = b"1\n00:00:01,000 --> 00:00:02,000"
HOSTILE_CAPTIONS = {
    # Before: about an hour (an unanchored \s*X1:… retried at every space).
    "spaces-after-timing": TIMING_SRT + b" " * MEGABYTE + b"x\nhello\n",
    # Before: minutes (<font[^>]*> rescanned the rest of the line from every "<font").
    "unclosed-font-tags": TIMING_SRT + b"\n" + b"<font" * (MEGABYTE // 5) + b"\n",
    "ampersands": TIMING_SRT + b"\n" + b"&a" * (MEGABYTE // 2) + b"\n",
    "blank-lines": TIMING_SRT + b"\nhi\n" + b"\n \t" * (MEGABYTE // 3) + b"x",
    "many-cues": (b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nx\n\n" * (MEGABYTE // 27)),
}


def _parse_in_child(data: bytes, queue) -> None:
    try:
        caption_to_vtt(data)
        queue.put("ok")
    except CaptionError as exc:
        queue.put(exc.code)


def parse_within(data: bytes, seconds: float) -> str:
    """caption_to_vtt in a child process, killed if it takes longer than `seconds` (a
    regex that backtracks cannot be interrupted in-process)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_parse_in_child, args=(data, queue))
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail(f"parsing took longer than {seconds} s")
    return queue.get(timeout=1)


@pytest.mark.parametrize("data", HOSTILE_CAPTIONS.values(), ids=HOSTILE_CAPTIONS.keys())
def test_a_hostile_megabyte_parses_in_linear_time(data):
    assert len(data) > MEGABYTE - 64
    assert parse_within(data, seconds=5) == "ok"


def test_a_bad_timing_line_is_quoted_short():
    with pytest.raises(CaptionError) as error:
        caption_to_vtt(b"WEBVTT\n\n" + b"1" * 100_000 + b":00 --> x\n")
    assert error.value.code == "timing"
    assert len(error.value.message) < 200
    assert error.value.message.endswith("…")


def test_the_srt_position_box_is_still_removed():
    vtt = caption_to_vtt(TIMING_SRT + b"  X1:1 X2:2 Y1:3 Y2:4  \nhi\n")
    assert "00:00:01.000 --> 00:00:02.000\nhi" in vtt
