"""How a HUD file is described to the import: once, in its own module under files/."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FileSpec:
    file: str  # the HUD name, without .csv
    # Columns whose problem makes the row unusable (an error, not a warning): keys, references,
    # and the dates a record cannot exist without.
    key_columns: frozenset[str]
    # write(importer, chunk, summary): stores the chunk's kept rows, rejecting those that
    # cannot be stored truthfully (a reference to nothing...).
    write: Callable
    # Required values that nothing else depends on and whose derivation is certain: missing,
    # the write derives them with a warning (the tolerant default); under `strict` they are
    # key columns.
    derived: frozenset[str] = frozenset()
    # after(importer): checks once the whole file is in (households...).
    after: Callable | None = None
