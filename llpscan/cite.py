"""What to cite: BibTeX for llpscan, the papers and inputs of its scenarios, PDG and the tools.

The bibliography ships as package data, ``llpscan/references.bib``: every entry was checked against
a public source named in the ``% verified:`` comment above it, and fields that could not be checked
are left out and listed in a ``% missing:`` comment (never guessed). Scenarios name the keys they
rely on in their ``references`` attribute, and a store records them (attr ``references``), so
``llpscan cite STORE`` prints exactly what that scan used: its scenario's papers and physics inputs,
PDG, and the libraries whose versions the store recorded.

>>> "PDG2024" in entries()
True
>>> bibtex(["Wang2024"]).startswith("@article{Wang2024,")
True
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

__all__ = ["TOOLS", "entries", "bibtex", "llpscan_entry", "all_keys", "store_keys", "cite_all", "cite_store"]

#: the library a store or figure used -> its BibTeX key (the citation each project asks for)
TOOLS = {
    "numpy": "Harris2020",
    "scipy": "Virtanen2020",
    "dask": "Rocklin2015",
    "xarray": "Hoyer2017",
    "zarr": "zarr",
    "numba": "Lam2015",
    "matplotlib": "Hunter2007",
    "particle": "particle",
}

_ENTRY = re.compile(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


@lru_cache(maxsize=1)
def entries() -> dict[str, str]:
    """Every entry of ``references.bib`` by key, as its BibTeX text (comments left out)."""
    text = resources.files("llpscan").joinpath("references.bib").read_text(encoding="utf-8")
    out = {}
    for m in _ENTRY.finditer(text):
        depth, i = 0, text.index("{", m.start())
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                out[m.group(2)] = text[m.start(): j + 1]
                break
        else:  # pragma: no cover - the shipped file is balanced (tested)
            raise ValueError(f"references.bib: unbalanced braces in entry {m.group(2)}")
    return out


def llpscan_entry() -> str:
    """BibTeX for llpscan itself, with the installed version (as CITATION.cff asks)."""
    from llpscan import __version__

    return ("@misc{llpscan,\n"
            "  author        = {{llpscan developers}},\n"
            "  title         = {{llpscan}: distributed parameter scans of long-lived-particle reach},\n"
            f"  note          = {{version {__version__}}},\n"
            "  url           = {https://github.com/llpscan/llpscan}\n"
            "}")


def bibtex(keys, *, strict: bool = True) -> str:
    """The entries of ``keys`` (in order, each once), separated by blank lines; KeyError names a
    key the bibliography lacks (``strict=False``: a BibTeX comment line says so instead, for keys
    that a scenario of another package declares). The key ``llpscan`` gives :func:`llpscan_entry`."""
    known = entries()
    out, seen = [], set()
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        if key == "llpscan":
            out.append(llpscan_entry())
        elif key in known:
            out.append(known[key])
        elif strict:
            raise KeyError(f"{key!r} is not in llpscan/references.bib")
        else:
            out.append(f"% {key}: declared by an installed scenario, not in llpscan's bibliography")
    return "\n\n".join(out) + "\n"


def all_keys() -> list[str]:
    """llpscan, the papers the installed scenarios reproduce (each scenario's first key), their other
    references (physics inputs, PDG), and the tools."""
    from llpscan.detectors.registry import scenario_class, scenario_names

    refs = [scenario_class(name).references for name in scenario_names()]
    # a scenario's first key is the paper it reproduces: those first, then the inputs
    return ["llpscan", *(r[0] for r in refs if r), *(k for r in refs for k in r[1:]), *TOOLS.values()]


def store_keys(attrs: dict) -> list[str]:
    """What one store used: llpscan, its scenario's references (the store's own record, else the
    installed scenario's), and the libraries whose versions it recorded."""
    refs = attrs.get("references")
    if refs is None:  # a store written before scenarios declared references
        from llpscan.detectors.registry import scenario_class
        from llpscan.errors import ScenarioError

        try:
            refs = list(scenario_class(attrs.get("scenario", "")).references)
        except ScenarioError:
            refs = []
    else:
        refs = json.loads(refs) if isinstance(refs, str) else list(refs)
    versions = json.loads(attrs.get("versions", "{}"))
    tools = [key for lib, key in TOOLS.items() if lib in versions]
    return ["llpscan", *refs, *tools]


def cite_all() -> str:
    """What ``llpscan --cite`` prints."""
    return bibtex(all_keys(), strict=False)


def cite_store(*stores) -> str:
    """What ``llpscan cite STORE [STORE ...]`` prints: the union over the stores, in order."""
    from llpscan.scanner.store import locate, read_attrs

    keys = []
    for store in stores:
        keys += store_keys(read_attrs(locate(store)))
    return bibtex(keys, strict=False)
