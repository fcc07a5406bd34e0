"""Video transcoding to an HLS ladder for weak (3G) connections, with ffmpeg-python.

One ffmpeg process decodes the source once; a ``split`` filter feeds every video rendition,
the poster and the thumbnail sprite. Decisions:

* Ladder 240p/360p/720p H.264 Main + AAC-LC. The number is the SHORT side, so a 1080×1920
  portrait source gets 240×426, 360×640 and 720×1280: the same pixel count and bitrate as its
  landscape twin. Never upscaled: only labels ≤ the source's short side; a source below 240p
  gets one rendition at its own (even) short side.
* Capped CRF (``-crf 23``, ``-maxrate`` = ``-bufsize`` = the ladder bitrate, a one-second VBV
  buffer): the ladder bitrate is a ceiling, so slides and talking heads cost far less.
  ``BANDWIDTH`` in ``master.m3u8`` is the measured peak segment bitrate, ``AVERAGE-BANDWIDTH``
  the measured mean; ``CODECS`` is read from each rendition's SPS.
* Segments are MPEG-TS (``.ts``): Safari plays them natively, hls.js transmuxes them, and so do
  old Android/iOS native players that reject fMP4. Frame rate is made constant (≤ 30 fps) and
  keyframes are forced every ``segment_seconds`` on the same decoded frames with scene-cut off,
  so segment boundaries are identical in every rendition.
* Rotated phone videos: ffmpeg autorotates on decode; ``probe`` reports display dimensions.
* Uploads are untrusted: only common video containers and local files are opened (a playlist
  disguised as ``.mp4`` could otherwise make ffmpeg read other files).
* The audio-only variant (AAC 64 kbps) is listed last in the master playlist. Safari/AVPlayer
  use it on very slow links; hls.js drops audio-only variants when video ones exist, so a web
  player's "audio only" mode should load ``audio/index.m3u8`` directly.

Layout: ``master.m3u8``, ``<name>/index.m3u8`` + ``<name>/seg_000.ts``…, ``audio/…``,
``poster.jpg``, ``sprite.jpg`` and ``sprite.vtt`` (cues ``sprite.jpg#xywh=x,y,w,h``).
"""

from __future__ import annotations

import dataclasses
import errno
import math
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import IO

import ffmpeg

ProgressCallback = Callable[[float, float | None], None]

#: (short side, video bits/s, audio bits/s, H.264 level), lowest first
LADDER = ((240, 300_000, 64_000, "3.0"), (360, 600_000, 96_000, "3.0"))
LADDER += ((720, 1_800_000, 128_000, "3.1"),)
AUDIO_ONLY_BITRATE = 64_000
MAX_FPS = 30
MUX_OVERHEAD = 1.1  # planned bandwidth = (video + audio) × this, for MPEG-TS overhead
THUMB_LONG_SIDE = 160
SPRITE_COLUMNS = 10
MAX_THUMBS = 100
X264 = {"c:v": "libx264", "profile:v": "main", "pix_fmt": "yuv420p", "crf": 23, "sc_threshold": 0}
AAC = {"c:a": "aac", "ac": 2, "ar": 48000}
HLS = {"f": "hls", "hls_playlist_type": "vod", "hls_segment_type": "mpegts", "start_number": 0}
HLS |= {"hls_flags": "independent_segments"}
#: uploads are untrusted: only these demuxers and local files, so a playlist or concat list
#: disguised as ``.mp4`` cannot make ffmpeg read other files or URLs
INPUT_GUARD = {"format_whitelist": "mov,matroska,avi,mpegts,flv,asf,mpeg,ogg,dv"}
INPUT_GUARD |= {"protocol_whitelist": "file"}

