"""The README is a front door and every link in it and in docs/ leads somewhere (issue #22).

A relative link must name a file or folder that exists, and a `#anchor` a heading of the file
it points to, slugged as GitHub does: lowercase, spaces to '-', punctuation other than '-' and
'_' dropped, a repeated heading numbered '-1', '-2', ... Offline and quick: no link is
fetched; web addresses are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 300

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# `code`, ``code``: may run over a line break, never over a blank line.
CODE_SPAN = re.compile(r"(`+)(?:(?!\n\s*\n).)+?\1", re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def prose(text: str) -> str:
    """The text outside fenced code blocks (links there are examples, not links)."""
    kept, fenced = [], False
    for line in text.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
            kept.append("")
            continue
        kept.append("" if fenced else line)
    return "\n".join(kept)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts as its label
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of a Markdown text, repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose(text).split("\n"):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> list[str]:
    """The targets of a Markdown text's inline links and images, outside code."""
    return LINK.findall(CODE_SPAN.sub("", prose(text)))


def broken_links(page: Path) -> list[str]:
    """Each relative link of `page` that leads nowhere, with the reason."""
    broken = []
    for target in links(page.read_text(encoding="utf-8")):
        if not target or SCHEME.match(target):
            continue
        path, _, fragment = unquote(target).partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{target}: no file {path}")
        elif fragment and dest.suffix != ".md":
            broken.append(f"{target}: #{fragment} in a file that is not Markdown")
        elif fragment and fragment not in anchors(dest.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading #{fragment} in {dest.name}")
    return broken


PAGES = [README, *sorted(DOCS.glob("*.md"))]


def test_the_readme_is_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < MAX_README_LINES, f"README.md has {lines} lines; move detail to docs/"


def test_the_readme_gives_the_set_up_commands_as_the_makefile_has_them() -> None:
    readme = README.read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"no `{target}` in Makefile"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {(ROOT / unquote(t).partition("#")[0]).resolve()
              for t in links(README.read_text(encoding="utf-8")) if not SCHEME.match(t)}
    pages = sorted(DOCS.glob("*.md"))
    assert pages, "docs/ holds no pages"
    assert [p.name for p in pages if p.resolve() not in linked] == []


def test_the_readme_lists_every_command() -> None:
    """Its command table names every command of the registry (`set` and `unset` share a row,
    as `alert`'s words do)."""
    from handlers.registry import COMMANDS

    readme = README.read_text(encoding="utf-8")
    first_cells = [line.split(" | ")[0] for line in readme.split("\n") if line.startswith("| `")]
    for command in COMMANDS:
        assert any(re.search(rf"`{re.escape(command.name)}[ `]", cell) for cell in first_cells), (
            f"README's command table has no row for `{command.name}`")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_leads_somewhere(page: Path) -> None:
    assert broken_links(page) == []


def test_the_slug_rule_is_githubs() -> None:
    assert slug("`profitability`: the earnings claim") == "profitability-the-earnings-claim"
    assert slug("The March 2024 claims: rate-cut cycles and valuation") == (
        "the-march-2024-claims-rate-cut-cycles-and-valuation")
    assert slug("Conventions (so the numbers can be reproduced)") == (
        "conventions-so-the-numbers-can-be-reproduced")
    assert slug("Set up, demo, tests") == "set-up-demo-tests"
    assert slug("snake_case and [a link](x.md)") == "snake_case-and-a-link"
    assert anchors("# Notes\n## Notes\n```\n# not a heading\n```\n## Notes") == {
        "notes", "notes-1", "notes-2"}


def test_a_broken_link_is_caught(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## How unusual: one definition\n")
    page = tmp_path / "README.md"
    page.write_text(
        "# Front\n\n## Set up\n\n"
        "[ok](docs/guide.md) [ok](docs/guide.md#how-unusual-one-definition) [ok](#set-up)\n"
        "[ok](docs/) [web](https://example.com/nowhere) <https://example.com>\n"
        "[gone](docs/missing.md) [bad anchor](docs/guide.md#how-unusual) [bad](#setup)\n"
        "`[in code](nowhere.md)`\n\n```\n[in a block](nowhere.md)\n```\n")
    assert broken_links(page) == [
        "docs/missing.md: no file docs/missing.md",
        "docs/guide.md#how-unusual: no heading #how-unusual in guide.md",
        "#setup: no heading #setup in README.md",
    ]
