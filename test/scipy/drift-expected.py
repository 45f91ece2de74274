"""Expected drift results for test/scipy/drift-vs-scipy.test.ts, computed with scipy/numpy.

Reads a JSON list of cases {name, method, reference, current, numeric} (or binned cases
{name, method, binned: true, reference_counts, current_counts}) from argv[1] and writes a JSON
list of {name, statistic, p_value} to argv[2]. Each method follows Evidently's stattest
definitions (evidently/calculations/stattests/*.py), with the natural log for Jensen-Shannon.
Run with Debian's /usr/bin/python3 (python3-scipy, python3-numpy).
"""
import json
import math
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def binned(ref, cur, numeric, fill):
    """Evidently's get_binned_data."""
    if numeric and len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.tolist()) | set(cur.tolist()))
        rc = {k: 0 for k in keys}
        cc = {k: 0 for k in keys}
        for v in ref.tolist():
            rc[v] += 1
        for v in cur.tolist():
            cc[v] += 1
        rp = np.array([rc[k] / len(ref) for k in keys])
        cp = np.array([cc[k] / len(cur) for k in keys])
    if fill:
        rp, cp = fill_zeroes(rp), fill_zeroes(cp)
    return rp, cp


def fill_zeroes(p):
    p = p.astype(float).copy()
    m = min(p[p != 0])
    np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return p


def psi(rp, cp):
    return float(np.sum((rp - cp) * np.log(rp / cp)))


def chisquare_counts(rc, cc):
    k_norm = cc.sum() / rc.sum()
    f_exp = rc * k_norm
    with np.errstate(divide="ignore", invalid="ignore"):
        res = stats.chisquare(cc, f_exp)
    return float(res[0]), float(res[1])


def z_test(ref, cur):
    if len(set(ref.tolist())) == 1 and len(set(cur.tolist())) == 1 and ref[0] == cur[0]:
        return 0.0, 1.0
    first = sorted(set(ref.tolist()) | set(cur.tolist()))[0]
    r = np.array([0 if x == first else 1 for x in ref.tolist()])
    c = np.array([0 if x == first else 1 for x in cur.tolist()])
    n1, n2 = len(r), len(c)
    p1 = float(sum(r)) / n1
    p2 = float(sum(c)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))


def special(case):
    """kstwo.sf, chi2.sf and norm.cdf on a grid of points (the functions the p-values use)."""
    fn = {"kstwo": lambda a, b: stats.kstwo.sf(b, a), "chi2": lambda a, b: stats.chi2.sf(b, a), "ndtr": lambda a, b: stats.norm.cdf(b)}[case["kind"]]
    return [float(fn(a, b)) for a, b in case["points"]]


def expected(case):
    m = case["method"]
    if case.get("binned"):
        rc = np.array(case["reference_counts"], dtype=float)
        cc = np.array(case["current_counts"], dtype=float)
        if m == "psi":
            return psi(fill_zeroes(rc / rc.sum()), fill_zeroes(cc / cc.sum())), None
        if m == "jensenshannon":
            return float(distance.jensenshannon(rc / rc.sum(), cc / cc.sum())), None
        keep = (rc > 0) | (cc > 0)
        return chisquare_counts(rc[keep], cc[keep])
    numeric = case["numeric"]
    ref = np.array(case["reference"], dtype=float if numeric else object)
    cur = np.array(case["current"], dtype=float if numeric else object)
    if m == "ks":
        r = stats.ks_2samp(ref, cur)
        return float(r.statistic), float(r.pvalue)
    if m == "wasserstein":
        return float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)), None
    if m == "psi":
        return psi(*binned(ref, cur, numeric, True)), None
    if m == "jensenshannon":
        rp, cp = binned(ref, cur, numeric, False)
        return float(distance.jensenshannon(rp, cp)), None
    if m == "chisquare":
        keys = list(set(ref.tolist()) | set(cur.tolist()))
        rc = np.array([sum(1 for v in ref.tolist() if v == k) for k in keys], dtype=float)
        cc = np.array([sum(1 for v in cur.tolist() if v == k) for k in keys], dtype=float)
        return chisquare_counts(rc, cc)
    if m == "z":
        return z_test(ref, cur)
    raise ValueError(m)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    out = []
    for case in cases:
        if "kind" in case:
            out.append({"name": case["name"], "values": special(case)})
            continue
        s, p = expected(case)
        out.append({
            "name": case["name"],
            "statistic": None if s is None or math.isinf(s) else s,
            "statistic_inf": s is not None and math.isinf(s),
            "p_value": p,
        })
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


main()
