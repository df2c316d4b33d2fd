"""deploy/: the local cluster script and TLS run for real on 127.0.0.1; what needs Docker,
Kubernetes or SLURM is checked for syntax and for naming the right commands."""

import json
import os
import py_compile
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml

from llpscan import scanner
from tests.conftest import small_config, subprocess_env

DEPLOY = Path(__file__).parent.parent / "deploy"
ROOT = DEPLOY.parent


def listening(pids) -> list[str]:
    """The addresses every process in ``pids`` (and its descendants) listens on."""
    import psutil

    procs = []
    for pid in pids:
        p = psutil.Process(pid)
        procs += [p, *p.children(recursive=True)]
    return sorted({c.laddr.ip for p in procs for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN})


@pytest.mark.slow
def test_local_cluster_script_runs_a_scan(tmp_path):
    env = subprocess_env(PYTHON=sys.executable)
    d = tmp_path / "cluster"
    start = subprocess.run(["bash", str(DEPLOY / "local-cluster.sh"), "start", "2", str(d)], capture_output=True,
                           text=True, env=env, timeout=180)
    try:
        assert start.returncode == 0, start.stderr
        address = start.stdout.strip().splitlines()[-1]
        assert address.startswith("tcp://127.0.0.1:")
        report = scanner.run(small_config(), tmp_path / "s.zarr", scheduler=address, progress=False)
        assert report.blocks_run == report.blocks_total
        pids = [int(p) for p in (d / "pids").read_text().split()]
        assert len(pids) == 3
        # scheduler, workers, nannies and dashboards: loopback only (dask's defaults are every interface)
        assert listening(pids) == ["127.0.0.1"]
    finally:
        stop = subprocess.run(["bash", str(DEPLOY / "local-cluster.sh"), "stop", str(d)], capture_output=True,
                              text=True, env=env, timeout=60)
    assert stop.returncode == 0, stop.stderr
    time.sleep(0.5)
    assert not [pid for pid in pids if running(pid)]


