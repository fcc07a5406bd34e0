#!/usr/bin/env python3
"""Turn a slide script (TOML) into a narrated MP4 video lesson.

    python courses/tools/make_video.py courses/<slug>/video/<name>.toml -o OUT.mp4
    python courses/tools/make_video.py --all [--force]

A slide script looks like this::

    title = "Judul video"

    [[slides]]
    heading = "Judul slide"
    text = \"\"\"
    • poin pertama
    • poin kedua
    \"\"\"
    narration = "Satu sampai tiga kalimat yang dibacakan."

Each slide's narration is spoken by espeak-ng's Indonesian voice; the slide stays on screen for
the narration plus a short pause. Slides are drawn by ffmpeg (drawtext, DejaVu fonts) as
1280×720 images and joined into one small MP4 (H.264 + AAC mono, faststart). The same script
and the same ffmpeg/espeak-ng versions give the same file, so videos are rebuilt from text.

`--all` renders every ``courses/*/video/*.toml`` into ``courses/<slug>/media/<name>.mp4``,
skipping videos newer than their script unless ``--force`` is given.

Needs the Debian packages ffmpeg, espeak-ng and fonts-dejavu-core (``make system-deps``) and
the Python package ffmpeg-python.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
import wave
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

try:
    import ffmpeg
except ImportError:  # pragma: no cover - depends on the environment
    ffmpeg = None

COURSES_DIR = Path(__file__).resolve().parent.parent

# Speech.
VOICE = "id"
SPEED = 150  # words per minute; espeak-ng's default is 175
LEAD_IN = 0.3  # seconds of silence before the narration
TAIL = 0.5  # seconds of silence after it

# Picture.
WIDTH, HEIGHT = 1280, 720
FPS = 10
BACKGROUND = "0x0b5d4b"
FOOTER_BACKGROUND = "0x084638"
ACCENT = "0xf2c14e"
TEXT_COLOUR = "white"
FOOTER_COLOUR = "0xd6ebe4"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
MARGIN_X = 80
TEXT_WIDTH = WIDTH - 2 * MARGIN_X
HEADING_TOP = 70  # top of the first heading line
HEADING_SIZES = (52, 46, 40)
BODY_SIZES = (34, 31, 28, 25, 22)
FOOTER_TOP = 656
FOOTER_SIZE = 22
BULLET_MARKERS = ("•", "-", "*", "–", "·")

# Encoding.
X264_THREADS = 2  # fixed, so the output does not depend on the machine's core count
AUDIO_RATE = 22050

SLIDE_KEYS = {"heading", "text", "narration"}
SCRIPT_KEYS = {"title", "slides"}


class MakeVideoError(Exception):
    """A problem the user can fix: a missing tool, a bad script, a failed ffmpeg run."""


@dataclass(frozen=True)
class Slide:
    heading: str
    text: str
    narration: str


@dataclass(frozen=True)
class Script:
    title: str
    slides: tuple[Slide, ...]


# --------------------------------------------------------------------------- slide scripts


def load_script(path: Path) -> Script:
    """Read and check a slide script; errors name the file, the slide and the key."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise MakeVideoError(f"{path}: cannot read the script: {error.strerror}") from error
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise MakeVideoError(f"{path}: not UTF-8 text ({error.reason})") from error
    except tomllib.TOMLDecodeError as error:
        raise MakeVideoError(f"{path}: malformed TOML: {error}") from error
    return parse_script(data, str(path))


