"""The distribution: one import name, the public API, the wheel installed on its own.

The wheel test builds llpscan's wheel, installs it (without dependencies: those come from the
test environment) into a fresh virtual environment, and runs every installed preset from an empty
directory with that environment's ``llpscan`` command, so nothing of the source tree is on the path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_llpscan_gives_the_public_api():
    import llpscan

    for name in ("run", "open", "build", "reach", "plot", "scenarios", "__version__"):
        assert hasattr(llpscan, name), name
    assert llpscan.__version__ != "0+unknown"
    assert "belle2-alp-hnl" in llpscan.scenarios.scenario_names()
    assert llpscan.physics.__name__ == "llpscan.physics" and llpscan.detectors.__name__ == "llpscan.detectors"


def test_python_dash_m_llpscan_runs_the_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "llpscan", "presets"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("belle2-alp-displaced")


def test_no_generic_top_level_module_shadows_ours(tmp_path):
    # a user's own physics.py / scanner.py / detectors.py in the working directory used to break
    # `import scanner`; llpscan's modules are all under llpscan.*
    for name in ("physics", "scanner", "detectors"):
        (tmp_path / f"{name}.py").write_text("raise ImportError('the user module was imported')\n")
    out = subprocess.run([sys.executable, "-m", "llpscan", "presets"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    assert out.returncode == 0, out.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    [whl] = out.glob("llpscan-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_holds_only_the_llpscan_package_with_its_metadata(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    dist_info = next(t for t in tops if t.endswith(".dist-info"))
    assert tops == {"llpscan", dist_info}, tops
    for module in ("llpscan/__init__.py", "llpscan/__main__.py", "llpscan/scanner/cli.py",
                   "llpscan/physics/models/alp.py", "llpscan/detectors/presets/belle2-alp-hnl.toml",
                   "llpscan/references.bib", "llpscan/cite.py"):
        assert module in names, module
    meta = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
    assert "License-Expression: BSD-3-Clause" in meta and "Classifier: Topic :: Scientific/Engineering :: Physics" in meta
    assert any(n.startswith(f"{dist_info}/licenses/LICENSE") for n in names)
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "[llpscan.scenarios]" in entry_points and "[llpscan.presets]" in entry_points


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_every_preset_from_an_empty_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True, timeout=300)
    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(py), "-c", "import llpscan, llpscan.scanner; print(llpscan.scanner.__file__)"],
                           capture_output=True, text=True, cwd=work, env=env, check=True)
    assert where.stdout.strip().startswith(str(venv)), where.stdout  # the wheel's copy, not the source tree
    llpscan = venv / "bin" / "llpscan"
    names = subprocess.run([str(llpscan), "presets"], capture_output=True, text=True, cwd=work, env=env, check=True)
    presets = [line.split()[0] for line in names.stdout.splitlines() if line and not line.startswith(" ")]
    assert len(presets) >= 16
    # every preset through the installed command-line entry point, in one process of the venv's Python
    # (one import and one numba compilation, instead of one per preset); few events: this proves the
    # installed package runs each preset, not the physics
    script = (
        "import sys\n"
        "from llpscan.scanner.cli import main\n"
        "for preset in sys.argv[1:]:\n"
        "    print(preset, main(['run', preset, '--events', '300', '--quiet']), flush=True)\n"
    )
    run = subprocess.run([str(py), "-c", script, *presets], capture_output=True, text=True, cwd=work, env=env,
                         timeout=1200)
    codes = dict(line.split()[:2] for line in run.stdout.splitlines() if line.split()[:1] and line.split()[0] in presets)
    assert codes == {p: "0" for p in presets}, run.stderr[-3000:]
    for preset in presets:
        assert (work / f"{preset}.zarr").is_dir() and (work / f"{preset}.png").is_file(), preset
    cite = subprocess.run([str(llpscan), "cite", f"{presets[0]}.zarr"], capture_output=True, text=True, cwd=work,
                          env=env, timeout=120)
    assert cite.returncode == 0 and cite.stdout.startswith("@misc{llpscan,"), cite.stderr  # the shipped .bib
