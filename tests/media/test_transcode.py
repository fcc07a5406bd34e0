"""The HLS transcoding pipeline, with real ffmpeg on tiny clips made from lavfi sources."""

from __future__ import annotations

import hashlib
import itertools
import re
from pathlib import Path

import ffmpeg
import pytest

from lms.media import transcode as tc
from lms.media.transcode import TranscodeError, VideoInfo

PRESET = "ultrafast"


def _lavfi(
    width: int, height: int, seconds: float, rate: int = 25
) -> ffmpeg.nodes.FilterableStream:
    return ffmpeg.input(f"testsrc2=s={width}x{height}:r={rate}:d={seconds}", f="lavfi")


def _sine(seconds: float) -> ffmpeg.nodes.FilterableStream:
    return ffmpeg.input(f"sine=frequency=440:duration={seconds}", f="lavfi")


X264 = {"c:v": "libx264", "preset": "ultrafast", "pix_fmt": "yuv420p"}


def _make(path: Path, *streams, **options) -> Path:
    ffmpeg.output(*streams, str(path), **options).overwrite_output().run(quiet=True)
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    made = {
        "landscape": _make(
            d / "landscape.mp4", _lavfi(640, 360, 8), _sine(8), **X264, **{"c:a": "aac"}
        ),
        "portrait": _make(
            d / "portrait.mp4", _lavfi(360, 640, 6), _sine(6), **X264, **{"c:a": "aac"}
        ),
        "silent": _make(d / "silent.mp4", _lavfi(640, 360, 6), **X264),
        "tiny": _make(d / "tiny.mp4", _lavfi(320, 180, 6), _sine(6), **X264, **{"c:a": "aac"}),
        "vfr": _make(
            d / "vfr.mp4",
            _lavfi(640, 360, 8, rate=30).filter("select", "lt(t,3)+not(mod(n,3))"),
            _sine(8),
            **X264,
            **{"c:a": "aac", "fps_mode": "vfr"},
        ),
        "webm": _make(
            d / "vp9.webm",
            _lavfi(640, 360, 6),
            _sine(6),
            **{"c:v": "libvpx-vp9", "deadline": "realtime", "cpu-used": 8, "b:v": "300k"},
            **{"c:a": "libopus"},
        ),
        "audio_only": _make(d / "audio.m4a", _sine(3), **{"c:a": "aac"}),
    }
    # landscape stream with a 90° display rotation, as phones write it (ffmpeg 5.1 keeps the
    # tag only when remuxing, not while encoding)
    plain = _make(d / "plain.mp4", _lavfi(640, 360, 6), _sine(6), **X264, **{"c:a": "aac"})
    made["rotated"] = d / "rotated.mp4"
    ffmpeg.input(str(plain)).output(
        str(made["rotated"]), c="copy", **{"metadata:s:v:0": "rotate=90"}
    ).overwrite_output().run(quiet=True)
    # no faststart: the moov atom is at the end and is cut off
    whole = made["landscape"].read_bytes()
    (d / "truncated.mp4").write_bytes(whole[: len(whole) // 2])
    made["truncated"] = d / "truncated.mp4"
    # faststart: probing works, decoding stops early
    fast = _make(
        d / "fast.mp4",
        _lavfi(640, 360, 8),
        _sine(8),
        **X264,
        **{"c:a": "aac", "movflags": "+faststart"},
    )
    (d / "cut.mp4").write_bytes(fast.read_bytes()[: fast.stat().st_size // 3])
    made["cut"] = d / "cut.mp4"
    (d / "notes.mp4").write_text("ini bukan video, hanya catatan rapat\n" * 20)
    made["text"] = d / "notes.mp4"
    # an HLS playlist disguised as a video: must not make ffmpeg read other local files
    (d / "playlist.mp4").write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:8\n#EXTINF:8,\n{made['landscape']}\n#EXT-X-ENDLIST\n"
    )
    made["playlist"] = d / "playlist.mp4"
    return made


@pytest.fixture(scope="module")
def done(clips: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every good clip transcoded once; the landscape one with a progress log."""
    out = tmp_path_factory.mktemp("hls")
    results = {}
    for name in ("landscape", "portrait", "rotated", "silent", "tiny", "vfr", "webm"):
        calls: list[tuple[float, float | None]] = []
        results[name] = tc.transcode(
            clips[name],
            out / name,
            on_progress=lambda p, e, calls=calls: calls.append((p, e)),
            preset=PRESET,
        )
        results[name + ":progress"] = calls
    return results


def _probe_size(path: Path) -> tuple[int, int]:
    stream = next(s for s in ffmpeg.probe(str(path))["streams"] if s["codec_type"] == "video")
    return stream["width"], stream["height"]


def _key_times(playlist: Path) -> list[float]:
    packets = ffmpeg.probe(
        str(playlist), select_streams="v:0", show_entries="packet=pts_time,flags"
    )["packets"]
    return [round(float(p["pts_time"]), 3) for p in packets if "K" in p["flags"]]


def _extinf(playlist: Path) -> list[float]:
    return [float(x) for x in re.findall(r"#EXTINF:([\d.]+),", playlist.read_text())]


def info(width: int, height: int, audio: bool = True) -> VideoInfo:
    return VideoInfo(10.0, width, height, 0, audio, "h264", "aac" if audio else None, 30.0)


def test_plan_ladder_portrait_uses_short_side_and_even_sizes() -> None:
    plan = tc.plan_ladder(info(1080, 1920))
    assert [(r.name, r.width, r.height) for r in plan] == [
        ("240p", 240, 426),
        ("360p", 360, 640),
        ("720p", 720, 1280),
        ("audio", 0, 0),
    ]
    assert plan[-1].codecs == "mp4a.40.2" and plan[-1].audio_bitrate == 64_000
    assert plan[2].codecs == "avc1.4d401f,mp4a.40.2" and plan[2].video_bitrate == 1_800_000


def test_plan_ladder_never_upscales() -> None:
    assert [r.name for r in tc.plan_ladder(info(640, 360))] == ["240p", "360p", "audio"]
    assert [r.name for r in tc.plan_ladder(info(640, 352, audio=False))] == ["240p"]
    tiny = tc.plan_ladder(info(320, 180, audio=False))
    assert [(r.name, r.width, r.height) for r in tiny] == [("180p", 320, 180)]
    assert tiny[0].codecs == "avc1.4d401e" and tiny[0].audio_bitrate == 0
    big = tc.plan_ladder(info(3840, 2160))
    assert [r.height for r in big] == [240, 360, 720, 0]
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in big)


def test_output_fps_caps_at_30() -> None:
    assert tc.output_fps(60) == 30 and tc.output_fps(50) == 25 and tc.output_fps(25) == 25
    assert tc.output_fps(30000 / 1001) == pytest.approx(29.97, abs=0.001)


def test_probe_reports_display_size_after_rotation(clips: dict[str, Path]) -> None:
    rotated = tc.probe(clips["rotated"])
    assert (rotated.width, rotated.height) == (360, 640) and rotated.rotation in (90, 270)
    landscape = tc.probe(clips["landscape"])
    assert (landscape.width, landscape.height, landscape.rotation) == (640, 360, 0)
    assert landscape.has_audio and landscape.audio_codec == "aac"
    assert landscape.video_codec == "h264" and landscape.frame_rate == 25
    assert landscape.duration == pytest.approx(8, abs=0.1)
    assert tc.probe(clips["silent"]).has_audio is False
    webm = tc.probe(clips["webm"])
    assert (webm.video_codec, webm.audio_codec) == ("vp9", "opus")
    assert tc.probe(clips["vfr"]).frame_rate == 30


def test_landscape_ladder_master_and_segments(done: dict, clips: dict[str, Path]) -> None:
    result = done["landscape"]
    assert (result.width, result.height, result.has_audio) == (640, 360, True)
    assert result.duration == pytest.approx(8, abs=0.1)
    names = [r.rendition.name for r in result.renditions]
    assert names == ["240p", "360p", "audio"]
    master = result.master_playlist.read_text().splitlines()
    assert master[0] == "#EXTM3U"
    variants = [(a, u) for a, u in itertools.pairwise(master) if a.startswith("#EXT-X-STREAM-INF:")]
    assert [u for _, u in variants] == ["240p/index.m3u8", "360p/index.m3u8", "audio/index.m3u8"]
    for attrs, _ in variants[:2]:
        # ultrafast (tests) has no CABAC or B-frames, so x264 signals Constrained Baseline
        assert re.search(r"BANDWIDTH=\d+", attrs) and 'CODECS="avc1.42c01e,mp4a.40.2"' in attrs
    assert "RESOLUTION=426x240" in variants[0][0] and "RESOLUTION=640x360" in variants[1][0]
    assert 'CODECS="mp4a.40.2"' in variants[2][0] and "RESOLUTION" not in variants[2][0]
    for r in result.renditions:
        playlist = r.playlist.read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist and "#EXT-X-ENDLIST" in playlist
        durations = _extinf(r.playlist)
        # ~4 s; AAC frames (21.3 ms) make audio-only segments a few ms longer or shorter
        assert all(3.95 <= d <= 6.05 for d in durations[:-1]) and durations[-1] <= 6.05
        assert r.size_bytes > 0 and r.average_bitrate > 0 and r.segments == len(durations)
        assert r.duration == pytest.approx(8, abs=0.2)
    for r in result.renditions[:2]:
        assert _probe_size(r.playlist) == (r.rendition.width, r.rendition.height)
        streams = ffmpeg.probe(str(r.playlist))["streams"]
        video = next(s for s in streams if s["codec_type"] == "video")
        assert (video["codec_name"], video["profile"]) == ("h264", "Constrained Baseline")
        assert any(s["codec_name"] == "aac" for s in streams)
    audio = ffmpeg.probe(str(result.renditions[-1].playlist))["streams"]
    assert [s["codec_type"] for s in audio] == ["audio"]


def test_keyframes_aligned_across_renditions(done: dict) -> None:
    for name in ("landscape", "vfr", "portrait"):
        videos = [r for r in done[name].renditions if r.rendition.height]
        keys = [_key_times(r.playlist) for r in videos]
        assert len(keys[0]) >= 2 and all(k == keys[0] for k in keys), name
        assert all(_extinf(r.playlist) == _extinf(videos[0].playlist) for r in videos), name
        start = keys[0][0]  # MPEG-TS starts at an offset
        assert [round(k - start, 3) for k in keys[0]][:2] == [0, 4], name


def test_poster_sprite_and_vtt(done: dict) -> None:
    result = done["landscape"]
    assert _probe_size(result.poster) == (640, 360)
    assert _probe_size(result.sprite) == (4 * 160, 90)  # 8 s, a thumbnail every 2 s
    vtt = result.sprite_vtt.read_text()
    assert vtt.startswith("WEBVTT")
    assert "00:00:00.000 --> 00:00:02.000\nsprite.jpg#xywh=0,0,160,90" in vtt
    assert "00:00:06.000 --> 00:00:08.000\nsprite.jpg#xywh=480,0,160,90" in vtt


def test_progress_reaches_100(done: dict) -> None:
    calls = done["landscape:progress"]
    assert calls and calls[-1] == (100.0, 0.0)
    percents = [p for p, _ in calls]
    assert percents == sorted(percents) and all(0 <= p <= 100 for p in percents)


@pytest.mark.parametrize("name", ["portrait", "rotated"])
def test_portrait_and_rotated_stay_portrait(done: dict, name: str) -> None:
    result = done[name]
    assert (result.width, result.height) == (360, 640)
    sizes = [_probe_size(r.playlist) for r in result.renditions if r.rendition.height]
    assert sizes == [(240, 426), (360, 640)]
    assert "RESOLUTION=360x640" in result.master_playlist.read_text()
    assert _probe_size(result.poster) == (360, 640)
    for r in result.renditions[:1]:
        stream = ffmpeg.probe(str(r.playlist), select_streams="v:0")["streams"][0]
        assert not any("rotation" in s for s in stream.get("side_data_list", []))


def test_video_without_audio(done: dict) -> None:
    result = done["silent"]
    assert result.has_audio is False
    assert [r.rendition.name for r in result.renditions] == ["240p", "360p"]
    assert not (result.master_playlist.parent / "audio").exists()
    master = result.master_playlist.read_text()
    assert "mp4a" not in master and 'CODECS="avc1.42c01e"' in master
    for r in result.renditions:
        assert [s["codec_type"] for s in ffmpeg.probe(str(r.playlist))["streams"]] == ["video"]


def test_vfr_webm_and_tiny_sources(done: dict) -> None:
    assert [r.rendition.name for r in done["vfr"].renditions] == ["240p", "360p", "audio"]
    assert "FRAME-RATE=30.000" in done["vfr"].master_playlist.read_text()
    assert _extinf(done["vfr"].renditions[0].playlist)[0] == pytest.approx(4, abs=0.05)
    webm = done["webm"]
    assert [r.rendition.name for r in webm.renditions] == ["240p", "360p", "audio"]
    audio = ffmpeg.probe(str(webm.renditions[-1].playlist))["streams"][0]
    assert audio["codec_name"] == "aac"
    tiny = done["tiny"]
    assert [(r.rendition.name, r.rendition.width, r.rendition.height) for r in tiny.renditions] == [
        ("180p", 320, 180),
        ("audio", 0, 0),
    ]
    assert _probe_size(tiny.renditions[0].playlist) == (320, 180)


def test_rerun_is_idempotent_and_source_untouched(clips: dict[str, Path], tmp_path: Path) -> None:
    source = clips["tiny"]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    destination = tmp_path / "lesson-1"
    first = tc.transcode(source, destination)  # the production preset: x264 Main profile
    assert 'CODECS="avc1.4d401e,mp4a.40.2"' in first.master_playlist.read_text()
    (destination / "stale.txt").write_text("from an older run")
    second = tc.transcode(source, destination, preset=PRESET)
    assert first.master_playlist == second.master_playlist and second.master_playlist.is_file()
    assert not (destination / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson-1"]
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("truncated", "corrupt"),
        ("cut", "corrupt"),
        ("text", "corrupt"),
        ("audio_only", "no_video"),
        ("playlist", "unsupported_codec"),
    ],
)
def test_bad_sources_fail_cleanly(
    clips: dict[str, Path], tmp_path: Path, name: str, code: str
) -> None:
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "master.m3u8").write_text("#EXTM3U\n")  # an earlier good result survives
    digest = hashlib.sha256(clips[name].read_bytes()).hexdigest()
    with pytest.raises(TranscodeError) as caught:
        tc.transcode(clips[name], destination, preset=PRESET)
    assert caught.value.code == code
    assert caught.value.message and caught.value.message == tc.MESSAGES[code]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (destination / "master.m3u8").read_text() == "#EXTM3U\n"
    assert hashlib.sha256(clips[name].read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(
    ("stderr", "code"),
    [
        ("[hls @ 0x1] Failed to write seg_003.ts: No space left on device", "disk_full"),
        ("Decoder (codec prores_raw) not found for input stream #0:0", "unsupported_codec"),
        ("x.mp4: Invalid data found when processing input", "corrupt"),
        ("Conversion failed!", "ffmpeg_failed"),
    ],
)
def test_stderr_classification(stderr: str, code: str) -> None:
    error = tc._classify("line 1\n" + stderr)
    assert error.code == code and stderr in error.developer
    assert error.message == tc.MESSAGES[code]


def test_destination_may_not_contain_source(clips: dict[str, Path]) -> None:
    with pytest.raises(ValueError, match="destination"):
        tc.transcode(clips["tiny"], clips["tiny"].parent)
