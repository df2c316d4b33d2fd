"""A battery of bad inputs a new user would try, and the judge of whether each is handled cleanly.

Clean means: the right exit status (2 for a user error, 3 for a bug, 0 where the input is in fact
fine), ONE line on stderr (``llpscan: error: ...``) and no traceback, nothing created or changed
(the case's directory is snapshotted, file by file with size, mtime and SHA-256, before and after),
and nothing silently wrong (numbers from damaged data, a store that says it is complete when it is
not). Python API cases must raise an :class:`~llpscan.errors.LLPScanError` (or a ``TypeError`` for
a wrong type) with a one-line message that does not speak of command-line flags.

Every case runs in a fresh directory holding the fixtures it names (stores built once per battery
run with the code under test). The same table serves two runners:

- ``benchmarks/bad_input_battery.py``: every case as a subprocess of any llpscan environment
  (``--python .venv/bin/python``), so the ratio can be measured before and after a change;
- ``tests/test_error_messages.py``: the cases marked ``subset``, in process, as part of the suite.

Nothing here imports llpscan at module level: the battery judges other versions of it too.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# the small store: 2 x 5 mass points in 6 blocks, 7 lifetime points, 500 events (seconds to run)
SMALL = ["run", "belle2-alp-hnl", "--events", "500", "--quiet", "--axis", "m_a=4.2,4.7",
         "--axis", "m_N=0.5,1.0,1.5,2.0,2.3", "--axis", "V2=log:1e-9:1e-3:7", "--chunks", "m_a=1", "--chunks", "m_N=2"]
# a cheap run that bad inputs are added to (if one is accepted by mistake, it is over in seconds)
RUN_AXES = {"m_a": "4.7", "m_N": "1.0,2.0", "V2": "log:1e-8:1e-4:3"}
RUN = ["run", "belle2-alp-hnl", "--events", "200", "--quiet", *(a for k, v in RUN_AXES.items() for a in ("--axis", f"{k}={v}"))]


def run_axis(*specs: str) -> list[str]:
    """RUN with the axes given in ``specs`` (NAME=VALUES, or anything malformed) in place of its own."""
    names = {s.partition("=")[0] for s in specs}
    axes = [a for k, v in RUN_AXES.items() if k not in names for a in ("--axis", f"{k}={v}")]
    return [*RUN[:5], *axes, *(a for s in specs for a in ("--axis", s))]
# the Dockerfile's warm-up (deploy/docker/Dockerfile), with its store in the case directory
WARMUP = ["run", "belle2-alp-hnl", "--events", "200", "--axis", "m_a=4.7", "--axis", "m_N=2.0", "--axis", "V2=1e-7",
          "--out", "warm.zarr", "--quiet"]
# the chunk whose block (m_a=4.7, m_N=1.5..2.0) the damage cases break
CHUNK = "acceptance/c/0/1/1/0"
DAMAGED_POINT = ["--sel", "m_a=4.7", "--sel", "m_N=1.5", "--sel", "V2=1e-7"]
SMALL_CONFIG = ('{"scenario": "belle2-alp-hnl", "events": 500, "axes": {"m_a": [4.2, 4.7], '
                '"m_N": [0.5, 1.0, 1.5, 2.0, 2.3], "V2": "log:1e-9:1e-3:7"}, "chunks": {"m_a": 1, "m_N": 2}}')
TOML_HEAD = 'scenario = "belle2-alp-hnl"\n'
TOML_AXES = '[axes]\nm_a = [4.7]\nm_N = [1.0, 2.0]\nV2 = "log:1e-8:1e-4:3"\n'


@dataclass
class Case:
    """One bad input. ``argv``: a command line; ``code``: Python run against the API; ``steps``:
    several command lines, the last one judged. ``expect``: error | ok | either | internal | found."""

    id: str
    argv: list[str] | None = None
    code: str | None = None
    steps: list[list[str]] | None = None
    fixtures: tuple[str, ...] = ()
    files: dict = field(default_factory=dict)
    expect: str = "error"
    fragment: str | None = None  # the message must contain this (checked by the test suite only)
    check: str | None = None  # a post-condition in CHECKS
    type_error: bool = False  # an API case where a TypeError is the right answer
    root: bool = False  # needs to mount a tmpfs
    may_touch: bool = False  # a clean error may leave the store changed (a resume that ran out of disk)
    subset: bool = False  # also run in-process by the test suite
    group: str = ""


def _toml(body: str, axes: str = TOML_AXES) -> dict:
    """A config file: the scenario, 200 events unless ``body`` sets them, ``body``, then the axes."""
    events = "" if re.search(r"^events\s*=", body, re.M) else "events = 200\n"
    return {"c.toml": TOML_HEAD + events + body + "\n" + axes}


def cases() -> list[Case]:
    C = Case
    out: list[Case] = []

    def add(group, *items):
        for c in items:
            c.group = group
            out.append(c)

    add("config",
        C("preset-unknown", ["run", "no-such-preset"], fragment="unknown preset", subset=True),
        C("preset-empty", ["run", ""]),
        C("toml-missing", ["run", "missing.toml"], fragment="does not exist"),
        C("toml-directory", ["run", "dir.toml"], fixtures=("dir.toml",)),
        C("toml-syntax", ["run", "c.toml"], files={"c.toml": "scenario = \n[axes\n"}, fragment="not valid TOML"),
        C("toml-unknown-key", ["run", "c.toml"], files=_toml("colour = 1\n"), fragment="unknown key 'colour'"),
        C("toml-no-scenario", ["run", "c.toml"], files={"c.toml": TOML_AXES}),
        C("toml-unknown-scenario", ["run", "c.toml"], files={"c.toml": 'scenario = "nope"\n' + TOML_AXES}),
        C("toml-axes-not-table", ["run", "c.toml"], files={"c.toml": TOML_HEAD + "events = 200\naxes = 3\n"}),
        C("toml-axis-strings", ["run", "c.toml"], files=_toml("", '[axes]\nm_N = ["a"]\n')),
        C("toml-axis-unknown", ["run", "c.toml"], files=_toml("", TOML_AXES + "m_q = [1]\n"),
          fragment="unknown axis 'm_q'", subset=True),
        C("toml-events-string", ["run", "c.toml"], files=_toml('events = "many"\n')),
        C("toml-events-zero", ["run", "c.toml"], files=_toml("events = 0\n")),
        C("toml-events-huge-float", ["run", "c.toml"], files=_toml("events = 1e12\n")),
        C("toml-events-bool", ["run", "c.toml"], files=_toml("events = true\n")),
        C("toml-seed-negative", ["run", "c.toml"], files=_toml("seed = -1\n")),
        C("toml-seed-float", ["run", "c.toml"], files=_toml("seed = 1.5\n")),
        C("toml-search-unknown", ["run", "c.toml"], files=_toml('searches = ["nope"]\n')),
        C("toml-search-none", ["run", "c.toml"], files=_toml("searches = []\n")),
        C("toml-search-twice", ["run", "c.toml"], files=_toml('searches = ["1DV", "1DV"]\n'), fragment="twice", subset=True),
        C("toml-plot-x-unknown", ["run", "c.toml"], files=_toml('[plot]\nx = "nope"\n'), fragment="[plot] x", subset=True),
        C("toml-plot-y-unknown", ["run", "c.toml"], files=_toml('[plot]\ny = "nope"\n'), fragment="[plot] y"),
        C("toml-plot-sel-unknown", ["run", "c.toml"], files=_toml('[plot]\nsel = {m_q = 1.0}\n'), fragment="m_q"),
        C("toml-plot-sel-nan", ["run", "c.toml"], files=_toml('[plot]\nsel = {m_a = nan}\n'), fragment="finite"),
        C("toml-plot-sel-string", ["run", "c.toml"], files=_toml('[plot]\nsel = {m_a = "x"}\n')),
        C("toml-plot-sel-fixed", ["run", "c.toml"], files=_toml('[plot]\nsel = {g_bs = 5e-9}\n'), fragment="fixed at"),
        C("toml-plot-same-axes", ["run", "c.toml"], files=_toml('[plot]\nx = "m_N"\ny = "m_N"\n'), fragment="both"),
        C("toml-param-unknown", ["run", "c.toml"], files=_toml("[params]\nm_q = 1\n")),
        C("toml-param-and-axis", ["run", "c.toml"], files=_toml("[params]\nm_N = 1.0\n")),
        C("toml-param-range", ["run", "c.toml"], files=_toml("[params]\ng_bs = -1.0\n")),
        C("toml-param-inf", ["run", "c.toml"], files=_toml("[params]\ng_bs = inf\n")),
        C("toml-axis-nan", ["run", "c.toml"], files=_toml("", "[axes]\nm_a = [4.7]\nm_N = [1.0, nan]\nV2 = [1e-8, 1e-6]\n")),
        C("toml-axis-repeated", ["run", "c.toml"], files=_toml("", "[axes]\nm_a = [4.7]\nm_N = [1.0, 1.0]\nV2 = [1e-8, 1e-6]\n")),
        C("toml-axis-bools", ["run", "c.toml"], files=_toml("", "[axes]\nm_a = [4.7]\nm_N = [true, false]\nV2 = [1e-8, 1e-6]\n")),
        C("toml-axis-table", ["run", "c.toml"], files=_toml("", "[axes]\nm_a = [4.7]\nm_N = {a = 1}\nV2 = [1e-8, 1e-6]\n")),
        C("toml-axis-num-zero", ["run", "c.toml"], files=_toml("", '[axes]\nm_a = [4.7]\nm_N = "lin:1:2:0"\n')),
        C("toml-axis-count-huge", ["run", "c.toml"], files=_toml("", '[axes]\nm_a = [4.7]\nm_N = [1.0]\nV2 = "log:1e-10:1e-2:100000000"\n'),
          fragment="at most"),
        C("toml-grid-huge", ["run", "c.toml"], files={"c.toml": 'scenario = "belle2-alp-hnl"\n[axes]\nm_a = [4.7]\n'
                                                                'm_N = "lin:0.1:2.3:11600"\nV2 = "log:1e-10:1e-2:11600"\n'},
          fragment="limit", subset=True),
        C("toml-chunks-unknown", ["run", "c.toml"], files=_toml("[chunks]\nm_q = 2\n")),
        C("toml-chunks-zero", ["run", "c.toml"], files=_toml("[chunks]\nm_N = 0\n")),
        C("toml-chunks-huge-float", ["run", "c.toml"], files=_toml("[chunks]\nm_N = 1e30\n"),
          expect="either", check="complete:c.zarr"),
        C("toml-option-unknown", ["run", "c.toml"], files=_toml('[options]\nnope = "x"\n')),
        C("toml-option-bad", ["run", "c.toml"], files=_toml('[options]\nboost = "sideways"\n')),
        C("toml-option-number", ["run", "c.toml"], files=_toml("[options]\nboost = 1\n")),
        C("toml-binary", ["run", "c.toml"], files={"c.toml": b"\xff\xfe\x00\x81garbage\x00"}),
        C("toml-empty", ["run", "c.toml"], files={"c.toml": ""}),
        C("toml-description-number", ["run", "c.toml"], files=_toml("description = 5\n")),
    )

    add("run-flags",
        C("axis-unknown", run_axis("m_x=1,2"), fragment="unknown axis 'm_x'"),
        C("axis-malformed", run_axis("V2=log:1e-10:abc:5"), fragment="malformed VALUES"),
        C("axis-empty-values", run_axis("m_N=")),
        C("axis-empty-name", run_axis("=1")),
        C("axis-no-equals", run_axis("m_N")),
        C("axis-num-zero", run_axis("m_N=lin:0.1:1:0")),
        C("axis-count-1e8", run_axis("m_N=lin:0.5:2:100000000"), fragment="at most", subset=True),
        C("axis-count-1e8-exp", run_axis("m_N=lin:0.5:2:1e8")),
        C("axis-count-fraction", run_axis("m_N=lin:0.5:2:2.5")),
        C("axis-log-zero", run_axis("V2=log:0:1:5")),
        C("axis-log-negative", run_axis("V2=log:-1:1:3")),
        C("axis-double-comma", run_axis("m_N=1,,2")),
        C("axis-semicolon", run_axis("m_N=1;2")),
        C("axis-inf", run_axis("m_N=inf")),
        C("axis-nan", run_axis("m_N=nan")),
        C("axis-overflow", run_axis("m_N=1e400")),
        C("axis-lin-inf", run_axis("m_N=lin:1e400:2:3")),
        C("axis-range", run_axis("m_a=7"), fragment="outside the allowed range"),
        C("axis-negative-mass", run_axis("m_N=-1")),
        C("axis-repeated", run_axis("m_N=1,1"), fragment="repeated"),
        C("axis-negative-coupling", run_axis("g_bs=-1e-9")),
        C("axis-hex", run_axis("m_N=0x10")),
        C("axis-space", run_axis("m_N=1 2")),
        C("axis-given-twice", [*RUN, "--axis", "m_N=2.0"], fragment="twice", subset=True),
        C("grid-11600-squared", run_axis("m_N=lin:0.1:2.3:11600", "V2=log:1e-10:1e-2:11600"),
          fragment="--allow-large", subset=True),
        # events come in batches (memory flat in --events); what grows is a batch x the lifetime points
        C("lifetime-4e5-memory", [*run_axis("V2=log:1e-8:1e-4:400000"), "--events", "100000", "--chunks", "V2=400000"],
          fragment="memory",
          subset=True),
        C("events-float-notation", [*RUN, "--events", "1e5"]),
        C("events-zero", [*RUN, "--events", "0"], fragment="events=0"),
        C("events-negative", [*RUN, "--events", "-5"]),
        C("events-one", [*RUN, "--events", "1"]),
        C("events-text", [*RUN, "--events", "abc"]),
        C("events-fraction", [*RUN, "--events", "1.5"]),
        C("events-1e9", [*RUN, "--events", "1000000000"]),
        C("seed-negative", [*RUN, "--seed", "-1"]),
        C("seed-text", [*RUN, "--seed", "abc"]),
        C("seed-2to63", [*RUN, "--seed", "9223372036854775808"]),
        C("seed-float", [*RUN, "--seed", "1e3"]),
        # mass and lifetime axes split into blocks; a rate axis is broadcast, never a block
        C("chunks-rate-axis", [*RUN, "--axis", "lumi=1000,50000", "--chunks", "lumi=1"],
          fragment="only mass and lifetime axes"),
        C("chunks-zero", [*RUN, "--chunks", "m_N=0"]),
        C("chunks-negative", [*RUN, "--chunks", "m_N=-1"]),
        C("chunks-text", [*RUN, "--chunks", "m_N=abc"]),
        C("chunks-float", [*RUN, "--chunks", "m_N=1e3"]),
        C("chunks-unknown-axis", [*RUN, "--chunks", "m_q=2"]),
        C("chunks-no-equals", [*RUN, "--chunks", "m_N"]),
        C("chunks-huge", [*RUN, "--chunks", "m_N=99999999999999999999", "--out", "h.zarr", "--plot", "h.png"],
          expect="either", check="complete:h.zarr", subset=True),
        C("workers-zero", [*RUN, "--workers", "0"], fragment="at least 1"),
        C("workers-negative", [*RUN, "--workers", "-1"]),
        C("workers-text", [*RUN, "--workers", "abc"]),
        C("workers-too-many", [*RUN, "--workers", "12"], fragment="cores"),
        C("workers-and-scheduler", [*RUN, "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"], fragment="exclude"),
        C("scheduler-unreachable", [*RUN, "--scheduler", "tcp://127.0.0.1:9"], fragment="cannot reach"),
        C("scheduler-garbage", [*RUN, "--scheduler", "garbage"]),
        C("scheduler-no-file", [*RUN, "--scheduler", "nosuchfile.json"]),
        C("scheduler-tls-unconfigured", [*RUN, "--scheduler", "tls://127.0.0.1:9"]),
        C("scheduler-file-not-json", [*RUN, "--scheduler", "sched.json"], files={"sched.json": "not json\n"}),
        C("scheduler-file-no-address", [*RUN, "--scheduler", "sched.json"], files={"sched.json": "{}\n"}),
        C("scheduler-http", [*RUN, "--scheduler", "http://127.0.0.1:9"]),
        C("out-empty", [*RUN, "--out", ""], fragment="empty store path"),
        C("out-no-dir", [*RUN, "--out", "no/such/dir/x.zarr"], fragment="does not exist"),
        C("out-regular-file", [*RUN, "--out", "file.txt"], fixtures=("file.txt",), fragment="not an llpscan store"),
        C("out-plain-dir", [*RUN, "--out", "plain"], fixtures=("plain",), fragment="not an llpscan store"),
        C("out-foreign-zarr", [*RUN, "--out", "other.zarr"], fixtures=("other.zarr",)),
        C("out-foreign-zarr-overwrite", [*RUN, "--out", "other.zarr", "--overwrite"], fixtures=("other.zarr",),
          fragment="not an llpscan store", subset=True),
        C("out-proc", [*RUN, "--out", "/proc/x.zarr"]),
        C("out-cwd", [*RUN, "--out", "."], fixtures=("file.txt",)),
        C("out-other-config", [*RUN, "--out", "s.zarr"], fixtures=("s.zarr",), fragment="different config", subset=True),
        C("out-other-config-resume", [*RUN, "--out", "s.zarr", "--resume"], fixtures=("s.zarr",)),
        C("out-complete", [*SMALL, "--out", "s.zarr"], fixtures=("s.zarr",), fragment="exists (complete)"),
        C("out-partial", [*SMALL, "--out", "p.zarr"], fixtures=("p.zarr",), fragment="partial"),
        C("resume-other-chunks", [*SMALL[:-4], "--chunks", "m_N=5", "--out", "p.zarr", "--resume"], fixtures=("p.zarr",),
          fragment="same --chunks"),
        C("resume-and-overwrite", [*SMALL, "--out", "s.zarr", "--resume", "--overwrite"], fixtures=("s.zarr",),
          fragment="exclude", subset=True),
        C("resume-and-overwrite-new", [*RUN, "--out", "n.zarr", "--resume", "--overwrite"]),
        C("resume-other-versions", [*SMALL, "--out", "v.zarr", "--resume"], fixtures=("v.zarr",),
          fragment="particle 0.24.0", subset=True),
        C("plot-no-dir", [*RUN, "--plot", "no/dir/p.png"], fragment="does not exist", subset=True),
        C("plot-directory", [*RUN, "--plot", "plain"], fixtures=("plain",), fragment="directory"),
        C("plot-format", [*RUN, "--plot", "p.xyz"], fragment="format"),
        C("plot-no-suffix", [*RUN, "--plot", "figure"]),
        C("plot-empty", [*RUN, "--plot", ""]),
        C("plot-one-value-axis", [*run_axis("m_N=1.3"), "--plot", "p.png"],
          expect="either", check="file:p.png"),
        C("option-unknown", [*RUN, "--option", "nope=1"]),
        C("option-bad-value", [*RUN, "--option", "boost=sideways"]),
        C("option-no-equals", [*RUN, "--option", "boost"]),
        C("flag-unknown", [*RUN, "--bogus"], fragment="No such option"),
        C("run-no-preset", ["run"]),
        C("lock-symlink-existing", [*SMALL, "--out", "p.zarr", "--resume"], fixtures=("p.zarr", "lock-link-victim"),
          fragment="symbolic link", subset=True),
        C("lock-symlink-dangling", [*SMALL, "--out", "p.zarr", "--resume"], fixtures=("p.zarr", "lock-link-dangling"),
          fragment="symbolic link"),
        C("lock-directory", [*SMALL, "--out", "p.zarr", "--resume"], fixtures=("p.zarr", "lock-dir")),
        C("lock-held", [*SMALL, "--out", "p.zarr", "--resume"], fixtures=("p.zarr", "lock-holder"),
          fragment="being written by another run"),
        C("new-left-by-overwrite", [*RUN, "--out", "s.zarr"], fixtures=("s.zarr", "s.zarr.new-foreign")),
    )

    add("one-value-axes",
        C("one-value-x", [*run_axis("m_N=1.3"), "--out", "o.zarr"],
          expect="ok", check="complete:o.zarr", subset=True),
        C("one-value-y", [*run_axis("V2=1e-7"), "--out", "o.zarr"], expect="ok", check="complete:o.zarr"),
        C("dockerfile-warm-up", WARMUP, expect="ok", check="complete:warm.zarr"),
        C("reach-one-value-store", ["reach", "one.zarr", "--x", "V2", "--y", "m_N"], fixtures=("one.zarr",), expect="ok",
          check="json-rows", subset=True),
        C("reach-one-value-default", ["reach", "one.zarr"], fixtures=("one.zarr",), expect="ok", check="json-rows"),
        C("plot-one-value-store", ["plot", "one.zarr", "--out", "o.png"], fixtures=("one.zarr",), fragment="at least 2",
          subset=True),
    )

    add("read",
        C("info-nowhere", ["info", "nowhere.zarr"], fragment="no such store", subset=True),
        C("info-file", ["info", "file.txt"], fixtures=("file.txt",)),
        C("info-foreign-zarr", ["info", "other.zarr"], fixtures=("other.zarr",), fragment="not an llpscan store"),
        C("info-plain-dir", ["info", "plain"], fixtures=("plain",)),
        C("info-bad-json", ["info", "badjson.zarr"], fixtures=("badjson.zarr",)),
        C("info-no-provenance", ["info", "noformat.zarr"], fixtures=("noformat.zarr",)),
        C("info-partial", ["info", "p.zarr"], fixtures=("p.zarr",), expect="ok", check="stdout:PARTIAL"),
        C("info-format", ["info", "s.zarr", "--format", "yaml"], fixtures=("s.zarr",)),
        C("info-no-arg", ["info"]),
        C("query-nowhere", ["query", "nowhere.zarr", "--sel", "m_N=1"]),
        C("query-unknown-coord", ["query", "s.zarr", "--sel", "m_q=1"], fixtures=("s.zarr",), fragment="not a coordinate"),
        C("query-text", ["query", "s.zarr", "--sel", "m_N=abc"], fixtures=("s.zarr",), fragment="not a number"),
        C("query-inf", ["query", "s.zarr", "--sel", "m_N=inf"], fixtures=("s.zarr",), fragment="finite", subset=True),
        C("query-nan", ["query", "s.zarr", "--sel", "m_N=nan"], fixtures=("s.zarr",), fragment="finite"),
        C("query-minus-inf", ["query", "s.zarr", "--sel", "m_N=-inf"], fixtures=("s.zarr",)),
        C("query-overflow", ["query", "s.zarr", "--sel", "m_N=1e400"], fixtures=("s.zarr",)),
        C("query-outside", ["query", "s.zarr", "--sel", "m_N=100"], fixtures=("s.zarr",), fragment="outside", subset=True),
        C("query-outside-below", ["query", "s.zarr", "--sel", "m_a=-1"], fixtures=("s.zarr",)),
        C("query-no-equals", ["query", "s.zarr", "--sel", "m_N"], fixtures=("s.zarr",)),
        C("query-no-name", ["query", "s.zarr", "--sel", "=1"], fixtures=("s.zarr",)),
        C("query-bad-label", ["query", "s.zarr", "--sel", "search=3DV"], fixtures=("s.zarr",), fragment="1DV, 2DV"),
        C("query-fixed", ["query", "s.zarr", "--sel", "g_bs=5e-9"], fixtures=("s.zarr",), fragment="fixed at"),
        C("query-twice", ["query", "s.zarr", "--sel", "m_N=1", "--sel", "m_N=2"], fixtures=("s.zarr",), fragment="twice"),
        C("query-partial", ["query", "p.zarr", "--sel", "m_N=1"], fixtures=("p.zarr",), fragment="blocks are computed"),
        C("query-format", ["query", "s.zarr", "--format", "csv"], fixtures=("s.zarr",)),
        C("reach-x-unknown", ["reach", "s.zarr", "--x", "m_q", "--sel", "m_a=4.7"], fixtures=("s.zarr",), fragment="not an axis"),
        C("reach-y-unknown", ["reach", "s.zarr", "--y", "m_q", "--sel", "m_a=4.7"], fixtures=("s.zarr",)),
        C("reach-same-axes", ["reach", "s.zarr", "--x", "m_N", "--y", "m_N", "--sel", "m_a=4.7"], fixtures=("s.zarr",),
          fragment="both", subset=True),
        C("reach-search-unknown", ["reach", "s.zarr", "--search", "3DV", "--sel", "m_a=4.7"], fixtures=("s.zarr",)),
        C("reach-needs-sel", ["reach", "s.zarr"], fixtures=("s.zarr",), fragment="select a value of m_a"),
        C("reach-level-nan", ["reach", "s.zarr", "--sel", "m_a=4.7", "--level", "nan"], fixtures=("s.zarr",)),
        C("reach-level-negative", ["reach", "s.zarr", "--sel", "m_a=4.7", "--level", "-1"], fixtures=("s.zarr",)),
        C("reach-level-zero", ["reach", "s.zarr", "--sel", "m_a=4.7", "--level", "0"], fixtures=("s.zarr",)),
        C("reach-level-inf", ["reach", "s.zarr", "--sel", "m_a=4.7", "--level", "inf"], fixtures=("s.zarr",)),
        C("reach-level-text", ["reach", "s.zarr", "--sel", "m_a=4.7", "--level", "abc"], fixtures=("s.zarr",)),
        C("reach-level-missing", ["reach", "s.zarr", "--level"], fixtures=("s.zarr",)),
        C("reach-format", ["reach", "s.zarr", "--sel", "m_a=4.7", "--format", "xml"], fixtures=("s.zarr",)),
        C("reach-sel-inf", ["reach", "s.zarr", "--sel", "m_a=inf"], fixtures=("s.zarr",)),
        C("reach-sel-the-x-axis", ["reach", "s.zarr", "--sel", "m_a=4.7", "--sel", "m_N=1.0"], fixtures=("s.zarr",),
          fragment="axis of the result"),
        C("reach-partial", ["reach", "p.zarr", "--sel", "m_a=4.7"], fixtures=("p.zarr",)),
        C("plot-x-unknown", ["plot", "s.zarr", "--x", "m_q"], fixtures=("s.zarr",)),
        C("plot-out-no-dir", ["plot", "s.zarr", "--out", "no/dir/p.png"], fixtures=("s.zarr",), fragment="does not exist"),
        C("plot-out-directory", ["plot", "s.zarr", "--out", "plain"], fixtures=("s.zarr", "plain")),
        C("plot-out-format", ["plot", "s.zarr", "--out", "p.xyz"], fixtures=("s.zarr",)),
        C("plot-out-empty", ["plot", "s.zarr", "--out", ""], fixtures=("s.zarr",)),
        C("plot-search-unknown", ["plot", "s.zarr", "--search", "3DV"], fixtures=("s.zarr",)),
        C("plot-level-negative", ["plot", "s.zarr", "--level", "-3"], fixtures=("s.zarr",)),
        C("plot-same-axes", ["plot", "s.zarr", "--x", "m_N", "--y", "m_N"], fixtures=("s.zarr",)),
        C("plot-sel-nan", ["plot", "s.zarr", "--sel", "m_a=nan"], fixtures=("s.zarr",)),
        C("plot-partial", ["plot", "p.zarr"], fixtures=("p.zarr",)),
        C("verify-nowhere", ["verify", "nowhere.zarr"]),
        C("no-command", ["nosuchcmd"]),
        C("presets-extra-arg", ["presets", "extra"]),
        C("query-no-arg", ["query"]),
        C("global-flag-unknown", ["--bogus"]),
    )

    add("damaged-store",
        C("query-corrupt-chunk", ["query", "c.zarr", *DAMAGED_POINT], fixtures=("c.zarr",), fragment="damaged",
          subset=True),
        C("reach-corrupt-chunk", ["reach", "c.zarr", "--sel", "m_a=4.7"], fixtures=("c.zarr",), fragment="checksum"),
        C("plot-corrupt-chunk", ["plot", "c.zarr", "--out", "c.png"], fixtures=("c.zarr",)),
        C("query-deleted-chunk", ["query", "d.zarr", *DAMAGED_POINT], fixtures=("d.zarr",), fragment="missing",
          subset=True),
        C("reach-deleted-chunk", ["reach", "d.zarr", "--sel", "m_a=4.7"], fixtures=("d.zarr",)),
        C("info-deleted-chunk", ["info", "d.zarr"], fixtures=("d.zarr",), expect="ok", check="stdout:DAMAGED", subset=True),
        C("query-truncated-chunk", ["query", "t.zarr", *DAMAGED_POINT], fixtures=("t.zarr",)),
        C("query-no-array-metadata", ["query", "nojson.zarr", *DAMAGED_POINT], fixtures=("nojson.zarr",)),
        # info describes a damaged store (what is known to be wrong), as for a deleted chunk
        C("info-corrupt-coordinate", ["info", "coord.zarr"], fixtures=("coord.zarr",), expect="ok", check="stdout:DAMAGED"),
        C("query-corrupt-done", ["query", "done.zarr", *DAMAGED_POINT], fixtures=("done.zarr",)),
        C("verify-corrupt-chunk", ["verify", "c.zarr"], fixtures=("c.zarr",), expect="found", subset=True),
        C("info-verify-deleted", ["info", "--verify", "d.zarr"], fixtures=("d.zarr",), expect="found"),
        C("resume-repairs-deleted", [*SMALL, "--out", "d.zarr", "--resume", "--plot", "d.png"], fixtures=("d.zarr",),
          expect="ok", check="equals-reference:d.zarr", subset=True),
        C("verify-then-resume-corrupt", steps=[["verify", "c.zarr"], [*SMALL, "--out", "c.zarr", "--resume", "--plot", "c.png"]],
          fixtures=("c.zarr",), expect="ok", check="equals-reference:c.zarr", subset=True),
    )

    def api(id, code, **kw):
        return C(id, code=textwrap.dedent(code), **kw)

    add("python-api",
        api("api-overwrite-no", 'llpscan.run("belle2-alp-hnl", "x.zarr", overwrite="no", progress=False)', type_error=True,
            fragment="overwrite must be True or False", subset=True),
        api("api-resume-yes", 'llpscan.run("belle2-alp-hnl", "x.zarr", resume="yes", progress=False)', type_error=True),
        api("api-workers-string", 'llpscan.run("belle2-alp-hnl", "x.zarr", workers="2", progress=False)', type_error=True),
        api("api-workers-float", 'llpscan.run("belle2-alp-hnl", "x.zarr", workers=2.5, progress=False)', type_error=True),
        api("api-workers-bool", 'llpscan.run("belle2-alp-hnl", "x.zarr", workers=True, progress=False)', type_error=True),
        api("api-workers-zero", f'llpscan.run({SMALL_CONFIG}, "x.zarr", workers=0, progress=False)', fragment="workers=0"),
        api("api-scheduler-number", 'llpscan.run("belle2-alp-hnl", "x.zarr", scheduler=5, progress=False)', type_error=True),
        api("api-progress-string", 'llpscan.run("belle2-alp-hnl", "x.zarr", progress="no")', type_error=True),
        api("api-config-number", 'llpscan.run(123, "x.zarr")', type_error=True),
        api("api-config-unknown-scenario", 'llpscan.run({"scenario": "nope"}, "x.zarr", progress=False)'),
        api("api-config-axes-string", 'llpscan.run({"scenario": "belle2-alp-hnl", "axes": "m_N=1"}, "x.zarr", progress=False)'),
        api("api-config-num-zero", 'llpscan.run({"scenario": "belle2-alp-hnl", "axes": {"m_N": "lin:1:2:0"}}, "x.zarr", progress=False)'),
        api("api-resume-and-overwrite", f'llpscan.run({SMALL_CONFIG}, "x.zarr", resume=True, overwrite=True, progress=False)',
            fragment="overwrite=True", subset=True),
        api("api-existing-store", f'llpscan.run({SMALL_CONFIG}, "s.zarr", progress=False)', fixtures=("s.zarr",),
            fragment="overwrite=True", subset=True),
        api("api-store-not-ours", f'llpscan.run({SMALL_CONFIG}, "other.zarr", overwrite=True, progress=False)',
            fixtures=("other.zarr",)),
        api("api-store-proc", f'llpscan.run({SMALL_CONFIG}, "/proc/x.zarr", progress=False)'),
        api("api-query-inf", 'llpscan.query("s.zarr", {"m_N": "inf"})', fixtures=("s.zarr",), fragment="finite", subset=True),
        api("api-query-nan-float", 'llpscan.query("s.zarr", {"m_N": float("nan")})', fixtures=("s.zarr",)),
        api("api-query-unknown", 'llpscan.query("s.zarr", {"m_q": 1})', fixtures=("s.zarr",)),
        api("api-query-not-dict", 'llpscan.query("s.zarr", "m_N=1")', fixtures=("s.zarr",), type_error=True),
        api("api-query-partial", 'llpscan.query("p.zarr", {"m_N": 1.0})', fixtures=("p.zarr",), fragment="resume=True"),
        api("api-query-damaged", 'llpscan.query("c.zarr", {"m_a": 4.7, "m_N": 1.5, "V2": 1e-7})', fixtures=("c.zarr",),
            fragment="damaged", subset=True),
        api("api-reach-unknown-axis", 'llpscan.reach("s.zarr", "m_q", "V2")', fixtures=("s.zarr",)),
        api("api-reach-unknown-search", 'llpscan.reach("s.zarr", "m_N", "V2", search="3DV")', fixtures=("s.zarr",)),
        api("api-reach-sel-text", 'llpscan.reach("s.zarr", "m_N", "V2", sel={"m_a": "x"})', fixtures=("s.zarr",)),
        api("api-reach-level-negative", 'llpscan.reach("s.zarr", "m_N", "V2", sel={"m_a": 4.7}, level=-1)',
            fixtures=("s.zarr",)),
        api("api-open-nowhere", 'llpscan.open("nowhere.zarr")'),
        api("api-open-number", 'llpscan.open(123)', type_error=True),
        api("api-open-partial-string", 'llpscan.open("s.zarr", allow_partial="yes")', fixtures=("s.zarr",), type_error=True),
        api("api-plot-no-dir", 'llpscan.plot(llpscan.open("s.zarr"), "m_N", "V2", "nodir/x.png", sel={"m_a": "4.7"})',
            fixtures=("s.zarr",)),
        api("api-plot-searches-string", 'llpscan.plot(llpscan.open("s.zarr"), "m_N", "V2", "p.png", searches="1DV")',
            fixtures=("s.zarr",)),
        api("api-describe-nowhere", 'llpscan.describe("nowhere.zarr")'),
        api("api-build-count-1e8", 'llpscan.build({"scenario": "belle2-alp-hnl", "axes": {"m_N": "lin:0.5:2:100000000"}})',
            fragment="at most"),
        api("api-query-stays-a-function", '''
            import inspect
            import llpscan.scanner.api, llpscan.scanner.plot  # noqa: F401  (imports every submodule)
            from llpscan import scanner
            scanner.query  # the attribute a user reaches for
            assert callable(scanner.query) and not inspect.ismodule(scanner.query), "scanner.query is a module"
            ''', expect="ok", subset=True),
    )

    add("internal",
        C("internal-bug-in-block", code=textwrap.dedent(f'''
            import sys
            import llpscan.scanner.tasks as tasks
            def broken(*a, **k):
                return 1 / 0
            tasks.compute_block = broken
            from llpscan.scanner.cli import main
            sys.exit(main({[*RUN, "--out", "b.zarr"]!r}))
            '''), expect="internal"),
        C("internal-bug-in-query", code=textwrap.dedent('''
            import sys
            import llpscan.scanner.api as api
            def broken(*a, **k):
                raise KeyError("oops")
            api.query_point = broken
            api._query_from_arrays = broken  # the path that reads a local store without xarray
            from llpscan.scanner.cli import main
            sys.exit(main(["query", "s.zarr", "--sel", "m_N=1"]))
            '''), fixtures=("s.zarr",), expect="internal"),
    )

    add("full-disk",
        C("full-disk-new-store", [*RUN, "--out", "full/x.zarr", "--plot", "x.png"], fixtures=("tmpfs-64k",), root=True),
        C("full-disk-overwrite", [*SMALL, "--out", "full/s.zarr", "--overwrite", "--plot", "x.png"],
          fixtures=("tmpfs-store-nearly-full",), root=True),
        C("full-disk-plot", ["plot", "s.zarr", "--out", "full/p.png"], fixtures=("s.zarr", "tmpfs-nearly-full"), root=True),
        C("full-disk-resume", [*SMALL, "--out", "full/p.zarr", "--resume", "--plot", "x.png"],
          fixtures=("tmpfs-partial-nearly-full",), root=True, expect="either", check="valid-store:full/p.zarr",
          may_touch=True),
    )
    return out


# -- fixtures --------------------------------------------------------------------------------------

def _corrupt(path: Path, n: int = 16) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    end = min(len(data), mid + n)
    data[mid:end] = bytes(b ^ 0xFF for b in data[mid:end])
    path.write_bytes(bytes(data))


def _edit_attrs(store: Path, fn) -> None:
    meta = store / "zarr.json"
    doc = json.loads(meta.read_text())
    fn(doc["attributes"])
    meta.write_text(json.dumps(doc))


def _make_partial(store: Path) -> None:
    """A run killed after some blocks: block (0, 1) never written (zarr of this process: the
    format is the same whichever llpscan wrote the store)."""
    import numpy as np
    import zarr

    g = zarr.open_group(store, mode="r+")
    g["done"][0, 1] = 0
    for name in ("acceptance", "acceptance_err"):
        g[name][:, 0, 2:4, :] = np.nan


def build_fixtures(cache: Path, run) -> None:
    """Stores and files the cases name, built once with the code under test (``run(argv, cwd)``
    runs its command line) and damaged here, file by file."""
    cache.mkdir(parents=True, exist_ok=True)
    run([*SMALL, "--out", "s.zarr", "--plot", "s.png"], cache)
    run(["run", "belle2-alp-hnl", "--events", "200", "--quiet", "--axis", "m_a=4.7", "--axis", "m_N=2.0",
         "--axis", "V2=1e-7", "--out", "one.zarr"], cache)  # older versions crash at the plot, after the store
    for f in cache.glob("*.png"):
        f.unlink()
    if not (cache / "s.zarr" / "zarr.json").exists() or not (cache / "one.zarr" / "zarr.json").exists():
        raise RuntimeError("could not build the battery's stores with the code under test")
    small = cache / "s.zarr"
    for name in ("p", "c", "d", "t", "nojson", "coord", "done", "badjson", "noformat", "v"):
        shutil.copytree(small, cache / f"{name}.zarr")
    _make_partial(cache / "p.zarr")
    shutil.rmtree(cache / "v.zarr")
    shutil.copytree(cache / "p.zarr", cache / "v.zarr")
    _edit_attrs(cache / "v.zarr", lambda a: a.update(versions=json.dumps(
        {**json.loads(a["versions"]), "particle": "0.24.0"})))
    _corrupt(cache / "c.zarr" / CHUNK)
    (cache / "d.zarr" / CHUNK).unlink()
    (cache / "t.zarr" / CHUNK).write_bytes(b"")
    (cache / "nojson.zarr" / "acceptance" / "zarr.json").unlink()
    _corrupt(cache / "coord.zarr" / "m_N" / "c" / "0")
    done_chunk = next(p for p in sorted((cache / "done.zarr" / "done" / "c").rglob("*")) if p.is_file())
    _corrupt(done_chunk, 4)
    (cache / "badjson.zarr" / "zarr.json").write_text("{not json")
    _edit_attrs(cache / "noformat.zarr", lambda a: a.pop("llpscan_format", None))
    other = cache / "other.zarr"
    other.mkdir()
    (other / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group", "attributes": {}}')
    (cache / "plain").mkdir()
    (cache / "plain" / "notes.txt").write_text("a user's directory\n")
    (cache / "file.txt").write_text("a user's file\n")
    (cache / "dir.toml").mkdir()


def _mount(d: Path, size: str) -> None:
    d.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)], check=True, capture_output=True)


def _fill(d: Path, leave: int) -> None:
    """Fill the file system of ``d`` until about ``leave`` bytes are free."""
    free = shutil.disk_usage(d).free
    with open(d / "filler", "wb") as f:
        with contextlib.suppress(OSError):
            f.write(b"\0" * max(0, free - leave))


@dataclass
class Setup:
    teardown: list = field(default_factory=list)
    watch: list = field(default_factory=list)  # paths outside the case directory to snapshot


def install(names, cache: Path, case_dir: Path, python: str) -> Setup:
    setup = Setup()
    for name in names:
        if (cache / name).exists():
            src = cache / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, case_dir / name)
        elif name == "lock-link-victim":
            victim = case_dir.parent / f"{case_dir.name}-victim.txt"
            victim.write_text("precious\n")
            os.symlink(victim, case_dir / "p.zarr.lock")
            setup.watch.append(victim)
            setup.teardown.append(lambda v=victim: v.unlink(missing_ok=True))
        elif name == "lock-link-dangling":
            target = case_dir.parent / f"{case_dir.name}-created.txt"
            os.symlink(target, case_dir / "p.zarr.lock")
            setup.watch.append(target)
            setup.teardown.append(lambda v=target: v.unlink(missing_ok=True))
        elif name == "lock-dir":
            (case_dir / "p.zarr.lock").mkdir()
        elif name == "lock-holder":
            holder = subprocess.Popen(
                [python, "-c", "import sys\nfrom llpscan.scanner.store import lease, locate\n"
                 "with lease(locate(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()", "p.zarr"],
                cwd=case_dir, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert holder.stdout.readline().strip() == "held"
            setup.teardown.append(lambda h=holder: h.communicate("", timeout=60))
        elif name == "s.zarr.new-foreign":
            (case_dir / "s.zarr.new").mkdir()
            (case_dir / "s.zarr.new" / "notes.txt").write_text("not a store\n")
        elif name.startswith("tmpfs"):
            full = case_dir / "full"
            setup.teardown.append(lambda d=full: subprocess.run(["umount", "-l", str(d)], capture_output=True))
            if name == "tmpfs-64k":
                _mount(full, "64k")
            elif name == "tmpfs-nearly-full":
                _mount(full, "2m")
                _fill(full, 8192)
            elif name in ("tmpfs-store-nearly-full", "tmpfs-partial-nearly-full"):
                _mount(full, "4m")
                src = "s.zarr" if name == "tmpfs-store-nearly-full" else "p.zarr"
                shutil.copytree(cache / src, full / src)
                _fill(full, 2048)
        else:
            raise KeyError(f"unknown fixture {name}")
    return setup


# -- judging ---------------------------------------------------------------------------------------

def snapshot(root: Path, extra=()) -> dict:
    """Every path under ``root`` (and the ``extra`` ones): kind, size, mtime and content hash."""
    out = {}
    paths = [*sorted(root.rglob("*")), *extra] if root.exists() else list(extra)
    for p in paths:
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        key = str(p.relative_to(root)) if p.is_relative_to(root) else str(p)
        if os.path.islink(p):
            out[key] = ("link", os.readlink(p))
        elif p.is_dir():
            out[key] = ("dir",)
        else:
            try:
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
            except OSError:
                digest = "unreadable"
            out[key] = ("file", st.st_size, st.st_mtime_ns, digest)
    return out


def _diff(before: dict, after: dict) -> str:
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(changed[:4]) + (f" (+{len(changed) - 4})" if len(changed) > 4 else "")


FLAG = re.compile(r"(?:^|[\s`(\[])--[a-z]")


@dataclass
class Outcome:
    rc: int | None
    stdout: str
    stderr: str
    api: dict | None = None
    seconds: float = 0.0


def _one_error_line(stderr: str, prefix: str = "llpscan: error: ") -> str | None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    if len(lines) != 1 or not lines[0].startswith(prefix) or "Traceback" in stderr:
        return None
    return lines[0]


def _arrays_equal(a: Path, b: Path) -> bool:
    import numpy as np
    import zarr

    ga, gb = zarr.open_group(a, mode="r"), zarr.open_group(b, mode="r")
    for name in ("acceptance", "acceptance_err"):
        if not np.array_equal(ga[name][...], gb[name][...], equal_nan=True):
            return False
    return bool(np.all(gb["done"][...] == 1))


def post_check(check: str | None, case_dir: Path, out: Outcome, cache: Path) -> str | None:
    """None if the post-condition holds, else why not."""
    if check is None:
        return None
    kind, _, arg = check.partition(":")
    if kind == "complete":
        import numpy as np
        import zarr

        try:
            done = zarr.open_group(case_dir / arg, mode="r")["done"][...]
        except Exception as e:  # noqa: BLE001
            return f"no readable store {arg} ({type(e).__name__})"
        return None if np.all(done == 1) else f"{arg} incomplete"
    if kind == "file":
        return None if (case_dir / arg).is_file() else f"{arg} not written"
    if kind == "stdout":
        return None if arg in out.stdout else f"stdout lacks {arg!r}"
    if kind == "json-rows":
        try:
            rows = json.loads(out.stdout)["rows"]
        except (ValueError, KeyError):
            return "no reach table"
        return None if rows else "empty reach table"
    if kind == "equals-reference":
        try:
            return None if _arrays_equal(cache / "s.zarr", case_dir / arg) else f"{arg} differs from an uninterrupted run"
        except Exception as e:  # noqa: BLE001
            return f"{arg} unreadable ({type(e).__name__}: {e})"
    if kind == "valid-store":
        try:
            import zarr

            zarr.open_group(case_dir / arg, mode="r")["done"][...]
        except Exception as e:  # noqa: BLE001
            return f"{arg} no longer readable ({type(e).__name__})"
        return None
    raise KeyError(check)


def judge(case: Case, out: Outcome, before: dict, after: dict, case_dir: Path, cache: Path,
          strict_fragment: bool = False) -> tuple[bool, str]:
    """(clean, why not)."""
    if out.rc is None:
        return False, "timed out (accepted a huge or endless job?)"
    touched = _diff(before, after)
    if case.code is not None and case.expect not in ("internal",):
        res = out.api
        if res is None:
            return False, f"no result (rc {out.rc}): {out.stderr.strip().splitlines()[-1:] or ''}"
        if case.expect == "ok":
            return (True, "") if res["raised"] is None else (False, f"raised {res['raised']}: {res['message'][:120]}")
        if res["raised"] is None:
            return False, "accepted (no error)" + (f"; touched {touched}" if touched else "")
        ok_type = "LLPScanError" in res["mro"] or (case.type_error and "TypeError" in res["mro"])
        msg = res["message"]
        if not ok_type:
            return False, f"raised {res['raised']}: {msg[:120]}"
        if "\n" in msg.strip() or not msg.strip():
            return False, "message not one line"
        if FLAG.search(msg):
            return False, f"speaks of a command-line flag: {msg[:120]}"
        if touched:
            return False, f"touched {touched}"
        if strict_fragment and case.fragment and case.fragment not in msg:
            return False, f"message lacks {case.fragment!r}: {msg[:160]}"
        return True, ""
    if case.expect == "internal":
        lines = [line for line in out.stderr.splitlines() if line.strip()]
        if out.rc != 3 or len(lines) != 1 or not lines[0].startswith("llpscan: internal error: "):
            return False, f"rc {out.rc}: {lines[-1][:120] if lines else ''}"
        m = re.search(r"traceback in (\S+)\)", lines[0])
        if not m or not Path(m.group(1)).is_file() or "Traceback" not in Path(m.group(1)).read_text():
            return False, "traceback not kept"
        return True, ""
    error_line = _one_error_line(out.stderr)
    clean_error = out.rc == 2 and error_line is not None and (not touched or case.may_touch)
    if case.expect == "error":
        if clean_error:
            if strict_fragment and case.fragment and case.fragment not in error_line:
                return False, f"message lacks {case.fragment!r}: {error_line[:160]}"
            return True, ""
        if out.rc == 0:
            return False, "accepted (exit 0)" + (f"; touched {touched}" if touched else "")
        if error_line is None:
            last = [line for line in out.stderr.splitlines() if line.strip()][-1:] or [""]
            return False, f"rc {out.rc}, not one error line: {last[0][:120]}"
        return False, f"touched {touched}" if touched else f"rc {out.rc}"
    problem = post_check(case.check, case_dir, out, cache)
    if case.expect == "ok":
        if out.rc != 0 or "Traceback" in out.stderr:
            last = [line for line in out.stderr.splitlines() if line.strip()][-1:] or [""]
            return False, f"rc {out.rc}: {last[0][:120]}"
        return (problem is None), problem or ""
    if case.expect == "either":
        if clean_error:
            return True, ""
        if out.rc == 0 and "Traceback" not in out.stderr and problem is None:
            return True, ""
        return False, problem or f"rc {out.rc}: {(out.stderr.strip().splitlines() or [''])[-1][:120]}"
    if case.expect == "found":
        if out.rc != 1 or "Traceback" in out.stderr:
            return False, f"rc {out.rc} (damage not reported)"
        return True, ""
    raise KeyError(case.expect)


# -- running as subprocesses -----------------------------------------------------------------------

HARNESS = """
import json, sys
code = sys.argv[1]
try:
    import llpscan
    from llpscan import scanner
    exec(compile(code, "<case>", "exec"), {"llpscan": llpscan, "scanner": scanner, "__name__": "__case__"})
    result = {"raised": None}
