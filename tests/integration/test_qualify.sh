#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `medtwin qualify`: the qualification report in its reduced (CI) form, on the inputs the
# project ships (data/qualification/, no ../shared needed).
#   - the reduced run meets the committed floors (docs/qualification/floors-reduced.csv) and
#     writes index.html (self-contained: no scripts, no external assets; every <img> a PNG
#     beside it), summary.csv, and per set results.csv, report.md and the plots;
#   - the figures are the data's: the held-out midazolam GMFE and share within 2-fold, and the
#     DDI share within the Guest limits, recomputed here from the per-row results.csv;
#   - reproducible: a second run gives byte-identical files apart from the one marked
#     timestamp line of index.html (SOURCE_DATE_EPOCH fixes that line too);
#   - floors can fail: a raised floor, a lowered ceiling and a figure the run lacks are each
#     named on stderr with exit status 1;
#   - bad input: a missing data file, a malformed data file, a bad floors file, an unknown
#     option -> a message naming the problem, non-zero status < 128, nothing run.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export LSAN_OPTIONS="suppressions=$MT_SOURCE_DIR/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fail=0
check() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "FAIL $2"; fail=1; fi; }
floors="$MT_SOURCE_DIR/docs/qualification/floors-reduced.csv"

# --- the reduced run against its floors ---
"$MEDTWIN" qualify --reduced --quiet --out "$tmp/a" --check "$floors" >"$tmp/out" 2>"$tmp/err"
check $? "qualify --reduced meets docs/qualification/floors-reduced.csv"
cat "$tmp/out" "$tmp/err"
grep -q "^qualify: all [0-9]* floors of .* met" "$tmp/out"; check $? "floors line"
for f in index.html summary.csv midazolam/results.csv midazolam/report.md midazolam/auc.png \
    midazolam/cmax.png ddi/results.csv ddi/report.md ddi/guest_aucr.png ddi/guest_cmaxr.png \
    covariates/results.csv covariates/auc.png; do
    [ -s "$tmp/a/$f" ] || { echo "missing $f"; false; }
