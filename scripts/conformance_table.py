#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write docs/conformance.md from one SBML Test Suite scorer run.

Inputs:
  --score-output  the scorer's stdout (score.py, run without --quiet): its
                  componentTag / testTag tables, its `cases:` counts line and
                  its final `sbml: P/N passed (R%)` line;
  --failures      the scorer's failures file (TSV: id, status, seconds, reason);
  --cases         the cases directory (NNNNN/NNNNN-model.m give the tags);
  --explained     (optional) hand-written reasons (TSV: id, why) for the cases that
                  still fail, shown beside each one; a failing case without one is
                  named on stderr and shown as not explained.

The tag tables are taken from the scorer's output; when it has none (a
--quiet run) they are recomputed from the failures file and the case tags.
When both exist they are checked against each other, so a document is never
made from a score output and a failures file of different runs.

The output is deterministic: everything is sorted and nothing depends on the
time of the run (case timings are left out), so the same results always give
the same file.  Normally run by scripts/conformance.sh, never by hand.
Stdlib only.
"""
import argparse
import os
import re
import signal
import sys
from collections import Counter, defaultdict

TAG_KEYS = (("componentTag", "componentTags"), ("testTag", "testTags"))
SUMMARY_RE = re.compile(r"^sbml: (\d+)/(\d+) passed \(([\d.]+|nan)%\)\s*$")
COUNTS_RE = re.compile(r"^cases: (\d+) \((\w+)\)\s+pass: (\d+)\s+fail: (\d+)\s+"
                       r"error: (\d+)\s+timeout: (\d+)\s*$")
TABLE_HEAD_RE = re.compile(r"^(componentTag|testTag)\s+pass/total\s+rate\s*$")
TABLE_ROW_RE = re.compile(r"^  (\S.*?)\s+(\d+)/(\d+)\s+(?:[\d.]+|nan)%\s*$")
# Exit statuses 128+N that a shell reports for a child killed by a crash signal.
CRASH_SIGNALS = (signal.SIGILL, signal.SIGTRAP, signal.SIGABRT, signal.SIGBUS,
                 signal.SIGFPE, signal.SIGSEGV, signal.SIGSYS)
SANITIZER_EXIT = 86  # ASAN_OPTIONS/UBSAN_OPTIONS exitcode used by the conformance scripts
EXAMPLES = 5
# score.py hands the wrapper a private copy of each case made by tempfile.mkdtemp(prefix="case-"):
# its random name shows up in error messages and is replaced so reruns give the same text.
PRIVATE_DIR_RE = re.compile(r"(?:[A-Za-z]:)?[^\s'\"]*[/\\]case-[a-z0-9_]{8}(?=[/\\])")


def die(msg):
    sys.exit(f"conformance_table: {msg}")


def read_tags(path):
    """componentTags and testTags of NNNNN-model.m (as score.py's read_tags)."""
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        text = ""
    tags = {}
    for key in ("componentTags", "testTags"):
        m = re.search(r"^\s*" + key + r":[ \t]*(.*)$", text, re.M)
        tags[key] = [t.strip() for t in m.group(1).split(",") if t.strip()] if m else []
    return tags


def parse_score_output(path):
    """Return (summary, counts, tables) from the scorer's stdout."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        die(f"{path}: empty scorer output")
    m = SUMMARY_RE.match(nonblank[-1])
    if not m:
        die(f"{path}: last line is not `sbml: P/N passed (R%)`: {nonblank[-1]!r}")
    summary = (int(m.group(1)), int(m.group(2)))
    counts = None
    for ln in lines:
        c = COUNTS_RE.match(ln)
        if c:
            counts = {"total": int(c.group(1)), "selection": c.group(2), "pass": int(c.group(3)),
                      "fail": int(c.group(4)), "error": int(c.group(5)),
                      "timeout": int(c.group(6))}
    tables = {}
    current = None
    for ln in lines:
        h = TABLE_HEAD_RE.match(ln)
        if h:
            current = tables.setdefault(h.group(1), {})
            continue
        if current is None:
            continue
        r = TABLE_ROW_RE.match(ln)
        if r:
            current[r.group(1)] = (int(r.group(2)), int(r.group(3)))
        else:
            current = None  # a blank line or anything else ends the table
    return summary, counts, tables


def scrub(text):
    """Replace the scorer's random private case folder by <case-dir>."""
    return PRIVATE_DIR_RE.sub("<case-dir>", text)


def parse_failures(path):
    """Return {id: (status, reason)} from the scorer's failures TSV."""
    failures = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            cells = line.split("\t", 3)  # the reason may itself hold tabs
            if len(cells) < 2 or not re.fullmatch(r"\d{5}", cells[0]):
                die(f"{path}:{n}: not `id<TAB>status<TAB>seconds<TAB>reason`: {line!r}")
            reason = cells[3] if len(cells) > 3 else ""
            failures[cells[0]] = (cells[1], scrub(reason.strip()))
    return failures


def compute_tables(ids, failures, tags):
    """The scorer's tag tables, recomputed: {table: {tag: (passed, total)}}."""
    tables = {}
    for title, key in TAG_KEYS:
        totals, passes = Counter(), Counter()
        for cid in ids:
            for tag in tags[cid][key] or ["(none)"]:
                totals[tag] += 1
                passes[tag] += cid not in failures
        tables[title] = {t: (passes[t], totals[t]) for t in totals}
    return tables


# ---- failure reasons -------------------------------------------------------------------------

def signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


def normalise(text, numbers=True):
    """Strip run-specific detail (paths, quoted ids, numbers) from a message."""
    text = re.sub(r"(?:<case-dir>|(?<![\w.~-])(?:[A-Za-z]:|\.{1,2}|~)?)[/\\][\w.+~/\\-]*",
                  "<path>", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "'<id>'", text)
    if numbers:
        text = re.sub(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])", "N", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:100]


