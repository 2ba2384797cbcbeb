"""The one transcode command, progress parsing, posters and sprites (pure)."""

from fractions import Fraction

import pytest

from media.ffmpeg.encode import transcode_args
from media.ffmpeg.ladder import choose_ladder
from media.ffmpeg.poster import poster_args, poster_is_usable, poster_positions
from media.ffmpeg.probe import AudioStreamFacts, ProbeFacts, VideoStreamFacts
from media.ffmpeg.progress import ProgressParser, estimate_remaining, progress_percent
from media.ffmpeg.sprites import plan_sprite, sprite_vtt


def facts(*, width=1920, height=1080, fps="30", audio=True, hdr=False) -> ProbeFacts:
    video = VideoStreamFacts(
        index=0,
        codec="h264",
        codec_tag="avc1",
        profile="High",
        coded_width=width,
        coded_height=height,
        sample_aspect="1:1",
        rotation=0,
        width=width,
        height=height,
        fps=fps,
        avg_fps=fps,
        r_fps=fps,
        vfr=False,
        pix_fmt="yuv420p10le" if hdr else "yuv420p",
        bit_depth=10 if hdr else 8,
        chroma="4:2:0",
        frames=None,
        color_transfer="arib-std-b67" if hdr else "",
        color_primaries="bt2020" if hdr else "",
        hdr=hdr,
    )
    sound = AudioStreamFacts(
        index=1, codec="aac", channels=6, channel_layout="5.1", sample_rate=48000
    )
    return ProbeFacts("mov,mp4", 600.0, 1, 1, video, sound if audio else None, 1, int(audio))


def build(source_facts: ProbeFacts, **kwargs) -> list[str]:
    video = source_facts.video
    rungs = choose_ladder(width=video.width, height=video.height, fps=video.frame_rate)
    return transcode_args(
        source="/in/lecture.mp4", facts=source_facts, rungs=rungs, hls_dir="/w/hls", **kwargs
    )


def option_values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == option]


def test_one_process_one_input_and_a_list_not_a_shell_string():
    args = build(facts())
    assert isinstance(args, list) and all(isinstance(a, str) for a in args)
    assert args[0] == "ffmpeg"
    assert option_values(args, "-i") == ["/in/lecture.mp4"]
    assert option_values(args, "-progress") == ["pipe:1"]


def test_decodes_once_and_splits_to_every_rung():
    args = build(facts())
    (graph,) = option_values(args, "-filter_complex")
    assert graph.startswith("[0:0]fps=30,split=4[s0][s1][s2][s3];")
    assert "[s0]scale=1920:1080:flags=bicubic,setsar=1,format=yuv420p[v0]" in graph
    assert "[s3]scale=640:360:flags=bicubic,setsar=1,format=yuv420p[v3]" in graph
    assert graph.count("scale=") == 4
    assert option_values(args, "-map")[:2] == ["[v0]", "[a0]"]


def test_rate_control_and_aligned_closed_gops_per_rung():
    args = build(facts())
    assert option_values(args, "-c:v") == ["libx264"] * 4
    assert option_values(args, "-profile:v") == ["high", "high", "main", "main"]
    assert option_values(args, "-crf") == ["23"] * 4
    assert option_values(args, "-maxrate") == ["6000000", "3000000", "1200000", "600000"]
    assert option_values(args, "-bufsize") == ["12000000", "6000000", "2400000", "1200000"]
    assert option_values(args, "-g") == ["60"] * 4
    assert option_values(args, "-keyint_min") == ["60"] * 4
    assert option_values(args, "-sc_threshold") == ["0"] * 4
    assert option_values(args, "-force_key_frames") == ["expr:gte(t,n_forced*2)"] * 4
    assert option_values(args, "-pix_fmt") == ["yuv420p"] * 4


def test_hls_outputs_per_rung():
    args = build(facts())
    assert option_values(args, "-f") == ["hls"] * 4
    assert option_values(args, "-hls_time") == ["4"] * 4
    assert option_values(args, "-hls_playlist_type") == ["vod"] * 4
    assert option_values(args, "-hls_segment_filename")[1] == "/w/hls/720p/seg_%05d.ts"
    assert "/w/hls/720p/index.m3u8" in args