except BaseException as e:
    result = {"raised": type(e).__name__, "mro": [c.__name__ for c in type(e).__mro__], "message": str(e)}
print("BATTERY-RESULT " + json.dumps(result))
"""


def _limits():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))  # a runaway allocation fails, not the machine


def subprocess_runner(python_exe: str, timeout: float = 120.0):
    """``run(argv, cwd)``: ``python -m llpscan ARGV`` (or ``python ARGV`` with ``python=True``)."""

    def run(argv, cwd, *, env_extra=None, python=False):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLPSCAN_") and k != "PYTHONPATH"}
        env.update(env_extra or {})
        cmd = [python_exe, *argv] if python else [python_exe, "-m", "llpscan", *argv]
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
                               preexec_fn=_limits)
        except subprocess.TimeoutExpired as e:
            text = lambda b: b.decode(errors="replace") if isinstance(b, bytes) else (b or "")  # noqa: E731
            return Outcome(None, text(e.stdout), text(e.stderr), seconds=time.perf_counter() - t0)
        api = None
        for line in p.stdout.splitlines():
            if line.startswith("BATTERY-RESULT "):
                api = json.loads(line[len("BATTERY-RESULT "):])
        return Outcome(p.returncode, p.stdout, p.stderr, api, time.perf_counter() - t0)

    return run


def run_case(case: Case, work: Path, cache: Path, run, python: str, strict_fragment: bool = False) -> tuple[bool, str, float]:
    case_dir = Path(tempfile.mkdtemp(prefix=f"{case.id}-", dir=work))
    tmp = Path(tempfile.mkdtemp(prefix=f"{case.id}-tmp-", dir=work))  # where internal-error logs go
    setup = install(case.fixtures, cache, case_dir, python)
    try:
        for name, content in case.files.items():
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(case_dir / name, mode) as f:
                f.write(content)
        before = snapshot(case_dir, setup.watch)
        env = {"TMPDIR": str(tmp)}
        t0 = time.perf_counter()
        if case.code is not None:
            out = run(["-c", HARNESS if case.expect != "internal" else case.code]
                      + ([case.code] if case.expect != "internal" else []), case_dir, python=True, env_extra=env)
        else:
            for argv in (case.steps or [])[:-1]:
                run(argv, case_dir, env_extra=env)
            out = run(case.steps[-1] if case.steps else case.argv, case_dir, env_extra=env)
        seconds = time.perf_counter() - t0
        after = snapshot(case_dir, setup.watch)
        clean, why = judge(case, out, before, after, case_dir, cache, strict_fragment)
        return clean, why, seconds
    finally:
        for fn in reversed(setup.teardown):
            with contextlib.suppress(Exception):
                fn()
        shutil.rmtree(case_dir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


# -- running in process (the test suite) -----------------------------------------------------------

def inprocess_runner():
    """Run a case's command line or API code in this process (its llpscan)."""

    def run(argv, cwd, *, env_extra=None, python=False):
        from llpscan.scanner.cli import main

        old = os.getcwd()
        out, err = io.StringIO(), io.StringIO()
        t0 = time.perf_counter()
        os.chdir(cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if python:
                    code = argv[-1]
                    import llpscan
                    from llpscan import scanner

                    try:
                        exec(compile(code, "<case>", "exec"), {"llpscan": llpscan, "scanner": scanner, "__name__": "__case__"})
                        api = {"raised": None}
                    except Exception as e:  # noqa: BLE001
                        api = {"raised": type(e).__name__, "mro": [c.__name__ for c in type(e).__mro__], "message": str(e)}
                    return Outcome(0, out.getvalue(), err.getvalue(), api, time.perf_counter() - t0)
                rc = main(list(argv))
        finally:
            os.chdir(old)
        return Outcome(rc, out.getvalue(), err.getvalue(), None, time.perf_counter() - t0)

    return run


def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    d = Path(tempfile.mkdtemp())
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(d)], capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", str(d)], capture_output=True)
        return ok
    finally:
        d.rmdir()


