"""Every code block of the README and of docs/*.md runs, and the generated pages are current.

Each page runs in a temporary copy of the repository's data and docs (so a page's blocks share
variables and files, and nothing lands in the checkout): ```python blocks are executed in one
namespace per page, and every ``rota ...`` line of a ```console / ```bash block is run through
the CLI in-process (``&&`` chains run their ``rota`` parts; other commands such as ``pip`` are
not run). ```text and ```yaml blocks are not run. A block preceded by ``<!-- docs-test: skip -->``
is not run; ``<!-- docs-test: exit N -->`` expects exit code N from each of its commands.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
RUN_LANGS = {"python", "console", "bash", "shell", "sh"}
FENCE = re.compile(r"^(\s*)```+\s*([\w+-]*)")
MARK = re.compile(r"<!--\s*docs-test:\s*(skip|exit\s+\d+)\s*-->")


@dataclass
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    skip: bool = False
    exit_code: int = 0


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, with their markers."""
    out: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    k = 0
    while k < len(lines):
        m = FENCE.match(lines[k])
        if not m:
            k += 1
            continue
        indent, lang = len(m.group(1)), m.group(2).lower()
        start = k
        body: list[str] = []
        k += 1
        while k < len(lines) and not lines[k].strip().startswith("```"):
            body.append(lines[k][indent:])
            k += 1
        k += 1
        prev = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        mark = MARK.search(prev)
        block = Block(path.name, start + 1, lang, "\n".join(body) + "\n")
        if mark:
            if mark.group(1) == "skip":
                block.skip = True
            else:
                block.exit_code = int(mark.group(1).split()[1])
        out.append(block)
    return out


def rota_commands(code: str) -> list[list[str]]:
    """The ``rota`` commands of a console block, as argument lists (``rota`` dropped)."""
    logical: list[str] = []
    buf = ""
    for raw in code.splitlines():
        line = raw.rstrip()
        if line.startswith("$ "):
            line = line[2:]
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        logical.append(buf + line)
        buf = ""
    out = []
    for line in logical:
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words and words[0] == "rota":
                out.append(words[1:])
    return out


def runnable(block: Block) -> bool:
    if block.skip or block.lang not in RUN_LANGS:
        return False
    return block.lang == "python" or bool(rota_commands(block.code))


RUNNABLE = {p.name: [b for b in blocks(p) if runnable(b)] for p in PAGES}


def test_blocks_are_found() -> None:
    """The parser sees the pages' code (a broken parser would make every page pass)."""
    assert sum(len(v) for v in RUNNABLE.values()) >= 15
    readme = RUNNABLE["README.md"]
    assert any(b.lang == "python" for b in readme) and any(b.lang == "console" for b in readme)
    assert rota_commands("$ pip install -e . && rota solve a.yaml --out o/  # c\nrota x \\\n  --y 1\n") == [
        ["solve", "a.yaml", "--out", "o/"],
        ["x", "--y", "1"],
    ]


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("data", "docs", "notebooks"):
        shutil.copytree(ROOT / name, tmp_path / name, symlinks=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_console(block: Block) -> None:
    runner = CliRunner()
    for args in rota_commands(block.code):
        redirect = None
        if ">" in args:
            at = args.index(">")
            args, redirect = args[:at], args[at + 1]
        result = runner.invoke(main, args, catch_exceptions=False)
        where = f"{block.page}:{block.line}: rota {' '.join(args)}"
        assert result.exit_code == block.exit_code, f"{where} exited {result.exit_code}:\n{result.output[-3000:]}"
        assert "Traceback" not in result.output, where
        if redirect:
            Path(redirect).write_text(result.stdout, encoding="utf-8")


@pytest.mark.parametrize("page", [name for name, found in RUNNABLE.items() if found])
def test_page_code_runs(page: str, sandbox: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in RUNNABLE[page]:
        if block.lang == "python":
            exec(compile(block.code, f"{page}:{block.line}", "exec"), namespace)  # noqa: S102
        else:
            run_console(block)


def test_reference_page_is_current() -> None:
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = gen.render()
    assert (DOCS / "reference.md").read_text(encoding="utf-8") == text, "run: python docs/gen_reference.py"
    for name in Scenario.model_json_schema()["properties"]:
        assert f"`{name}`" in text


def test_readme_is_short_and_has_the_ci_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= 10 * 1024
    assert 'pip install -e ".[test]" && python -m pytest' in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && python -m pytest' in ci


def test_readme_links_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)", readme)
    assert targets
    for target in targets:
        if not target.startswith(("http://", "https://", "#")):
            assert (ROOT / target.split("#")[0]).exists(), target


def test_yaml_scenarios_in_the_docs_are_valid() -> None:
    """Every complete scenario shown in a ```yaml block (team, dates, shifts, people) loads."""
    found = 0
    for path in PAGES:
        for block in blocks(path):
            if block.lang != "yaml" or "--8<--" in block.code:
                continue
            data = yaml.safe_load(block.code)
            if isinstance(data, dict) and {"start", "end", "shifts", "people"} <= set(data):
                Scenario.model_validate(data)
                found += 1
    assert found >= 1


def test_regression_snippet_sections_exist() -> None:
    """Every ``--8<-- "file:section"`` include names a file and section that exist."""
    for path in PAGES:
        for file, section in re.findall(r'--8<-- "([^":]+):?([^"]*)"', path.read_text(encoding="utf-8")):
            text = (ROOT / file).read_text(encoding="utf-8")
            if section:
                assert f"--8<-- [start:{section}]" in text and f"--8<-- [end:{section}]" in text, (file, section)
