import json, glob, os
# paths relative to the repository (this file is scripts/cards/make_readme.py)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
cards=[json.load(open(f)) for f in sorted(glob.glob(os.path.join(ROOT, 'data', 'drugs', '*.json')))]
def walk(o):
    if isinstance(o,dict):
        if 'value' in o and 'source' in o: yield o; return
        for v in o.values(): yield from walk(v)
    elif isinstance(o,list):
        for v in o: yield from walk(v)
def origin(c):
    o=c.get('origin',{})
    m=o.get('model','')
    if 'Open-Systems-Pharmacology/' in m and 'snapshot' in o and o['snapshot']:
        return 'OSP %s snapshot @%s (compound %s)'%(m.split('/')[1], o['snapshot'].split('@')[1][:8], o.get('compound'))
    if m: return m.split(' (')[0]
    vals=list(walk(c))
    if not vals: return '—'
    return 'hand-transcribed, see sources'
BUILD=['mw','logp','pka','fu','bp','partition','ka','fa','fg','hepatic','renal']
def present(c):
    pc=c.get('physchem',{}); ab=c.get('absorption',{}); el=c.get('elimination',{})
    has={'mw':'mw' in pc,'logp':'logp' in pc,'pka':bool(pc.get('pka')) or bool(pc.get('pka_source')),'fu':'fu_plasma' in pc,'bp':'blood_plasma_ratio' in pc,
         'partition':'method' in c.get('partition',{}) and 'logp' in pc and 'fu_plasma' in pc,'ka':'ka' in ab,'fa':'fa' in ab,'fg':'fg' in ab,
         'hepatic':bool(el.get('hepatic')),'renal':bool(el.get('renal'))}
    return ' '.join(k if has[k] else '-'+k for k in BUILD)
rows=[]
for c in cards:
    vals=list(walk(c)); nf=sum(1 for v in vals if v['fitted'])
    extra=[]
    if c.get('parent'): extra.append('metabolite of `%s`'%c['parent'])
    if c.get('racemate'): extra.append('enantiomer of `%s`'%c['racemate'])
    if c.get('enantiomers'): extra.append('enantiomers: '+', '.join('`%s`'%e for e in c['enantiomers']))
    if c.get('interactions'):
        from_snapshot = all(i.get('note', '').startswith('mechanism from the source model snapshot') for i in c['interactions'])
        extra.append('perpetrator: '+', '.join(sorted({'%s %s'%(i['target'],i['mechanism'].replace('_',' ')) for i in c['interactions']}))
                     + (' (types from the source snapshot)' if from_snapshot else ''))
    if c.get('therapeutic_range'): extra.append('therapeutic range')
    if c.get('pgx'): extra.append('pgx: '+', '.join(p['gene'] for p in c['pgx']))
    rows.append('| `%s` | %s | %s | %d | %d | %s | %d | %s |'%(c['name'],c['display_name'],origin(c),len(vals),nf,present(c),len(c.get('missing',[])),'; '.join(extra)))
head='''# data/drugs — the drug card library

One JSON card per drug, enantiomer or metabolite, format `medtwin-drug-card/1`
(docs/drug-cards.md, docs/drug-card.schema.json). Every number carries its unit, its source and a
`fitted` flag; fitted values name their training data (`fitted_to`, `training_data`). What could not
be sourced is absent and listed under `missing` with the reason. `medtwin drugs` prints the same
overview from the cards themselves.

Columns: **values** = numbers on the card, **fitted** = of those, estimated from observed data;
**builder inputs** = what the PBPK builder (include/medtwin/pbpk.h) can take from the card
(`partition` = a Kp method with logP and fu; a leading `-` = absent); **missing** = entries in the
card's `missing` list.

| card | drug | values from | values | fitted | builder inputs | missing | links, perpetrator mechanisms, extras |
|---|---|---|---:|---:|---|---:|---|
'''
tail='''
## Sources

- **OSP snapshots** (most cards): `../shared/data/drugs/drug_properties.csv`, which copies the
  Open Systems Pharmacology `<Drug>-Model.json` snapshots verbatim (repository and 40-character
  commit in every value's `source`, with the CSV line). Where a compound appears in several model
  repositories (midazolam in the Cimetidine, Efavirenz and Erythromycin models; rifampicin in the
  Dabigatran model) the card uses the drug's own model repository. `[15N]-carbamazepine`
  (isotope-labelled, identical values) and the `Sum-` observer compounds of the Verapamil model have
  no card. Training data: the model report's clinical-data table
  (`../shared/data/drugs/drug_literature_tables_raw.csv`).
- **Rosuvastatin**: the OSP Rosuvastatin-Model report tables only (the snapshot was not extracted):
  physicochemistry and transporter Km; the fitted kcat values are not in the tables (missing).
- **Ketoconazole, paroxetine**: the model-report tables of SRuedesh/Ketoconazole-Model
  (Section2.2_Data.md @049ece39, Table 1, checked there against Marok 2023) and
  SRuedesh/Paroxetine-Model (Section2.2_Data.md @27ded16e, Tables 1 and 1a, Rüdesheim 2022), read
  through the public code index. These are personal repositories of an OSP model author, not the
  Open-Systems-Pharmacology organisation; the values are secondary transcriptions of the cited
  papers.
- **Metoprolol**: the text of the OSP Metoprolol-Model report (Section2.3 @88bbc96b: fu 88 %,
  logP 1.77, GFR fraction 1, Rodgers & Rowland; from Rüdesheim 2020 Table 2). MW, pKa and the CYP2D6
  kinetics are in Rüdesheim 2020 Tables 2-3, which could not be read: missing.
- **Theophylline**: MW from the FDA label (openFDA set id 5e64036a-...); therapeutic range from the
  FDA prescribing information (Serum Concentration-Effect Relationship, 10-15 mcg/mL, > 20 mcg/mL
  adverse reactions increase) as reproduced by RxList; `ka`, and the one-compartment `ke` and
  CL/F, are the nlme fixed effects of `../shared/data/clinical/Theoph_R_reference_fits.txt`
  (exp of the log-scale estimates), fitted to `Theoph.csv` — exclude those data from validation.
- **Caffeine, codeine, morphine, clopidogrel, simvastatin, tacrolimus**: no OSP snapshot in
  `../shared/data` and no citable value found; the cards hold identity, links (codeine → morphine via
  CYP2D6, CPIC codeine guideline as listed in the Fluvoxamine-Model references) and `missing`.
- **Warfarin, verapamil**: racemate cards; values are on the enantiomer cards.

## Known gaps common to the OSP cards

No first-order `ka`, `fa`, `fg`, explicit Kp or blood:plasma ratio (PK-Sim computes them in
simulation; only the warfarin enantiomers have B:P 0.55, an assumed input of their liver clearance
process). No fractions metabolised. No therapeutic ranges. No phenotype activity factors. An absent
process parameter is the PK-Sim default, not zero.
'''
open(os.path.join(ROOT, 'data', 'drugs', 'README.md'),'w').write(head+'\n'.join(rows)+'\n'+tail)
