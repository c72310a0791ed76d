"""`advisor serve`: every endpoint, bad parameters, JSON equal to the CLI's, a real server, a browser."""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.stores import build_store

pytest.importorskip("fastapi", reason="fastapi is not installed (the `serve` extra)")
from fastapi.testclient import TestClient  # noqa: E402

from advisor.serve import create_app  # noqa: E402


@pytest.fixture
def store_path(tmp_path):
    return build_store(tmp_path / "known.db")


@pytest.fixture
def client(store_path):
    return TestClient(create_app(str(store_path)))


def test_recommend_json_equals_the_cli(client, cli, store_path):
    api = client.get("/recommend", params=[("need", "exact-likelihood"), ("need", "fast-sampling")]).json()
    assert api == cli.json("recommend", "--need", "exact-likelihood", "--need", "fast-sampling", "--db", store_path)
    assert client.get("/table").json() == cli.json("table", "--db", store_path)


def test_the_pages_notes_are_the_clis_words(client, cli, store_path, monkeypatch):
    notes = client.get("/recommend/notes", params={"need": "exact-likelihood"}).json()
    assert notes[0] == {"kind": "recommendation", "text": "Recommendation: autoregressive"}
    monkeypatch.setenv("COLUMNS", "400")
    out = cli("recommend", "--need", "exact-likelihood", "--db", store_path).stdout
    assert all(note["text"] in out for note in notes)


def test_a_measured_dataset_is_answered_without_measuring(client, cli, store_path):
    api = client.get("/datasets/ring8/recommend", params={"need": "exact-likelihood"}).json()
    mine = cli.json("recommend", "--need", "exact-likelihood", "--dataset", "ring8", "--db", store_path)
    assert api["dataset"] == "ring8" and api["kind"] == "2d"
    assert api["your_data"]["ranked"] == mine["ranked"] and api["your_data"]["datasets"] == ["ring8"]
    if api["reference"] is not None:  # beside the shipped store's ranking on 2-D data
        assert api["difference"] and set(api["reference"]["datasets"]) <= {
            "ring8",
            "grid25",
            "checkerboard",
            "moons",
            "swissroll",
        }
    missing = client.get("/datasets/nope/recommend", params={"need": "exact-likelihood"})
    assert missing.status_code == 422 and "nope" in missing.json()["detail"]


def test_other_endpoints(client):
    assert client.get("/health").json()["status"] == "ok"
    assert {f["name"] for f in client.get("/families").json()} >= {"gmm", "flow", "diffusion"}
    assert client.get("/families/gan").json()["card"]["likelihood"] == "none"
    page = client.get("/runs", params={"family": "flow", "limit": 2, "offset": 1}).json()
    assert len(page["runs"]) == 2 and all(r["family"] == "flow" for r in page["runs"])
    run_id = page["runs"][0]["id"]
    assert client.get(f"/runs/{run_id}").json()["id"] == run_id
    assert "Which generative model" in client.get("/").text
    assert "/recommend" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    "path, params, status, reason",
    [
        ("/recommend", {}, 422, "need"),
        ("/recommend", {"need": "exact-likelihod"}, 422, "Did you mean 'exact-likelihood'"),
        ("/recommend", {"need": "fast-sampling", "data_kind": "audio"}, 422, "data_kind"),
        ("/runs", {"limit": 0}, 422, "limit"),
        ("/runs/999999", {}, 404, "no run with id"),
        ("/runs/99999999999999999999999", {}, 422, "less than or equal"),
        ("/runs/0", {}, 422, "greater than or equal"),
        ("/runs", {"offset": 9223372036854775807}, 200, ""),
        ("/runs", {"offset": 9223372036854775808}, 422, "less than or equal"),
        ("/families/nope", {}, 404, "unknown family"),
    ],
)
def test_bad_parameters(client, path, params, status, reason):
    response = client.get(path, params=params)
    assert response.status_code == status and reason in json.dumps(response.json())


def test_nothing_writes(client):
    assert client.post("/runs").status_code == 405
    assert client.delete("/runs/1").status_code == 405


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(store_path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "serve", "--port", str(port), "--db", str(store_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start: " + process.stderr.read().decode())
    yield url
    process.terminate()
    process.wait(10)


@pytest.mark.slow
def test_real_server_over_http(server):
    with urllib.request.urlopen(server + "/recommend?need=exact-likelihood", timeout=10) as response:
        assert json.load(response)["ranked"][0]["family"] == "autoregressive"


@pytest.mark.slow
def test_page_renders_a_recommendation_in_headless_chromium(server, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`)")
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            server + "/?need=exact-likelihood",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "Recommendation: autoregressive" in dom
    assert "The textbook says: flow or autoregressive for exact-likelihood." in dom


def test_a_corpus_tables_name_with_a_slash_is_served(tmp_path):
    from tests.stores import add_dataset

    db = build_store(tmp_path / "k.db")
    add_dataset(db, "r:AER/HMDA", "tabular", {"flow": {"test_nll": 1.0}})
    client = TestClient(create_app(str(db)))
    answer = client.get("/datasets/r:AER/HMDA/recommend", params={"need": "exact-likelihood"})
    assert answer.status_code == 200 and answer.json()["dataset"] == "r:AER/HMDA"
