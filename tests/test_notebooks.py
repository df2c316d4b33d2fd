"""Every notebook executes top to bottom (code cells run in order in one namespace)."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    # a notebook makes the stores it draws from itself, on a reduced grid when this is set
    monkeypatch.setenv("LLPSCAN_NOTEBOOK_FAST", "1")
    if path.stem == "wang2024_alp_hnl":
        # the full preset takes a minute; the notebook's checks need the paper's grid near m_a/2
        from llpscan import scanner
        cfg = scanner.api.config_of("belle2-alp-hnl").model_dump()
        cfg["axes"] = {"m_a": [4.2, 4.7], "m_N": [1.0, 1.5, 2.0, 2.2, 2.34], "V2": "log:1e-10:1e-2:41"}
        cfg["events"] = 5000
        scanner.run(cfg, tmp_path / "belle2-alp-hnl.zarr", progress=False)
    ns: dict = {}
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), ns)  # noqa: S102
    assert list(tmp_path.glob("*.png"))
