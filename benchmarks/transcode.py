"""Video transcoding: real-time factor, pipeline overhead and the measured ladder bitrates.

Makes a 1080p30 clip (testsrc2 + sine), then, ``--repeat`` times each and alternating, runs
``lms.media.transcode.transcode()`` on it and the SAME ffmpeg command by hand: the argument list
that ``build_command(...).compile()`` gives, started directly with subprocess. Reports the
real-time factor (media seconds / wall seconds), the pipeline's wall time against the hand-run
command (target ≤ 1.05×) and each rendition's bitrate as ffprobe measures it. Wall time is
noisy on a shared machine, so the CPU seconds of the child processes are reported as well
(ffmpeg, plus ffprobe for the pipeline).

    .venv/bin/python benchmarks/transcode.py                  # 60 s clip, 3 rounds
    .venv/bin/python benchmarks/transcode.py --write-docs     # and append to docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import tempfile
import time
from importlib import metadata
from pathlib import Path

import ffmpeg

from lms.media import transcode as tc

DOCS = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"


def make_clip(path: Path, seconds: int) -> None:
    """A 1080p30 H.264 High/AAC clip, like a phone recording (only generated, not timed)."""
    video = ffmpeg.input(f"testsrc2=s=1920x1080:r=30:d={seconds}", f="lavfi")
    audio = ffmpeg.input(f"sine=frequency=440:duration={seconds}", f="lavfi")
    options = {
        "c:v": "libx264",
        "preset": "veryfast",
        "crf": 20,
        "pix_fmt": "yuv420p",
        "c:a": "aac",
        "b:a": "128k",
        "movflags": "+faststart",
    }
    ffmpeg.output(video, audio, str(path), **options).overwrite_output().run(quiet=True)


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_by_hand(argv: list[str]) -> None:
    """The compiled ffmpeg command, run directly."""
    # argv is the fixed list ffmpeg-python compiled from our own graph, never shell text
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)  # noqa: S603


def measured_bitrates(result: tc.TranscodeResult) -> list[dict]:
    """Per rendition: video/audio payload kbps from ffprobe packets, TS total and peak."""
    rows = []
    for r in result.renditions:
        data = ffmpeg.probe(str(r.playlist), show_entries="packet=size,stream_index")
        kinds = {s["index"]: s["codec_type"] for s in data["streams"]}
        totals = {"video": 0, "audio": 0}
        for packet in data["packets"]:
            totals[kinds[packet["stream_index"]]] += int(packet["size"])
        rows.append(
            {
                "name": r.rendition.name,
                "size": f"{r.rendition.width}×{r.rendition.height}" if r.rendition.height else "—",
                "target": (r.rendition.video_bitrate + r.rendition.audio_bitrate) / 1000,
                "video": totals["video"] * 8 / r.duration / 1000,
                "audio": totals["audio"] * 8 / r.duration / 1000,
                "total": r.average_bitrate / 1000,
                "peak": r.peak_bitrate / 1000,
                "segments": r.segments,
                "mb": r.size_bytes / 1e6,
            }
        )
    return rows


def time_ffmpeg_inside_pipeline(walls: list[float]) -> None:
    """Record how long the ffmpeg process runs inside ``transcode()``; the rest of the
    pipeline's wall time (probe, measuring, playlists, the move) is its own overhead."""
    real_run = tc._run

    def timed(*args: object, **kwargs: object) -> None:
        started = time.perf_counter()
        try:
            real_run(*args, **kwargs)
        finally:
            walls.append(time.perf_counter() - started)

    tc._run = timed


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    # fixed argument list; ffmpeg from PATH as the pipeline itself runs it
    argv = ["ffmpeg", "-version"]
    version = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603
    version = version.stdout.splitlines()[0]
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"{version.split(' Copyright')[0]}; Python {platform.python_version()}, "
        f"ffmpeg-python {metadata.version('ffmpeg-python')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--write-docs", action="store_true", help="append to docs/BENCHMARKS.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lentera-transcode-bench-"))
    try:
        source = work / "source-1080p.mp4"
        print(f"making a {args.seconds} s 1080p30 clip …", flush=True)
        make_clip(source, args.seconds)
        info = tc.probe(source)
        plan = tc.plan_ladder(info)
        hand_dir = work / "by-hand"
        argv = tc.build_command(source, hand_dir, info, plan, preset=args.preset).compile()
        print("ffmpeg command built by the pipeline:\n" + shlex.join(argv) + "\n", flush=True)

        times: dict[str, list[tuple[float, float]]] = {"hand": [], "pipeline": []}
        load_before, result, inside = os.getloadavg()[0], None, []
        time_ffmpeg_inside_pipeline(inside)
        for round_ in range(args.repeat):
            for kind in ("hand", "pipeline"):
                shutil.rmtree(hand_dir, ignore_errors=True)
                tc.build_command(source, hand_dir, info, plan, preset=args.preset)  # the folders
                wall, cpu = time.perf_counter(), child_cpu()
                if kind == "hand":
                    run_by_hand(argv)
                else:
                    result = tc.transcode(source, work / "hls", preset=args.preset)
                times[kind].append((time.perf_counter() - wall, child_cpu() - cpu))
            print(
                f"round {round_ + 1}: "
                + ", ".join(
                    f"{kind} {t[-1][0]:.2f} s wall / {t[-1][1]:.2f} s CPU"
                    for kind, t in times.items()
                ),
                flush=True,
            )
        load_after = os.getloadavg()[0]
        assert result is not None
        best = {kind: min(wall for wall, _ in t) for kind, t in times.items()}
        median = {kind: statistics.median(wall for wall, _ in t) for kind, t in times.items()}
        cpu = {kind: statistics.median(c for _, c in t) for kind, t in times.items()}
        overhead = [wall - ff for (wall, _), ff in zip(times["pipeline"], inside, strict=True)]
        share = max(o / ff for o, ff in zip(overhead, inside, strict=True))
        rows = measured_bitrates(result)
        extras = {
            name: (work / "hls" / name).stat().st_size / 1000
            for name in ("poster.jpg", "sprite.jpg")
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "## Video transcoding",
        "",
        f"`benchmarks/transcode.py` on {dt.date.today().isoformat()}: a {args.seconds} s "
        f"1920×1080 30 fps clip (testsrc2 + 440 Hz sine, H.264 High + AAC), x264 preset "
        f"`{args.preset}`, {args.repeat} alternating rounds.",
        "",
        f"Machine: {machine()}; 1-minute load average {load_before:.1f} before and "
        f"{load_after:.1f} after (other jobs shared the machine, so wall times are noisy: "
        "the best round and child CPU seconds are the steadier comparison).",
        "",
        "| measure | pipeline `transcode()` | same command by hand | pipeline / by hand |",
        "| --- | --- | --- | --- |",
        f"| wall, best round | {best['pipeline']:.2f} s | {best['hand']:.2f} s "
        f"| {best['pipeline'] / best['hand']:.3f}× (target ≤ 1.05×) |",
        f"| wall, median | {median['pipeline']:.2f} s | {median['hand']:.2f} s "
        f"| {median['pipeline'] / median['hand']:.3f}× |",
        f"| child CPU, median | {cpu['pipeline']:.1f} s | {cpu['hand']:.1f} s "
        f"| {cpu['pipeline'] / cpu['hand']:.3f}× |",
        f"| pipeline overhead outside ffmpeg (probe, measuring, playlists, move), worst "
        f"| {max(overhead):.2f} s | — | {1 + share:.3f}× |",
        f"| real-time factor (media s / wall s), best | {info.duration / best['pipeline']:.2f}× "
        f"| {info.duration / best['hand']:.2f}× | |",
        "",
        f"Poster {extras['poster.jpg']:.0f} kB, sprite {extras['sprite.jpg']:.0f} kB.",
        "",
        "Bitrates measured with ffprobe (packet payloads over the playlist's duration); "
        "total and peak include MPEG-TS overhead, peak is the largest full segment (= BANDWIDTH).",
        "",
        "| rendition | size | ladder cap kbps | video kbps | audio kbps | total kbps | "
        "peak kbps | segments | MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['name']} | {r['size']} | {r['target']:.0f} | {r['video']:.0f} | {r['audio']:.0f} "
        f"| {r['total']:.0f} | {r['peak']:.0f} | {r['segments']} | {r['mb']:.2f} |"
        for r in rows
    ]
    section = "\n".join(lines) + "\n"
    print("\n" + section)
    if args.write_docs:
        DOCS.parent.mkdir(parents=True, exist_ok=True)
        existing = DOCS.read_text() if DOCS.exists() else ""
        with DOCS.open("a") as fh:  # append only: other sections are written by others
            fh.write(("\n" if existing and not existing.endswith("\n\n") else "") + section)
        print(f"appended to {DOCS}")


if __name__ == "__main__":
    main()