def parse_script(data: dict, source: str = "script") -> Script:
    """Check the parsed TOML of a slide script and return it as a `Script`."""
    unknown = sorted(set(data) - SCRIPT_KEYS)
    if unknown:
        raise MakeVideoError(
            f"{source}: unknown key(s) {', '.join(unknown)} (expected: title, [[slides]])"
        )
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise MakeVideoError(f'{source}: missing `title = "…"` at the top of the script')
    raw_slides = data.get("slides")
    if not isinstance(raw_slides, list) or not raw_slides:
        raise MakeVideoError(f"{source}: no slides: add at least one [[slides]] table")
    slides = []
    for number, raw in enumerate(raw_slides, start=1):
        where = f"{source}: slide {number}"
        if not isinstance(raw, dict):
            raise MakeVideoError(f"{where}: each slide must be a [[slides]] table")
        unknown = sorted(set(raw) - SLIDE_KEYS)
        if unknown:
            raise MakeVideoError(
                f"{where}: unknown key(s) {', '.join(unknown)} (expected: heading, text, narration)"
            )
        for key in SLIDE_KEYS:
            if key in raw and not isinstance(raw[key], str):
                raise MakeVideoError(f"{where}: `{key}` must be a string")
        heading = " ".join(raw.get("heading", "").split())
        if not heading:
            raise MakeVideoError(f"{where}: missing `heading`")
        narration = " ".join(raw.get("narration", "").split())
        if not narration:
            raise MakeVideoError(f"{where} ({heading!r}): missing or empty `narration`")
        text = raw.get("text", "").replace("\t", "    ").strip("\n")
        slides.append(Slide(heading=heading, text=text, narration=narration))
    return Script(title=" ".join(title.split()), slides=tuple(slides))


# --------------------------------------------------------------------------- tools


@dataclass(frozen=True)
class Tools:
    ffmpeg: str
    espeak: str


def find_tools() -> Tools:
    """Locate ffmpeg, espeak-ng, the fonts and ffmpeg-python, or say how to install them."""
    if ffmpeg is None:
        raise MakeVideoError(
            "the Python package ffmpeg-python is missing: .venv/bin/pip install ffmpeg-python "
            "(or `make setup`)"
        )
    missing = []
    ffmpeg_path = shutil.which("ffmpeg")
    if not ffmpeg_path:
        missing.append("ffmpeg")
    espeak_path = shutil.which("espeak-ng")
    if not espeak_path:
        missing.append("espeak-ng")
    if not (FONT_REGULAR.is_file() and FONT_BOLD.is_file()):
        missing.append("fonts-dejavu-core")
    if missing or not ffmpeg_path or not espeak_path:
        packages = " ".join(missing)
        raise MakeVideoError(
            f"missing system package(s): {packages}; install with `sudo apt-get install "
            f"{packages}` or `make system-deps`"
        )
    return Tools(ffmpeg=ffmpeg_path, espeak=espeak_path)


def _run_ffmpeg(stream: object, tools: Tools, what: str) -> None:
    try:
        ffmpeg.run(stream, cmd=tools.ffmpeg, capture_stdout=True, capture_stderr=True, quiet=True)
    except ffmpeg.Error as error:
        tail = "\n".join(error.stderr.decode("utf-8", "replace").strip().splitlines()[-8:])
        raise MakeVideoError(f"ffmpeg failed while {what}:\n{tail}") from error


# --------------------------------------------------------------------------- speech


