"""Admin forms of the video pipeline."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from media.captions import CAPTION_MAX_BYTES
from media.ffmpeg.validate import format_size


class CaptionForm(forms.Form):
    file = forms.FileField(
        label=_("Caption file"),
        help_text=_("WebVTT (.vtt) or SubRip (.srt), in UTF-8 or GBK."),
        error_messages={
            "required": _("Choose a caption file to upload."),
            "empty": _("The caption file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,.srt,text/vtt"}),
    )
    language = forms.CharField(
        label=_("Language"),
        max_length=20,
        initial="zh-Hans",
        help_text=_(
            "A language code such as zh-Hans or en. Captions of the same language are replaced."
        ),
    )
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        help_text=_("What the player's menu shows; defaults to the language's own name."),
    )
    is_default = forms.BooleanField(
        label=_("On by default"), required=False, help_text=_("Shown without being switched on.")
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > CAPTION_MAX_BYTES:
            raise forms.ValidationError(
                _("A caption file may be at most %(size)s.")
                % {"size": format_size(CAPTION_MAX_BYTES)},
                code="too_big",
            )
        return upload
