#!/usr/bin/env python3
"""Builds data/drugs/*.json (schema medtwin-drug-card/1) from ../shared/data/drugs and a few
hand-transcribed, cited tables. No value is computed except unit-free arithmetic stated in a note
(exp() of a log-scale estimate). Run from the repository root:  python3 scripts/cards/make_cards.py data/drugs"""
import csv
import json
import math
import os
import re
import sys

SHARED = os.environ.get("MT_SHARED", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared"))
PROPS = os.path.join(SHARED, "data/drugs/drug_properties.csv")
LIT = os.path.join(SHARED, "data/drugs/drug_literature_tables_raw.csv")
VERSION = "1.0.0"

UNIT_MAP = {
    "g/mol": "g/mol", "Log Units": "log10", "": "1", "%": "%",
    "µmol/l": "umol/L", "µM": "umol/L", "nmol/l": "nmol/L",
    "1/min": "1/min", "1/h": "1/h",
    "pmol/min/mg mic. protein": "pmol/min/mg", "nmol/min/mg mic. protein": "nmol/min/mg",
    "pmol/min/pmol rec. enzyme": "pmol/min/pmol", "nmol/min/pmol rec. enzyme": "nmol/min/pmol",
    "pmol/min/pmol transporter": "pmol/min/pmol",
    "pmol/mg mic. protein": "pmol/mg",
    "µmol/l/min": "umol/L/min", "pmol/ml/min": "nmol/L/min",
    "l/min": "L/min", "ml/min/kg": "mL/min/kg", "ml/h/kg": "mL/h/kg", "l/h/kg": "L/h/kg",
    "cm/min": "cm/min", "cm/s": "cm/s", "dm/min": "dm/min",
    "mg/ml": "mg/mL", "mg/l": "mg/L", "kg": "kg",
}

# OSP compound (model repo, compound) -> card name; metabolites get a parent link.
OSP = [
    ("Alprazolam-Model", "Alprazolam", "alprazolam", "Alprazolam"),
    ("Atorvastatin-Model", "Atorvastatin", "atorvastatin", "Atorvastatin"),
    ("Carbamazepine-Model", "Carbamazepine", "carbamazepine", "Carbamazepine"),
    ("Cimetidine-Model", "Cimetidine", "cimetidine", "Cimetidine"),
    ("Clarithromycin-Model", "Clarithromycin", "clarithromycin", "Clarithromycin"),
    ("Dabigatran-Model", "DabiEtex", "dabigatran_etexilate", "Dabigatran etexilate"),
    ("Dabigatran-Model", "Dabigatran", "dabigatran", "Dabigatran"),
    ("Dabigatran-Model", "DabiGluc", "dabigatran_glucuronide", "Dabigatran acylglucuronide"),
    ("Digoxin-Model", "Digoxin", "digoxin", "Digoxin"),
    ("Efavirenz-Model", "Efavirenz", "efavirenz", "Efavirenz"),
    ("Erythromycin-Model", "Erythromycin", "erythromycin", "Erythromycin"),
    ("Fluconazole-Model", "Fluconazole", "fluconazole", "Fluconazole"),
    ("Fluvoxamine-Model", "Fluvoxamine", "fluvoxamine", "Fluvoxamine"),
    ("Itraconazole-Model", "Itraconazole", "itraconazole", "Itraconazole"),
    ("Itraconazole-Model", "Hydroxy-Itraconazole", "hydroxy_itraconazole", "Hydroxy-itraconazole"),
    ("Itraconazole-Model", "Keto-Itraconazole", "keto_itraconazole", "Keto-itraconazole"),
    ("Itraconazole-Model", "N-desalkyl-Itraconazole", "n_desalkyl_itraconazole",
     "N-desalkyl-itraconazole"),
    ("Mexiletine-Model", "Mexiletine", "mexiletine", "Mexiletine"),
    ("Midazolam-Model", "Midazolam", "midazolam", "Midazolam"),
    ("Omeprazole-Model", "Omeprazole", "omeprazole", "Omeprazole"),
    ("Omeprazole-Model", "Esomeprazole", "esomeprazole", "Esomeprazole (S-omeprazole)"),
    ("Omeprazole-Model", "R-omeprazole", "r_omeprazole", "R-omeprazole"),
    ("Rifampicin-Model", "Rifampicin", "rifampicin", "Rifampicin"),
    ("Tizanidine-Model", "Tizanidine", "tizanidine", "Tizanidine"),
    ("Triazolam-Model", "Triazolam", "triazolam", "Triazolam"),
    ("Verapamil-Model", "R-Verapamil", "r_verapamil", "R-verapamil"),
    ("Verapamil-Model", "S-Verapamil", "s_verapamil", "S-verapamil"),
    ("Verapamil-Model", "R-Norverapamil", "r_norverapamil", "R-norverapamil"),
    ("Verapamil-Model", "S-Norverapamil", "s_norverapamil", "S-norverapamil"),
    ("Warfarin-Model", "S-Warfarin", "s_warfarin", "S-warfarin"),
    ("Warfarin-Model", "R-Warfarin", "r_warfarin", "R-warfarin"),
]
COMPOUND_TO_CARD = {c: n for (_, c, n, _) in OSP}
COMPOUND_TO_CARD.update({"1-OH-Midazolam": None, "Midazolam-N-glucuronide": None,
                         "8-OH efavirenz": None})
PARENT = {"hydroxy_itraconazole": "itraconazole", "keto_itraconazole": "hydroxy_itraconazole",
          "n_desalkyl_itraconazole": "keto_itraconazole", "r_norverapamil": "r_verapamil",
          "s_norverapamil": "s_verapamil", "dabigatran": "dabigatran_etexilate",
          "dabigatran_glucuronide": "dabigatran"}
RACEMATE = {"r_verapamil": "verapamil", "s_verapamil": "verapamil", "s_warfarin": "warfarin",
            "r_warfarin": "warfarin", "esomeprazole": "omeprazole", "r_omeprazole": "omeprazole"}

PARTITION = {
    "Cellular partition coefficient method - Rodgers and Rowland": "rodgers_rowland",
    "Cellular partition coefficient method - Schmitt": "schmitt",
    "Cellular partition coefficient method - Berezhkovskiy": "berezhkovskiy",
    "Cellular partition coefficient method - PK-Sim Standard": "pksim_standard",
    "Cellular partition coefficient method - Poulin and Theil": "poulin_theil",
}
# gene -> enzyme/transporter name used in the cards (CPIC genes of ../shared/data/pgx)
PGX_GENES = {"CYP2B6": "CYP2B6", "CYP2C19": "CYP2C19", "CYP2C9": "CYP2C9", "CYP2D6": "CYP2D6",
             "CYP3A4": "CYP3A4", "CYP3A5": "CYP3A5", "SLCO1B1": "OATP1B1", "UGT1A1": "UGT1A1",
             "ABCG2": "BCRP"}
TRANSPORTER_ALIASES = {"ABCB1": "P-gp"}


def canon_target(name):
    return TRANSPORTER_ALIASES.get(name, name)


def num(s):
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(s)
    return int(v) if v == int(v) and abs(v) < 1e15 and "." not in s and "e" not in s.lower() else v


def read_props():
    with open(PROPS, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        r["_line"] = i + 2
    return rows


def notes_kv(notes):
    out = {}
    for part in notes.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


# inputs that describe the experiment or the system, not the fitted process constant
CONTEXT_PARAMS = {"Fraction unbound (experiment)", "Lipophilicity (experiment)",
                  "Blood/Plasma concentration ratio", "Body weight", "Blood flow rate (kidney)",
                  "Transporter concentration", "Enzyme concentration",
                  "Content of CYP proteins in liver microsomes"}
FIT_WORDS = re.compile(r"\b(fit|fitted|optimi[sz]ed|FIT)\b", re.I)


class Ctx:
    def __init__(self, repo, compound, rows):
        self.repo, self.compound, self.rows = repo, compound, rows
        self.src = rows[0]["source"] if rows else ""
        self.commit = self.src.split("@")[1] if "@" in self.src else ""


def fitted_info(r):
    """Returns (fitted, why, fitted_to)."""
    notes = r["notes"]
    ref = r["reference_text"]
    origin = (r["value_origin_source"], r["value_origin_method"])
    kv = notes_kv(notes)
    if "FITTED" in notes or "ParameterIdentification" in origin:
        why = "FITTED flag in ../shared/data/drugs" if "FITTED" in notes else \
            "ValueOrigin is ParameterIdentification (the shared table sets no FITTED flag)"
        m = re.search(r"Value updated from '(.*)' on (\S+ \S+)", ref)
        if m:
            to = "OSP parameter identification '%s' (%s)" % (m.group(1), m.group(2))
        elif ref:
            to = "OSP parameter identification; ValueOrigin text: '%s'" % ref
        else:
            to = "OSP parameter identification (the snapshot does not name it)"
        return True, why, to + "; clinical data used for model building: see training_data"
    if r["value_origin_source"] in ("Publication", "Database", "Internet", "Other"):
        return False, "", ""
    if r["parameter"] in CONTEXT_PARAMS:
        return False, "", ""
    ds = kv.get("DataSource", "")
    alt = r["alternative"] if r["property_group"] in ("Lipophilicity", "FractionUnbound",
                                                      "IntestinalPermeability",
                                                      "Solubility") else ""
    if FIT_WORDS.search(ds) or FIT_WORDS.search(alt):
        what = ("process DataSource '%s'" % ds) if FIT_WORDS.search(ds) else \
            ("alternative name '%s'" % alt)
        vo_txt = "/".join(x for x in origin if x) or "none"
        return True, ("marked fitted here because of the %s; the snapshot row has no FITTED flag "
                      "and its ValueOrigin is '%s'" % (what, vo_txt)), (
            "not named in the snapshot; clinical data used for model building: see training_data")
    return False, "", ""


def vo(ctx, r, unit=None, note=None, fitted=None):
    unit = UNIT_MAP[r["unit"]] if unit is None else unit
    what = "compound '%s', %s" % (r["compound"], r["property_group"])
    if r["alternative"]:
        what += " '%s'" % r["alternative"]
    what += ", parameter '%s'" % r["parameter"]
    kv = notes_kv(r["notes"])
    if "DataSource" in kv:
        what += ", process DataSource '%s'" % kv["DataSource"]
    if "Metabolite" in kv:
        what += ", metabolite '%s'" % kv["Metabolite"]
    origin = "/".join(x for x in (r["value_origin_source"], r["value_origin_method"]) if x)
    if origin or r["reference_text"]:
        ov = "ValueOrigin: %s%s%s" % (origin, ": " if origin and r["reference_text"] else "",
                                      r["reference_text"])
    else:
        ov = "ValueOrigin: none stored in the snapshot"
    src = "%s | %s | %s (../shared/data/drugs/drug_properties.csv line %d)" % (
        r["source"], what, ov, r["_line"])
    f, why, to = fitted_info(r)
    if fitted is not None:
        f = fitted
    o = {"value": num(r["value"]), "unit": unit, "source": src, "fitted": f}
    notes = []
    if why:
        notes.append(why)
    if note:
        notes.append(note)
    if notes:
        o["note"] = "; ".join(notes)
    if f and to:
        o["fitted_to"] = to
    return o


def md_cells(row):
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    return cells


def pubname(cell):
    m = re.search(r"\[([^\]]+)\]", cell)
    return (m.group(1) if m else cell).strip()


def training_data(repo, lit_rows):
    rows = [x for x in lit_rows if x["model_repo"] == repo and "Section2.2" in x["file"]]
    if not rows:
        return None
    src = rows[0]["source"]
    studies, how, listed = [], None, []
    for x in rows:
        h = x["table_header"]
        c = md_cells(x["row"])
        if "Publication" in h and "Study description" in re.sub(r"\s+", " ", h) and len(c) > 1:
            listed.append("%s: %s" % (pubname(c[0]), c[1]))
        if "used for model building" in h:
            studies.append("%s: %s" % (pubname(c[0]), re.sub(r"<br\s*/?>", " ", c[1])
                                       if len(c) > 1 else ""))
            how = "tables headed 'Arm / Treatment / Information used for model building'"
        elif "Used for" in h:
            hc = md_cells(h)
            idx = next(i for i, t in enumerate(hc) if t.startswith("Used for"))
            mark = c[idx] if idx < len(c) else ""
            if (repo == "Itraconazole-Model" and mark.startswith("mb")) or \
                    (repo == "Rifampicin-Model" and mark.lower() == "x"):
                studies.append("%s: %s" % (pubname(c[-1]), " ".join(t for t in c[:idx] if t)))
            how = ("the 'Used for' column (Itraconazole: codes starting 'mb' read as model "
                   "building, 'mv' as verification; the code legend is not in the extracted "
                   "table)" if repo == "Itraconazole-Model" else
                   "the 'Used for Optimization' column marked 'x'")
        elif "**Dataset**" in h:
            if len(c) > 3 and c[3].strip().lower() == "training":
                studies.append("%s: %s mg %s" % (pubname(c[4]), c[0], c[1]))
            how = "the 'Dataset' column equal to 'training'"
        elif "<sup>+</sup>" in c[0] and "**Parameter**" not in h:  # not the parameter table
            studies.append("%s: %s" % (pubname(c[0]), " ".join(t for t in c[1:] if t)))
            how = ("rows marked <sup>+</sup> (read as 'used for model building', the legend "
                   "convention of these OSP reports; the legend itself is not in the "
                   "extracted table)")
    def unique(items):
        seen, out = set(), []
        for s in items:
            s = re.sub(r"\s+", " ", re.sub(r"<br\s*/?>", ", ", s)).strip()
            if s not in seen:
                seen.add(s)
                out.append(s)
        return out
    uniq = unique(studies)
    if not uniq:
        every = unique(listed)
        return {"source": src, "studies": every,
                "note": "the clinical-data table of this model report does not say which studies "
                        "were used for parameter identification; every study it lists (%d) is "
                        "treated as possibly used" % len(every)}
    return {"source": src, "studies": uniq, "note": "selected by " + how}


def build_osp(repo, compound, name, display, props, lit_rows):
    rows = [r for r in props if r["model_repo"] == repo and r["compound"] == compound]
    ctx = Ctx(repo, compound, rows)
    card = {"schema": "medtwin-drug-card/1", "name": name, "version": VERSION,
            "display_name": display, "kind": "pbpk",
            "origin": {"model": "Open-Systems-Pharmacology/" + repo,
                       "snapshot": ctx.src.split(":", 1)[1] if ":" in ctx.src else "",
                       "compound": compound,
                       "via": "../shared/data/drugs/drug_properties.csv (values copied verbatim; "
                              "units respelt, e.g. 'µmol/l' -> 'umol/L')"}}
    if name in PARENT:
        card["parent"] = PARENT[name]
    if name in RACEMATE:
        card["racemate"] = RACEMATE[name]
    phys, absn = {}, {"model": "pksim_permeability"}
    hepatic, transport, interactions, binding, mets = [], [], [], [], []
    renal = {}
    missing = []
    procs = {}
    for r in rows:
        g, p = r["property_group"], r["parameter"]
        default = r["is_default_alternative"] in ("", "true(or omitted)")
        if g == "compound":
            if p == "Molecular weight":
                phys["mw"] = vo(ctx, r)
            elif p == "PlasmaProteinBindingPartner" and r["value"]:
                phys["binding_partner"] = r["value"].lower()
            # 'Cl', 'F', 'Br', 'I': PK-Sim halogen atom counts (not clearance or bioavailability)
        elif g == "pKa":
            o = vo(ctx, r, unit="1")
            o["type"] = "acid" if "Acid" in p else "base"
            phys.setdefault("pka", []).append(o)
        elif g == "calculation_method":
            if r["value"] in PARTITION:
                card["partition"] = {"method": PARTITION[r["value"]],
                                     "method_source": "%s | CalculationMethod '%s'" % (
                                         r["source"], r["value"])}
        elif g == "Lipophilicity" and default:
            phys["logp"] = vo(ctx, r, note="PK-Sim 'Lipophilicity' (alternative '%s'): the "
                                           "membrane-affinity/logP surrogate PK-Sim uses for "
                                           "partitioning, not necessarily an octanol-water logP"
                                           % r["alternative"])
            phys["logp_measure"] = "pksim_lipophilicity"
        elif g == "FractionUnbound" and default:
            phys["fu_plasma"] = vo(ctx, r)
        elif g == "Solubility" and default:
            if p == "Solubility at reference pH":
                phys["solubility"] = vo(ctx, r)
            elif p == "Reference pH":
                phys["solubility_ph"] = vo(ctx, r, unit="1")
        elif g == "IntestinalPermeability" and default:
            absn["intestinal_permeability"] = vo(
                ctx, r, note="PK-Sim-specific transcellular intestinal permeability")
        elif g.startswith("process:"):
            kind = g.split(":", 1)[1]
            kv = notes_kv(r["notes"])
            key = (kind, r["alternative"], kv.get("DataSource", ""), kv.get("Metabolite", ""))
            procs.setdefault(key, []).append(r)
    for (kind, target, ds, met), prs in procs.items():
        P = {r["parameter"]: r for r in prs}
        tgt = canon_target(target)
        label = {}
        if ds:
            label["osp_process"] = ds
        if met:
            mc = COMPOUND_TO_CARD.get(met, None)
            label["metabolite"] = mc if mc else met
        if target and tgt != target:
            label["note"] = "snapshot name '%s'" % target

        def put(d, key, pname, **kw):
            if pname in P:
                d[key] = vo(ctx, P[pname], **kw)

        if kind in ("MetabolizationLiverMicrosomes_MM", "rCYP450_MM", "MetabolizationSpecific_MM"):
            d = {"enzyme": tgt, "process": "michaelis_menten",
                 "system": {"MetabolizationLiverMicrosomes_MM": "liver_microsomes",
                            "rCYP450_MM": "recombinant",
                            "MetabolizationSpecific_MM": "specific"}[kind]}
            d.update(label)
            put(d, "km", "Km")
            put(d, "kcat", "kcat")
            if "kcat" not in d:
                # PK-Sim derives kcat from the in vitro Vmax when not overridden: keep the inputs
                if "In vitro Vmax for liver microsomes" in P and \
                        float(P["In vitro Vmax for liver microsomes"]["value"]) > 0:
                    put(d, "vmax_microsomal", "In vitro Vmax for liver microsomes")
                    put(d, "enzyme_content", "Content of CYP proteins in liver microsomes")
                if "In vitro Vmax/recombinant enzyme" in P and \
                        float(P["In vitro Vmax/recombinant enzyme"]["value"]) > 0:
                    put(d, "vmax_recombinant", "In vitro Vmax/recombinant enzyme")
                if "Vmax" in P and float(P["Vmax"]["value"]) > 0:
                    put(d, "vmax", "Vmax")
                    put(d, "enzyme_concentration", "Enzyme concentration")
                missing.append({"field": "elimination.hepatic[%s%s].kcat" % (
                    tgt, (", " + ds) if ds else ""),
                    "why": "not stored in the snapshot: PK-Sim computes it from the in vitro "
                           "Vmax kept here (and the enzyme content); that formula is PK-Sim's, "
                           "not reproduced"})
            hepatic.append(d)
            if met:
                mets.append({"name": label["metabolite"], "via": tgt,
                             "source": "%s | process %s/%s, DataSource '%s', Metabolite '%s'" % (
                                 ctx.src, kind, target, ds, met)})
        elif kind == "MetabolizationIntrinsic_FirstOrder":
            d = {"enzyme": tgt, "process": "first_order"}
            d.update(label)
            put(d, "specific_clearance", "Specific clearance",
                note="PK-Sim specific clearance: first-order rate per unit of the enzyme's "
                     "reference concentration")
            if "Intrinsic clearance" in P and float(P["Intrinsic clearance"]["value"]) > 0:
                put(d, "clint", "Intrinsic clearance")
            hepatic.append(d)
        elif kind == "LiverClearance":
            d = {"enzyme": "unspecific", "process": "hepatic_clearance"}
            d.update(label)
            put(d, "specific_clearance", "Specific clearance",
                note="PK-Sim unspecific hepatic specific clearance (first order)")
            if "Plasma clearance" in P and float(P["Plasma clearance"]["value"]) > 0:
                put(d, "plasma_clearance", "Plasma clearance")
            put(d, "fu_experiment", "Fraction unbound (experiment)")
            put(d, "logp_experiment", "Lipophilicity (experiment)")
            if "Blood/Plasma concentration ratio" in P:
                put(d, "bp_experiment", "Blood/Plasma concentration ratio")
            hepatic.append(d)
            if "Blood/Plasma concentration ratio" in P and "blood_plasma_ratio" not in phys:
                phys["blood_plasma_ratio"] = vo(
                    ctx, P["Blood/Plasma concentration ratio"],
                    note="the only B:P stored in the snapshots: an input of the PK-Sim liver "
                         "clearance process; the model report calls it assumed, within a "
                         "literature range 0.51-0.59 (Warfarin-Model Section2.2_Data.md)")
        elif kind in ("ActiveTransportSpecific_MM", "ActiveTransport_InVitro_VesicularAssay_MM"):
            d = {"transporter": tgt, "process": "michaelis_menten",
                 "system": "specific" if kind == "ActiveTransportSpecific_MM"
                 else "vesicular_assay"}
            d.update(label)
            put(d, "km", "Km")
            put(d, "kcat", "kcat")
            if "Transporter concentration" in P:
                put(d, "transporter_concentration", "Transporter concentration")
            if "kcat" not in d:
                if "Vmax" in P and float(P["Vmax"]["value"]) > 0:
                    put(d, "vmax", "Vmax")
                if "In vitro Vmax/transporter" in P:
                    put(d, "vmax_recombinant", "In vitro Vmax/transporter")
            d.setdefault("note", "")
            d["note"] = (d["note"] + "; " if d["note"] else "") + \
                "direction and organs of transport are set in the PK-Sim expression " \
                "profile, not in the compound"
            transport.append(d)
        elif kind == "GlomerularFiltration":
            put(renal, "gfr_fraction", "GFR fraction")
        elif kind == "KidneyClearance":
            sec = {"process": "renal_clearance"}
            sec.update(label)
            put(sec, "specific_clearance", "Specific clearance")
            if "Plasma clearance" in P and float(P["Plasma clearance"]["value"]) > 0:
                put(sec, "plasma_clearance", "Plasma clearance")
            put(sec, "fu_experiment", "Fraction unbound (experiment)")
            put(sec, "body_weight", "Body weight")
            put(sec, "kidney_blood_flow", "Blood flow rate (kidney)")
            renal.setdefault("clearance", []).append(sec)
        elif kind in ("CompetitiveInhibition", "NoncompetitiveInhibition", "MixedInhibition",
                      "IrreversibleInhibition", "Induction"):
            mech = {"CompetitiveInhibition": "competitive",
                    "NoncompetitiveInhibition": "noncompetitive",
                    "MixedInhibition": "mixed", "IrreversibleInhibition": "mechanism_based",
                    "Induction": "induction"}[kind]
            d = {"target": tgt, "mechanism": mech}
            d.update(label)
            put(d, "ki", "Ki")
            put(d, "ki_c", "Ki_c")
            put(d, "ki_u", "Ki_u")
            put(d, "kinact", "kinact")
            put(d, "ki_half", "K_kinact_half")
            put(d, "ec50", "EC50")
            put(d, "emax", "Emax", unit="1",
                note="PK-Sim induction Emax: maximal fold increase of the synthesis rate "
                     "minus 1")
            interactions.append(d)
        elif kind == "SpecificBinding":
            d = {"target": tgt}
            d.update(label)
            put(d, "kd", "Kd")
            put(d, "koff", "koff")
            binding.append(d)
        else:
            raise SystemExit("unhandled process " + kind)
    card["physchem"] = phys
    card["absorption"] = absn
    elim = {}
    if hepatic:
        elim["hepatic"] = hepatic
    if renal:
        elim["renal"] = renal
    if transport:
        elim["transport"] = transport
    card["elimination"] = elim
    if interactions:
        card["interactions"] = interactions
    if binding:
        card["specific_binding"] = binding
    if mets:
        card["metabolites"] = mets
    if "blood_plasma_ratio" not in phys and "mw" in phys:
        bp = lit_blood_plasma(lit_rows, repo, phys["mw"]["value"])
        if bp:
            phys["blood_plasma_ratio"] = bp
    if "pka" not in phys and "mw" in phys:
        src = lit_pka_none(lit_rows, repo, phys["mw"]["value"])
        if src:
            phys["pka"] = []
            phys["pka_source"] = src
    td = training_data(repo, lit_rows)
    if td:
        card["training_data"] = td
    # pgx: genes whose enzyme/transporter has a process on this card
    have = {h.get("enzyme") for h in hepatic} | {t.get("transporter") for t in transport}
    pg = []
    for gene, enz in PGX_GENES.items():
        if enz in have:
            pg.append({"gene": gene, "scales": enz,
                       "source": "gene-to-protein identity; the CPIC allele functions of %s are "
                                 "in ../shared/data/pgx/cpic_allele_function.csv, the %s process "
                                 "is on this card (%s)" % (gene, enz, ctx.src)})
    if pg:
        card["pgx"] = pg
        missing.append({"field": "pgx.activity_factors",
                        "why": "phenotype-specific activity factors are not in the OSP snapshot "
                               "(only implicit in its expression-profile categories)"})
    # standard gaps of an OSP card
    if "fu_plasma" not in phys:
        missing.append({"field": "physchem.fu_plasma", "why": "no default alternative in the "
                                                              "snapshot"})
    if "blood_plasma_ratio" not in phys:
        missing.append({"field": "physchem.blood_plasma_ratio",
                        "why": "PK-Sim computes B:P; the snapshot stores none"})
    if "pka" not in phys:  # (an empty list with pka_source: no ionisable group, sourced)
        missing.append({"field": "physchem.pka", "why": "no pKa stored in the snapshot "
                                                        "(PK-Sim then treats it as neutral)"})
    if "logp" not in phys:
        missing.append({"field": "physchem.logp", "why": "no default lipophilicity stored"})
    missing.append({"field": "partition.kp",
                    "why": "the snapshot stores no Kp; PK-Sim computes them with the partition "
                           "method from physchem"})
    missing.append({"field": "absorption.ka",
                    "why": "OSP models absorption mechanistically (intestinal permeability, "
                           "PK-Sim specific); no first-order ka is given"})
    missing.append({"field": "absorption.fa", "why": "computed by PK-Sim in simulation; not "
                                                     "stored"})
    missing.append({"field": "absorption.fg", "why": "gut-wall metabolism is simulated by PK-Sim "
                                                     "from enterocyte enzyme expression; no Fg "
                                                     "is stored"})
    if hepatic:
        missing.append({"field": "elimination.hepatic[*].fm",
                        "why": "fractions metabolised are not stated in the snapshot"})
    if "gfr_fraction" not in renal:
        missing.append({"field": "elimination.renal.gfr_fraction",
                        "why": "no glomerular filtration process in the snapshot"})
    missing.append({"field": "therapeutic_range",
                    "why": "no guideline range in ../shared/data for this drug"})
    missing.append({"field": "process parameters not listed",
                    "why": "OSP snapshots store only values that differ from PK-Sim defaults; "
                           "an absent process parameter is the PK-Sim default, not zero"})
    card["missing"] = missing
    return card


def lit_block(lit_rows, repo, mw):
    """The rows of the model report's literature tables (Section2.2) that belong to the compound
    whose MW row heads the table block, with their cells: (row, cells) pairs."""
    last_mw = None
    for x in lit_rows:
        if x["model_repo"] != repo or "Section2.2" not in x["file"]:
            continue
        cells = md_cells(x["row"])
        if len(cells) < 3:
            continue
        if cells[0] == "MW":
            m = re.match(r"\s*([0-9.]+)", cells[2])
            last_mw = float(m.group(1)) if m else None
        elif last_mw is not None and abs(last_mw - mw) < 0.05:
            yield x, cells


def lit_blood_plasma(lit_rows, repo, mw):
    """The measured B:P of the model report's literature table (Section2.2) for the compound
    whose MW row heads the same table block; None when the report gives none."""
    for x, cells in lit_block(lit_rows, repo, mw):
        if len(cells) >= 4 and cells[0] == "B/P ratio" and re.fullmatch(r"[0-9.]+", cells[2]):
            return hand_vo(num(cells[2]), "1",
                           "%s (%s, model report literature table, cited there as '%s'; via "
                           "../shared/data/drugs/drug_literature_tables_raw.csv)"
                           % (x["source"], x["file"], pubname(cells[3])),
                           note="measured blood-to-plasma ratio as reported in the OSP model "
                                "evaluation's input-data table")
    return None


def lit_pka_none(lit_rows, repo, mw):
    """The source of a model report literature table (Section2.2) that gives the compound's pKa
    as 'none' (no ionisable group, so a neutral compound), for the compound whose MW row heads the
    same table block; None when the report says nothing of the kind."""
    for x, cells in lit_block(lit_rows, repo, mw):
        if cells[0] == "pKa" and cells[2].strip().lower() == "none":
            return ("%s (%s, model report literature table: pKa 'none', i.e. no ionisable group; "
                    "PK-Sim treats a compound without pKa as neutral; via "
                    "../shared/data/drugs/drug_literature_tables_raw.csv)" % (x["source"], x["file"]))
    return None


def lit_row_source(lit_rows, repo, needle):
    for x in lit_rows:
        if x["model_repo"] == repo and needle in x["row"]:
            return x
    raise SystemExit("no literature row %s %s" % (repo, needle))


def hand_vo(value, unit, source, fitted=False, note=None, fitted_to=None):
    o = {"value": value, "unit": unit, "source": source, "fitted": fitted}
    if note:
        o["note"] = note
    if fitted:
        o["fitted_to"] = fitted_to or "not named by the source"
    return o


def base(name, display, origin=None):
    c = {"schema": "medtwin-drug-card/1", "name": name, "version": VERSION,
         "display_name": display, "kind": "pbpk"}
    if origin:
        c["origin"] = origin
    return c


STD_MISSING_NONOSP = [
    ("partition.kp", "no explicit Kp found with a citable source"),
    ("absorption.fa", "no citable value found in ../shared/data or the searched public material"),
    ("absorption.fg", "no citable value found in ../shared/data or the searched public material"),
    ("physchem.blood_plasma_ratio", "no citable value found"),
]


def missing_list(pairs):
    return [{"field": f, "why": w} for f, w in pairs]


def build_hand(lit_rows):
    cards = []
    # --- rosuvastatin: OSP markdown tables only (snapshot too large for the shared extraction)
    R = "Rosuvastatin-Model"

    def rs(needle, col_value_note=None):
        x = lit_row_source(lit_rows, R, needle)
        c = md_cells(x["row"])
        return x, c
    src_tab = None
    rc = base("rosuvastatin", "Rosuvastatin",
              {"model": "Open-Systems-Pharmacology/Rosuvastatin-Model",
               "via": "../shared/data/drugs/drug_literature_tables_raw.csv (Section2.2 parameter "
                      "table; the snapshot JSON was not extracted, over 4 MiB)"})

    def rvo(needle, value, unit, note=None, fitted=False):
        x, c = rs(needle)
        src = "%s | table row '%s' (cited there: %s)" % (
            x["source"], c[0], pubname(c[3]) if len(c) > 3 else "")
        return hand_vo(value, unit, src, fitted, note)
    rc["physchem"] = {
        "mw": rvo("| MW ", 481.54, "g/mol"),
        "pka": [dict(rvo("pK<sub>a</sub> (acid)", 4.3, "1"), type="acid")],
        "logp": rvo("| logP ", -0.33, "log10",
                    note="octanol-water partition coefficient (table description)"),
        "logp_measure": "logp_octanol_water",
        "fu_plasma": rvo("| fu ", 11.5, "%"),
        "solubility": rvo("Solubility (water)", 7.8, "g/L",
                          note="aqueous solubility; pH not given in the table"),
    }
    rc["absorption"] = {"model": "pksim_permeability"}
    tr = []
    for needle, tname, km in (("K<sub>m</sub> BCRP", "BCRP", 2.02),
                              ("K<sub>m</sub> OAT3", "OAT3", 7.40),
                              ("K<sub>m</sub> OATP2B1", "OATP2B1", 6.42),
                              ("K<sub>m</sub> OATP1B1/3", "OATP1B1/1B3", 0.80),
                              ("K<sub>m</sub> Pgp", "P-gp", 203)):
        tr.append({"transporter": tname, "process": "michaelis_menten",
                   "km": rvo(needle, km, "umol/L")})
    rc["elimination"] = {"transport": tr}
    td = training_data(R, lit_rows)
    rc["training_data"] = td
    rc["pgx"] = [{"gene": "SLCO1B1", "scales": "OATP1B1/1B3",
                  "source": "gene-to-protein identity (SLCO1B1 encodes OATP1B1); CPIC allele "
                            "functions in ../shared/data/pgx/cpic_allele_function.csv"},
                 {"gene": "ABCG2", "scales": "BCRP",
                  "source": "gene-to-protein identity (ABCG2 encodes BCRP); CPIC allele "
                            "functions in ../shared/data/pgx/cpic_allele_function.csv"}]
    rc["missing"] = missing_list([
        ("elimination.transport[*].kcat", "optimised in the OSP model (Section2.3 lists them) "
                                          "but the values are not in the extracted tables"),
        ("elimination.hepatic", "the CYP2C9 process (kcat optimised, Section2.3) has no value in "
                                "the extracted tables"),
        ("elimination.renal.gfr_fraction", "not in the extracted tables"),
        ("partition.method", "not in the extracted tables"),
        ("absorption.ka", "OSP models absorption mechanistically; no ka"),
        ("pgx.activity_factors", "not in ../shared/data"),
        ("therapeutic_range", "no guideline range in ../shared/data"),
    ] + STD_MISSING_NONOSP[1:])
    cards.append(rc)

    # --- ketoconazole: SRuedesh/Ketoconazole-Model Section2.2_Data.md Table 1 (Marok 2023)
    KSRC = ("SRuedesh/Ketoconazole-Model:Evaluation/Input/Content/Section2.2_Data.md"
            "@049ece39c4a21310e2a17842b117b140978b6abc, Table 1 (drug-dependent parameters of "
            "the final ketoconazole model; checked there against Marok 2023 Table 1 and "
            "Supplement Table S1.3)")
    KTRAIN = ("optimised by the authors of Marok 2023; clinical data used for model building: "
              "see training_data")

    def k(row, cited, value, unit, fitted=False, note=None):
        return hand_vo(value, unit, "%s, row '%s' (cited there: %s)" % (KSRC, row, cited),
                       fitted, note, KTRAIN if fitted else None)
    kc = base("ketoconazole", "Ketoconazole",
              {"model": "SRuedesh/Ketoconazole-Model (personal repository of an OSP model "
                        "author; not the Open-Systems-Pharmacology organisation)",
               "via": "model report table read through the public code index"})
    kc["physchem"] = {
        "mw": k("MW", "Chemicalize 2021", 531.43, "g/mol"),
        "logp": k("logP", "Optimized", 2.52, "log10", True,
                  "octanol-water logP of the neutral species per the table, but optimised"),
        "logp_measure": "pksim_lipophilicity",
        "fu_plasma": k("fu", "Heel 1982", 1, "%"),
        "pka": [dict(k("pKa,base", "Chemicalize 2021", 2.94, "1"), type="base"),
                dict(k("pKa,base", "Chemicalize 2021", 6.51, "1"), type="base")],
    }
    kc["partition"] = {"method": "berezhkovskiy",
                       "method_source": KSRC + ", row 'Partition coefficients' (Berezhkovskiy "
                                               "2004)"}
    kc["absorption"] = {"model": "pksim_permeability",
                        "intestinal_permeability": k("Pint, fasted", "Optimized", 1.56e-5,
                                                     "cm/min", True,
                                                     "PK-Sim-specific; fasted state")}
    kc["elimination"] = {
        "hepatic": [
            {"enzyme": "AADAC", "process": "michaelis_menten", "system": "specific",
             "metabolite": "N-deacetylketoconazole",
             "km": k("Km,AADAC", "Fukami 2016", 1.88, "umol/L"),
             "kcat": k("kcat,AADAC", "Optimized", 0.87, "1/min", True)},
            {"enzyme": "CYP3A4", "process": "michaelis_menten", "system": "specific",
             "km": k("Km,CYP3A4", "Weiss 2022", 0.00846, "umol/L",
                     note="assumed equal to Ki,CYP3A4 by the model authors"),
             "kcat": k("kcat,CYP3A4", "Optimized", 0.10, "1/min", True)},
            {"enzyme": "UGT1A4", "process": "michaelis_menten", "system": "specific",
             "km": k("Km,UGT1A4", "Bourcier 2010", 7, "umol/L"),
             "kcat": k("kcat,UGT1A4", "Optimized", 0.31, "1/min", True)}],
        "transport": [
            {"transporter": "P-gp", "process": "michaelis_menten", "system": "specific",
             "km": k("Km,P-gp", "Weiss 2022", 0.035, "umol/L",
                     note="assumed equal to Ki,P-gp by the model authors"),
             "kcat": k("kcat,P-gp", "Optimized", 0.33, "1/min", True)}],
        "renal": {"gfr_fraction": k("GFR fraction", "Assumed", 1, "1",
                                    note="an assumption of the model authors")},
    }
    kc["interactions"] = [
        {"target": "CYP3A4", "mechanism": "unspecified",
         "ki": k("Ki,CYP3A4", "Weiss 2022", 0.00846, "umol/L",
                 note="derived from an IC50; the table does not state the inhibition type")},
        {"target": "P-gp", "mechanism": "unspecified",
         "ki": k("Ki,P-gp", "Weiss 2022", 0.035, "umol/L",
                 note="the table does not state the inhibition type")}]
    kc["metabolites"] = [{"name": "N-deacetylketoconazole", "via": "AADAC",
                          "source": KSRC + ", rows 'Km,AADAC' (AADAC-mediated hydrolysis) and "
                                           "the N-deacetylketoconazole block"}]
    kc["pgx"] = [{"gene": "CYP3A4", "scales": "CYP3A4",
                  "source": "gene-to-protein identity; CPIC allele functions in "
                            "../shared/data/pgx/cpic_allele_function.csv"}]
    kc["training_data"] = {
        "source": "SRuedesh/Ketoconazole-Model:Evaluation/Input/Content/Section2.2_Data.md"
                  "@049ece39c4a21310e2a17842b117b140978b6abc, Table 2 (rows marked + = data "
                  "used for model building, per the table legend)",
        "studies": ["Heel 1982: 200 mg solution, fasted", "Huang 1986: 200 mg solution, "
                    "profiles 1 and 2, fasted", "Huang 1986: 400 mg solution, fasted",
                    "Huang 1986: 800 mg solution, fasted", "Sriwiriyajan 2007: 400 mg tablet, "
                    "fasted", "Tiseo 1998: 200 mg once daily for 7 days, fasted"],
        "note": "7 building profiles per the report"}
    kc["missing"] = missing_list(STD_MISSING_NONOSP + [
        ("absorption.ka", "mechanistic PK-Sim absorption; no ka"),
        ("interactions[*].mechanism", "the source table gives Ki values without the inhibition "
                                      "type; recorded as 'unspecified'"),
        ("elimination.hepatic[*].fm", "not stated"),
        ("pgx.activity_factors", "not in ../shared/data"),
        ("therapeutic_range", "no guideline range in ../shared/data"),
        ("metabolite cards", "N-deacetylketoconazole and N-deacetyl-N-hydroxyketoconazole have "
                             "values in the same table but no card yet")])
    cards.append(kc)

    # --- paroxetine: SRuedesh/Paroxetine-Model Section2.2_Data.md Table 1 (Rüdesheim 2022)
    PSRC = ("SRuedesh/Paroxetine-Model:Evaluation/Input/Content/Section2.2_Data.md"
            "@27ded16e5a4aca32dbbd90704a13e94e4eb54531, Table 1 (drug-dependent parameters of "
            "the final paroxetine model)")
    PTRAIN = ("optimised by the model authors (Rüdesheim 2022); clinical data used for model "
              "building: see training_data")

    def pv(row, cited, value, unit, fitted=False, note=None, table="Table 1"):
        s = PSRC if table == "Table 1" else PSRC.replace("Table 1 (drug-dependent parameters of "
                                                         "the final paroxetine model)", table)
        return hand_vo(value, unit, "%s, row '%s' (cited there: %s)" % (s, row, cited), fitted,
                       note, PTRAIN if fitted else None)
    pc = base("paroxetine", "Paroxetine",
              {"model": "SRuedesh/Paroxetine-Model (personal repository of an OSP model author; "
                        "not the Open-Systems-Pharmacology organisation)",
               "via": "model report table read through the public code index"})
    pc["physchem"] = {
        "mw": pv("MW", "Zhong 2013", 329.37, "g/mol"),
        "pka": [dict(pv("pKa,base", "Agrawal 2013", 9.9, "1"), type="base")],
        "logp": pv("logP", "Agrawal 2013", 3.95, "log10",
                   note="octanol-water logP of the neutral species (table description)"),
        "logp_measure": "logp_octanol_water",
        "fu_plasma": pv("fu", "Optimized; Kaye 1989", 4.873, "%", True),
    }
    pc["partition"] = {"method": "rodgers_rowland",
                       "method_source": PSRC + ", row 'Partition coefficients' (Rodgers 2007)"}
    pc["absorption"] = {"model": "pksim_permeability",
                        "intestinal_permeability": pv("Pint", "Optimized", 3.93e-5, "cm/min",
                                                      True, "PK-Sim-specific")}
    as_rows = [(0, 0.00, "Assumed"), (0.5, 0.66, "Calculated"), (0.75, 1.08, "Calculated"),
               (1, 1.56, "Calculated"), (1.25, 2.11, "Calculated"), (1.5, 2.71, "Calculated"),
               (2, 4.09, "Optimized"), (3, 7.58, "Calculated")]
    pc["elimination"] = {
        "hepatic": [
            {"enzyme": "CYP3A4", "process": "michaelis_menten",
             "km": pv("Km,CYP3A4", "Jornil 2010", 4.7, "umol/L"),
             "kcat": pv("kcat,CYP3A4", "Optimized; Jornil 2010", 1.01, "1/min", True)},
            {"enzyme": "CYP2D6", "process": "michaelis_menten", "osp_process": "extensive metaboliser",
             "km": pv("Km,CYP2D6", "Jornil 2010", 0.028, "umol/L"),
             "kcat": pv("kcat,CYP2D6, EM", "Optimized; Jornil 2010", 1.3693020782, "1/min",
                        True)},
            {"enzyme": "unspecific", "process": "hepatic_clearance",
             "specific_clearance": pv("CLhep", "Optimized; Jornil 2010", 2.2538632474, "1/min",
                                      True, "CYP2D6-independent hepatic clearance; the table "
                                            "notes the Rüdesheim 2022 supplement reports 1.37 "
                                            "1/min, the snapshot value is kept")}],
        "renal": {"gfr_fraction": pv("GFR fraction", "Assumed", 1, "1",
                                     note="an assumption of the model authors")},
    }
    pc["interactions"] = [
        {"target": "CYP2D6", "mechanism": "mechanism_based",
         "ki_half": pv("Ki,CYP2D6", "Optimized; Venkatakrishnan 2005", 0.16738, "umol/L", True,
                       "inhibition constant of the mechanism-based inactivation (K_I)"),
         "kinact": pv("kinact,CYP2D6", "Venkatakrishnan 2005", 0.17, "1/min")},
        {"target": "CYP3A4", "mechanism": "mechanism_based",
         "ki_half": pv("Ki,CYP3A4", "Bertelsen 2003", 4.48, "umol/L",
                       note="inhibition constant of the mechanism-based inactivation (K_I)"),
         "kinact": pv("kinact,CYP3A4", "Bertelsen 2003", 0.011, "1/min")}]
    pc["pgx"] = [
        {"gene": "CYP2D6", "scales": "CYP2D6",
         "source": PSRC.replace("Table 1 (drug-dependent parameters of the final paroxetine "
                                "model)", "Table 1a (CYP2D6 activity-score-specific kcat, from "
                                          "Rüdesheim 2022 Table 2)"),
         "levels": [{"activity_score": a,
                     "kcat": pv("AS %g" % a, origin, v, "1/min", origin == "Optimized",
                                "origin '%s' in the table" % origin, table="Table 1a (CYP2D6 "
                                "activity-score-specific kcat, from Rüdesheim 2022 Table 2)")}
                    for (a, v, origin) in as_rows]},
        {"gene": "CYP3A4", "scales": "CYP3A4",
         "source": "gene-to-protein identity; CPIC allele functions in "
                   "../shared/data/pgx/cpic_allele_function.csv"}]
    pc["training_data"] = {
        "source": "SRuedesh/Paroxetine-Model:Evaluation/Input/Content/Section2.2_Data.md"
                  "@27ded16e5a4aca32dbbd90704a13e94e4eb54531, Table 2 (rows marked + = data "
                  "used for model building, per the table legend)",
        "studies": ["Belle 2002: 20 mg q.d., 12 days", "Lund 1982: 23-28 mg intravenous "
                    "infusion (4 subjects) and 45 mg oral (4 subjects)",
                    "Massaroti 2005: 20 mg tablet", "Mürdter 2016: 40 mg q.d., 3 days, AS = 2",
                    "Sindrup 1992: 30 mg q.d., 14 doses, EM and PM", "Yoon 2000: 40 mg, AS = 2"],
        "note": "14 building profiles per the report"}
    pc["missing"] = missing_list(STD_MISSING_NONOSP + [
        ("absorption.ka", "mechanistic PK-Sim absorption; no ka"),
        ("elimination.hepatic[*].fm", "not stated"),
        ("therapeutic_range", "no guideline range in ../shared/data")])
    cards.append(pc)

    # --- metoprolol: OSP Metoprolol-Model report text (Rüdesheim 2020)
    MSRC = ("Open-Systems-Pharmacology/Metoprolol-Model:Evaluation/Input/Content/"
            "Section2.3_Model_Parameters_and_Assumptions.md@88bbc96bbf6c8798a2561cd2933772e032e4339e")
    mc = base("metoprolol", "Metoprolol",
              {"model": "Open-Systems-Pharmacology/Metoprolol-Model (only binary project "
                        "files; values from its model report text)"})
    mc["physchem"] = {
        "fu_plasma": hand_vo(88, "%", MSRC + ", 2.3.2: '(R)- and (S)-metoprolol use a fraction "
                                             "unbound of 88% and a logP of 1.77' (from Rüdesheim "
                                             "et al. 2020, Table 2)"),
        "logp": hand_vo(1.77, "log10", MSRC + ", 2.3.2 (same sentence)",
                        note="used as PK-Sim lipophilicity; the report calls it logP"),
        "logp_measure": "pksim_lipophilicity",
    }
    mc["partition"] = {"method": "rodgers_rowland",
                       "method_source": MSRC + ", 2.3.2: 'Partition coefficients were calculated "
                                               "with the Rodgers and Rowland method'"}
    mc["absorption"] = {"model": "pksim_permeability"}
    mc["elimination"] = {"renal": {"gfr_fraction": hand_vo(
        1, "1", MSRC + ", 2.3.3: 'Renal filtration is included with a GFR fraction of 1 for "
                       "metoprolol and alpha-hydroxymetoprolol'")}}
    mc["pgx"] = [{"gene": "CYP2D6", "scales": "CYP2D6",
                  "source": MSRC + ", 2.3.3: 'CYP2D6 is the dominant metabolic enzyme in the "
                                   "model'; kcat per activity score in Rüdesheim et al. 2020 "
                                   "Table 3 (values not in the report text)"}]
    mc["note"] = ("the model treats (R)- and (S)-metoprolol separately with the same "
                              "physicochemistry; this card holds the shared values")
    mc["missing"] = missing_list([
        ("physchem.mw", "not in the report text that could be read"),
        ("physchem.pka", "not in the report text (Rüdesheim 2020 Table 2)"),
        ("elimination.hepatic", "CYP2D6 Km and activity-score kcat, CYP3A4 first-order "
                                "clearances are in Rüdesheim 2020 Tables 2-3, not in the "
                                "readable report text"),
        ("absorption.ka", "mechanistic PK-Sim absorption; no ka"),
        ("training_data", "the report lists building and verification studies together"),
        ("therapeutic_range", "no guideline range in ../shared/data")] + STD_MISSING_NONOSP)
    cards.append(mc)

    # --- theophylline: FDA label + R fits of Theoph.csv (one-compartment model)
    th = base("theophylline", "Theophylline")
    FITS = ("../shared/data/clinical/Theoph_R_reference_fits.txt, nlme fm1Theo.nlme fixed "
            "effects (Pinheiro & Bates 2000 sec. 6.4; conc ~ SSfol(Dose, Time, lKe, lKa, lCl), "
            "dose in mg/kg, concentration in mg/L, time in h)")
    FIT_TO = ("../shared/data/clinical/Theoph.csv (Boeckmann, Sheiner & Beal 1994; 12 subjects, "
              "single oral dose) - exclude these data from validation figures")
    lka, lke, lcl = 0.45141, -2.43267, -3.21445
    th["physchem"] = {"mw": hand_vo(180.17, "g/mol",
                                    "US FDA label, theophylline extended-release tablets, "
                                    "DESCRIPTION: 'C7H8N4O2 M.W. 180.17 g/mol' (openFDA "
                                    "drug/label set_id 5e64036a-ee3e-42e7-9e59-881f88a4e298)")}
    th["absorption"] = {"model": "first_order",
                        "ka": hand_vo(round(math.exp(lka), 6), "1/h", FITS, True,
                                      "exp(lKa), lKa = 0.45141; an apparent one-compartment "
                                      "absorption rate of one immediate-release formulation",
                                      FIT_TO)}
    th["empirical_pk"] = {
        "model": "one_compartment_first_order_absorption",
        "ke": hand_vo(round(math.exp(lke), 6), "1/h", FITS, True, "exp(lKe), lKe = -2.43267",
                      FIT_TO),
        "cl_f": hand_vo(round(math.exp(lcl), 6), "L/h/kg", FITS, True,
                        "exp(lCl), lCl = -3.21445; apparent oral clearance CL/F per kg",
                        FIT_TO)}
    LAB = ("US FDA prescribing information, Theophylline in 5% Dextrose Injection USP, CLINICAL "
           "PHARMACOLOGY, 'Serum Concentration-Effect Relationship' (as reproduced by RxList at "
           "https://globalrph.com/rx-list/theophylline-in-5-dextrose-drug)")
    th["therapeutic_range"] = {
        "low": hand_vo(10, "ug/mL", LAB + ": 'maintaining average serum theophylline "
                                          "concentrations between 10 and 15 mcg/mL'"),
        "high": hand_vo(15, "ug/mL", LAB + " (same sentence)"),
        "toxic_above": hand_vo(20, "ug/mL", LAB + ": 'At serum theophylline concentrations > 20 "
                                                  "mcg/mL, both the frequency and severity of "
                                                  "adverse reactions increase'"),
        "note": "serum concentrations; the same label: bronchodilation occurs over 5-20 mcg/mL"}
    th["training_data"] = {"source": FITS, "studies": ["Theoph.csv: 12 subjects, single oral dose "
                                                       "(mg/kg), R datasets"],
                           "note": "the only fitted values on this card are ka, ke and CL/F"}
    th["missing"] = missing_list([
        ("physchem.logp", "no citable value found"),
        ("physchem.pka", "no citable value found"),
        ("physchem.fu_plasma", "only secondary web pages quote it; no label text or paper "
                               "could be read"),
        ("elimination.hepatic", "CYP1A2 clearance: no OSP snapshot (binary project only) and no "
                                "citable in vitro value found"),
        ("elimination.renal", "no citable value found"),
        ("pgx", "no gene-drug pair in ../shared/data")] + STD_MISSING_NONOSP)
    cards.append(th)

    # --- drugs with no citable values found
    def empty(name, display, extra=None, why="no OSP snapshot in ../shared/data and no citable "
                                             "value found in the searched public material"):
        c = base(name, display)
        c["physchem"] = {}
        c["absorption"] = {"model": "unspecified"}
        c["elimination"] = {}
        if extra:
            c.update(extra)
        c["missing"] = missing_list([
            ("physchem.mw", why), ("physchem.logp", why), ("physchem.pka", why),
            ("physchem.fu_plasma", why), ("absorption.ka", why),
            ("elimination.hepatic", why), ("elimination.renal", why),
            ("therapeutic_range", why)] + STD_MISSING_NONOSP)
        return c
    CREWS = ("Crews KR et al. Clinical Pharmacogenetics Implementation Consortium guidelines for "
             "cytochrome P450 2D6 genotype and codeine therapy: 2014 update. Clin Pharmacol Ther "
             "95:376-82 (2014) - as listed in Open-Systems-Pharmacology/Fluvoxamine-Model "
             "References.md (../shared/data/drugs/drug_literature_tables_raw.csv)")
    cards.append(empty("caffeine", "Caffeine", why="no OSP snapshot in ../shared/data ('no repo "
                                                   "in store') and no citable value found"))
    cards.append(empty("codeine", "Codeine", {
        "metabolites": [{"name": "morphine", "via": "CYP2D6", "source": CREWS}],
        "pgx": [{"gene": "CYP2D6", "scales": "CYP2D6", "source": CREWS}]}))
    cards.append(empty("morphine", "Morphine", {"parent": "codeine"}))
    cards.append(empty("clopidogrel", "Clopidogrel"))
    cards.append(empty("simvastatin", "Simvastatin"))
    cards.append(empty("tacrolimus", "Tacrolimus"))
    # racemates: links only
    for name, disp, ens in (("warfarin", "Warfarin (racemic)", ["s_warfarin", "r_warfarin"]),
                            ("verapamil", "Verapamil (racemic)", ["s_verapamil", "r_verapamil"])):
        c = base(name, disp)
        c["enantiomers"] = ens
        c["physchem"] = {}
        c["absorption"] = {"model": "unspecified"}
        c["elimination"] = {}
        c["missing"] = missing_list([
            ("all values", "a racemate card only links its enantiomer cards, which hold the "
                           "values; a racemic dose is split equally between them"),
            ("pd", "warfarin INR/PD parameters with sources are not in ../shared/data "
                   "(nlmixr2data_warfarin.csv holds observations only)") if name == "warfarin"
            else ("pd", "no PD model"),
            ("pgx.VKORC1", "VKORC1 acts on warfarin sensitivity (PD), which has no card values "
                           "yet") if name == "warfarin" else ("pgx", "none")])
        cards.append(c)
    return cards


def omeprazole_links(cards):
    for c in cards:
        if c["name"] == "omeprazole":
            c["enantiomers"] = ["esomeprazole", "r_omeprazole"]
            c["note"] = ("the OSP snapshot also stores an 'Omeprazole' compound; its values are "
                         "those of this card (identical to esomeprazole's except where noted by "
                         "the source rows)")


def main():
    out = sys.argv[1]
    props = read_props()
    with open(LIT, newline="", encoding="utf-8") as f:
        lit = list(csv.DictReader(f))
    cards = [build_osp(r, c, n, d, props, lit) for (r, c, n, d) in OSP]
    omeprazole_links(cards)
    cards += build_hand(lit)
    names = set()
    for c in cards:
        assert c["name"] not in names, c["name"]
        names.add(c["name"])
        with open(os.path.join(out, c["name"] + ".json"), "w", encoding="utf-8") as f:
            json.dump(c, f, indent=2, ensure_ascii=False)
            f.write("\n")
    print("wrote %d cards" % len(cards))


if __name__ == "__main__":
    main()
