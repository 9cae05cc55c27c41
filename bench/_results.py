"""bench/RESULTS.md: each benchmark owns the section that starts at its `<!-- name -->` marker
and runs to the next marker; writing it replaces that section and keeps the others."""

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(name: str, text: str) -> None:
    """Replace the section `<!-- name -->` of RESULTS.md with `text` (which starts with it)."""
    assert text.startswith(f"<!-- {name} -->"), "a section starts with its marker"
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    head, *parts = previous.split("<!-- ")
    kept = head + "".join("<!-- " + part for part in parts if not part.startswith(f"{name} -->"))
    if kept and not kept.endswith("\n"):
        kept += "\n"
    RESULTS.write_text(kept + text.rstrip("\n") + "\n")
