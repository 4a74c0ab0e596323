"""hvo's themes. Meaning lives in theme variables (overdue, due soon, missing, ...), never in hex
inside .tcss; every colour is paired with a glyph or word on screen, so 16-colour terminals,
NO_COLOR and colour-blind users get the meaning too."""

from __future__ import annotations

from importlib.resources import files

from textual.theme import Theme

CSS_PATH = str(files(__package__).joinpath("hvo.tcss"))

# App variables: the urgency and document states, used by the .tcss and by Rich text styles.
_DARK_VARS = {
    "hvo-missed": "#ff5f5f",
    "hvo-today": "#ffaf00",
    "hvo-soon": "#d7d75f",
    "hvo-later": "#87af87",
    "hvo-muted": "#8a8a8a",
    "hvo-changed": "#5fafff",
}

THEMES: dict[str, Theme] = {
    "hvo-donker": Theme(
        name="hvo-donker",
        primary="#4f8fcf",
        secondary="#5f87af",
        accent="#5fafff",
        warning="#ffaf00",
        error="#ff5f5f",
        success="#87af87",
        background="#101418",
        surface="#1a2027",
        panel="#24303a",
        dark=True,
        variables=_DARK_VARS,
    ),
    "hvo-licht": Theme(
        name="hvo-licht",
        primary="#1f5f9f",
        secondary="#36648b",
        accent="#005fd7",
        warning="#af5f00",
        error="#c00000",
        success="#2e7d32",
        background="#f6f7f9",
        surface="#ffffff",
        panel="#e3e8ee",
        dark=False,
        variables={
            "hvo-missed": "#c00000",
            "hvo-today": "#af5f00",
            "hvo-soon": "#7a6a00",
            "hvo-later": "#2e7d32",
            "hvo-muted": "#6a6a6a",
            "hvo-changed": "#005fd7",
        },
    ),
    "hvo-contrast": Theme(
        name="hvo-contrast",
        primary="#ffff00",
        secondary="#00ffff",
        accent="#00ffff",
        warning="#ffff00",
        error="#ff0000",
        success="#00ff00",
        foreground="#ffffff",
        background="#000000",
        surface="#000000",
        panel="#1c1c1c",
        dark=True,
        variables={
            "hvo-missed": "#ff0000",
            "hvo-today": "#ffff00",
            "hvo-soon": "#ffff00",
            "hvo-later": "#00ff00",
            "hvo-muted": "#c0c0c0",
            "hvo-changed": "#00ffff",
        },
    ),
    "hvo-16": Theme(
        name="hvo-16",
        ansi=True,
        primary="ansi_blue",
        secondary="ansi_cyan",
        accent="ansi_bright_cyan",
        warning="ansi_yellow",
        error="ansi_red",
        success="ansi_green",
        foreground="ansi_default",
        background="ansi_default",
        surface="ansi_default",
        panel="ansi_default",
        boost="ansi_default",
        dark=True,
        variables={
            "hvo-missed": "ansi_bright_red",
            "hvo-today": "ansi_yellow",
            "hvo-soon": "ansi_bright_yellow",
            "hvo-later": "ansi_green",
            "hvo-muted": "ansi_bright_black",
            "hvo-changed": "ansi_bright_cyan",
            # Textual's ANSI colour system leaves these two out; its own CSS (Screen, Button)
            # needs them, and without them the app does not start in this theme.
            "ansi-background": "ansi_black",
            "ansi-foreground": "ansi_white",
            "block-cursor-foreground": "ansi_black",
            "block-cursor-background": "ansi_white",
            "border-blurred": "ansi_bright_black",
            "input-cursor-background": "ansi_white",
            "input-cursor-foreground": "ansi_black",
        },
    ),
}
DEFAULT_THEME = "hvo-donker"
