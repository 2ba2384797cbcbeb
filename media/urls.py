"""Delivery URLs of a video's files; relative URIs inside playlists resolve under them.

hls      /media/videos/<id>/hls/master.m3u8, …/720p/index.m3u8, …/720p/seg_00000.ts,
         …/subs/en.m3u8 — `path` is relative to the folder of Video.master_playlist; the
         master served there points into …/hls/<run>/…, URLs whose content never changes
poster   /media/videos/<id>/poster.jpg
thumbs   /media/videos/<id>/thumbs/thumbnails.vtt, …/sprite_001.jpg — relative to the
         folder of Video.thumbnails_vtt
caption  /media/videos/<id>/captions/<language>.vtt — Caption.file
"""

from django.urls import path

from media import views

app_name = "media"

urlpatterns = [
    path("videos/<int:video_id>/hls/<path:path>", views.hls_file, name="hls"),
    path("videos/<int:video_id>/poster.jpg", views.poster, name="poster"),
    path("videos/<int:video_id>/thumbs/<path:path>", views.thumbs_file, name="thumbs"),
    path("videos/<int:video_id>/captions/<str:path>", views.caption, name="caption"),
]