MESSAGES = {
    "corrupt": "Berkas video rusak, terpotong, atau tidak dapat dibaca. "
    "Unggah ulang berkas aslinya.",
    "no_video": "Berkas ini tidak berisi gambar video. Unggah berkas video, misalnya MP4.",
    "unsupported_codec": "Format video ini belum didukung. Simpan ulang sebagai MP4 (H.264) "
    "lalu unggah kembali.",
    "disk_full": "Ruang penyimpanan server penuh. Hubungi admin, lalu coba lagi nanti.",
    "ffmpeg_failed": "Video gagal diproses. Coba lagi nanti atau hubungi admin.",
    "missing_original": "Berkas asli video tidak ditemukan di penyimpanan. Unggah ulang videonya.",
    "storage_unavailable": "Penyimpanan berkas tidak dapat dijangkau saat video diproses. "
    "Proses ulang nanti atau hubungi admin.",
}
_PATTERNS = {  # code: stderr pattern, checked in this order
    "disk_full": r"No space left on device",
    "unsupported_codec": r"Decoder \(codec .*\) not found|Unsupported codec|not on whitelist",
    "corrupt": r"Invalid data found|moov atom not found|partial file|corrupt",
}


class TranscodeError(Exception):
    """A failed transcode: ``code`` for programs, ``message`` (Indonesian) for people,
    ``developer`` with details such as the last lines of ffmpeg's stderr."""

    def __init__(self, code: str, message: str | None = None, developer: str = "") -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, MESSAGES["ffmpeg_failed"])
        self.developer = developer
        super().__init__(f"{code}: {self.message}")


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    """What ``probe`` found. ``width``/``height`` are display size, after rotation and SAR."""

    duration: float
    width: int
    height: int
    rotation: int
    has_audio: bool
    video_codec: str
    audio_codec: str | None
    frame_rate: float
    video_index: int = 0
    audio_index: int | None = None


@dataclasses.dataclass(frozen=True)
class Rendition:
    """One planned variant; the audio-only one has ``width == height == 0``."""

    name: str
    height: int
    width: int
    video_bitrate: int
    audio_bitrate: int
    bandwidth: int
    level: str = ""
    codecs: str = "mp4a.40.2"


@dataclasses.dataclass(frozen=True)
class RenditionResult:
    """A rendition as written, with sizes and bitrates measured from its segments."""

    rendition: Rendition
    playlist: Path
    segments: int
    size_bytes: int
    average_bitrate: int
    peak_bitrate: int
    duration: float
    codecs: str


@dataclasses.dataclass(frozen=True)
class TranscodeResult:
    """Everything ``transcode`` produced; paths point into the destination folder."""

    renditions: list[RenditionResult]
    duration: float
    width: int
    height: int
    has_audio: bool
    master_playlist: Path
    poster: Path
    sprite: Path
    sprite_vtt: Path


def _tail(text: bytes | str | None, lines: int = 15) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return "\n".join((text or "").strip().splitlines()[-lines:])


def _classify(stderr: str) -> TranscodeError:
    for code, pattern in _PATTERNS.items():
        if re.search(pattern, stderr, re.I):
            return TranscodeError(code, developer=_tail(stderr))
    return TranscodeError("ffmpeg_failed", developer=_tail(stderr))


def _rate(text: str | None) -> float:
    try:
        return float(Fraction(text or "0"))
    except (ValueError, ZeroDivisionError):
        return 0.0


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return round(float(side["rotation"])) % 360
    return round(float(stream.get("tags", {}).get("rotate", 0) or 0)) % 360


def _frame_rate(stream: dict) -> float:
    """Nominal rate: ``r_frame_rate`` for variable-rate phone/screen videos, else the average."""
    average, nominal = _rate(stream.get("avg_frame_rate")), _rate(stream.get("r_frame_rate"))
    if average < nominal <= 2 * MAX_FPS:
        return nominal
    return average or nominal or 25.0


