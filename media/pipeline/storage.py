"""Files of a run: its temp folder, reading the source, publishing into storage and
removing a video's files."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media.models import Video, video_prefix


def work_root(video_id: int) -> Path:
    return Path(settings.DATA_DIR) / "tmp" / "videos" / str(video_id)


def local_storage_path(name: str) -> Path | None:
    """Where default storage keeps `name` on this machine, or None (S3 and friends)."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


def storage_write(name: str, content: bytes) -> None:
    # Storages rename on collision instead of overwriting; our names are fixed.
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        raise RuntimeError(f"storage saved {name!r} as {saved!r}")


def storage_delete_tree(prefix: str) -> None:
    local = local_storage_path(prefix)
    if local is not None:
        shutil.rmtree(local, ignore_errors=True)
        return
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
    for folder in folders:
        storage_delete_tree(f"{prefix}/{folder}")


def storage_folders(prefix: str) -> list[str]:
    try:
        folders, _files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    return list(folders)


def publish_tree(local_dir: Path, prefix: str) -> None:
    """Move every file under `local_dir` to storage under `prefix`, keeping the layout."""
    for path in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        name = f"{prefix}/{path.relative_to(local_dir).as_posix()}"
        target = local_storage_path(name)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            # A rename when the data dir and MEDIA_ROOT share a disk (the default).
            shutil.move(path, target)
            continue
        with path.open("rb") as stream:
            saved = default_storage.save(name, File(stream))
        if saved != name:
            raise RuntimeError(f"storage saved {name!r} as {saved!r}")


@contextlib.contextmanager
def local_source(video: Video, work: Path) -> Iterator[str]:
    """A path ffmpeg can read: the stored file itself on local disk, else a download."""
    local = local_storage_path(video.source.name)
    if local is not None:
        yield str(local)
        return
    work.mkdir(parents=True, exist_ok=True)
    target = work / ("source" + PurePosixPath(video.source.name).suffix)
    with default_storage.open(video.source.name, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, 8 * 1024 * 1024)
    try:
        yield str(target)
    finally:
        target.unlink(missing_ok=True)


def remove_video_files(video_id: int) -> None:
    storage_delete_tree(video_prefix(video_id))
    shutil.rmtree(work_root(video_id), ignore_errors=True)
