import json
import os

# the repository root (this file is scripts/cards/make_schema.py)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "docs", "drug-card.schema.json")
Q = {
 "mw": ["g/mol"], "log": ["log10"], "num": ["1"], "frac": ["1", "%"],
 "rate": ["1/h", "1/min", "1/s", "1/d"], "conc": ["umol/L", "nmol/L", "mmol/L"],
 "mconc": ["mg/L", "ug/mL", "ng/mL", "ug/L", "mg/mL", "g/L"],
 "vmic": ["pmol/min/mg", "nmol/min/mg"], "vrec": ["pmol/min/pmol", "nmol/min/pmol"],
 "crate": ["umol/L/h", "umol/L/min", "nmol/L/min"], "content": ["pmol/mg"],
 "cl": ["L/h", "L/min", "mL/min"], "clkg": ["L/h/kg", "mL/min/kg", "mL/h/kg"],
 "perm": ["cm/min", "cm/s", "dm/min"], "mass": ["kg"], "flow": ["L/h", "L/min"],
 "time": ["h", "min", "s", "d"]}
def v(q, extra=None):
    d = {"allOf": [{"$ref": "#/$defs/value"}, {"properties": {"unit": {"enum": Q[q]}}}]}
    if extra: d["allOf"][1]["properties"].update(extra)
    return d
