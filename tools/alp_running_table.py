"""Generate the running-coupling table of physics/models/alp_running.py with alpaca-alps (run once).

(Ferber, Filimonova, Schäfer & Westhoff, arXiv:2201.06580) evaluates its appendix-A widths with
the couplings run from Lambda = 4 pi f_a (f_a = 1 TeV) to mu = m_a. This script runs the two benchmarks
of its eq. (2.13), unit c_ff and unit c_WW at Lambda, with ALPaca (alpaca-alps 1.2.0, arXiv:2508.08354;
RG equations of Bauer, Neubert, Renner, Schnubel & Thamm, arXiv:2012.12272) and prints, for NMASS
log-spaced m_a in [0.01, 5] GeV, the couplings at mu = m_a as a Python module body (numpy literals) that
is pasted into physics/models/alp_running.py. llpscan ships the numbers, not alpaca: alpaca pins
particle<1.0 and sympy==1.13.3 and its import crashes under ``python -W error`` (pytest's setting).

Needs alpaca-alps==1.2.0 in a separate virtual environment (NOT the project's), e.g.

    python -m venv /tmp/alpaca-venv
    /tmp/alpaca-venv/bin/pip install alpaca-alps==1.2.0 numpy scipy particle
    cd /work/main && /tmp/alpaca-venv/bin/python tools/alp_running_table.py > /tmp/alp_running_table.txt

(about 3 minutes: 10-20 s import, ~1 s per mass point and benchmark, twice for the midpoint check). It
prints the table on stdout and, on stderr, the accuracy of log-m_a linear interpolation at the geometric
midpoints of the grid (< 2e-3 for every entry in the shipped table). Two runs gave identical numbers.

Conventions (as in the project's alpaca-alps evaluation of 2026-11-23): basis ``derivative_above`` at
scale Lambda; c_ff = 1 is the axial coupling c_R - c_L = 1 of every quark and lepton (c_L = -1/2,
c_R = +1/2 for all flavours, so c_tt = c_ff as the paper's benchmark requires); c_WW = 1 is ``cW`` = 1.
Output per benchmark and fermion f in e, mu, tau, u, d, s, c, b (complex):
- AXIAL: the running axial coupling c_ff(m_a) (``match_run(m_a, "VA_below")``), which enters the loop
  sums C_GG^eff (A.3) and C_gamgam^eff (A.7);
- EFFECTIVE: ``alpaca.decays.effcoupling_ff`` (for u, d, s its expression written out here, see
  _effective_light_quark), the coupling that enters Gamma(a -> f f) (A.1): AXIAL plus
  the O(alpha^2 c_gamgam) photon loop that (A.1) writes as "+ O(alpha^2/(4 pi)^2 c_WW)" (BNT
  arXiv:1708.00443 eq. 11 at mu = m_a). Identical to AXIAL in the c_ff benchmark (asserted);
and c_gamgam(m_a), c_GG(m_a) (the latter is zero in both benchmarks: asserted, not printed).
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

F_A = 1000.0  # GeV, Ferber et al. (arXiv:2201.06580) section 2
LAMBDA = 4 * math.pi * F_A  # GeV, Ferber et al. (arXiv:2201.06580) section 2
NMASS = 20
MASSES = np.geomspace(0.01, 5.0, NMASS)  # GeV
FERMIONS = ("e", "mu", "tau", "u", "d", "s", "c", "b")
_SLOT = {"e": ("ceA", 0), "mu": ("ceA", 1), "tau": ("ceA", 2), "u": ("cuA", 0), "c": ("cuA", 1),
         "d": ("cdA", 0), "s": ("cdA", 1), "b": ("cdA", 2)}


def _benchmark(name):
    from alpaca import ALPcouplings

    if name == "c_ff":
        return ALPcouplings({"cqL": -0.5, "clL": -0.5, "cuR": 0.5, "cdR": 0.5, "ceR": 0.5},
                            scale=LAMBDA, basis="derivative_above")
    return ALPcouplings({"cW": 1.0}, scale=LAMBDA, basis="derivative_above")


_LIGHT = {"u": 2 / 3, "d": -1 / 3, "s": -1 / 3}


def _effective_light_quark(m_a, f, c_axial, c_gamgam, c_gg):
    """effcoupling_ff for u, d, s. alpaca 1.2.0 evaluates alpha_s at the light-quark mass there, which
    flavio cannot do (ValueError at 2 MeV), although it multiplies c_GG, which is 0 here; this is the
    same expression (alpaca/decays/effcouplings.py, below the EW scale) with the c_GG term dropped:
    c_A - 12 Q^2 (alpha(m_q)/4 pi)^2 c_gamgam (ln(m_a^2/m_q^2) + delta_1 + g(4 m_q^2/m_a^2))."""
    from alpaca.common import alpha_em
    from alpaca.constants import md, ms, mu
    from alpaca.decays.effcouplings import g_photonloop

    assert abs(c_gg) < 1e-12, c_gg
    m_q = {"u": mu, "d": md, "s": ms}[f]
    g = g_photonloop(4 * m_q**2 / m_a**2) if c_gamgam != 0 else 0
    aem = alpha_em(m_q) / (4 * math.pi)
    return complex(c_axial - 12 * _LIGHT[f] ** 2 * aem**2 * c_gamgam * (math.log(m_a**2 / m_q**2) - 11 / 3 + g))


def couplings_at(bench, m_a):
    """{AXIAL: {f: c}, EFFECTIVE: {f: c}, c_gamgam, c_GG} at mu = m_a for one alpaca ALPcouplings."""
    from alpaca.decays.effcouplings import effcoupling_ff

    cc = bench.match_run(m_a, "VA_below")
    axial = {f: complex(np.asarray(cc[k])[i, i]) for f, (k, i) in _SLOT.items()}
    eff = {f: complex(effcoupling_ff(m_a, bench, f)) for f in FERMIONS if f not in _LIGHT}
    eff.update({f: _effective_light_quark(m_a, f, axial[f], complex(cc["cgamma"]), complex(cc["cG"]))
                for f in _LIGHT})
    return {"axial": axial, "effective": eff, "c_gamgam": complex(cc["cgamma"]), "c_GG": complex(cc["cG"])}


def _fmt(z: complex) -> str:
    if abs(z.imag) < 1e-14:
        return f"{z.real:.6e}"
    return f"{z.real:.6e}{z.imag:+.6e}j"


def _array(values, indent: str) -> str:
    """np.array([...]) literal, four values per line."""
    rows = [", ".join(values[i:i + 4]) for i in range(0, len(values), 4)]
    return "np.array([\n" + ",\n".join(indent + "    " + r for r in rows) + ",\n" + indent + "])"


def main() -> None:
    t0 = time.perf_counter()
    benches = {name: _benchmark(name) for name in ("c_ff", "c_WW")}
    print(f"# alpaca import + setup {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    table = {name: [couplings_at(b, float(m)) for m in MASSES] for name, b in benches.items()}

    # checks: c_ll/c_ff = 1.1065 at 0.5 GeV (the alpaca evaluation: 1.1065);
    # c_GG = 0 in both benchmarks; EFFECTIVE = AXIAL in the c_ff benchmark (c_gamgam = 0 there)
    ff = benches["c_ff"]
    r = couplings_at(ff, 0.5)["effective"]["mu"].real
    assert abs(r - 1.1065) <= 0.001, r
    for name, rows in table.items():
        for row in rows:
            assert abs(row["c_GG"]) < 1e-12, (name, row["c_GG"])
    for row in table["c_ff"]:
        assert abs(row["c_gamgam"]) < 1e-12, row["c_gamgam"]
        for f in FERMIONS:
            assert abs(row["effective"][f] - row["axial"][f]) < 1e-9, (f, row)

    # interpolation accuracy (stderr): linear in log m_a (real and imaginary parts) at the midpoints
    mids = np.sqrt(MASSES[1:] * MASSES[:-1])
    for name, b in benches.items():
        worst = {}
        for kind in ("axial", "effective"):
            for f in FERMIONS:
                grid = np.array([row[kind][f] for row in table[name]])
                exact = np.array([couplings_at(b, float(m))[kind][f] for m in mids])
                x, xm = np.log(MASSES), np.log(mids)
                interp = np.interp(xm, x, grid.real) + 1j * np.interp(xm, x, grid.imag)
                rel = np.abs(interp - exact) / np.abs(exact)
                j = int(np.argmax(rel))
                worst[f"{kind[:3]}_{f}"] = (float(rel[j]), float(mids[j]))
        print(f"# {name}: max |interp - alpaca|/|alpaca| at the midpoints (value, at m_a GeV):", file=sys.stderr)
        for k, (v, m) in worst.items():
            print(f"#   {k:8s} {v:.2e} at {m:.3g}", file=sys.stderr)
    print(f"# total {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    out = [
        "# --- generated by tools/alp_running_table.py (alpaca-alps 1.2.0), do not edit by hand ---",
        f"#: m_a grid (GeV), {NMASS} log-spaced points; couplings at mu = m_a per unit coupling at Lambda = 4 pi TeV",
        "MASSES = " + _array([f"{m:.6e}" for m in MASSES], ""),
        "#: running axial couplings c_ff(m_a) (alpaca match_run(m_a, 'VA_below')): loop sums (A.3), (A.7)",
        "AXIAL = {",
    ]
    for kind, var in (("axial", None), ("effective", "EFFECTIVE")):
        if var:
            out += ["#: effective couplings entering Gamma(a -> f f), (A.1) (alpaca effcoupling_ff)", f"{var} = {{"]
        for name in ("c_ff", "c_WW"):
            out.append(f"    {name!r}: {{")
            for f in FERMIONS:
                out.append(f"        {f!r}: " + _array([_fmt(row[kind][f]) for row in table[name]], " " * 8) + ",")
            out.append("    },")
        out.append("}")
    out.append("#: c_gamgam(m_a) per unit benchmark coupling (c_GG(m_a) = 0 in both)")
    out.append("C_GAMGAM = {")
    for name in ("c_ff", "c_WW"):
        out.append(f"    {name!r}: " + _array([_fmt(row["c_gamgam"]) for row in table[name]], " " * 4) + ",")
    out.append("}")
    out.append("# --- end of generated block ---")
    print("\n".join(out))


if __name__ == "__main__":
    main()