def running(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie (orphans are reaped late in some containers)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command for certificates")
def test_tls_cluster_from_the_shipped_scripts(tmp_path):
    certs = tmp_path / "tls"
    subprocess.run(["bash", str(DEPLOY / "tls" / "make-certs.sh"), str(certs), "127.0.0.1"], check=True,
                   capture_output=True, timeout=60)
    tls = ["--tls-ca-file", str(certs / "ca.pem"), "--tls-cert", str(certs / "node.pem"), "--tls-key", str(certs / "node.key")]
    conf = tmp_path / "dask"
    conf.mkdir()
    text = (DEPLOY / "tls" / "distributed-tls.yaml").read_text().replace("/etc/llpscan/tls", str(certs))
    (conf / "distributed-tls.yaml").write_text(text)
    env = subprocess_env(DASK_CONFIG=str(conf))
    sf = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--protocol", "tls", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(sf), *tls],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                              env=env)]
    try:
        for _ in range(600):
            if sf.exists() and sf.stat().st_size:
                break
            time.sleep(0.05)
        address = json.loads(sf.read_text())["address"]
        assert address.startswith("tls://127.0.0.1:")
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                                       "--no-dashboard", "--host", "127.0.0.1", *tls], cwd=tmp_path, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        run = [sys.executable, "-m", "llpscan", "run", "belle2-alp-hnl", "--events", "300", "--quiet",
               "--axis", "m_a=4.7", "--axis", "m_N=1.0,2.0", "--axis", "V2=log:1e-8:1e-4:5", "--scheduler", address]
        ok = subprocess.run([*run, "--out", "tls.zarr"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        assert ok.returncode == 0, ok.stderr
        assert "2 of 2 blocks computed" in ok.stdout or "1 of 1 blocks computed" in ok.stdout
        # without the certificates the client cannot talk to the cluster: a one-line error, no store
        bare = {k: v for k, v in subprocess_env().items() if not k.startswith("DASK_")}
        bare["DASK_CONFIG"] = str(tmp_path / "empty")
        refused = subprocess.run([*run, "--out", "plain.zarr"], cwd=tmp_path, env=bare, capture_output=True,
                                 text=True, timeout=180)
        assert refused.returncode == 2 and refused.stderr.startswith("llpscan: error:"), refused.stderr
        assert refused.stderr.count("\n") == 1
        assert not (tmp_path / "plain.zarr").exists()
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def test_local_cluster_refuses_other_interfaces_without_tls(tmp_path):
    env = subprocess_env(PYTHON=sys.executable, LLPSCAN_HOST="0.0.0.0")
    res = subprocess.run(["bash", str(DEPLOY / "local-cluster.sh"), "start", "1", str(tmp_path / "c")],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 2 and "refusing an open cluster" in res.stderr and "deploy/README.md" in res.stderr
    assert not (tmp_path / "c" / "pids").exists()


@pytest.mark.slow
def test_workers_option_binds_its_cluster_to_loopback():
    from llpscan.scanner.backends import connect

    with connect(workers=1) as client:
        assert client.scheduler.address.startswith("tcp://127.0.0.1:")
        assert listening([os.getpid()]) == ["127.0.0.1"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for line in (DEPLOY / "docker" / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            if pending.strip():
                word, _, rest = pending.strip().partition(" ")
                out.append((word.upper(), rest.strip()))
            pending = ""
    return out


def test_dockerfile_runs_as_a_fixed_unprivileged_user_with_a_writable_data_dir():
    steps = dockerfile_instructions()
    users = [arg for op, arg in steps if op == "USER"]
    assert users, "no USER: the image runs as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0  # numeric, so runAsNonRoot can check it
    last_run = max(i for i, (op, _) in enumerate(steps) if op == "RUN")
    assert [op for op, _ in steps].index("USER") > last_run  # installs as root, runs as the user
    setup = " ".join(arg for op, arg in steps if op == "RUN")
    assert f"--uid {uid}" in setup and f"chown {uid}:{uid} /data" in setup
    values = yaml.safe_load((DEPLOY / "kubernetes" / "values.yaml").read_text())
    for part in ("scheduler", "worker"):
        ctx = values[part]["securityContext"]
        assert ctx["runAsNonRoot"] is True and ctx["runAsUser"] == int(uid)


def test_dockerfile_copies_everything_pip_install_needs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    copied = set()
    for op, arg in dockerfile_instructions():
        if op == "COPY":
            copied.update(arg.split()[:-1])
    folders = set(project["tool"]["setuptools"]["package-dir"].values())
    assert folders == {"llpscan", "physics", "detectors", "scanner"}
    assert folders <= copied, folders - copied
    assert {"pyproject.toml", project["project"]["readme"], *project["project"]["license-files"]} <= copied


def test_dockerfile_warm_up_command_runs_here(tmp_path):
    """The build's warm-up scan (every axis one value) must exit 0; no Docker engine here, so the
    command itself runs, with its /tmp paths moved into a test directory."""
    run = " ".join(arg for op, arg in dockerfile_instructions() if op == "RUN")
    m = re.search(r"llpscan (run [^>&]*?)(?:>|&&|$)", run)
    assert m, run
    argv = [a.replace("/tmp/", f"{tmp_path}/") for a in shlex.split(m.group(1))]
    assert "--out" in argv
    res = subprocess.run([sys.executable, "-m", "llpscan", *argv], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300, env=subprocess_env())
    assert res.returncode == 0, res.stderr
    assert "plot: skipped" in res.stdout and "Traceback" not in res.stderr
    assert (tmp_path / "warm.zarr" / "zarr.json").is_file()


def test_compose_file_runs_scheduler_workers_and_llpscan_on_a_shared_volume():
    doc = yaml.safe_load((DEPLOY / "docker" / "compose.yaml").read_text())
    svc = doc["services"]
    assert svc["scheduler"]["command"][:4] == ["python", "-m", "dask", "scheduler"]
    assert svc["worker"]["command"][:5] == ["python", "-m", "dask", "worker", "tcp://scheduler:8786"]
    assert svc["scan"]["command"][:2] == ["llpscan", "run"] and "tcp://scheduler:8786" in svc["scan"]["command"]
    for name in ("worker", "scan"):
        assert "scans:/data" in svc[name]["volumes"]
    assert "scans" in doc["volumes"]
    assert svc["scheduler"]["build"]["dockerfile"] == "deploy/docker/Dockerfile"


def test_dockerfile_installs_the_package_it_copies():
    text = (DEPLOY / "docker" / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11" in text
    for pkg in ("llpscan", "physics", "detectors", "scanner"):
        assert f"COPY {pkg} ./{pkg}" in text
    assert "pip install --no-cache-dir ." in text


def test_tls_recipes_keep_dashboards_on_loopback():
    readme = (DEPLOY / "README.md").read_text()
    section = readme[readme.index("## TLS and authentication"):]
    for line in section.splitlines():
        if line.startswith(("dask scheduler", "dask worker")):
            i = section.index(line)
            assert "--dashboard-address 127.0.0.1:" in section[i:i + 300], line
    assert "ssh -N -L 8787:127.0.0.1:8787" in section
    head = (DEPLOY / "tls" / "distributed-tls.yaml").read_text().split("distributed:")[0]
    assert head.count("--dashboard-address 127.0.0.1:") == 2


def test_helm_values_and_claim():
    values = yaml.safe_load((DEPLOY / "kubernetes" / "values.yaml").read_text())
    assert values["worker"]["replicas"] >= 1
    assert values["scheduler"]["image"]["repository"] == values["worker"]["image"]["repository"]
    mounts = values["worker"]["mounts"]
    assert mounts["volumeMounts"][0]["mountPath"] == "/data"
    claim = yaml.safe_load((DEPLOY / "kubernetes" / "pvc.yaml").read_text())
    assert claim["kind"] == "PersistentVolumeClaim" and claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert mounts["volumes"][0]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]


def test_slurm_example_compiles_and_tls_config_parses(tmp_path):
    py_compile.compile(str(DEPLOY / "slurm" / "slurm_cluster.py"), cfile=str(tmp_path / "x.pyc"), doraise=True)
    assert "SLURMCluster" in (DEPLOY / "slurm" / "slurm_cluster.py").read_text()
    tls = yaml.safe_load((DEPLOY / "tls" / "distributed-tls.yaml").read_text())["distributed"]["comm"]
    assert tls["require-encryption"] is True and set(tls["tls"]) >= {"ca-file", "client", "worker", "scheduler"}
