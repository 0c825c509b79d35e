"""The KPI report end to end: `buying-groups run` on generated sample data for two days builds the
KPI history and writes <output>/report/index.html; headless Chromium opens it with the network
cut off, logs no console message and renders every chart (plotly.js is inlined)."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from tests.browser import CHROMIUM, chromium_args
from tests.conftest import run_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every request that would leave the machine fails: no proxy answers, no name resolves.
OFFLINE = [
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
]


def browse(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*chromium_args(profile), *OFFLINE, *extra, url], capture_output=True, text=True, timeout=120)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    landing, warehouse, output = tmp / "landing", tmp / "warehouse.duckdb", tmp / "output"
    generate = [
        sys.executable,
        "-m",
        "buying_groups.cli",
        "generate",
        "--out",
        str(landing),
        "--leads",
        "600",
        "--seed",
        "7",
    ]
    subprocess.run(generate, check=True, capture_output=True, timeout=300)
    drop = sorted(p.name for p in landing.iterdir())[-1][:10]
    for as_of in ("2026-12-01", drop):
        done = subprocess.run(
            run_command(landing, warehouse, output, as_of=as_of), capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT as_of) FROM marts.kpis").fetchone() == (2,)
    return output / "report" / "index.html"


class _ExternalReferences(HTMLParser):
    """Every src/href of the page's own tags (script bodies are not parsed as tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.references += [value or "" for name, value in attrs if name in ("src", "href")]


def test_the_report_is_one_self_contained_file(report: Path):
    page = report.read_text(encoding="utf-8")
    parser = _ExternalReferences()
    parser.feed(page)
    assert parser.references == []
    # 6 KPI charts, cost, funnel, 2 distributions, and the shipped journeys' node counts
    assert page.count('class="chart"') == 11
    assert "No journeys in this warehouse" not in page


def test_chromium_renders_the_report_offline_without_console_errors(report: Path, tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed")
    # The console capture works: a page that throws is caught.
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>throw new Error('boom')</script></body></html>")
    assert any("boom" in line for line in console_lines(browse(broken.as_uri(), tmp_path / "p0", "--dump-dom").stderr))

    dom = browse(report.as_uri(), tmp_path / "p1", "--dump-dom")
    assert console_lines(dom.stderr) == []
    # plotly turns each chart's div into a plot container with its SVG layers.
    assert dom.stdout.count("plot-container plotly") == 11, dom.stderr[-2000:]  # journey node counts included
    assert "Awareness: website visit rate of target accounts" in dom.stdout

    screenshot = tmp_path / "report.png"
    shot = browse(report.as_uri(), tmp_path / "p2", f"--screenshot={screenshot}")
    assert screenshot.is_file(), shot.stderr[-2000:]
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 30_000