def reason_group(status, reason):
    """A short, run-independent key grouping failures with the same cause."""
    if status == "timeout":
        return "timeout"
    if status == "error":
        m = re.match(r"wrapper exit (-?\d+)\s*(.*)$", reason, re.S)
        if not m:
            return "error: " + (normalise(reason) or "(no reason)")
        code, msg = int(m.group(1)), m.group(2).strip()
        if code < 0:
            return f"crash: {signal_name(-code)}"
        if code - 128 in [int(s) for s in CRASH_SIGNALS]:
            return f"crash: {signal_name(code - 128)} (exit {code})"
        if code == SANITIZER_EXIT or re.search(r"Sanitizer|==\d+==ABORTING", msg):
            return "sanitizer report"
        u = re.search(r"unsupported:\s*(.*)$", msg, re.S)
        if u:
            return "unsupported: " + (normalise(u.group(1), numbers=False) or "(unspecified)")
        # "medtwin: message" -> "message"; keep the status class of the message.
        msg = re.sub(r"^[\w./+-]*medtwin[\w.-]*:\s*", "", msg)
        return f"error (exit {code}): " + (normalise(msg) or "(no message)")
    if status == "fail":
        m = re.match(r"(.+) row (\d+): expected ", reason, re.S)
        if m:
            if m.group(1) == "time":
                return "fail: wrong time values"
            if m.group(2) == "1":
                return "fail: wrong value at row 1 (initial state)"
            return "fail: wrong value after row 1"
        for pattern, key in ((r"\d+ rows, expected \d+", "fail: too few rows"),
                             (r"missing column ", "fail: missing column"),
                             (r"no time column", "fail: no time column"),
                             (r"unreadable output", "fail: unreadable output")):
            if re.match(pattern, reason):
                return key
        return "fail: " + (normalise(reason) or "(no reason)")
    return f"{status}: " + (normalise(reason) or "(no reason)")


# ---- markdown ---------------------------------------------------------------------------------

