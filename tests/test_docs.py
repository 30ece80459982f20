"""The README a new user reads: short, the two set-up commands first, links that lead somewhere, the run-time and
test packages apart, a picture of every page."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
TEST_TOOLS = ("pytest", "playwright", "hypothesis", "oidc-provider-mock")
PAGES = ("overview", "explorer", "actor", "names", "ingest", "audit")


def bash_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, command) of each ```bash block."""
    return [(text[:m.start()].count("\n") + 1, m.group(1).strip())
            for m in re.finditer(r"^```bash\n(.*?)^```$", text, re.M | re.S)]


def test_readme_is_short_and_opens_with_the_two_set_up_commands():
    assert len(README.splitlines()) <= 150
    (first_line, run), (_, test) = bash_blocks(README)[:2]
    assert first_line <= 25, f"the set-up command is on line {first_line}"
    assert "pip install -r requirements.txt" in run and "streamlit run dashboard.py" in run
    assert "pip install -r requirements-test.txt" in test and "pytest" in test
    for command in (run, test):
        assert re.search(r"\bpython3\.11 -m venv \.venv", command), command


def test_runtime_and_test_packages_are_apart():
    runtime = (REPO / "requirements.txt").read_text(encoding="utf-8").lower()
    tests = (REPO / "requirements-test.txt").read_text(encoding="utf-8").lower()
    assert not [t for t in TEST_TOOLS if re.search(rf"^{re.escape(t)}\b", runtime, re.M)]
    assert "-r requirements.txt" in tests
    assert all(re.search(rf"^{re.escape(t)}==", tests, re.M) for t in TEST_TOOLS)


def test_every_link_in_the_readme_and_docs_leads_to_a_file():
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if not re.match(r"^[a-z]+:", target):
                assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which does not exist"


def test_there_is_a_picture_of_every_page_wide_and_narrow():
    missing = [f"{page}-{width}.png" for page in PAGES for width in (1440, 390)
               if not (REPO / "docs" / "screenshots" / f"{page}-{width}.png").is_file()]
    assert not missing


def test_the_docs_describe_the_present_not_a_history_of_runs():
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, f"{doc.name} is {len(text.splitlines())} lines"
        assert not re.search(r"\b(session|run) [A-Z]\b|\bpreviously\b|\bused to\b", text), doc.name