def speak(text: str, wav: Path, tools: Tools) -> float:
    """Write the narration as a WAV file with espeak-ng; return its length in seconds."""
    text_file = wav.with_suffix(".txt")
    text_file.write_text(text, encoding="utf-8")
    command = [tools.espeak, "-v", VOICE, "-s", str(SPEED), "-b", "1"]
    command += ["-w", str(wav), "-f", str(text_file)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0 or not wav.is_file():
        detail = (result.stderr or result.stdout).strip()
        raise MakeVideoError(f"espeak-ng failed (voice {VOICE!r}): {detail}")
    with wave.open(str(wav), "rb") as audio:
        frames, rate = audio.getnframes(), audio.getframerate()
    if frames == 0:
        raise MakeVideoError(f"espeak-ng produced no sound for: {text[:60]!r}")
    return frames / rate


def slide_duration(narration_seconds: float) -> float:
    """The narration plus the pauses, rounded up to whole frames."""
    return math.ceil((narration_seconds + LEAD_IN + TAIL) * FPS) / FPS


# --------------------------------------------------------------------------- text layout


class FontMetrics:
    """Advance widths from a TrueType font's cmap and hmtx tables, to wrap text before drawing.

    drawtext does not wrap lines itself, so the text is measured here (without kerning, which
    only makes the drawn text a little narrower).
    """

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        (num_tables,) = struct.unpack_from(">H", data, 4)
        tables = {}
        for index in range(num_tables):
            tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
            tables[tag.decode("latin-1")] = offset
        (self.units_per_em,) = struct.unpack_from(">H", data, tables["head"] + 18)
        (metric_count,) = struct.unpack_from(">H", data, tables["hhea"] + 34)
        self.advances = [
            struct.unpack_from(">H", data, tables["hmtx"] + 4 * index)[0]
            for index in range(metric_count)
        ]
        self.glyphs = self._read_cmap(data, tables["cmap"])

    @staticmethod
    def _read_cmap(data: bytes, cmap: int) -> dict[int, int]:
        (_version, count) = struct.unpack_from(">HH", data, cmap)
        for index in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * index)
            table = cmap + offset
            if (platform, encoding) in ((3, 1), (0, 3)) and struct.unpack_from(">H", data, table)[
                0
            ] == 4:
                break
        else:  # pragma: no cover - DejaVu fonts always have a format 4 Unicode cmap
            raise MakeVideoError("font has no Unicode (format 4) character map")
        segments = struct.unpack_from(">H", data, table + 6)[0] // 2
        ends = table + 14
        starts = ends + 2 * segments + 2
        deltas = starts + 2 * segments
        range_offsets = deltas + 2 * segments
        glyphs = {}
        for seg in range(segments):
            (end,) = struct.unpack_from(">H", data, ends + 2 * seg)
            (start,) = struct.unpack_from(">H", data, starts + 2 * seg)
            (delta,) = struct.unpack_from(">H", data, deltas + 2 * seg)
            range_offset_at = range_offsets + 2 * seg
            (range_offset,) = struct.unpack_from(">H", data, range_offset_at)
            for code in range(start, min(end, 0xFFFE) + 1):
                if range_offset == 0:
                    glyph = (code + delta) & 0xFFFF
                else:
                    address = range_offset_at + range_offset + 2 * (code - start)
                    (glyph,) = struct.unpack_from(">H", data, address)
                    glyph = (glyph + delta) & 0xFFFF if glyph else 0
                if glyph:
                    glyphs[code] = glyph
        return glyphs

    def has(self, char: str) -> bool:
        return ord(char) in self.glyphs

    def width(self, text: str, size: float) -> float:
        """The width of `text` in pixels at `size` pixels per em (unknown characters: 0.6 em)."""
        last = len(self.advances) - 1
        unknown = 0.6 * self.units_per_em
        units = 0.0
        for char in text:
            glyph = self.glyphs.get(ord(char))
            units += self.advances[min(glyph, last)] if glyph else unknown
        # FreeType rounds each advance to whole pixels: allow half a pixel per character.
        return units * size / self.units_per_em + 0.5 * len(text)


@cache
def font(path: Path) -> FontMetrics:
    return FontMetrics(path)


