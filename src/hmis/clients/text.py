"""Text folding shared by client search and its index column."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: 'José  Núñez' -> 'jose nunez'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().replace("-", " ").replace("'", "").split())