def probe(path: Path | str) -> VideoInfo:
    """Read duration, display size, rotation, codecs and frame rate with ffprobe.

    Raises ``TranscodeError`` ``corrupt``, ``no_video`` or ``unsupported_codec``.
    """
    try:
        data = ffmpeg.probe(str(path), v="error", **INPUT_GUARD)
    except ffmpeg.Error as exc:
        raise _classify(_tail(exc.stderr) or "Invalid data found") from exc
    streams = data.get("streams", [])
    kinds = [s.get("codec_type") for s in streams]
    videos = [s for s in streams if s.get("codec_type") == "video"]
    videos = [s for s in videos if not s.get("disposition", {}).get("attached_pic")]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    if not videos:  # cover art of an audio file is no video
        raise TranscodeError("no_video", developer=f"streams: {kinds}")
    video = videos[0]
    codec = video.get("codec_name") or ""
    if codec in ("", "none", "unknown"):
        raise TranscodeError("unsupported_codec", developer=str(video.get("codec_tag_string")))
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    duration = _rate(data.get("format", {}).get("duration")) or _rate(video.get("duration"))
    if width <= 0 or height <= 0 or duration <= 0:
        raise TranscodeError("corrupt", developer=f"size {width}x{height}, duration {duration}")
    sar = _rate(video.get("sample_aspect_ratio", "1").replace(":", "/")) or 1.0
    width = max(2, round(width * sar))
    rotation = _rotation(video)
    if rotation % 180 == 90:
        width, height = height, width
    audio = audios[0] if audios else None
    audio_codec, audio_index = (audio["codec_name"], int(audio["index"])) if audio else (None, None)
    fields = (duration, width, height, rotation, audio is not None, codec, audio_codec)
    return VideoInfo(*fields, _frame_rate(video), int(video["index"]), audio_index)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def plan_ladder(info: VideoInfo) -> list[Rendition]:
    """The renditions for ``info``, lowest first, the audio-only one last (pure function)."""
    short, long_ = min(info.width, info.height), max(info.width, info.height)
    rows = [row for row in LADDER if row[0] <= short]
    if not rows:  # below 240p: one rendition at its own size, bitrate scaled by area
        own = max(2, short - short % 2)
        rows = [(own, max(64_000, round(LADDER[0][1] * (own / 240) ** 2, -3)), *LADDER[0][2:])]
    audio_codec = ",mp4a.40.2" if info.has_audio else ""
    plan = []
    for label, video_bitrate, audio_bitrate, level in rows:
        other = _even(long_ * label / short)
        width, height = (label, other) if info.height > info.width else (other, label)
        audio_bitrate = audio_bitrate if info.has_audio else 0
        bandwidth = round((video_bitrate + audio_bitrate) * MUX_OVERHEAD)
        codecs = f"avc1.4d40{round(float(level) * 10):02x}{audio_codec}"  # Main, planned level
        fields = (f"{label}p", height, width, int(video_bitrate), audio_bitrate, bandwidth)
        plan.append(Rendition(*fields, level, codecs))
    if info.has_audio:
        bandwidth = round(AUDIO_ONLY_BITRATE * MUX_OVERHEAD)
        plan.append(Rendition("audio", 0, 0, 0, AUDIO_ONLY_BITRATE, bandwidth))
    return plan


def output_fps(frame_rate: float) -> Fraction:
    """Constant output frame rate: the source's, halved while above ``MAX_FPS``."""
    fps = Fraction(frame_rate or 25).limit_denominator(1001)
    while fps > MAX_FPS:
        fps /= 2
    return fps


def _sprite_grid(info: VideoInfo) -> tuple[int, int, int, int, int, int]:
    """(interval s, count, columns, rows, thumb width, thumb height)."""
    interval = max(2, math.ceil(info.duration / MAX_THUMBS))
    count = max(1, math.ceil(info.duration / interval))
    columns = min(count, SPRITE_COLUMNS)
    scale = THUMB_LONG_SIDE / max(info.width, info.height)
    thumb = _even(info.width * scale), _even(info.height * scale)
    return interval, count, columns, math.ceil(count / columns), *thumb


