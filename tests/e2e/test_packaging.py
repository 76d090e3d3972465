"""What a newcomer installs (issue 14): the sdist and wheel python -m build makes pass twine's
check and carry the licence, the docs and the scenario library; the wheel installed into a fresh
virtualenv answers --version, serves, and passes simnode check."""

import base64
import http.client
import json
import re
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from docpages import blocks_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)  # fmt: skip
    return out


def test_the_sdist_and_wheel_pass_twine_and_carry_licence_docs_and_scenarios(dist):
    files = sorted(dist.iterdir())
    checked = subprocess.run([sys.executable, "-m", "twine", "check", *map(str, files)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    for wanted in ("LICENSE", "docs/architecture.md", "scenarios/ban-storm.yaml",
                   "fixtures/methods/pai.jsonl", "tests/conftest.py"):  # fmt: skip
        assert any(name.endswith(wanted) for name in names), wanted
    (wheel,) = dist.glob("*.whl")
    members = zipfile.ZipFile(wheel).namelist()
    assert any(m.endswith("licenses/LICENSE") for m in members)
    assert "simnode/scenario_library/mempool-fill.yaml" in members
    live_page = {f"simnode/http/ui/{name}" for name in ("index.html", "app.js", "style.css")}
    assert live_page <= set(members)


def test_the_sdist_installs_and_runs(dist, tmp_path):
    """The sdist builds and installs in a fresh virtualenv (its build backend from the package
    index, its runtime dependencies from this environment) and its command runs."""
    python = _fresh_venv(tmp_path)
    (sdist,) = dist.glob("*.tar.gz")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(sdist)], check=True,
                   cwd=tmp_path)  # fmt: skip
    version = subprocess.run([python, "-m", "simnode.cli", "--version"], capture_output=True,
                             text=True, cwd=tmp_path)  # fmt: skip
    assert re.fullmatch(r"simnode \d+\.\d+\.\d+\n", version.stdout), version.stderr


def _fresh_venv(tmp_path: Path) -> Path:
    """A new virtualenv that finds this environment's packages after its own."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([python, "-c", where], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip
    Path(site, "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_installed_wheel_serves_and_checks(dist, tmp_path):
    """A fresh virtualenv with the wheel (its dependencies from this environment, so the test
    needs no network), run outside the checkout: --version, serve, simnode check of it."""
    python = _fresh_venv(tmp_path)
    (wheel,) = dist.glob("*.whl")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    site = str(python.parents[1] / "lib")
    simnode = [str(python), "-m", "simnode.cli"]
    version = subprocess.run([*simnode, "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert re.fullmatch(r"simnode \d+\.\d+\.\d+\n", version.stdout)
    located = subprocess.run([python, "-c", "import simnode; print(simnode.__file__)"],
                             capture_output=True, text=True, check=True,
                             cwd=tmp_path).stdout  # fmt: skip
    assert located.startswith(site)  # the wheel's copy, not this checkout's
    served = subprocess.Popen(
        [*simnode, "serve", "--rpcport", "0", "--datadir", str(tmp_path / "data"),
         "--rpcuser", "u", "--rpcpassword", "p"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    try:
        url = re.search(r"at (http://127\.0\.0\.1:\d+/)", served.stdout.readline()).group(1)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST",
            "/",
            b'{"id":1,"method":"getblockcount"}',
            {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()},
        )
        reply = json.loads(connection.getresponse().read())
        connection.close()
        assert reply["error"] is None and reply["result"] > 0
        checked = subprocess.run(
            [*simnode, "check", "--url", url, "--user", "u", "--password", "p"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        served.terminate()
        served.communicate(timeout=10)
    # The README's pytest example, in a fresh project, with the installed plugin.
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_readme.py").write_text(blocks_of("../README.md")["test_readme.py"])
    tested = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            capture_output=True, text=True, cwd=project, timeout=120)  # fmt: skip
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout
