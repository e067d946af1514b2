"""Values that have crashed web apps, this one included: typed by people, sent by scripts."""

BAD_VALUES = [
    "²",  # str.isdigit() says yes, int() says no
    "9" * 20,  # beyond a 64-bit column
    "-1",
    "0",
    "1e309",
    "NaN",
    "0001-01-01",  # a day earlier overflows
    "9999-12-31",  # a day later overflows
    "2026-02-30",
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "a\x00b",  # PostgreSQL refuses NUL in text
    "\u202e\ufeff",
    "",
]