defs = {
 "value": {"type": "object", "description": "Every number on a card: value, unit, source, fitted (and fitted_to when fitted).",
   "required": ["value", "unit", "source", "fitted"],
   "properties": {"value": {"type": "number"}, "unit": {"type": "string"},
     "source": {"type": "string", "pattern": "\\S", "description": "paper + table, guideline, or the exact ../shared/data row provenance (repo@commit, ValueOrigin text)"},
     "fitted": {"type": "boolean"}, "fitted_to": {"type": "string", "pattern": "\\S", "description": "the observed data the value was estimated from"},
     "note": {"type": "string"}, "type": {"enum": ["acid", "base"]}},
   "additionalProperties": False,
   "if": {"properties": {"fitted": {"const": True}}}, "then": {"required": ["fitted_to"]}},
 "name": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"},
 "process": {"type": "object", "properties": {
   "enzyme": {"type": "string"}, "transporter": {"type": "string"}, "process": {"type": "string"},
   "system": {"type": "string"}, "osp_process": {"type": "string"}, "metabolite": {"type": "string"}, "note": {"type": "string"},
   "km": v("conc"), "kcat": v("rate"), "vmax_microsomal": v("vmic"), "vmax_recombinant": v("vrec"), "vmax": v("crate"),
   "enzyme_content": v("content"), "enzyme_concentration": v("conc"), "transporter_concentration": v("conc"),
   "specific_clearance": v("rate"), "clint": v("cl"), "plasma_clearance": v("clkg"), "fm": v("frac"),
   "fu_experiment": v("frac"), "logp_experiment": v("log"), "bp_experiment": v("num")}},
}
organs = ["lung", "adi", "bone", "brain", "gut", "heart", "kid", "liv", "mus", "skin", "spl", "rest"]
schema = {
 "$schema": "https://json-schema.org/draft/2020-12/schema",
 "$id": "https://medtwin.invalid/schema/medtwin-drug-card-1.json",
 "title": "medtwin drug card (medtwin-drug-card/1)",
 "description": "One drug per file in data/drugs/<name>.json. See docs/drug-cards.md. The C loader (src/twin/drugcard.c) is the authority; it also checks physical ranges that are stated here as minimum/maximum where JSON Schema can express them on the raw value.",
 "type": "object",
 "required": ["schema", "name", "version", "display_name", "kind"],
 "additionalProperties": False,
 "$defs": defs,
 "properties": {
  "schema": {"const": "medtwin-drug-card/1"},
  "name": {"$ref": "#/$defs/name"},
  "version": {"type": "string", "minLength": 1},
  "display_name": {"type": "string", "minLength": 1},
  "kind": {"const": "pbpk"},
  "note": {"type": "string"},
  "origin": {"type": "object", "additionalProperties": {"type": "string"}},
  "parent": {"$ref": "#/$defs/name"}, "racemate": {"$ref": "#/$defs/name"},
  "enantiomers": {"type": "array", "items": {"$ref": "#/$defs/name"}},
  "physchem": {"type": "object", "additionalProperties": False, "properties": {
    "mw": v("mw"), "logp": v("log"),
    "logp_measure": {"enum": ["pksim_lipophilicity", "logp_octanol_water", "logp_membrane", "logd"]},
    "pka": {"type": "array", "items": v("num", {"type": {"enum": ["acid", "base"]}})},
    "pka_source": {"type": "string", "minLength": 1,
                   "description": "only with an empty pka list (a neutral compound): the source that says it has no ionisable group"},
    "fu_plasma": v("frac"), "blood_plasma_ratio": v("num"), "solubility": v("mconc"), "solubility_ph": v("num"),
    "binding_partner": {"type": "string"},
    "halogens": {"type": "object", "additionalProperties": False,
                 "required": ["fluorine", "chlorine", "bromine", "iodine"],
                 "description": "atoms per molecule, for PK-Sim's effective molecular weight (cell permeability); 0 where the source stores none (PK-Sim's default)",
                 "properties": {h: v("num") for h in ["fluorine", "chlorine", "bromine", "iodine"]}}}},
  "partition": {"type": "object", "additionalProperties": False, "properties": {
    "method": {"enum": ["rodgers_rowland", "poulin_theil", "schmitt", "berezhkovskiy", "pksim_standard"]},
    "method_source": {"type": "string"},
    "cell_permeability": {"enum": ["pksim_standard", "charge_dependent_schmitt"],
                          "description": "the source model's cellular permeability method (docs/twin-parameters.md, Cell permeability); needs physchem.halogens"},
    "cell_permeability_source": {"type": "string", "minLength": 1},
    "permeability": v("perm"),
    "kp": {"type": "object", "propertyNames": {"enum": organs}, "additionalProperties": v("num")}}},
  "absorption": {"type": "object", "additionalProperties": False, "properties": {
    "model": {"enum": ["first_order", "pksim_permeability", "unspecified"]},
    "ka": v("rate"), "fa": v("frac"), "fg": v("frac"), "intestinal_permeability": v("perm"),
    "gut_wall": {"enum": ["qgut", "mucosa"], "description": "the gut-wall model of an oral dose: the Qgut steady state (default) or PK-Sim's mucosa (docs/absorption.md, PK-Sim's mucosa); mucosa needs pksim_permeability and partition.cell_permeability"},
    "mucosa_permeability": dict(v("perm"), description="PK-Sim's basolateral mucosa permeability where the source model set its own (docs/absorption.md, PK-Sim's mucosa); pksim_permeability cards with cells only"),
    "note": {"type": "string"},
    "formulations": {"type": "array", "description": "oral formulations, chosen in a regimen with 'as ID' (docs/absorption.md, Formulations)",
      "items": {"type": "object", "additionalProperties": False,
        "required": ["id", "type", "description", "dissolution_time_50", "dissolution_shape"],
        "properties": {"id": {"$ref": "#/$defs/name"}, "type": {"enum": ["weibull"]},
          "description": {"type": "string", "minLength": 1}, "food": {"enum": ["fasted", "fed", "unspecified"]},
          "dissolution_time_50": v("time"), "dissolution_shape": v("num"), "lag_time": v("time"),
          "note": {"type": "string"}}}}}},
  "elimination": {"type": "object", "additionalProperties": False, "properties": {
    "hepatic": {"type": "array", "items": {"allOf": [{"$ref": "#/$defs/process"}, {"required": ["enzyme"]}]}},
    "transport": {"type": "array", "items": {"allOf": [{"$ref": "#/$defs/process"}, {"required": ["transporter"]}]}},
    "efflux": {"enum": ["P-gp"], "description": "the transporter whose transport entry (michaelis_menten, km, kcat) the twin builds as an efflux out of the cells: liver to bile, kidney to urine, enterocytes to lumen with the mucosa (docs/interactions.md, P-gp); needs partition.cell_permeability"},
    "renal": {"type": "object", "properties": {"gfr_fraction": v("num"),
       "clearance": {"type": "array", "items": {"type": "object", "required": ["process"], "properties": {
          "process": {"type": "string"}, "osp_process": {"type": "string"}, "note": {"type": "string"},
          "specific_clearance": v("rate"), "plasma_clearance": v("clkg"), "fu_experiment": v("frac"),
          "body_weight": v("mass"), "kidney_blood_flow": v("flow")}}}}}}},
  "interactions": {"type": "array", "items": {"type": "object", "required": ["target", "mechanism"], "properties": {
    "target": {"type": "string"}, "mechanism": {"enum": ["competitive", "noncompetitive", "mixed", "mechanism_based", "induction", "unspecified"]},
    "osp_process": {"type": "string"}, "note": {"type": "string"},
    "ki": v("conc"), "ki_c": v("conc"), "ki_u": v("conc"), "kinact": v("rate"), "ki_half": v("conc"), "ec50": v("conc"), "emax": v("num")}}},
  "metabolites": {"type": "array", "items": {"type": "object", "required": ["name", "source"], "properties": {
    "name": {"type": "string"}, "via": {"type": "string"}, "fraction": v("frac"), "source": {"type": "string", "pattern": "\\S"}}}},
  "specific_binding": {"type": "array", "items": {"type": "object", "required": ["target"], "properties": {"target": {"type": "string"}, "osp_process": {"type": "string"}, "kd": v("conc"), "koff": v("rate")}}},
  "therapeutic_range": {"type": "object", "additionalProperties": False, "properties": {
    "low": v("mconc"), "high": v("mconc"), "toxic_above": v("mconc"), "note": {"type": "string"}}},
  "pgx": {"type": "array", "items": {"type": "object", "required": ["gene", "scales", "source"], "properties": {
    "gene": {"type": "string"}, "scales": {"type": "string"}, "source": {"type": "string", "pattern": "\\S"},
    "levels": {"type": "array", "items": {"type": "object", "properties": {"activity_score": {"type": "number"}, "kcat": v("rate")}}}}}},
  "pd": {"type": "object"},
  "empirical_pk": {"type": "object", "properties": {"model": {"type": "string"}, "ke": v("rate"), "cl_f": v("clkg")}},
  "training_data": {"type": "object", "properties": {"source": {"type": "string"}, "studies": {"type": "array", "items": {"type": "string"}}, "note": {"type": "string"}}},
  "missing": {"type": "array", "items": {"type": "object", "required": ["field", "why"], "additionalProperties": False,
    "properties": {"field": {"type": "string", "minLength": 1}, "why": {"type": "string", "minLength": 1}}}}}}
json.dump(schema, open(OUT, "w"), indent=2)
open(OUT, "a").write("\n")
