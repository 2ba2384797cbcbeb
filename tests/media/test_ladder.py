"""The ladder: which renditions a source gets (pure, no encoding)."""

from fractions import Fraction

import pytest

from media.ffmpeg.ladder import choose_ladder, h264_level


def sizes(width: int, height: int, fps: Fraction = Fraction(30)) -> list[tuple[str, int, int]]:
    return [(r.name, r.width, r.height) for r in choose_ladder(width=width, height=height, fps=fps)]


def test_1080p_gets_all_four_rungs_largest_first():
    assert sizes(1920, 1080) == [
        ("1080p", 1920, 1080),
        ("720p", 1280, 720),
        ("480p", 854, 480),
        ("360p", 640, 360),
    ]


@pytest.mark.parametrize(
    ("width", "height", "top"),
    [(1280, 720, "720p"), (1366, 768, "720p"), (1000, 700, "480p"), (640, 360, "360p")],
)
def test_never_upscales(width, height, top):
    rungs = choose_ladder(width=width, height=height, fps=Fraction(30))
    assert rungs[0].name == top
    assert all(r.width <= width and r.height <= height for r in rungs)


def test_4k_stops_at_1080p():
    assert sizes(3840, 2160)[0] == ("1080p", 1920, 1080)


def test_portrait_keeps_orientation_and_uses_the_short_side():
    assert sizes(1080, 1920) == [
        ("1080p", 1080, 1920),
        ("720p", 720, 1280),
        ("480p", 480, 854),
        ("360p", 360, 640),
    ]


def test_odd_dimensions_become_even_without_passing_the_source():
    assert sizes(853, 481) == [("480p", 852, 480), ("360p", 638, 360)]
    for rung in choose_ladder(width=853, height=481, fps=Fraction(25)):
        assert rung.width % 2 == 0 and rung.height % 2 == 0


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (320, 180, (320, 180)),
        (321, 181, (320, 180)),
        (180, 320, (180, 320)),
        (200, 150, (200, 150)),
    ],
)
def test_below_360p_one_rung_at_its_own_size(width, height, expected):
    rungs = choose_ladder(width=width, height=height, fps=Fraction(30))
    assert len(rungs) == 1
    assert (rungs[0].width, rungs[0].height) == expected


def test_4_3_source_keeps_its_shape():
    assert sizes(1440, 1080)[1] == ("720p", 960, 720)


def test_profiles_and_levels_match_the_rung():
    rungs = {r.name: r for r in choose_ladder(width=1920, height=1080, fps=Fraction(30))}
    assert rungs["1080p"].profile == rungs["720p"].profile == "high"
    assert rungs["480p"].profile == rungs["360p"].profile == "main"
    assert rungs["1080p"].video_codecs == "avc1.640028"  # High 4.0
    assert rungs["720p"].video_codecs == "avc1.64001f"  # High 3.1
    assert rungs["360p"].video_codecs == "avc1.4d401e"  # Main 3.0
    assert rungs["360p"].codecs(has_audio=True) == "avc1.4d401e,mp4a.40.2"
    assert rungs["360p"].codecs(has_audio=False) == "avc1.4d401e"


def test_capped_crf_ceilings_fall_with_the_rung_and_buffer_is_two_seconds():
    rungs = choose_ladder(width=1920, height=1080, fps=Fraction(30))
    caps = [r.maxrate for r in rungs]
    assert caps == sorted(caps, reverse=True)
    assert rungs[1].maxrate <= 3_000_000  # 720p within Apple's 720p bitrates
    for rung in rungs:
        assert rung.crf == 23
        assert rung.bufsize == 2 * rung.maxrate


def test_60fps_keeps_60_at_720p_and_up_and_halves_below():
    rungs = {r.name: r for r in choose_ladder(width=1920, height=1080, fps=Fraction(60))}
    assert rungs["1080p"].fps == rungs["720p"].fps == 60
    assert rungs["480p"].fps == rungs["360p"].fps == 30
    assert rungs["1080p"].level == "4.2"
    assert rungs["720p"].gop == 120 and rungs["480p"].gop == 60
    assert (
        rungs["720p"].maxrate > choose_ladder(width=1280, height=720, fps=Fraction(30))[0].maxrate
    )


def test_ntsc_rates_stay_exact():
    rung = choose_ladder(width=1280, height=720, fps=Fraction(30000, 1001))[0]
    assert rung.fps == Fraction(30000, 1001)
    assert rung.gop == 60


@pytest.mark.parametrize(
    ("width", "height", "fps", "profile", "level"),
    [
        (640, 360, Fraction(30), "main", "3.0"),
        (854, 480, Fraction(30), "main", "3.1"),
        (1280, 720, Fraction(30), "high", "3.1"),
        (1280, 720, Fraction(60), "high", "3.2"),
        (1920, 1080, Fraction(30), "high", "4.0"),
        (1080, 1920, Fraction(30), "high", "4.0"),
        (1920, 1080, Fraction(60), "high", "4.2"),
    ],
)
def test_h264_level(width, height, fps, profile, level):
    assert (
        h264_level(width=width, height=height, fps=fps, maxrate=3_000_000, profile=profile) == level
    )
