"""The Dagster UI over this project, for real: ``dagster-webserver -w workspace.yaml`` serves
every asset and lineage edge (GraphQL), and headless Chromium renders the asset graph and,
after a CLI run recorded in the same instance, descriptions and metadata as Markdown."""

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from buying_groups.definitions import defs
from buying_groups.sample_data import generate_landing
from tests.browser import CHROMIUM, chromium_args

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]

ASSET_QUERY = """
{
  assetNodes {
    assetKey { path }
    dependencyKeys { path }
    groupName
  }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.load(response)
    assert not payload.get("errors"), payload["errors"]
    return payload["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui")
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp / "dagster_home"),
        "BG_LANDING_DIR": str(tmp / "landing"),
        "BG_WAREHOUSE": str(tmp / "warehouse.duckdb"),
        "BG_OUTPUT_DIR": str(tmp / "output"),
        "BG_CONFIG_DIR": str(REPO / "config"),
    }
    (tmp / "dagster_home").mkdir()
    (tmp / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    # A CLI run recorded in the instance, so asset pages have metadata to render.
    generate_landing(out=tmp / "landing", leads=200, seed=5, drops=1, end_date=dt.date(2026, 11, 20))
    done = subprocess.run(
        [sys.executable, "-m", "buying_groups.cli", "run", "--as-of", "2026-11-20"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    executable = Path(sys.executable).parent / "dagster-webserver"
    log = (tmp / "webserver.log").open("w")
    server = subprocess.Popen(
        [str(executable), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so the code-server child goes down with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp / "webserver.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "webserver did not answer within 90 s"
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_graphql_serves_every_asset_and_lineage_edge(webserver):
    # The code location loads in its own process; wait until its assets are in.
    deadline = time.monotonic() + 60
    while not (nodes := graphql(webserver, ASSET_QUERY)["assetNodes"]):
        assert time.monotonic() < deadline, "no asset nodes served"
        time.sleep(0.5)
    served = {tuple(node["assetKey"]["path"]): node for node in nodes}
    graph = defs.resolve_asset_graph()
    expected = {tuple(node.key.path) for node in graph.asset_nodes}
    assert set(served) == expected
    for node in graph.asset_nodes:
        entry = served[tuple(node.key.path)]
        assert {tuple(dep["path"]) for dep in entry["dependencyKeys"]} == {tuple(k.path) for k in node.parent_keys}
        assert entry["groupName"] == node.group_name


def require_chromium() -> None:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not installed (CI installs it with apt-get install chromium)"
        print(f"SKIP: {reason}")
        pytest.skip(reason)


def rendered_dom(url: str, profile: Path) -> str:
    """The page's DOM after Chromium ran its scripts (and their GraphQL calls)."""
    done = subprocess.run([*chromium_args(profile), "--dump-dom", url], capture_output=True, text=True, timeout=90)
    return done.stdout


def test_chromium_renders_the_asset_graph(webserver, tmp_path):
    require_chromium()
    # Dagster shows a "join the community" dialog on a first local visit; mark it seen on the
    # server (what its Skip button does) so the screenshot shows the graph.
    assert graphql(webserver, "mutation { setNuxSeen }")["setNuxSeen"] is True
    screenshot = tmp_path / "graph.png"
    url = f"{webserver}/asset-groups"
    done = subprocess.run(
        [
            *chromium_args(tmp_path / "profile"),
            f"--screenshot={screenshot}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert screenshot.is_file(), done.stderr[-3000:]
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # A blank or error page compresses to a few KB; the rendered graph is far larger.
    assert len(png) > 30_000, len(png)
    # The rendered page (after its GraphQL calls) names every asset group of the graph.
    dom = subprocess.run(
        [*chromium_args(tmp_path / "profile-dom"), "--dump-dom", url], capture_output=True, text=True, timeout=90
    ).stdout
    for group in {node.group_name for node in defs.resolve_asset_graph().asset_nodes}:
        assert group in dom, group
    if os.environ.get("BG_UI_SCREENSHOT"):  # keep it for a look (CI artefact, README image)
        shutil.copy(screenshot, os.environ["BG_UI_SCREENSHOT"])


def test_chromium_renders_descriptions_and_metadata_as_markdown(webserver, tmp_path):
    require_chromium()
    graphql(webserver, "mutation { setNuxSeen }")

    # A column description with a source-key pattern: shown as code, not swallowed as HTML.
    persons = rendered_dom(f"{webserver}/assets/b2b/persons", tmp_path / "p1")
    assert "<code>&lt;lead id&gt;@&lt;munchkin&gt;.Marketo</code>" in persons, persons[-2000:]

    # An asset description written as Markdown: code spans, no raw RST double backticks.
    drops = rendered_dom(f"{webserver}/assets/landing/drops", tmp_path / "p2")
    assert "<code>&lt;landing&gt;/&lt;drop&gt;/&lt;entity&gt;[-&lt;part&gt;].csv</code>" in drops, drops[-2000:]
    assert "``" not in drops and "SPEC §" not in drops

    # A preview of person keys: code cells, never mailto: links.
    members = rendered_dom(f"{webserver}/assets/marts/buying_group_members?view=events", tmp_path / "p3")
    assert re.search(r"<td><code>\d+@123-ABC-456\.Marketo</code></td>", members), members[-2000:]
    assert "mailto:" not in members

    # The completeness distribution in score order, every band listed.
    groups = rendered_dom(f"{webserver}/assets/marts/buying_groups?view=events", tmp_path / "p4")
    bands = re.findall(r"<td><code>(0-39|40-69|70-99|100)</code></td>", groups)
    assert bands == ["0-39", "40-69", "70-99", "100"], bands