def build_command(
    source: Path,
    workdir: Path,
    info: VideoInfo,
    renditions: list[Rendition],
    *,
    segment_seconds: int = 4,
    preset: str = "veryfast",
) -> ffmpeg.nodes.OutputStream:
    """The single ffmpeg job (ffmpeg-python graph) writing everything into ``workdir``.

    ``.compile()`` on the result gives the argument list; ``transcode`` runs it with
    ``run_async``.
    """
    fps = output_fps(info.frame_rate)
    gop = max(1, round(segment_seconds * fps))
    source_input = ffmpeg.input(str(source), **INPUT_GUARD)
    videos = [r for r in renditions if r.height]
    split = source_input[str(info.video_index)].filter("fps", fps=str(fps)).split()
    audio = source_input[str(info.audio_index)] if info.has_audio else None
    key_every = f"expr:gte(t,n_forced*{segment_seconds})"
    outputs = []
    for index, r in enumerate(videos + [r for r in renditions if not r.height]):
        folder = workdir / r.name
        folder.mkdir(parents=True, exist_ok=True)
        streams, options = [], HLS | {"hls_time": segment_seconds}
        options["hls_segment_filename"] = str(folder).replace("%", "%%") + "/seg_%03d.ts"
        if r.height:
            streams.append(split[index].filter("scale", r.width, r.height).filter("setsar", 1))
            options |= X264 | {"preset": preset, "level:v": r.level, "g": gop, "keyint_min": gop}
            options |= {"maxrate": r.video_bitrate, "bufsize": r.video_bitrate}
            options["force_key_frames"] = key_every
        if audio is not None:
            streams.append(audio)
            options |= AAC | {"b:a": r.audio_bitrate}
        outputs.append(ffmpeg.output(*streams, str(folder / "index.m3u8"), **options))
    top = videos[-1]
    still = {"f": "image2", "update": 1, "q:v": 4}
    poster_at = round(min(info.duration * 0.25, 5.0), 3)
    poster = split[len(videos)].filter("trim", start=poster_at).filter("trim", end_frame=1)
    poster = poster.filter("scale", top.width, top.height).filter("setsar", 1)
    outputs.append(poster.output(str(workdir / "poster.jpg"), **still))
    interval, count, columns, rows, thumb_w, thumb_h = _sprite_grid(info)
    sprite = split[len(videos) + 1].filter("fps", fps=f"1/{interval}")
    sprite = sprite.filter("trim", end_frame=count)
    sprite = sprite.filter("scale", thumb_w, thumb_h).filter("setsar", 1)
    sprite = sprite.filter("tile", layout=f"{columns}x{rows}")
    outputs.append(sprite.output(str(workdir / "sprite.jpg"), **still | {"q:v": 5}))
    job = ffmpeg.merge_outputs(*outputs).overwrite_output()
    return job.global_args(
        "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1"
    )


def _drain(pipe: IO[bytes], keep: deque[str]) -> None:
    for raw in pipe:
        keep.append(raw.decode("utf-8", "replace").rstrip())


def _run(
    job: ffmpeg.nodes.OutputStream, duration: float, on_progress: ProgressCallback | None
) -> None:
    try:
        process = job.run_async(pipe_stdout=True, pipe_stderr=True)
    except OSError as exc:
        raise TranscodeError("ffmpeg_failed", developer=f"cannot start ffmpeg: {exc}") from exc
    stderr: deque[str] = deque(maxlen=40)
    reader = threading.Thread(target=_drain, args=(process.stderr, stderr), daemon=True)
    reader.start()
    started = last = time.monotonic()
    try:
        for raw in process.stdout:
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            now = time.monotonic()
            wanted = on_progress and key in ("out_time_us", "out_time_ms") and value.isdigit()
            if wanted and now - last >= 1.0:
                percent = min(99.9, int(value) / 1e6 / duration * 100)
                eta = (now - started) * (100 - percent) / percent if percent > 0 else None
                last = now
                on_progress(percent, eta)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join()
        process.stdout.close()
        process.stderr.close()
    if process.returncode != 0:
        raise _classify("\n".join(stderr) or f"ffmpeg exit code {process.returncode}")


def _segments(playlist: Path) -> Iterable[tuple[float, Path]]:
    seconds = 0.0
    for line in playlist.read_text().splitlines():
        if line.startswith("#EXTINF:"):
            seconds = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            yield seconds, playlist.parent / line


def _avc_codec(segment: Path) -> str | None:
    """``avc1.PPCCLL`` from the first H.264 SPS in a segment (x264 may lower the profile)."""
    with segment.open("rb") as fh:
        head = fh.read(1 << 16)
    match = re.search(rb"\x00\x00\x01[\x27\x47\x67](...)", head, re.S)
    return f"avc1.{match.group(1).hex()}" if match else None


