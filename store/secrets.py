"""Secrets kept in the database, sealed with a key that is not (issue 18 row 11).

A TOTP secret in plain text lets anyone who reads the ``account`` table (a backup, a replica, a
support query) make valid second-factor codes. Such values are sealed with Fernet
(``cryptography``: AES-128-CBC with HMAC-SHA256, a version, a timestamp) under a key kept in a
file outside the database: ``HVO_SECRET_KEY_FILE`` or ``secret_key_file`` in config.toml, by default
``secret.key`` in hvo's data directory. The file is created at the first seal, readable by its
owner only (0600, in a directory of its own 0700); a key file that others may read is refused, as
ssh refuses such a private key. Opening never creates a key: a missing key while sealed values
exist must be an error, not a new key that can open nothing.

A sealed value reads ``fernet:<token>``. A value without that prefix is from before sealing
(plain text): it is still accepted, and the store seals it again the next time it writes that
row (for TOTP: the next successful login). Other secrets can use the same box: ``seal``/``open``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from .interface import StoreError

PREFIX = "fernet:"
ENV = "HVO_SECRET_KEY_FILE"


class SecretKeyError(StoreError):
    """The key file is missing (with sealed values to open), unsafe, or not the right key."""


def default_key_file() -> Path:
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir  # lazy: only when a secret is sealed or opened

    return Path(user_data_dir("hvo", appauthor=False)) / "secret.key"


class SecretBox:
    """Seals and opens short secrets with the key in ``path`` (see the module docstring)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self._path = Path(path) if path is not None else None
        self._fernet: Fernet | None = None

    @property
    def path(self) -> Path:
        return self._path if self._path is not None else default_key_file()

    def _key(self, create: bool) -> Fernet:
        if self._fernet is not None:
            return self._fernet
        path = self.path
        if not path.exists():
            if not create:
                raise SecretKeyError(
                    f"de sleutel voor versleutelde gegevens ontbreekt ({path}); zet het juiste "
                    f"sleutelbestand terug of wijs het aan met {ENV}"
                )
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it just now: use theirs
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(Fernet.generate_key() + b"\n")
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretKeyError(
                f"het sleutelbestand {path} is leesbaar voor anderen; maak het alleen voor de "
                f"eigenaar leesbaar (chmod 600 {path})"
            )
        try:
            self._fernet = Fernet(path.read_bytes().strip())
        except (ValueError, OSError) as exc:
            raise SecretKeyError(f"het sleutelbestand {path} is onbruikbaar ({exc})") from None
        return self._fernet

    def seal(self, secret: str) -> str:
        """``secret`` sealed for the database (``fernet:...``); creates the key at first use."""
        return PREFIX + self._key(create=True).encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        """The secret in ``stored``: sealed values are opened, older plain values returned."""
        if not is_sealed(stored):
            return stored
        try:
            return self._key(create=False).decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
        except InvalidToken:
            raise SecretKeyError(
                f"het sleutelbestand {self.path} past niet bij de versleutelde gegevens"
            ) from None


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)
