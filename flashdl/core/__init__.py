"""Pure functions over frozen dataclasses: the card model, scheduling, planning, grading.

No I/O here, and none of rich, typer, textual, sqlite3, sqlite_utils or yaml (checked by the
import-linter contracts in pyproject.toml)."""