def wrap(text: str, metrics: FontMetrics, size: float, width: float) -> list[str]:
    """Greedy word wrap to `width` pixels; words longer than a line are split."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if metrics.width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while metrics.width(line, size) > width:
            cut = len(line) - 1
            while cut > 1 and metrics.width(line[:cut], size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class TextItem:
    """One line of text to draw: its baseline `y`, or an ffmpeg expression for `x`."""

    text: str
    font: Path
    size: int
    x: str
    y: int
    colour: str = TEXT_COLOUR


def _body_blocks(text: str) -> list[tuple[str, str]]:
    """The slide text as (kind, text) blocks: 'bullet', 'para' or 'gap' (a blank line)."""
    blocks: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if blocks and blocks[-1][0] != "gap":
                blocks.append(("gap", ""))
            continue
        marker = next((m for m in BULLET_MARKERS if line.startswith(m + " ")), None)
        if marker is None and line[0] == "•":
            marker = "•"
        if marker:
            blocks.append(("bullet", line[len(marker) :].strip()))
        else:
            blocks.append(("para", " ".join(line.split())))
    while blocks and blocks[-1][0] == "gap":
        blocks.pop()
    return blocks


def _layout_heading(heading: str) -> tuple[list[TextItem], int]:
    """Heading lines and the y just below them; shrinks long headings."""
    bold = font(FONT_BOLD)
    for size in HEADING_SIZES:
        lines = wrap(heading, bold, size, TEXT_WIDTH)
        if len(lines) <= 2:
            break
    line_height = round(size * 1.25)
    items = []
    baseline = HEADING_TOP + round(size * 0.93)
    for line in lines:
        items.append(TextItem(line, FONT_BOLD, size, str(MARGIN_X), baseline))
        baseline += line_height
    return items, baseline - line_height + round(size * 0.24)


def _layout_body(blocks: list[tuple[str, str]], top: int, size: int) -> list[TextItem] | None:
    """Body lines from `top` at font `size`, or None if they do not fit above the footer."""
    regular = font(FONT_REGULAR)
    line_height = round(size * 1.38)
    indent = round(size * 1.15)
    items: list[TextItem] = []
    baseline = top + round(size * 0.93)
    for index, (kind, text) in enumerate(blocks):
        if kind == "gap":
            baseline += round(size * 0.5)
            continue
        if index and blocks[index - 1][0] != "gap":
            baseline += round(size * 0.3)  # a little air between bullets
        x = MARGIN_X + (indent if kind == "bullet" else 0)
        if kind == "bullet":
            items.append(TextItem("•", FONT_REGULAR, size, str(MARGIN_X + 4), baseline, ACCENT))
        for line in wrap(text, regular, size, WIDTH - MARGIN_X - x):
            items.append(TextItem(line, FONT_REGULAR, size, str(x), baseline))
            baseline += line_height
    last_baseline = baseline - line_height
    if items and last_baseline + round(size * 0.3) > FOOTER_TOP - 20:
        return None
    return items


def layout_slide(script: Script, number: int) -> tuple[list[TextItem], int]:
    """Everything drawn on slide `number` (1-based) and the y of the accent bar."""
    slide = script.slides[number - 1]
    heading_items, heading_bottom = _layout_heading(slide.heading)
    accent_y = heading_bottom + 14
    body_top = accent_y + 6 + 30
    blocks = _body_blocks(slide.text)
    body: list[TextItem] | None = []
    if blocks:
        for size in BODY_SIZES:
            body = _layout_body(blocks, body_top, size)
            if body is not None:
                break
        if body is None:
            raise MakeVideoError(
                f"slide {number} ({slide.heading!r}): the text does not fit on the slide even "
                f"at {BODY_SIZES[-1]} px; shorten it or split the slide"
            )
    footer_baseline = FOOTER_TOP + (HEIGHT - FOOTER_TOP) // 2 + round(FOOTER_SIZE * 0.36)
    counter = f"{number}/{len(script.slides)}"
    regular = font(FONT_REGULAR)
    room = TEXT_WIDTH - regular.width(counter, FOOTER_SIZE) - 40
    title = script.title
    if regular.width(title, FOOTER_SIZE) > room:
        while title and regular.width(title + "…", FOOTER_SIZE) > room:
            title = title[:-1]
        title = title.rstrip() + "…"
    footer = [
        TextItem(title, FONT_REGULAR, FOOTER_SIZE, str(MARGIN_X), footer_baseline, FOOTER_COLOUR),
        TextItem(
            counter,
            FONT_REGULAR,
            FOOTER_SIZE,
            f"{WIDTH - MARGIN_X}-tw",
            footer_baseline,
            FOOTER_COLOUR,
        ),
    ]
    return [*heading_items, *(body or []), *footer], accent_y


def missing_glyphs(script: Script) -> list[str]:
    """Warnings for characters the fonts cannot draw (they would show as boxes)."""
    warnings = []
    for number, slide in enumerate(script.slides, start=1):
        for name, text, path in (
            ("heading", slide.heading, FONT_BOLD),
            ("text", slide.text, FONT_REGULAR),
        ):
            missing = sorted({c for c in text if not c.isspace() and not font(path).has(c)})
            if missing:
                warnings.append(f"slide {number} {name}: no glyph for {' '.join(missing)}")
    return warnings


# --------------------------------------------------------------------------- rendering


def render_slide_image(script: Script, number: int, png: Path, tools: Tools) -> None:
    """Draw slide `number` as a 1280×720 PNG. Text goes through files, so nothing is escaped."""
    items, accent_y = layout_slide(script, number)
    stream = (
        ffmpeg.input(f"color=c={BACKGROUND}:s={WIDTH}x{HEIGHT}:r=1", f="lavfi", t=1)
        .filter("format", pix_fmts="rgb24")
        .filter("drawbox", x=MARGIN_X, y=accent_y, w=96, h=6, color=ACCENT, t="fill")
        .filter(
            "drawbox",
            x=0,
            y=FOOTER_TOP,
            w=WIDTH,
            h=HEIGHT - FOOTER_TOP,
            color=FOOTER_BACKGROUND,
            t="fill",
        )
    )
    for index, item in enumerate(items):
        text_file = png.with_name(f"{png.stem}-{index:02d}.txt")
        text_file.write_text(item.text, encoding="utf-8")
        stream = stream.filter(
            "drawtext",
            fontfile=str(item.font),
            textfile=str(text_file),
            expansion="none",
            fontsize=item.size,
            fontcolor=item.colour,
            x=item.x,
            y=f"{item.y}-max_glyph_a",
        )
    output = stream.output(str(png), vframes=1, update=1, f="image2").overwrite_output()
    _run_ffmpeg(output, tools, f"drawing slide {number}")


def render(
    script: Script,
    output: Path,
    *,
    slides_dir: Path | None = None,
    log: bool = True,
) -> float:
    """Render `script` to the MP4 file `output`; return the video's length in seconds."""
    tools = find_tools()
    for warning in missing_glyphs(script):
        print(f"warning: {warning}", file=sys.stderr)
    output.parent.mkdir(parents=True, exist_ok=True)
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="make_video-") as work_dir:
        work = Path(work_dir)
        parts = []
        count = len(script.slides)
        for number, slide in enumerate(script.slides, start=1):
            wav = work / f"slide{number:02d}.wav"
            png = work / f"slide{number:02d}.png"
            duration = slide_duration(speak(slide.narration, wav, tools))
            render_slide_image(script, number, png, tools)
            if slides_dir is not None:
                slides_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(png, slides_dir / png.name)
            if log:
                print(
                    f"  slide {number}/{count}: {duration:.1f} s  {slide.heading}", file=sys.stderr
                )
            total += duration
            picture = ffmpeg.input(str(png), loop=1, framerate=FPS, t=f"{duration:.1f}")
            sound = (
                ffmpeg.input(str(wav))
                .filter("adelay", delays=round(LEAD_IN * 1000), all=1)
                .filter("apad", whole_dur=f"{duration:.1f}")
            )
            parts += [picture, sound]
        joined = ffmpeg.concat(*parts, v=1, a=1).node
        video = (
            joined[0]
            .filter("scale", out_color_matrix="bt709", out_range="tv", flags="bicubic")
            .filter("format", pix_fmts="yuv420p")
        )
        partial = output.with_name(f".{output.stem}.partial.mp4")
        stream = ffmpeg.output(
            video,
            joined[1],
            str(partial),
            f="mp4",
            r=FPS,
            vcodec="libx264",
            preset="veryfast",
            tune="stillimage",
            crf=28,
            g=FPS * 10,
            threads=X264_THREADS,
            pix_fmt="yuv420p",
            colorspace="bt709",
            color_primaries="bt709",
            color_trc="bt709",
            color_range="tv",
            acodec="aac",
            audio_bitrate="64k",
            ac=1,
            ar=AUDIO_RATE,
            movflags="+faststart",
            map_metadata=-1,
            fflags="+bitexact",
            **{"flags:v": "+bitexact", "flags:a": "+bitexact"},
        ).overwrite_output()
        try:
            _run_ffmpeg(stream, tools, f"encoding {output.name}")
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return total


