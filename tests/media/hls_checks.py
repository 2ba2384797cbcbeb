"""Checks of a published HLS ladder, shared by the pipeline tests."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path, PurePosixPath

from django.core.files.storage import default_storage

from media.hls import MediaPlaylist, parse_master_playlist, parse_media_playlist
from media.models import Video


def storage_path(name: str) -> Path:
    return Path(default_storage.path(name))


def ffprobe(path: Path, *args: str) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def keyframe_times(segment: Path) -> list[float]:
    data = ffprobe(
        segment, "-select_streams", "v:0", "-skip_frame", "nokey", "-show_entries", "frame=pts_time"
    )
    return [float(f["pts_time"]) for f in data["frames"]]


def sps_codec(segment: Path) -> str:
    """avc1.PPCCLL from the first SPS NAL unit in the segment's bytes."""
    data = segment.read_bytes()
    index = data.find(b"\x00\x00\x01\x67")
    assert index >= 0, "no SPS in segment"
    return "avc1." + data[index + 4 : index + 7].hex()


def check_ladder(video: Video) -> dict[str, tuple[dict[str, str], MediaPlaylist, Path]]:
    """Parse the master and every media playlist; assert what every valid ladder needs.

    Returns {uri: (variant attributes, media playlist, folder)} for further checks.
    """
    assert video.status == Video.Status.READY, video.failure_reason + video.ffmpeg_log
    master_path = storage_path(video.master_playlist.name)
    master = parse_master_playlist(master_path.read_text())
    assert master.independent_segments
    assert len(master.variants) == video.renditions.count() > 0
    result = {}
    for attributes, uri in zip(master.variants, master.variant_uris, strict=True):
        for key in ("BANDWIDTH", "AVERAGE-BANDWIDTH", "RESOLUTION", "CODECS", "FRAME-RATE"):
            assert attributes.get(key), f"{uri} lacks {key}"
        assert int(attributes["BANDWIDTH"]) >= int(attributes["AVERAGE-BANDWIDTH"]) > 0
        playlist_path = master_path.parent / PurePosixPath(uri)
        playlist = parse_media_playlist(playlist_path.read_text())
        assert playlist.ended and playlist.playlist_type == "VOD"
        assert playlist.segments
        for segment in playlist.segments:
            assert (playlist_path.parent / segment.uri).is_file(), segment.uri
            assert round(segment.duration) <= playlist.target_duration
        assert abs(playlist.duration - video.duration) <= 0.5, (playlist.duration, video.duration)
        for segment in playlist.segments[:-1]:
            assert 4.0 <= segment.duration <= 6.0 + 0.05, segment.duration
        first = playlist_path.parent / playlist.segments[0].uri
        width, height = (int(v) for v in attributes["RESOLUTION"].split("x"))
        stream = ffprobe(
            first, "-select_streams", "v:0", "-show_entries", "stream=width,height,pix_fmt"
        )
        assert stream["streams"][0] == {"width": width, "height": height, "pix_fmt": "yuv420p"}
        assert attributes["CODECS"].split(",")[0] == sps_codec(first)
        result[uri] = (attributes, playlist, playlist_path.parent)
    return result