def main(argv=None) -> int:  # pragma: no cover - benchmarks/bad_input_battery.py
    import argparse
    from concurrent.futures import ThreadPoolExecutor

    ap = argparse.ArgumentParser(description="Run the bad-input battery against an llpscan environment.")
    ap.add_argument("--python", default=sys.executable, help="python of the environment to test (its llpscan)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("-k", dest="only", default=None, help="only cases whose id contains this")
    ap.add_argument("--strict", action="store_true", help="also require each case's message fragment")
    ap.add_argument("--json", default=None, help="write the per-case results here")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="llpscan-battery-"))
    cache = work / "fixtures"
    run = subprocess_runner(args.python)

    t0 = time.perf_counter()
    build_fixtures(cache, run)
    chosen = [c for c in cases() if args.only is None or args.only in c.id]
    mount = can_mount()
    skipped = [c for c in chosen if c.root and not mount]
    chosen = [c for c in chosen if not (c.root and not mount)]

    def one(c):
        clean, why, seconds = run_case(c, work, cache, run, args.python, args.strict)
        return c, clean, why, seconds

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, chosen))
    n_clean = sum(1 for _, clean, _, _ in results if clean)
    by_group = {}
    for c, clean, _, _ in results:
        g = by_group.setdefault(c.group, [0, 0])
        g[0] += clean
        g[1] += 1
    for c, clean, why, seconds in results:
        if not clean:
            print(f"UNCLEAN {c.group:15s} {c.id:32s} {why}")
    print()
    for g, (k, n) in by_group.items():
        print(f"{g:15s} {k:3d}/{n:3d} clean")
    print(f"\nclean {n_clean}/{len(results)} = {n_clean / max(1, len(results)):.3f}   "
          f"({len(skipped)} skipped: no tmpfs mount)   {time.perf_counter() - t0:.0f} s with {args.jobs} jobs")
    if args.json:
        Path(args.json).write_text(json.dumps([{"id": c.id, "group": c.group, "clean": clean, "why": why,
                                                 "seconds": round(s, 2)} for c, clean, why, s in results], indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return 0
