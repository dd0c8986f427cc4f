"""Where flashdl keeps the user's data, config and decks.

One environment variable, ``FLASHDL_HOME``, moves everything at once (the tests point it at a
temporary directory); ``FLASHDL_DB`` or ``--db`` points at a single database file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "flashdl"
DB_FILENAME = "flashdl.db"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    db_path: Path

    @property
    def user_decks_dir(self) -> Path:
        return self.config_dir / "decks"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


def resolve_paths(db: Path | None = None, environ: dict[str, str] | None = None) -> Paths:
    """Resolve all locations; ``db`` (the ``--db`` option) wins over ``FLASHDL_DB``."""
    env = os.environ if environ is None else environ
    home = env.get("FLASHDL_HOME")
    if home:
        data_dir = config_dir = Path(home).expanduser()
    else:
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    if db is None and env.get("FLASHDL_DB"):
        db = Path(env["FLASHDL_DB"])
    db_path = Path(db).expanduser() if db is not None else data_dir / DB_FILENAME
    return Paths(data_dir=data_dir, config_dir=config_dir, db_path=db_path)


def bundled_decks_dir() -> Path:
    """The decks shipped with flashdl: inside the wheel, or ``decks/`` of a source checkout."""
    packaged = Path(__file__).parent / "bundled_decks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "decks"