done; check $? "report, figures, per-set results and plots written"
python3 - "$tmp/a" <<'PY'
import csv, math, os, re, sys
d = sys.argv[1]
html = open(os.path.join(d, "index.html"), encoding="utf-8").read()
assert "<script" not in html and "<link" not in html, "index.html is not self-contained"
imgs = re.findall(r'<img src="([^"]+)"', html)
assert len(imgs) >= 6, imgs
for src in imgs:
    assert not re.match(r"[a-z]+:", src) and not src.startswith("/"), src
    with open(os.path.join(d, src), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", src + " is not a PNG"
assert html.count('class="stamp"') == 1
for s in ("Induction", "reversible inhibition", "mechanism-based inactivation",
          "CYP2C19", "CYP2C9", "renal impairment", "CYP3A5"):
    assert s in html, s
fig = {(r["set"], r["figure"]): r for r in csv.DictReader(open(os.path.join(d, "summary.csv")))}
# midazolam held out: recomputed from the rows
rows = [r for r in csv.DictReader(open(os.path.join(d, "midazolam/results.csv")))
        if r["status"] == "predicted" and r["training_study"] == "0"]
folds = [float(r["auc_fold"]) for r in rows]
gmfe = 10 ** (sum(abs(math.log10(x)) for x in folds) / len(folds))
w2 = 100 * sum(0.5 <= x <= 2 for x in folds) / len(folds)
f = fig[("midazolam", "auc_gmfe_heldout")]
assert abs(float(f["value"]) - gmfe) < 1e-4 * gmfe and int(f["n"]) == len(folds), (f, gmfe)
assert abs(float(fig[("midazolam", "auc_within_2fold_pct_heldout")]["value"]) - w2) < 1e-3
n_train = sum(r["training_study"] == "1" for r in
              csv.DictReader(open(os.path.join(d, "midazolam/results.csv"))))
assert n_train > 0, "the reduced set should hold a training study (left out of held out)"
# DDI: Guest from the rows, and by mechanism
ddi = list(csv.DictReader(open(os.path.join(d, "ddi/results.csv"))))
def guest(r):
    o, p = float(r["aucr_obs"]), float(r["aucr_pred"])
    R = o if o >= 1 else 1 / o
    lim = (1 + 2 * (R - 1)) / R
    return o / lim <= p <= o * lim
for set_, mech in (("ddi", None), ("ddi_Induction", "Induction"),
                   ("ddi_Reversible_Inhibition", "Reversible_Inhibition")):
    pr = [r for r in ddi if r["status"] == "predicted" and r["training_study"] == "0" and
          (mech is None or r["mechanism"] == mech)]
    tr = [r for r in ddi if r["status"] == "predicted" and r["training_study"] == "1" and
          (mech is None or r["mechanism"] == mech)]
    assert int(float(fig[(set_, "n_training")]["value"])) == len(tr), (set_, len(tr))
    pct = 100 * sum(guest(r) for r in pr) / len(pr)
    got = float(fig[(set_, "aucr_within_guest_pct")]["value"])
    assert abs(got - pct) < 1e-3, (set_, got, pct)
urine = [r for r in ddi if "aucr_is_inverse_CLR" in r["reason"]]
assert urine and all(r["status"] != "predicted" for r in urine), "urine rows must be left out"
assert int(fig[("ddi", "n_left_out")]["value"]) >= len(urine)
print("held out AUC GMFE %.3f (n %d), %.0f%% within 2-fold; DDI rows %d" % (gmfe, len(folds), w2, len(ddi)))
PY
check $? "figures recomputed from the per-row results; urine rows left out"

# --- reproducible: a second run differs only in the timestamp line ---
SOURCE_DATE_EPOCH=0 "$MEDTWIN" qualify --reduced --quiet --out "$tmp/b" >/dev/null 2>&1
check $? "second run"
same=0
(cd "$tmp/a" && find . -type f | sort) >"$tmp/la"
(cd "$tmp/b" && find . -type f | sort) >"$tmp/lb"
cmp -s "$tmp/la" "$tmp/lb" || { echo "file lists differ"; same=1; }
while read -r f; do
    if [ "$f" = ./index.html ]; then
        diff <(grep -v 'class="stamp"' "$tmp/a/$f") <(grep -v 'class="stamp"' "$tmp/b/$f") >/dev/null ||
            { echo "differs: $f"; same=1; }
    else
        cmp -s "$tmp/a/$f" "$tmp/b/$f" || { echo "differs: $f"; same=1; }
    fi
done <"$tmp/la"
check $same "two runs are identical apart from the timestamp line (PNGs included)"
grep -q 'class="stamp">Generated at 1970-01-01T00:00:00Z' "$tmp/b/index.html"
check $? "SOURCE_DATE_EPOCH fixes the timestamp"

# --- floors can fail, each failure named ---
{
    echo "set,figure,kind,limit"
    echo "midazolam,auc_within_2fold_pct_heldout,floor,101"
    echo "ddi,aucr_gmfe,ceiling,0.5"
    echo "midazolam,no_such_figure,floor,1"
    echo "covariates,n_predicted,floor,1"
} >"$tmp/raised.csv"
"$MEDTWIN" qualify --reduced --quiet --out "$tmp/c" --check "$tmp/raised.csv" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ]; check $? "a raised floor fails --check (exit 1, got $rc)"
grep -q "midazolam auc_within_2fold_pct_heldout = .* is below its floor 101" "$tmp/err" &&
    grep -q "ddi aucr_gmfe = .* is above its ceiling 0.5" "$tmp/err" &&
    grep -q "no figure 'no_such_figure' in set 'midazolam'" "$tmp/err" &&
    grep -q "3 figure(s) fail their floors" "$tmp/err" && ! grep -q "covariates n_predicted" "$tmp/err"
check $? "each failing figure named (and only those)"
[ -s "$tmp/c/index.html" ]; check $? "the report is written even when floors fail"

# --- DDI arms of a card's training study: predicted, shown, not counted ---
# Templeton 2008 is in the itraconazole card's training_data; the reduced set's Templeton 2010
# arms (midazolam + itraconazole) relabelled as that study must be flagged and leave the figures.
cp -r "$MT_SOURCE_DIR/data/qualification" "$tmp/tr"
chmod -R u+w "$tmp/tr"
sed -i 's/^Templeton 2010,/Templeton 2008,/' "$tmp/tr/reduced/ddi.csv"
"$MEDTWIN" qualify --reduced --quiet --data "$tmp/tr" --out "$tmp/t" >/dev/null 2>&1
python3 - "$tmp/a" "$tmp/t" <<'PY'
import csv, os, sys
def load(d):
    rows = list(csv.DictReader(open(os.path.join(d, "ddi/results.csv"))))
    fig = {(r["set"], r["figure"]): r for r in csv.DictReader(open(os.path.join(d, "summary.csv")))}
    return rows, fig