# --------------------------------------------------------------------------- command line


def default_output(script_path: Path) -> Path:
    """courses/<slug>/video/<name>.toml → courses/<slug>/media/<name>.mp4; else next to it."""
    if script_path.parent.name == "video":
        return script_path.parent.parent / "media" / f"{script_path.stem}.mp4"
    return script_path.with_suffix(".mp4")


def all_scripts(courses_dir: Path | None = None) -> list[Path]:
    return sorted((courses_dir or COURSES_DIR).glob("*/video/*.toml"))


def is_up_to_date(script_path: Path, output: Path) -> bool:
    return output.is_file() and output.stat().st_mtime > script_path.stat().st_mtime


def _describe(output: Path, seconds: float) -> str:
    return f"{output} ({output.stat().st_size / 1_000_000:.2f} MB, {seconds:.1f} s)"


def build(script_path: Path, output: Path, slides_dir: Path | None = None) -> None:
    script = load_script(script_path)
    print(f"{script_path} → {output}", file=sys.stderr)
    seconds = render(script, output, slides_dir=slides_dir)
    print(f"wrote {_describe(output, seconds)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render a slide script (TOML) into a narrated MP4 video lesson.",
        epilog="Without -o, courses/<slug>/video/<name>.toml goes to courses/<slug>/media/"
        "<name>.mp4. Needs ffmpeg, espeak-ng and fonts-dejavu-core (make system-deps).",
    )
    parser.add_argument("script", nargs="?", type=Path, help="slide script (.toml)")
    parser.add_argument("-o", "--output", type=Path, help="MP4 file to write")
    parser.add_argument(
        "--all", action="store_true", help="render every courses/*/video/*.toml into media/"
    )
    parser.add_argument(
        "--force", action="store_true", help="with --all: also re-render up-to-date videos"
    )
    parser.add_argument(
        "--slides-dir", type=Path, help="also save each slide as a PNG here (for checking)"
    )
    args = parser.parse_args(argv)
    if args.all == (args.script is not None):
        parser.error("give either a SCRIPT or --all")
    if args.all and args.output:
        parser.error("-o cannot be used with --all")
    try:
        if args.script is not None:
            build(args.script, args.output or default_output(args.script), args.slides_dir)
            return 0
        return _build_all(all_scripts(), args.force, args.slides_dir)
    except MakeVideoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _build_all(scripts: Iterable[Path], force: bool, slides_dir: Path | None) -> int:
    failures = 0
    found = False
    for script_path in scripts:
        found = True
        output = default_output(script_path)
        if not force and is_up_to_date(script_path, output):
            print(f"{output} is up to date", file=sys.stderr)
            continue
        try:
            per_script = slides_dir / script_path.stem if slides_dir else None
            build(script_path, output, per_script)
        except MakeVideoError as error:
            print(f"error: {error}", file=sys.stderr)
            failures += 1
    if not found:
        print(f"no slide scripts under {COURSES_DIR}/*/video/", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
