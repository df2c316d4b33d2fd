"""Citations: the shipped bibliography, ``llpscan --cite``, ``llpscan cite STORE`` and CITATION.cff.

BibTeX is checked with pybtex (a test dependency), not with the code under test; the keys a
scenario names are looked up in pybtex's reading of the shipped file.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_string

from llpscan.cite import TOOLS, bibtex
from llpscan.detectors.registry import scenario_class, scenario_names
from llpscan.scanner.cli import main

ROOT = Path(__file__).resolve().parent.parent
BIB = resources.files("llpscan").joinpath("references.bib").read_text(encoding="utf-8")
BUILT_IN = [n for n in scenario_names() if scenario_class(n).__module__.startswith("llpscan.")]
PAPERS = {"Wang2024": "2410.00491", "Ferber2022": "2201.06580", "Zhang2022": "2204.07802",
          "Cheung2024": "2401.03168", "Ballett2019": "1903.07589"}


def _parsed(text):
    return parse_string(text, "bibtex")


def test_the_shipped_bibliography_parses_and_every_scenario_key_is_in_it():
    keys = set(_parsed(BIB).entries)
    for name in BUILT_IN:
        refs = scenario_class(name).references
        assert refs, f"{name} names no references"
        missing = [k for k in refs if k not in keys]
        assert not missing, f"{name}: {missing} not in references.bib"
        assert "PDG2024" in refs, name
    assert set(TOOLS.values()) <= keys


def test_the_first_reference_of_each_built_in_scenario_is_its_paper():
    db = _parsed(BIB)
    for name in BUILT_IN:
        first = scenario_class(name).references[0]
        assert first in PAPERS, (name, first)
        assert db.entries[first].fields["eprint"] == PAPERS[first]


def test_fields_the_bibliography_says_are_missing_are_not_filled_in():
    # each "% missing: a, b -- why" comment is followed by its entry: the fields it names stay absent
    fields = {"doi", "journal", "volume", "pages", "title", "primaryclass", "number", "year"}
    checked = 0
    for m in re.finditer(r"^% missing: (.*)\n(?:%.*\n)*@\w+\{([^,]+),", BIB, re.MULTILINE):
        note, key = m.group(1).split(" -- ")[0], m.group(2)
        named = {item.strip().split(" ")[0].lower() for item in note.split(",")} & fields
        entry = _parsed(bibtex([key])).entries[key]
        present = {f.lower() for f in entry.fields}
        assert not named & present, (key, named & present)
        checked += bool(named)
    assert checked >= 10


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cite_flag_prints_llpscan_the_papers_pdg_and_the_tools(capsys):
    code, out, err = _run(capsys, "--cite")
    assert code == 0, err
    db = _parsed(out)
    keys = list(db.entries)
    assert keys[0] == "llpscan"
    assert set(PAPERS) <= set(keys) and "PDG2024" in keys
    assert set(TOOLS.values()) <= set(keys)
    assert len(keys) == len(set(keys))
    from llpscan import __version__
    assert __version__ in db.entries["llpscan"].fields["note"]


def test_cite_store_prints_only_what_that_store_used(capsys, small_store):
    code, out, err = _run(capsys, "cite", str(small_store))
    assert code == 0, err
    keys = set(_parsed(out).entries)
    assert {"llpscan", "Wang2024", "PDG2024", "Bondarenko2018", "Harris2020", "Hoyer2017", "zarr"} <= keys
    assert not keys & {"Ferber2022", "Zhang2022", "Cheung2024", "Ballett2019", "Duerr2019"}
    assert "Hunter2007" not in keys  # the store recorded no matplotlib: the scan did not use it


def test_cite_of_a_path_that_is_no_store_is_one_line_exit_2(capsys, tmp_path):
    code, out, err = _run(capsys, "cite", str(tmp_path / "nothing.zarr"))
    assert code == 2 and out == ""
    assert err.startswith("llpscan: error: ") and err.count("\n") == 1


def test_citation_cff_is_valid_yaml_with_the_package_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for field in ("cff-version", "message", "title", "authors", "version", "type", "license"):
        assert cff.get(field), field
    assert cff["type"] == "software"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert str(cff["version"]) == version
    assert all(a.get("name") or a.get("family-names") for a in cff["authors"])
    for ref in cff["references"]:
        assert ref.get("type") and ref.get("title") and ref.get("authors"), ref
    arxiv = {i["value"] for r in cff["references"] for i in r.get("identifiers", [])}
    assert {f"arXiv:{n}" for n in PAPERS.values()} <= arxiv


@pytest.mark.parametrize("key", ["nope"])
def test_unknown_key_is_a_key_error(key):
    with pytest.raises(KeyError, match="nope"):
        bibtex([key])
    # what --cite and cite STORE use: a key another package's scenario declares is named, not fatal
    text = bibtex(["Wang2024", key], strict=False)
    assert text.startswith("@article{Wang2024,") and "% nope: declared by an installed scenario" in text


def test_options_that_change_the_physics_inputs_name_them_too():
    from llpscan.detectors.registry import get_scenario

    keys = set(_parsed(BIB).entries)
    for name in BUILT_IN:
        cls = scenario_class(name)
        for option, values in cls.options.items():
            for value in values:
                refs = get_scenario(name, {option: value}).references
                assert set(refs) <= keys, (name, option, value)
    hnlcalc = get_scenario("belle2-alp-hnl", {"hadrons": "hnlcalc-1gev"})
    assert "Feng2024" in hnlcalc.references and hnlcalc.switches[0].value == 1.0
    assert "Feng2024" not in get_scenario("belle2-alp-hnl").references
    assert get_scenario("belle2-alp-displaced", {"hadron_switch": "1.4"}).switches[0].value == 1.4
