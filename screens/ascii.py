"""ASCII mode's guarantee: nothing but ASCII reaches a terminal that is not UTF-8.

hvo's own text picks readable ASCII spellings itself (``screens.widgets.glyphs``); everything
else -- Textual's borders, tab underlines, scrollbars, arrows in a Select, a name with an accent in
the data -- passes through ``to_ascii`` on its way to the terminal (the app wraps its driver's
``write``, and its screenshots, with it).

``to_ascii`` keeps every character's width in cells (as Rich and so Textual measure it), because
Textual positions text by cells: box drawing becomes ``+ - |``, blocks a space or ``#``, bullets,
checks and arrows their ASCII look-alikes, an accented letter its base letter (NFKD), a wide
character two cells, anything else ``?``. ASCII -- escape sequences included -- passes untouched.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment

ZWJ, VS16 = "\u200d", "\ufe0f"

# Characters whose ASCII look-alike no rule below finds (or finds worse).
SPECIAL: dict[str, str] = {
    # punctuation
    "\u2026": "~",
    "\u00b7": ".",
    "\u2219": ".",
    "\u2022": "*",
    "\u2023": ">",
    "\u2043": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": "<",
    "\u00bb": ">",
    "\u2039": "<",
    "\u203a": ">",
    "\u00a6": "|",
    "\u00a7": "S",
    "\u00b0": "o",
    "\u00b1": "+",
    "\u00d7": "x",
    "\u00f7": "/",
    "\u00ac": "-",
    "\u00b6": "P",
    "\u00a9": "C",
    "\u00ae": "R",
    "\u00a2": "c",
    "\u00a3": "L",
    "\u00a5": "Y",
    "\u20ac": "E",
    "\u00a4": "?",
    "\u00bf": "?",
    "\u00a1": "!",
    # letters NFKD does not take apart
    "\u00df": "s",
    "\u00e6": "a",
    "\u00c6": "A",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0111": "d",
    "\u0110": "D",
    "\u0142": "l",
    "\u0141": "L",
    "\u0131": "i",
    "\u00f0": "d",
    "\u00d0": "D",
    "\u00fe": "p",
    "\u00de": "P",
    "\u0153": "o",
    "\u0152": "O",
    "\u0127": "h",
    "\u0126": "H",
    # checks, crosses, warnings, keys
    "\u2713": "+",
    "\u2714": "+",
    "\u2611": "+",
    "\u2705": "+",
    "\u2717": "x",
    "\u2718": "x",
    "\u2716": "X",
    "\u2715": "x",
    "\u2612": "x",
    "\u274c": "X",
    "\u26a0": "!",
    "\u2757": "!",
    "\u2139": "i",
    "\u23ce": "<",
    "\u232b": "<",
    "\u2318": "#",
    "\u2325": "~",
    "\u21e7": "^",
}


def _by_name(ch: str) -> str | None:
    """Box drawing, blocks, braille, arrows and geometric shapes, by their Unicode names."""
    code = ord(ch)
    name = unicodedata.name(ch, "")
    if 0x2500 <= code <= 0x257F:  # box drawing
        if "DIAGONAL" in name:
            return {"UPPER RIGHT TO LOWER LEFT": "/", "UPPER LEFT TO LOWER RIGHT": "\\"}.get(
                name.partition("DIAGONAL ")[2], "X"
            )
        across = any(word in name for word in ("LEFT", "RIGHT", "HORIZONTAL"))
        along = any(word in name for word in ("UP", "DOWN", "VERTICAL"))
        return "+" if across and along else "|" if along else "-"
    if 0x2580 <= code <= 0x259F:  # block elements: full ones and shades; partial ones (the ends
        # of a scrollbar's thumb, Textual's tall borders) leave the cell to its background colour
        return {
            0x2588: "#",
            0x2593: "#",
            0x2592: ":",
            0x2591: ".",
            0x2599: "#",
            0x259B: "#",
            0x259C: "#",
            0x259F: "#",
        }.get(code, " ")
    if 0x2800 <= code <= 0x28FF:  # braille (plotext's fine markers)
        return " " if code == 0x2800 else "."
    if "ARROW" in name or "TRIANGLE" in name or "POINTER" in name:
        for word, shown in (
            ("LEFT RIGHT", "-"),
            ("UP DOWN", "|"),
            ("LEFT", "<"),
            ("RIGHT", ">"),
            ("UP", "^"),
            ("DOWN", "v"),
        ):
            if word in name:
                return shown
        return ">"
    return None


def _shape(ch: str) -> str | None:
    """Bullets, circles, squares, diamonds, stars: filled ``*``, hollow ``o``."""
    name = unicodedata.name(ch, "")
    if 0x25A0 <= ord(ch) <= 0x25FF or any(
        word in name for word in ("BULLET", "CIRCLE", "SQUARE", "DIAMOND", "LOZENGE", "STAR")
    ):
        return "o" if "WHITE" in name or name.endswith("CIRCLE") and "BLACK" not in name else "*"
    return None


@cache
def ascii_for(ch: str) -> str:
    """The ASCII spelling of one character, exactly as many cells wide as the character."""
    if ch.isascii():
        return ch
    width = get_character_cell_size(ch)
    if width == 0:  # combining marks, zero-width spaces and joiners, C1 controls
        return ""
    shown = SPECIAL.get(ch) or _by_name(ch)
    if shown is None:
        if unicodedata.category(ch).startswith("Z"):
            shown = " "
        else:
            shown = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if c.isascii() and c.isprintable()
            ) or _shape(ch)
    if not shown or len(shown) > width or not shown.isprintable():
        shown = "?"
    if shown == "?":
        return "?" * width
    return shown.ljust(width)


class _Table(dict):
    """A str.translate table filled on first use of each character."""

    def __missing__(self, code: int) -> str:
        shown = self[code] = ascii_for(chr(code))
        return shown


_TABLE = _Table()


def _unjoin(text: str) -> str:
    """Emoji sequences measured as a whole, as Rich measures them: a joiner hides itself and the
    character after it, a VS16 makes the character before it two cells when it has a wide form."""
    out: list[str] = []
    last = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == ZWJ:
            i += 2
            continue
        if ch == VS16:
            if last and cell_len(last + VS16) > get_character_cell_size(last):
                out.append(" ")
            last = ""
        else:
            if get_character_cell_size(ch):
                last = ch
            out.append(ch)
        i += 1
    return "".join(out)


def to_ascii(text: str) -> str:
    """``text`` with only ASCII characters, cell for cell as wide as before."""
    if text.isascii():
        return text
    if ZWJ in text or VS16 in text:
        text = _unjoin(text)
    return text.translate(_TABLE)


class AsciiRenderable:
    """A Rich renderable shown as ASCII, segment for segment (for screenshots)."""

    def __init__(self, renderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console, options):
        for segment in console.render(self.renderable, options):
            text = segment.text
            if segment.control or text.isascii():
                yield segment
            else:
                yield Segment(to_ascii(text), segment.style)


@cache
def ascii_driver(base: type) -> type:
    """A subclass of the Textual driver class ``base`` whose every write is ASCII."""

    def write(self, data: str) -> None:
        base.write(self, to_ascii(data))

    return type(f"Ascii{base.__name__}", (base,), {"write": write, "__module__": __name__})


class AsciiStream:
    """A text stream (``sys.stdout``) whose writes are ASCII: the command line's output to a
    terminal in ASCII mode (tables, dashes, names with accents)."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(to_ascii(text))
        return len(text)

    def __getattr__(self, name: str):  # flush, fileno, isatty, encoding, ...
        return getattr(self._inner, name)
