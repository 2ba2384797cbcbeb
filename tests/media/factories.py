"""Factories for media records that do not need a real encode."""

import datetime as dt

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from media.models import Caption, Rendition, Video, VideoDelivery


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video

    title = factory.Sequence(lambda n: f"第{n}课 入职培训")
    original_filename = "lesson.mp4"


class RenditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rendition

    video = factory.SubFactory(VideoFactory)
    name = "360p"
    width = 640
    height = 360
    bandwidth = 700_000
    average_bandwidth = 500_000
    codecs = "avc1.4d401e,mp4a.40.2"
    frame_rate = "30"
    playlist = "360p/index.m3u8"


class CaptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caption

    video = factory.SubFactory(VideoFactory)
    language = "en"
    label = "English"
    file = factory.LazyFunction(
        lambda: ContentFile(b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n", name="en.vtt")
    )


class VideoDeliveryFactory(factory.django.DjangoModelFactory):
    """A person was sent the video's playlist a day ago (pass `user`)."""

    class Meta:
        model = VideoDelivery

    video = factory.SubFactory(VideoFactory)
    first_delivered_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
