#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/golden/pk_oral_1cpt.csv: the expected time course of
data/models/pk_oral_1cpt.xml, computed from the model's CLOSED FORM (never from
the engine's output).

The model (see its comment) is R's SSfol one-compartment model with first-order
absorption and elimination, for theophylline: fixed effects of fm1Theo.nlme in
Pinheiro & Bates (2000), section 6.4, lKe = -2.43267, lKa = 0.45141,
lCl = -3.21445; two oral doses of 4.02 mg/kg at 0 h and 12 h (the second by an
event); ke = exp(lKe), ka = exp(lKa), Cl = exp(lCl), V = Cl / ke.

For one dose D given at time 0 (SSfol):
    depot(t) = D exp(-ka t)
    C(t)     = D ke ka / (Cl (ka - ke)) (exp(-ke t) - exp(-ka t))
The model is linear, so the second dose at 12 h adds the same curves shifted
by 12 h (superposition). At t = 12 itself the second dose is already in the
depot: an SBML output at an event time shows the state after the event.

Grid: 0..24 h, 240 steps (241 rows), t_k = 24 k / 240 as the engine computes
it. Columns: time,depot,C. Values are printed with 17 significant digits.

The parameter values are written here from the publication and checked
against the model file, so the script fails if the model's values change.

Usage: tests/golden/make_pk_oral_1cpt.py [OUT.csv]   (default: next to this script)
"""
import math
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "data", "models", "pk_oral_1cpt.xml")

# Pinheiro & Bates (2000), fm1Theo.nlme fixed effects; Theoph subject 1 dose.
LKE, LKA, LCL = -2.43267, 0.45141, -3.21445
DOSE = 4.02
T_DOSE2 = 12.0
T_END, STEPS = 24.0, 240


def check_model():
    """The model file must hold the values the closed form uses."""
    ns = {"s": "http://www.sbml.org/sbml/level3/version2/core"}
    root = ET.parse(MODEL).getroot()
    params = {p.get("id"): p.get("value") for p in root.iterfind(".//s:parameter", ns)}
    want = {"lKe": LKE, "lKa": LKA, "lCl": LCL, "dose": DOSE}
    for pid, v in want.items():
        if params.get(pid) is None or float(params[pid]) != v:
            sys.exit("make_pk_oral_1cpt.py: %s is %s in %s, the closed form uses %r"
                     % (pid, params.get(pid), MODEL, v))
    events = root.findall(".//s:event", ns)
    if len(events) != 1:
        sys.exit("make_pk_oral_1cpt.py: expected one event (the 12 h dose) in %s" % MODEL)
    cns = [float(c.text) for c in events[0].iterfind(".//{http://www.w3.org/1998/Math/MathML}cn")]
    if cns != [T_DOSE2]:
        sys.exit("make_pk_oral_1cpt.py: the event trigger is not time >= 12 in %s" % MODEL)


def one_dose(t, dose):
    """depot amount and concentration C of one dose given at time 0."""
    if t < 0:
        return 0.0, 0.0
    ke, ka, cl = math.exp(LKE), math.exp(LKA), math.exp(LCL)
    depot = dose * math.exp(-ka * t)
    conc = dose * ke * ka / (cl * (ka - ke)) * (math.exp(-ke * t) - math.exp(-ka * t))
    return depot, conc


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "pk_oral_1cpt.csv")
    check_model()
    lines = ["time,depot,C"]
    for k in range(STEPS + 1):
        t = k * T_END / STEPS
        d1, c1 = one_dose(t, DOSE)
        d2, c2 = one_dose(t - T_DOSE2, DOSE)
        lines.append("%.17g,%.17g,%.17g" % (t, d1 + d2, c1 + c2))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
