"""Caption files as text: read SRT or WebVTT in UTF-8 or GBK, hand back clean WebVTT.

Trainers export subtitles from whatever tool they have; Chinese Windows tools still write
GBK. Pure functions; `caption_add` in `media/pipeline/captions.py` stores the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

CAPTION_MAX_BYTES = 5 * 1024 * 1024

CAPTION_ERRORS: dict[str, Any] = {
    "encoding": _("The caption file is not UTF-8 or GBK text."),
    "format": _("The caption file is neither WebVTT nor SRT."),
    "empty": _("The caption file has no captions."),
    "timing": _("Caption %(number)d has an invalid time: %(line)s"),
    "too_big": _("The caption file is larger than 5 MB."),
}


class CaptionError(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        text = str(CAPTION_ERRORS[self.code])
        return text % self.params if self.params else text


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def decode_caption_bytes(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        # gb18030 is a superset of GBK and GB2312; UTF-8 first because a GBK decoder
        # accepts many UTF-8 byte sequences as (wrong) Chinese.
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    raise CaptionError("encoding")


# Every pattern here runs on uploaded text, so none may backtrack over a long line:
# each is anchored or stops at a character it cannot contain (a 1 MB line of spaces
# once took an unanchored `\s*X1:…` about an hour). tests/media/test_captions_text.py
# times each against a hostile 1 MB file.
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(.*)$")
# SRT allows <i>, <b>, <u> (WebVTT does too) and <font …>, which WebVTT does not.
_FONT_TAG = re.compile(r"</?font[^<>]*>", re.IGNORECASE)
_BARE_AMPERSAND = re.compile(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)")
_SRT_POSITION = re.compile(r"X1:\d+\s+X2:\d+\s+Y1:\d+\s+Y2:\d+\s*")
_LINE_IN_MESSAGE = 60  # characters of a bad line quoted back


def _without_srt_position(line: str) -> str:
    """The timing line without SubRip's trailing `X1:… X2:… Y1:… Y2:…` box."""
    at = line.rfind("X1:")
    if at == -1 or not _SRT_POSITION.fullmatch(line, at):
        return line
    return line[:at].rstrip()


def _quoted(line: str) -> str:
    line = line.strip()
    return line if len(line) <= _LINE_IN_MESSAGE else line[:_LINE_IN_MESSAGE] + "…"


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    return (
        int(hours or 0) * 3600
        + int(minutes) * 60
        + int(seconds)
        + int(fraction.ljust(3, "0")) / 1000
    )


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def _parse_timing(line: str, number: int) -> tuple[float, float, str] | None:
    match = _TIMING.match(line)
    if not match:
        return None
    groups = match.groups()
    start, end = _seconds(*groups[0:4]), _seconds(*groups[4:8])
    if int(groups[2]) > 59 or int(groups[6]) > 59 or end < start:
        raise CaptionError("timing", number=number, line=_quoted(line))
    return start, end, groups[8]


def srt_to_vtt(text: str) -> str:
    """Convert SubRip text to WebVTT: comma decimals, no cue numbers, no <font> tags."""
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.split("\n") if line.strip() != ""]
        if lines and lines[0].strip().isdigit() and len(lines) > 1 and "-->" in lines[1]:
            lines = lines[1:]
        if not lines or "-->" not in lines[0]:
            continue
        timing = _parse_timing(_without_srt_position(lines[0]), len(cues) + 1)
        if timing is None:
            raise CaptionError("timing", number=len(cues) + 1, line=_quoted(lines[0]))
        body = "\n".join(
            _BARE_AMPERSAND.sub("&amp;", _FONT_TAG.sub("", line)) for line in lines[1:]
        )
        # "-->" inside cue text would end the cue early in a WebVTT parser.
        cues.append(Cue(timing[0], timing[1], body.replace("-->", "→")))
    if not cues:
        raise CaptionError("empty")
    return cues_to_vtt(cues)


def cues_to_vtt(cues: list[Cue]) -> str:
    parts = ["WEBVTT", ""]
    for cue in cues:
        parts += [f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", cue.text, ""]
    return "\n".join(parts)


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file; raises CaptionError when it is not valid WebVTT."""
    lines = text.split("\n")
    if not lines or not re.match(r"^WEBVTT(?:$|[ \t])", lines[0]):
        raise CaptionError("format")
    cues: list[Cue] = []
    i = 1
    while i < len(lines):
        line = lines[i]
        if "-->" in line:
            timing = _parse_timing(line, len(cues) + 1)
            if timing is None:
                raise CaptionError("timing", number=len(cues) + 1, line=_quoted(line))
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i].strip():
                body.append(lines[i])
                i += 1
            cues.append(Cue(timing[0], timing[1], "\n".join(body)))
        elif line.startswith(("NOTE", "STYLE", "REGION")):
            while i < len(lines) and lines[i].strip():
                i += 1
        i += 1
    if not cues:
        raise CaptionError("empty")
    return cues


def caption_to_vtt(data: bytes) -> str:
    """Any accepted caption upload (SRT or WebVTT, UTF-8 or GBK) as validated UTF-8 WebVTT."""
    if len(data) > CAPTION_MAX_BYTES:
        raise CaptionError("too_big")
    text = decode_caption_bytes(data)
    if text.startswith("WEBVTT"):
        parse_vtt(text)
        return text if text.endswith("\n") else text + "\n"
    if "-->" not in text:
        raise CaptionError("format")
    vtt = srt_to_vtt(text)
    parse_vtt(vtt)
    return vtt


def add_timestamp_map(vtt: str, *, mpegts: int) -> str:
    """WebVTT for an HLS subtitle rendition: X-TIMESTAMP-MAP ties cue time 0 to the first
    video timestamp of the MPEG-TS segments (ffmpeg starts them at about 1.4 s)."""
    header, _, rest = vtt.partition("\n")
    mapping = f"X-TIMESTAMP-MAP=MPEGTS:{mpegts},LOCAL:00:00:00.000"
    return f"{header}\n{mapping}\n{rest}"