def test_audio_is_decoded_once_downmixed_to_stereo_and_speech_sized():
    args = build(facts())
    (graph,) = option_values(args, "-filter_complex")
    assert (
        "[0:1]aresample=48000:async=1,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,asplit=4[a0][a1][a2][a3]"
        in graph
    )
    assert option_values(args, "-c:a") == ["aac"] * 4
    assert option_values(args, "-b:a") == ["96000", "96000", "64000", "64000"]
    assert option_values(args, "-ac") == ["2"] * 4


def test_no_audio_gives_video_only_outputs():
    args = build(facts(audio=False))
    (graph,) = option_values(args, "-filter_complex")
    assert "asplit" not in graph
    assert "-c:a" not in args
    assert all(not m.startswith("[a") for m in option_values(args, "-map"))


def test_60fps_is_decimated_only_below_720p():
    args = build(facts(fps="60"))
    (graph,) = option_values(args, "-filter_complex")
    assert graph.startswith("[0:0]fps=60,split=4")
    assert "[s2]fps=30,scale=854:480" in graph
    assert "[s1]scale=1280:720" in graph
    assert option_values(args, "-g") == ["120", "120", "60", "60"]


def test_hdr_is_tone_mapped_per_rung():
    (graph,) = option_values(build(facts(hdr=True)), "-filter_complex")
    assert graph.count("tonemap=tonemap=hable") == 4
    assert "zscale=w=1280:h=720" in graph


def test_sprite_branch_shares_the_decode():
    source = facts()
    plan = plan_sprite(duration=600, width=1920, height=1080)
    args = build(source, sprite=plan, sprite_dir="/w/images")
    (graph,) = option_values(args, "-filter_complex")
    assert "split=5" in graph
    assert "[s4]fps=1/6,scale=160:90:out_range=full,setsar=1,format=yuv420p[thumbs]" in graph
    # Single thumbnails, tiled afterwards: a tile filter would hold back ffmpeg's progress.
    assert "tile=" not in graph
    assert args[-1] == "/w/images/thumb_%05d.jpg"


def test_threads_and_preset_are_passed():
    args = build(facts(), preset="faster", threads=2)
    assert option_values(args, "-preset") == ["faster"] * 4
    assert option_values(args, "-threads:v") == ["2"] * 4


def test_progress_blocks():
    parser = ProgressParser()
    lines = "frame=10\nout_time_us=N/A\nspeed=N/A\nprogress=continue\nframe=300\nout_time_us=10026667\nout_time_ms=10026667\nspeed=4.77x\nprogress=end\n"
    updates = [u for line in lines.splitlines() if (u := parser.feed(line))]
    assert updates[0].out_time == 0 and updates[0].speed is None and not updates[0].done
    assert updates[1].out_time == pytest.approx(10.026667) and updates[1].speed == 4.77
    assert updates[1].done
    assert parser.feed("garbage") is None


def test_progress_percent_and_eta():
    assert progress_percent(5, 20) == 25.0
    assert progress_percent(25, 20) == 99.0  # 100 only once published
    assert progress_percent(1, 0) == 0.0
    assert estimate_remaining(elapsed=10, percent=25) == pytest.approx(30)
    assert estimate_remaining(elapsed=10, percent=1) is None


def test_poster_looks_past_the_opening():
    assert poster_positions(100) == [10.0, 25.0, 50.0, 75.0]
    args = poster_args(
        source="/in.mp4",
        stream_index=0,
        at=10.0,
        duration=100,
        width=1280,
        height=720,
        out="/p.jpg",
    )
    assert args[args.index("-ss") + 1] == "10.000"
    assert args.index("-ss") < args.index("-i")  # fast input seek
    assert "thumbnail=n=12" in args[args.index("-vf") + 1]
    assert not poster_is_usable(mean=5, stddev=2)  # black
    assert not poster_is_usable(mean=120, stddev=1)  # flat grey card
    assert poster_is_usable(mean=110, stddev=40)