ra, fa = load(sys.argv[1])
rt, ft = load(sys.argv[2])
t = [r for r in rt if r["study_id"] == "Templeton 2008"]
assert t and all(r["status"] == "predicted" and r["training_study"] == "1" for r in t), t
assert int(float(ft[("ddi", "n_training")]["value"])) == len(t)
assert int(float(fa[("ddi", "n_training")]["value"])) == 0
# counted arms: the ones of the normal run minus the relabelled ones
na = int(fa[("ddi", "aucr_gmfe")]["n"])
assert int(ft[("ddi", "aucr_gmfe")]["n"]) == na - len(t), (na, len(t))
html = open(os.path.join(sys.argv[2], "index.html"), encoding="utf-8").read()
assert "no: training study of a card" in html
PY
check $? "DDI arms of a card's training study are reported and left out of the figures"

# --- bad input ---
bad() { # NAME EXPECTED-TEXT ARGS...
    local name=$1 want=$2
    shift 2
    "$MEDTWIN" qualify --quiet "$@" >/dev/null 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q -- "$want" "$tmp/err" &&
        [ "$(wc -l <"$tmp/err")" -le 2 ]; then
        echo "ok bad input: $name"
    else
        echo "FAIL bad input: $name (exit $rc)"
        cat "$tmp/err"
        fail=1
    fi
}
cp -r "$MT_SOURCE_DIR/data/qualification" "$tmp/data"
chmod -R u+w "$tmp/data"
rm "$tmp/data/reduced/ddi.csv"
bad "missing data file" "reduced/ddi.csv is missing" --reduced --data "$tmp/data" --out "$tmp/d"
[ ! -e "$tmp/d/index.html" ]; check $? "nothing written for a missing data file"
cp "$MT_SOURCE_DIR/data/qualification/reduced/ddi.csv" "$tmp/data/reduced/ddi.csv"
printf 'dataset,time,value\n"unterminated,1,2\n' >"$tmp/data/osp_Midazolam_observed.csv"
bad "malformed observed data" "unterminated" --reduced --data "$tmp/data" --out "$tmp/d"
printf 'no,columns,here\n1,2,3\n' >"$tmp/data/osp_Midazolam_observed.csv"
bad "observed data without its columns" "no column 'dataset'" --reduced --data "$tmp/data" --out "$tmp/d"
cp "$MT_SOURCE_DIR/data/qualification/osp_Midazolam_observed.csv" "$tmp/data/"
printf 'dataset,comparison\nx,y\n' >"$tmp/data/reduced/covariate_arms.csv"
bad "covariate arms without columns" "no column 'arm'" --reduced --data "$tmp/data" --out "$tmp/d"
# the formulation table of the interaction arms (data/validation/ddi_formulations.csv) is
# checked: a drug that cannot be a card name, an arm listed twice
cp -r "$MT_SOURCE_DIR/data" "$tmp/mdata"
chmod -R u+w "$tmp/mdata"
printf 'source_file_row,drug,formulation,source\n1079,Itraconazole,capsule_fed,x\n' \
    >"$tmp/mdata/validation/ddi_formulations.csv"
MEDTWIN_DATA="$tmp/mdata" bad "formulation table: not a card name" \
    "ddi_formulations.csv line 2: needs an arm" --reduced --out "$tmp/d"
printf 'source_file_row,drug,formulation,source\n1079,itraconazole,capsule_fed,x\n1079,itraconazole,capsule_fasted,y\n' \
    >"$tmp/mdata/validation/ddi_formulations.csv"
MEDTWIN_DATA="$tmp/mdata" bad "formulation table: an arm twice" "arm 1079, itraconazole is listed twice" \
    --reduced --out "$tmp/d"
rm "$tmp/mdata/validation/ddi_formulations.csv"
MEDTWIN_DATA="$tmp/mdata" bad "formulation table missing" "ddi_formulations.csv" --reduced --out "$tmp/d"
printf 'set,figure,kind,limit\nmidazolam,auc_gmfe_heldout,flor,1\n' >"$tmp/f.csv"
bad "floors file with a bad kind" "row 2: kind 'flor'" --reduced --check "$tmp/f.csv" --out "$tmp/d"
bad "floors file missing" "cannot open the floors file" --reduced --check "$tmp/none.csv" --out "$tmp/d"
bad "unknown option" "unknown option '--fast'" --fast
bad "option without value" "needs a value" --out

exit $fail
