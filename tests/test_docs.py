"""The documentation stands on its own: no citation of documents outside the repository,
every section citation resolves, every relative link resolves, and the README's criteria
table lists every criterion the tool runs by default.

Citations in code and docs have the forms ``docs/mathematics.md section 5.9``,
``docs/mathematics.md 5.9``, ``docs/mathematics.md sections 5.7, 5.8 and 13`` (also split
over lines, and ranges such as ``2.1-2.2``) and ``docs/user-guide.md section 4``; each
number must be the number of a heading of that document.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from theory.registry import KNOWN_CRITERIA

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: Names of documents that live outside the repository (spelled in pieces, so that this
#: file does not mention them itself).
FOREIGN = ("../" + "shared", "MATH" + ".md", "DESIGN" + ".md")

_NUMBER = r"\d+(?:\.\d+)?"
#: A citation: the document, then (over spaces, line breaks and comment marks) an optional
#: "section(s)" and a list of numbers joined by commas, "and", or a range dash.
_CITATION = re.compile(
    r"(?<![\w/])docs/(mathematics|user-guide)\.md"
    r"(?:[\s#*]|//)*(?:sections?\s+)?"
    rf"({_NUMBER}(?:\s*(?:,|and|-|–)\s*(?:sections?\s+)?{_NUMBER})*)"
)
_HEADING = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s", re.M)
_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _tracked_files() -> list[Path]:
    """Files git tracks, plus untracked ones it does not ignore (new files count too)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout (or git is not installed)")
    paths = [ROOT / p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
    return [p for p in paths if p.is_file()]


def _text(path: Path) -> str | None:
    """The file's text, or ``None`` for a binary file."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _text_files() -> list[tuple[Path, str]]:
    out = []
    for path in _tracked_files():
        text = _text(path)
        if text is not None:
            out.append((path, text))
    return out


def _headings(doc: Path) -> set[str]:
    return set(_HEADING.findall(doc.read_text(encoding="utf-8")))


def _cited_numbers(tail: str) -> list[str]:
    return re.findall(_NUMBER, tail)


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _without_code_blocks(text: str) -> str:
    """Markdown without its fenced code blocks."""
    return re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.M | re.S)


def _without_code(text: str) -> str:
    """Markdown without code blocks and inline code (links there are not links)."""
    return re.sub(r"`[^`\n]*`", "", _without_code_blocks(text))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`", "", heading.strip()).lower()
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    out: set[str] = set()
    seen: dict[str, int] = {}
    for line in _without_code_blocks(doc.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = _slug(m.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def test_the_cited_documents_exist():
    for name in ("mathematics.md", "user-guide.md", "architecture.md", "README.md"):
        assert (DOCS / name).is_file(), name


def test_no_file_cites_documents_outside_the_repository():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path, text in _text_files()
        for n, line in enumerate(text.splitlines(), 1)
        if any(word in line for word in FOREIGN)
    ]
    assert not offenders, "files cite documents a clone does not have:\n" + "\n".join(offenders)


def test_every_section_citation_names_a_heading():
    headings = {name: _headings(DOCS / f"{name}.md") for name in ("mathematics", "user-guide")}
    assert {"0.3", "5.9", "13", "15.3"} <= headings["mathematics"]
    assert {str(n) for n in range(1, 7)} <= headings["user-guide"]
    found, missing = 0, []
    for path, text in _text_files():
        for m in _CITATION.finditer(text):
            doc, tail = m.group(1), m.group(2)
            for number in _cited_numbers(tail):
                found += 1
                if number not in headings[doc]:
                    line = text.count("\n", 0, m.start()) + 1
                    missing.append(f"{path.relative_to(ROOT)}:{line}: docs/{doc}.md {number}")
    assert found > 100, f"only {found} citations found: is the pattern still right?"
    assert not missing, "citations of sections that do not exist:\n" + "\n".join(missing)


def test_the_citation_pattern_reads_every_form():
    text = (
        "docs/mathematics.md section 5.9. docs/mathematics.md 10.4 on; docs/mathematics.md\n"
        "# section 5.7 proves; (docs/mathematics.md sections 5.7, 5.8, 5.10, 13); "
        "docs/mathematics.md 2.1-2.2, 3.3; docs/mathematics.md sections 5.2 and 7.2. "
        "docs/mathematics.md suggests 10-100; docs/user-guide.md section 4"
    )
    cited = [(m.group(1), _cited_numbers(m.group(2))) for m in _CITATION.finditer(text)]
    assert cited == [
        ("mathematics", ["5.9"]),
        ("mathematics", ["10.4"]),
        ("mathematics", ["5.7"]),
        ("mathematics", ["5.7", "5.8", "5.10", "13"]),
        ("mathematics", ["2.1", "2.2", "3.3"]),
        ("mathematics", ["5.2", "7.2"]),
        ("user-guide", ["4"]),
    ]


@pytest.mark.parametrize("doc", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    broken = []
    for target in _LINK.findall(_without_code(doc.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists():
            broken.append(f"{target}: no such file")
            continue
        if anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"broken links in {doc.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_the_readme_criteria_table_lists_every_default_criterion():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^\|\s*criterion\s*\|", line))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1])
    listed = {cell for row in rows for cell in re.findall(r"`([^`]+)`", row)}
    missing = [c for c in KNOWN_CRITERIA if c not in listed]
    assert not missing, f"criteria missing from the README's table: {missing}"