def test_sprite_plan_and_vtt():
    plan = plan_sprite(duration=3600, width=1920, height=1080)
    assert (plan.interval, plan.tile_width, plan.tile_height) == (10, 160, 90)
    assert (plan.columns, plan.rows, plan.count, plan.sheets) == (10, 10, 360, 4)
    vtt = sprite_vtt(plan, duration=3600)
    assert vtt.startswith(
        "WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nsprite_001.jpg#xywh=0,0,160,90\n"
    )
    assert "00:16:40.000 --> 00:16:50.000\nsprite_002.jpg#xywh=0,0,160,90" in vtt
    assert "00:59:50.000 --> 01:00:00.000\nsprite_004.jpg#xywh=1440,450,160,90" in vtt
    assert vtt.count("-->") == 360
    assert sprite_vtt(plan, duration=3600, sheets=1).count("-->") == 100


def test_sprite_for_a_short_portrait_clip():
    plan = plan_sprite(duration=3, width=180, height=320)
    assert (plan.interval, plan.count, plan.columns, plan.rows) == (2, 2, 2, 1)
    assert (plan.tile_width, plan.tile_height) == (90, 160)
    vtt = sprite_vtt(plan, duration=3)
    assert "00:00:02.000 --> 00:00:03.000\nsprite_001.jpg#xywh=90,0,90,160" in vtt


def test_ladder_fps_fraction_survives_into_the_graph():
    (graph,) = option_values(build(facts(fps="30000/1001")), "-filter_complex")
    assert graph.startswith("[0:0]fps=30000/1001,")
    assert (
        Fraction("30000/1001")
        == choose_ladder(width=1920, height=1080, fps=Fraction(30000, 1001))[0].fps
    )


def _options_before_input(args: list[str]) -> list[str]:
    return args[: args.index("-i")]


def test_every_input_is_a_local_file_in_a_container_we_accept():
    from media.ffmpeg.probe import probe_args, probe_first_pts_args
    from media.ffmpeg.validate import decode_check_args

    whitelist = ["-protocol_whitelist", "file", "-format_whitelist"]
    commands = [
        transcode_args(
            source="in.mp4",
            facts=facts(),
            rungs=choose_ladder(width=1920, height=1080, fps=Fraction(30)),
            hls_dir="out",
        ),
        poster_args(
            source="in.mp4", stream_index=0, at=1, duration=10, width=640, height=360, out="p.jpg"
        ),
        decode_check_args(source="in.mp4", stream_index=0, seek=None),
    ]
    for args in commands:
        before = _options_before_input(args)
        at = before.index("-protocol_whitelist")
        assert before[at : at + 3] == whitelist
        formats = before[at + 3].split(",")
        assert "mov" in formats and "matroska" in formats and "hls" not in formats
    for args in (probe_args("in.mp4"), probe_first_pts_args("seg.ts")):
        assert args[-1].endswith((".mp4", ".ts"))
        at = args.index("-protocol_whitelist")
        assert args[at : at + 3] == whitelist and at < len(args) - 1


def test_hls_outputs_write_local_files_only():
    args = transcode_args(
        source="in.mp4",
        facts=facts(),
        rungs=choose_ladder(width=1920, height=1080, fps=Fraction(30)),
        hls_dir="out",
    )
    playlists = [i for i, arg in enumerate(args) if arg.endswith("/index.m3u8")]
    assert len(playlists) == 4  # 1080p, 720p, 480p, 360p
    for end in playlists:
        output = args[:end]
        output = output[output.index("hls") :]
        assert output[output.index("-protocol_whitelist") + 1] == "file"


def test_the_transcode_deadline_follows_the_length_with_a_floor():
    from media.ffmpeg.encode import transcode_timeout

    assert transcode_timeout(10, floor=600, per_second=6) == 600
    assert transcode_timeout(3600, floor=600, per_second=6) == 21600
