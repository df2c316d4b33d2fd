"""deploy/: the local cluster script and TLS run for real on 127.0.0.1; what needs Docker,
Kubernetes or SLURM is checked for syntax and for naming the right commands."""

import json
import os
import py_compile
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from llpscan import scanner
from tests.conftest import small_config, subprocess_env

DEPLOY = Path(__file__).parent.parent / "deploy"


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