def cell(text):
    """Text made safe for one markdown table cell (also inside <details>)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|").replace("`", "&#96;")
    return re.sub(r"\s+", " ", text).strip()


def rate(passed, total):
    return f"{100.0 * passed / total:.1f}%" if total else "n/a"


def parse_explained(path):
    """Return {id: why} from the hand-written explanations (TSV: id, why; # comments)."""
    explained = {}
    if not path:
        return explained
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t", 1)
            if len(cells) != 2 or not re.fullmatch(r"\d{5}", cells[0]) or not cells[1].strip():
                die(f"{path}:{n}: not `id<TAB>why`: {line!r}")
            explained[cells[0]] = cells[1].strip()
    return explained


def write_markdown(out, args, summary, counts, tables, failures, tags, explained):
    passed, total = summary
    w = out.append
    w(f"<!-- GENERATED by {args.command} (scripts/conformance_table.py): do not edit by hand. -->")
    w("")
    w("# SBML Test Suite conformance")
    w("")
    timeout = f", {args.timeout:g} s per case" if args.timeout else ""
    w(f"> Generated by `{args.command}`, which runs the official scorer "
      f"(`sbml-test-suite/score.py`{timeout}) over the semantic cases of the shared "
      f"SBML Test Suite and formats its results with `scripts/conformance_table.py`. "
      f"**Do not edit this file by hand**: rerun `{args.command}` to update it.")
    w(">")
    w(f"> Raw results: [`conformance/score-output.txt`](conformance/score-output.txt) "
      f"(scorer output) and [`conformance/failures.tsv`](conformance/failures.tsv) "
      f"(id, status, seconds, reason).")
    w("")
    w(f"**sbml: {passed}/{total} passed ({rate(passed, total)})**")
    w("")
    status_counts = Counter(status for status, _ in failures.values())
    w("| status | cases |")
    w("|---|---:|")
    w(f"| pass | {passed} |")
    for status in ("fail", "error", "timeout"):
        w(f"| {status} | {status_counts.get(status, 0)} |")
    for status in sorted(set(status_counts) - {"fail", "error", "timeout"}):
        w(f"| {cell(status)} | {status_counts[status]} |")
    w("")
    w("`fail`: the engine ran but a value, row or column did not match the expected results; "
      "`error`: the engine exited with an error (e.g. `unsupported: ...`) or crashed; "
      "`timeout`: the case ran past the time limit.")

    for title, key in TAG_KEYS:
        w("")
        w(f"## Pass rate by {title}")
        w("")
        w(f"| {title} | pass/total | rate |")
        w("|---|---:|---:|")
        rows = sorted(tables[title].items(), key=lambda kv: (-kv[1][1], kv[0]))
        for tag, (p, n) in rows:
            w(f"| {cell(tag)} | {p}/{n} | {rate(p, n)} |")

    groups = defaultdict(list)
    for cid, (status, reason) in failures.items():
        groups[reason_group(status, reason)].append(cid)
    w("")
    w("## Failure reasons")
    w("")
    if not groups:
        w("No failing cases.")
    else:
        w("Failing cases grouped by cause (run-specific paths, quoted ids and numbers "
          "are normalised away; the full reasons are listed below).")
        w("")
        w("| reason | cases | examples |")
        w("|---|---:|---|")
        for key, ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            ids = sorted(ids)
            examples = ", ".join(ids[:EXAMPLES]) + (", ..." if len(ids) > EXAMPLES else "")
            w(f"| {cell(key)} | {len(ids)} | {examples} |")

    w("")
    w("## Failing cases")
    w("")
    if not failures:
        w("None.")
    else:
        w("<details>")
        w(f"<summary>All {len(failures)} failing cases with their reasons "
          f"(click to expand)</summary>")
        w("")
        w("| case | status | reason | componentTags | testTags |")
        w("|---|---|---|---|---|")
        for cid in sorted(failures):
            status, reason = failures[cid]
            t = tags.get(cid, {"componentTags": [], "testTags": []})
            w(f"| {cid} | {cell(status)} | {cell(reason) or '&nbsp;'} | "
              f"{cell(', '.join(t['componentTags']))} | {cell(', '.join(t['testTags']))} |")
        w("")
        w("</details>")
        if args.explained:
            w("")
            w("## Why they fail")
            w("")
            w(f"Hand-written in [`{os.path.relpath(args.explained, 'docs')}`]"
              f"({os.path.relpath(args.explained, 'docs')}), one line per failing case.")
            w("")
            w("| case | why |")
            w("|---|---|")
            for cid in sorted(failures):
                w(f"| {cid} | {cell(explained.get(cid, '**not explained yet**'))} |")
    w("")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--score-output", required=True, help="the scorer's stdout, saved")
    ap.add_argument("--failures", required=True, help="the scorer's failures TSV")
    ap.add_argument("--cases", required=True, help="the cases directory (NNNNN/ folders)")
    ap.add_argument("--output", required=True, help="markdown file to write")
    ap.add_argument("--command", default="scripts/conformance.sh",
                    help="the command named as generator in the document")
    ap.add_argument("--timeout", type=float, help="per-case timeout of the run (for the text)")
    ap.add_argument("--explained", help="hand-written reasons of the failing cases (TSV)")
    args = ap.parse_args()

    if not os.path.isdir(args.cases):
        die(f"no such cases directory: {args.cases}")
    summary, counts, parsed_tables = parse_score_output(args.score_output)
    failures = parse_failures(args.failures)
    passed, total = summary

    ids = sorted(d for d in os.listdir(args.cases)
                 if re.fullmatch(r"\d{5}", d) and os.path.isdir(os.path.join(args.cases, d)))
    tags = {c: read_tags(os.path.join(args.cases, c, c + "-model.m")) for c in ids}

    # The inputs must come from one run over this cases directory.
    problems = []
    if total - passed != len(failures):
        problems.append(f"the summary says {total - passed} cases did not pass, "
                        f"the failures file lists {len(failures)}")
    if counts:
        st = Counter(s for s, _ in failures.values())
        for status in ("fail", "error", "timeout"):
            if counts[status] != st.get(status, 0):
                problems.append(f"the scorer counted {counts[status]} {status}, "
                                f"the failures file has {st.get(status, 0)}")
    stray = sorted(set(failures) - set(ids))
    if stray:
        problems.append(f"failing cases not in {args.cases}: {', '.join(stray[:5])}")
    computed = None
    if total == len(ids) and not stray:
        computed = compute_tables(ids, failures, tags)
    tables = {}
    for title, _ in TAG_KEYS:
        if parsed_tables.get(title):
            tables[title] = parsed_tables[title]
            if computed is not None and computed[title] != parsed_tables[title]:
                problems.append(f"the scorer's {title} table does not match the failures file "
                                f"and the case tags")
        elif computed is not None:
            tables[title] = computed[title]
        else:
            problems.append(f"no {title} table in the scorer output and the run covered "
                            f"{total} cases, not the {len(ids)} of {args.cases}")
    if problems:
        die("inconsistent inputs (not from one scorer run over these cases?):\n  "
            + "\n  ".join(problems))

    out = []
    explained = parse_explained(args.explained)
    for cid in sorted(set(failures) - set(explained)) if args.explained else []:
        print(f"conformance_table: case {cid} fails and is not explained in {args.explained}",
              file=sys.stderr)
    for cid in sorted(set(explained) - set(failures)):
        print(f"conformance_table: case {cid} passes now: drop it from {args.explained}",
              file=sys.stderr)
    write_markdown(out, args, summary, counts, tables, failures, tags, explained)
    text = "\n".join(out)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, args.output)
    print(f"conformance_table: wrote {args.output} "
          f"(sbml: {passed}/{total} passed, {len(failures)} failing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