def _measure(rendition: Rendition, playlist: Path) -> RenditionResult:
    segments = list(_segments(playlist))
    codecs = rendition.codecs
    if rendition.height and segments and (avc := _avc_codec(segments[0][1])):
        codecs = ",".join([avc, *codecs.split(",")[1:]])
    sizes = [(seconds, path.stat().st_size) for seconds, path in segments]
    total = sum(seconds for seconds, _ in sizes)
    size = sum(nbytes for _, nbytes in sizes)
    full = [s for s in sizes if s[0] >= 1.0] or sizes
    average = round(size * 8 / total) if total else 0
    peak = max((round(n * 8 / s) for s, n in full if s), default=0)
    return RenditionResult(rendition, playlist, len(segments), size, average, peak, total, codecs)


def _write_master(path: Path, results: list[RenditionResult], fps: Fraction) -> None:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for result in results:
        r = result.rendition
        peak, average = max(result.peak_bitrate, result.average_bitrate), result.average_bitrate
        attrs = [f"BANDWIDTH={peak}", f"AVERAGE-BANDWIDTH={average}"]
        if r.height:
            attrs += [f"RESOLUTION={r.width}x{r.height}", f"FRAME-RATE={float(fps):.3f}"]
        attrs.append(f'CODECS="{result.codecs}"')
        lines += [f"#EXT-X-STREAM-INF:{','.join(attrs)}", f"{r.name}/index.m3u8"]
    path.write_text("\n".join(lines) + "\n")


def _write_vtt(path: Path, info: VideoInfo) -> None:
    interval, count, columns, _, thumb_w, thumb_h = _sprite_grid(info)

    def stamp(seconds: float) -> str:
        return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}"

    cues = ["WEBVTT", ""]
    for i in range(count):
        x, y = i % columns * thumb_w, i // columns * thumb_h
        span = f"{stamp(i * interval)} --> {stamp(min((i + 1) * interval, info.duration))}"
        cues += [span, f"sprite.jpg#xywh={x},{y},{thumb_w},{thumb_h}", ""]
    path.write_text("\n".join(cues))


def _publish(work: Path, destination: Path) -> None:
    old = None
    if destination.exists():
        old = destination.with_name(f".{destination.name}.old-{uuid.uuid4().hex[:8]}")
        destination.rename(old)
    work.rename(destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def transcode(
    source: Path,
    destination: Path,
    *,
    on_progress: ProgressCallback | None = None,
    segment_seconds: int = 4,
    preset: str = "veryfast",
) -> TranscodeResult:
    """Transcode ``source`` into the HLS folder ``destination`` (replaced only on success).

    Work happens in a hidden temp folder beside ``destination``; the source is only read.
    ``on_progress(percent, eta_seconds)`` is called at most about once a second and with
    100 at the end. Raises ``TranscodeError`` on failure.
    """
    source, destination = Path(source).resolve(), Path(destination).resolve()
    if destination == source or destination in source.parents:
        raise ValueError("destination must not contain the source file")
    info = probe(source)
    renditions = plan_ladder(info)
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.tmp-", dir=destination.parent))
    try:
        options = {"segment_seconds": segment_seconds, "preset": preset}
        _run(build_command(source, work, info, renditions, **options), info.duration, on_progress)
        results = [_measure(r, work / r.name / "index.m3u8") for r in renditions]
        encoded = max(result.duration for result in results)
        if encoded < info.duration * 0.9 - 1:
            detail = f"encoded {encoded:.2f} s of {info.duration:.2f} s: truncated?"
            raise TranscodeError("corrupt", developer=detail)
        for still in ("poster.jpg", "sprite.jpg"):
            if not (work / still).is_file():
                raise TranscodeError("ffmpeg_failed", developer=f"{still} was not written")
        _write_master(work / "master.m3u8", results, output_fps(info.frame_rate))
        _write_vtt(work / "sprite.vtt", info)
        _publish(work, destination)
    except OSError as exc:
        code = "disk_full" if exc.errno == errno.ENOSPC else "ffmpeg_failed"
        raise TranscodeError(code, developer=repr(exc)) from exc
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    if on_progress:
        on_progress(100.0, 0.0)
    final = [
        dataclasses.replace(r, playlist=destination / r.playlist.relative_to(work)) for r in results
    ]
    files = [
        destination / name for name in ("master.m3u8", "poster.jpg", "sprite.jpg", "sprite.vtt")
    ]
    return TranscodeResult(final, info.duration, info.width, info.height, info.has_audio, *files)
