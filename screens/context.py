"""What a screen may know of the application: the typed context every screen works through.

Screens cannot import ``hvo_tui.app`` (the app imports the screens), so they name what they use
here, as a Protocol, and ``context(node)`` hands it to them typed. ``HvoApp`` satisfies it (a
test checks that it does); a screen reaches nothing of the app that is not listed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from hvo_tui.domain.localtime import Clock
from store.interface import Actor, Store

if TYPE_CHECKING:
    from textual.dom import DOMNode


class AppContext(Protocol):
    """The application as the screens see it."""

    store: Store  # every read and write (SQL or HTTP: the screens do not know which)
    actor: Actor  # who is working: every write and opening of a case is logged with it
    clock: Clock  # the one "now": the screens show it and the store stamps writes with it
    username: str | None  # the account logged in (None: no login, the demo's reader)
    account_label: str  # who, role, region: the top bar
    ascii: bool  # ASCII mode: glyphs, keys and money without characters a terminal may lack
    # The version each case had after this user's own last write, so the change feed does not
    # flag the user's own change as someone else's (case id -> version).
    own_versions: dict[int, int]


def context(node: DOMNode) -> AppContext:
    """The running app of ``node`` as its typed context."""
    return cast(AppContext, node.app)
