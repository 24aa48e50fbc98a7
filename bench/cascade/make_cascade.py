#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# bench/cascade/make_cascade.py — writes cascade.xml, a synthetic nonlinear signalling network for
# the generic-versus-native benchmark (bench/cascade/run.sh): C parallel kinase cascades of L
# levels; each level is a phosphorylation cycle X <-> Xp (Michaelis-Menten), the phosphorylation
# of level k+1 is catalysed by Xp of level k, the first level is activated by a stimulus with a
# Hill-type negative feedback from the last level of the same cascade, and neighbouring cascades
# cross-activate. Deterministic (no random numbers); SBML Level 3 Version 1, concentrations.
#   python3 make_cascade.py [C L] > cascade.xml      default C=30 L=4: 240 species, 240 reactions
import sys

C = int(sys.argv[1]) if len(sys.argv) > 1 else 30
L = int(sys.argv[2]) if len(sys.argv) > 2 else 4


def ci(x):
    return f"<ci>{x}</ci>"


def cn(v):
    return f"<cn>{v}</cn>"


def ap(op, *args):
    return f"<apply><{op}/>{''.join(args)}</apply>"


out = []
w = out.append
w("<?xml version='1.0' encoding='UTF-8'?>")
w("<sbml xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'>")
w(f"<model id='cascade_{C}x{L}'>")
w("<listOfCompartments><compartment id='cell' size='1' constant='true'/></listOfCompartments>")
w("<listOfSpecies>")
for c in range(C):
    for k in range(L):
        for form, x0 in (("X", 1.0), ("Xp", 0.0)):
            w(f"<species id='{form}_{c}_{k}' compartment='cell' initialConcentration='{x0}' "
              "hasOnlySubstanceUnits='false' boundaryCondition='false' constant='false'/>")
w("</listOfSpecies>")
w("<listOfParameters>")
for c in range(C):
    w(f"<parameter id='S_{c}' value='{0.5 + 0.05 * (c % 7)}' constant='true'/>")
    for k in range(L):
        w(f"<parameter id='kc_{c}_{k}' value='{1.0 + 0.1 * ((c + k) % 5)}' constant='true'/>")
        w(f"<parameter id='Km_{c}_{k}' value='{0.2 + 0.05 * ((c * k) % 3)}' constant='true'/>")
        w(f"<parameter id='Vp_{c}_{k}' value='{0.4 + 0.05 * ((c + 2 * k) % 4)}' constant='true'/>")
        w(f"<parameter id='Kp_{c}_{k}' value='{0.3}' constant='true'/>")
w("<parameter id='Ki' value='0.2' constant='true'/><parameter id='n_hill' value='2' constant='true'/>")
w("<parameter id='cross' value='0.05' constant='true'/>")
w("</listOfParameters>")
w("<listOfReactions>")


def reaction(rid, s, p, law, mods=()):
    m = "".join(f"<modifierSpeciesReference species='{x}'/>" for x in mods)
    w(f"<reaction id='{rid}' reversible='false' fast='false'>"
      f"<listOfReactants><speciesReference species='{s}' stoichiometry='1' constant='true'/>"
      f"</listOfReactants><listOfProducts><speciesReference species='{p}' stoichiometry='1' "
      f"constant='true'/></listOfProducts>"
      + (f"<listOfModifiers>{m}</listOfModifiers>" if m else "") + "<kineticLaw><math "
      f"xmlns='http://www.w3.org/1998/Math/MathML'>{law}</math></kineticLaw></reaction>")


for c in range(C):
    for k in range(L):
        X, Xp = f"X_{c}_{k}", f"Xp_{c}_{k}"
        if k == 0:
            # stimulus, negative feedback from the last level, cross-activation by the neighbour
            act = ap("plus", ci(f"S_{c}"), ap("times", ci("cross"), ci(f"Xp_{(c + 1) % C}_{L - 1}")))
            fb = ap("divide", cn(1), ap("plus", cn(1), ap("power", ap("divide", ci(f"Xp_{c}_{L - 1}"), ci("Ki")), ci("n_hill"))))
            rate = ap("times", ci("cell"), ci(f"kc_{c}_{k}"), act, fb, ci(X))
            mods = sorted({f"Xp_{(c + 1) % C}_{L - 1}", f"Xp_{c}_{L - 1}"} - {X, Xp})
        else:
            rate = ap("times", ci("cell"), ci(f"kc_{c}_{k}"), ci(f"Xp_{c}_{k - 1}"), ci(X))
            mods = [f"Xp_{c}_{k - 1}"]
        law = ap("divide", rate, ap("plus", ci(f"Km_{c}_{k}"), ci(X)))
        reaction(f"phos_{c}_{k}", X, Xp, law, mods)
        dlaw = ap("divide", ap("times", ci("cell"), ci(f"Vp_{c}_{k}"), ci(Xp)), ap("plus", ci(f"Kp_{c}_{k}"), ci(Xp)))
        reaction(f"dephos_{c}_{k}", Xp, X, dlaw)
w("</listOfReactions></model></sbml>")
print("\n".join(out))
