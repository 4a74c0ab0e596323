"""ASCII mode's safety net (screens/ascii.py): whatever Textual or the data puts on screen, the
terminal gets only ASCII, every character as many cells wide as before (else the rest of the line
would shift), escape sequences untouched, and a readable look-alike where one exists."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len, get_character_cell_size

from screens.ascii import AsciiRenderable, ascii_driver, ascii_for, to_ascii


def test_every_character_becomes_ascii_of_the_same_width():
    wrong = []
    for code in (*range(0x80, 0xD800), *range(0xE000, 0x10000), *range(0x1F300, 0x1FAFF)):
        ch = chr(code)
        shown = ascii_for(ch)
        if not (
            shown.isascii()
            and (shown.isprintable() or not shown)
            and len(shown) == get_character_cell_size(ch)
        ):
            wrong.append((hex(code), shown))
    assert not wrong, wrong[:20]


@pytest.mark.parametrize(
    "text, shown",
    [
        ("╭──╮\n│ab│\n╰──╯", "+--+\n|ab|\n+--+"),  # round and solid borders
        ("┏━┳━┓┃╋┫┗┛", "+-+-+|++++"),
        ("╸━━━━╺━━", "--------"),  # the tabs' underline
        ("▁▂▃▄▅▆▇█ ▉▊▋▌▍▎▏ ░▒▓", "       #         .:#"),  # scrollbar ends, borders; full, shades
        ("HV-2026-00101 · verlopen · Venlo", "HV-2026-00101 . verlopen . Venlo"),
        ("Besluit ve…", "Besluit ve~"),
        (
            "geïnformeerd, één, vóór, Öztürk, Yılmaz, Çelik, Ørsted, Straße",
            "geinformeerd, een, voor, Ozturk, Yilmaz, Celik, Orsted, Strase",
        ),
        ("✓ ✗ ✖ ⚠ ▲ ▼ ● ○ ◆ → ← ↑ ↓ – — “x” €", '+ x X ! ^ v * o * > < ^ v - - "x" E'),
        ("日本 🔎", "???? ??"),  # wide characters keep their two cells
    ],
)
def test_readable_look_alikes(text, shown):
    assert to_ascii(text) == shown
    assert cell_len(to_ascii(text)) == cell_len(text)


def test_escape_sequences_pass_untouched():
    frame = (
        "\x1b[?2026h\x1b[1;1H\x1b[38;5;1;48;5;0m✖ 8 d te laat\x1b[0m\x1b]52;c;aGk=\x07\x1b[?2026l"
    )
    assert to_ascii(frame) == frame.replace("✖", "X")
    plain = "\x1b[2J\x1b[H\x1b[1mhvo\x1b[0m\r\n"
    assert to_ascii(plain) is plain  # pure ASCII is not even copied


@pytest.mark.parametrize(
    "text", ["⚠️ let op", "👩‍💻 x", "a\u0301b", "a\u200bb", "x\u00a0y", "\u0085"]
)
def test_joined_and_zero_width_sequences_keep_the_measured_width(text):
    shown = to_ascii(text)
    assert shown.isascii() and len(shown) == cell_len(text) == cell_len(shown), (text, shown)


def test_a_screenshot_renderable_is_translated_segment_by_segment():
    from rich.console import Console
    from rich.text import Text

    console = Console(
        width=20, file=io.StringIO(), record=True, force_terminal=True, color_system="truecolor"
    )
    console.print(AsciiRenderable(Text("✓ één ─ ok", style="bold red")))
    text = console.export_text(styles=True)
    assert "+ een - ok" in text and text.isascii() and "\x1b[1;31m" in text


def test_the_ascii_driver_writes_only_ascii():
    written: list[str] = []

    class Base:
        def write(self, data: str) -> None:
            written.append(data)

    driver = ascii_driver(Base)
    assert issubclass(driver, Base) and ascii_driver(Base) is driver  # one class per base
    driver().write("\x1b[H╭─ één ─╮")
    assert written == ["\x1b[H+- een -+"]
