"""StreamField blocks that other apps use to embed media.

    from media.blocks import VideoChooserBlock

    class LessonPage(Page):
        body = StreamField([("video", VideoChooserBlock()), ...])

The block's value is a `media.models.Video` (or None when it was deleted); the admin shows
the video chooser (`media.viewsets.video_chooser_viewset`). Deconstructs as
`media.blocks.VideoChooserBlock`, so migrations stay stable.
"""

from media.viewsets import video_chooser_viewset

VideoChooserBlock = video_chooser_viewset.get_block_class(
    name="VideoChooserBlock", module_path="media.blocks"
)
