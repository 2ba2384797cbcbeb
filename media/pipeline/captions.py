"""Captions of a video: add and delete them, and (re)write the master playlist with its
subtitle renditions."""

from __future__ import annotations

import contextlib
import re
import uuid
from fractions import Fraction
from functools import partial
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from media import captions as caption_text
from media import hls
from media.models import Caption, Video
from media.pipeline import storage


def _language_slug(language: str) -> str:
    return slugify(language).lower() or "und"


def write_master(video: Video) -> None:
    """(Re)write the master playlist and the subtitle renditions from the database."""
    hls_dir = video.hls_dir
    if not hls_dir or video.duration is None:
        return
    tracks: list[hls.SubtitleTrack] = []
    wanted: set[str] = set()
    for caption in video.captions.order_by("-is_default", "language"):
        slug = _language_slug(caption.language)
        with caption.file.open("rb") as stream:
            vtt = stream.read().decode("utf-8")
        storage.storage_write(
            f"{hls_dir}/subs/{slug}.vtt",
            caption_text.add_timestamp_map(vtt, mpegts=video.hls_ts_offset).encode(),
        )
        storage.storage_write(
            f"{hls_dir}/subs/{slug}.m3u8",
            hls.build_subtitle_playlist(duration=video.duration, uri=f"{slug}.vtt").encode(),
        )
        wanted |= {f"{slug}.vtt", f"{slug}.m3u8"}
        tracks.append(
            hls.SubtitleTrack(
                uri=f"subs/{slug}.m3u8",
                language=caption.language,
                name=caption.label,
                default=caption.is_default,
            )
        )
    with contextlib.suppress(FileNotFoundError):
        for name in default_storage.listdir(f"{hls_dir}/subs")[1]:
            if name not in wanted:
                default_storage.delete(f"{hls_dir}/subs/{name}")
    variants = [
        hls.Variant(
            uri=r.playlist,
            bandwidth=r.bandwidth,
            average_bandwidth=r.average_bandwidth,
            width=r.width,
            height=r.height,
            codecs=r.codecs,
            frame_rate=Fraction(r.frame_rate),
        )
        for r in video.renditions.all()
    ]
    storage.storage_write(
        video.master_playlist.name, hls.build_master_playlist(variants, tracks).encode()
    )


def _language_label(language: str) -> str:
    try:
        return str(get_language_info(language.lower())["name_local"])
    except KeyError:
        return language


def _clean_language(language: str) -> str:
    language = language.strip().replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", language):
        raise ValidationError(
            _("“%(language)s” is not a language code such as zh-Hans or en.")
            % {"language": language},
            code="language",
        )
    return language


def caption_add(
    *,
    video: Video,
    language: str,
    file: IO[bytes] | File,
    label: str = "",
    is_default: bool = False,
) -> Caption:
    """Add (or replace) the captions of one language: SRT or WebVTT, UTF-8 or GBK.

    Stored as UTF-8 WebVTT; a ready video's master playlist gains a subtitle rendition.
    """
    language = _clean_language(language)
    data = file.read(caption_text.CAPTION_MAX_BYTES + 1)
    try:
        vtt = caption_text.caption_to_vtt(data)
    except caption_text.CaptionError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    caption = Caption(
        video=video,
        language=language,
        label=(label or _language_label(language))[:100],
        is_default=is_default,
    )
    caption.file.save(
        f"{_language_slug(language)}-{uuid.uuid4().hex[:8]}.vtt",
        ContentFile(vtt.encode("utf-8")),
        save=False,
    )
    try:
        with transaction.atomic():
            locked = Video.objects.select_for_update().get(pk=video.pk)
            caption.video = locked
            for old in Caption.objects.filter(video=locked, language__iexact=language):
                transaction.on_commit(partial(default_storage.delete, old.file.name))
                old.delete()
            if is_default:
                Caption.objects.filter(video=locked).update(is_default=False)
            caption.save()
            write_master(locked)
    except BaseException:
        default_storage.delete(caption.file.name)
        raise
    return caption


def caption_delete(*, caption: Caption) -> None:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=caption.video_id)
        name = caption.file.name
        caption.delete()
        write_master(video)
        transaction.on_commit(partial(default_storage.delete, name))
