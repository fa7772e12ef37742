"""The README and the guides in docs/ stay usable: links resolve, Python examples are clean.

Every relative link in ``README.md``, ``docs/*.md`` and ``bench/results/*.md`` must lead to
a file or folder of the repository, and a ``#anchor`` to a heading of the Markdown file it
names (GitHub's anchors: lower case, punctuation dropped, spaces as hyphens, ``-1``, ``-2``
for repeats). Every ```` ```python ```` block must pass ``ruff check`` with the project's
settings (``ruff format --check`` in ``make test`` already formats them).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).with_name("ruff")

FENCE = re.compile(
    r"^(?P<fence>```+|~~~+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.M)
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.I)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def doc_files() -> list[Path]:
    """The Markdown files this test keeps honest."""
    return [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "bench" / "results").glob("*.md")),
    ]


def _blank(match: re.Match) -> str:
    """Replace a match by as many newlines, so line numbers stay right."""
    return "\n" * match.group(0).count("\n")


def prose(text: str) -> str:
    """``text`` without fenced code blocks and inline code, where links are not links."""
    return INLINE_CODE.sub("", FENCE.sub(_blank, text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = text.replace("`", "").replace("*", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor of a Markdown file: its headings (repeats numbered) and HTML anchors."""
    text = FENCE.sub(_blank, path.read_text())  # headings keep their `code`
    found: set[str] = set(HTML_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for _, heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """``(line, target)`` of every link in the prose of ``path``."""
    text = prose(path.read_text())
    found = []
    for pattern in (INLINE_LINK, REFERENCE_LINK):
        for match in pattern.finditer(text):
            found.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return sorted(found)


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with the relative links of ``path``, one line per problem."""
    problems = []
    for line, target in links(path):
        if SCHEME.match(target):
            continue  # an absolute URL: not ours to check offline
        where = f"{path.relative_to(root)}:{line}: {target}"
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(root):
            problems.append(f"{where}: leads out of the repository")
        elif not resolved.exists():
            problems.append(f"{where}: no such file")
        elif anchor:
            if resolved.suffix != ".md" or resolved.is_dir():
                problems.append(f"{where}: an anchor into a file that is not Markdown")
            elif anchor not in anchors(resolved):
                problems.append(f"{where}: no heading with this anchor")
    return problems


def python_snippets(path: Path) -> list[tuple[int, str]]:
    """``(line, code)`` of every ```python block of ``path``."""
    text = path.read_text()
    return [
        (text.count("\n", 0, match.start("body")) + 1, match.group("body"))
        for match in FENCE.finditer(text)
        if match.group("info").strip().split(" ")[0].lower() in ("python", "py")
    ]


def ruff_problems(path: Path, workdir: Path, root: Path = ROOT) -> list[str]:
    """``ruff check`` findings in the Python blocks of ``path``, named by the doc's lines."""
    snippets = python_snippets(path)
    if not snippets:
        return []
    files = {}
    for number, (line, code) in enumerate(snippets):
        file = workdir / f"snippet_{number}.py"
        file.write_text(code)
        files[file.name] = line
    result = subprocess.run(
        [
            str(RUFF),
            "check",
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--output-format",
            "concise",
            *(str(workdir / name) for name in files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = []
    for finding in result.stdout.splitlines():
        match = re.match(r".*?(snippet_\d+\.py):(\d+):\d+: (.*)", finding)
        if match:
            name, line, message = match.groups()
            doc_line = files[name] + int(line) - 1
            problems.append(f"{path.relative_to(root)}:{doc_line}: {message}")
    if result.returncode not in (0, 1) or (result.returncode == 1 and not problems):
        problems.append(f"ruff failed: {result.stderr or result.stdout}")
    return problems


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    # then
    assert broken_links(path) == []


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_python_snippets_pass_ruff(path: Path, tmp_path: Path) -> None:
    # then
    assert ruff_problems(path, tmp_path) == []


def test_the_guides_are_there() -> None:
    # then: the README's map of docs/ names files that exist (the link check proves it) and
    # every guide is on the map
    readme = {target for _, target in links(ROOT / "README.md")}
    for guide in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{guide.name}" in readme, guide.name


# --- the checks themselves can fail ---------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        "# Guide\n\n## Set-up (`make run`)\n\n## Set-up (`make run`)\n\n"
        "```md\n# Not a heading\n```\n"
    )
    return tmp_path


def test_link_check_finds_missing_files_and_anchors(tree: Path) -> None:
    # given
    readme = tree / "README.md"
    readme.write_text(
        "[ok](docs/guide.md) [ok](docs/guide.md#set-up-make-run)\n"
        "[ok](docs/guide.md#set-up-make-run-1)\n"
        "[ok](https://example.com/x.md) `[not a link](nowhere.md)`\n"
        "[gone](docs/missing.md)\n"
        "[bad anchor](docs/guide.md#not-a-heading)\n"
        "[outside](../elsewhere.md)\n"
        "[self](#nothing-here)\n"
    )

    # when
    problems = broken_links(readme, root=tree)

    # then
    assert problems == [
        "README.md:4: docs/missing.md: no such file",
        "README.md:5: docs/guide.md#not-a-heading: no heading with this anchor",
        "README.md:6: ../elsewhere.md: leads out of the repository",
        "README.md:7: #nothing-here: no heading with this anchor",
    ]


def test_snippet_check_reports_ruff_findings_at_the_doc_line(tree: Path, tmp_path: Path) -> None:
    # given
    doc = tree / "docs" / "example.md"
    doc.write_text(
        "# Example\n\n```python\nimport os\n\nvalue = 1\n```\n\n"
        "```python\nprint(undefined_name)\n```\n\n```sh\nimport this is not python\n```\n"
    )
    workdir = tmp_path / "snippets"
    workdir.mkdir()

    # when
    problems = ruff_problems(doc, workdir, root=tree)

    # then
    assert len(problems) == 3, problems
    assert problems[0].startswith("docs/example.md:4: F401")
    assert {p.split(": ")[1].split(" ")[0] for p in problems[1:]} == {"T201", "F821"}
    assert all(p.startswith("docs/example.md:10: ") for p in problems[1:])
