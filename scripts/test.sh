#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# THE test command (CI runs it through .ci/run). Stages:
#   deps     scripts/install-deps.sh
#   release  build/       Release,              ctest
#   asan     build-asan/  ASan+UBSan (gcc),     ctest
#   format   clang-format --dry-run --Werror on src/ cli/ include/ tests/   (one test)
#   fuzz     build-fuzz/  clang + MT_FUZZ=ON,   ctest of the fuzz corpus replay (when present)
# Passes and failures are summed over every ctest run; a failed build counts as one failure.
# The last line printed is exactly "N passed, N failed"; the exit status is non-zero when
# anything failed.
set -euo pipefail

cd "$(dirname "$0")/.."
# The native code cache of the tests lives in the tree (hermetic; never the user's ~/.cache).
export MEDTWIN_CACHE_DIR="$PWD/.native-cache"
jobs=2
n_passed=0
n_failed=0
timings=()
notes=()
stage_start=0

stage() {
    stage_start=$(date +%s)
    printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"
}
stage_end() { # NAME RESULT
    local secs=$(($(date +%s) - stage_start))
    timings+=("$(printf '%-8s %5ss  %s' "$1" "$secs" "$2")")
}
fail_note() {
    n_failed=$((n_failed + 1))
    notes+=("$*")
    echo "!! $*"
}

# configure_and_build DIR [cmake args...]: logs to DIR/build.log; shows its tail on failure.
configure_and_build() {
    local dir=$1
    shift
    mkdir -p "$dir"
    if cmake -S . -B "$dir" "$@" >"$dir/build.log" 2>&1 &&
        cmake --build "$dir" -j"$jobs" >>"$dir/build.log" 2>&1; then
        echo "built $dir"
        return 0
    fi
    tail -n 60 "$dir/build.log"
    fail_note "build of $dir failed (full log: $dir/build.log)"
    return 1
}

# digest_failures LOG: the lines that say why (a test's FAIL lines, a sanitizer's report and
# its first frames, the server's standard error a test quoted), kept for the summary: CI shows
# only the head and the tail of a long log, and the tail is where the summary is.
digests=()
digest_failures() {
    local line
    while IFS= read -r line; do
        digests+=("${line:0:700}")
    done < <(awk '/ERROR: (Address|Leak)Sanitizer|runtime error:/ { more = 8 }
                  more > 0 { print; more--; next }
                  /^FAIL |SUMMARY: [A-Za-z]+Sanitizer|its standard error|^ +serve: |\*\*\*(Failed|Timeout|Exception)/' \
        "$1" | head -n 60)
}

# run_ctest DIR [ctest args...]: adds the run's counts to the totals.
run_ctest() {
    local dir=$1 log rc summary total failed skipped
    shift
    log="$dir/ctest.log"
    set +e
    (cd "$dir" && ctest --output-on-failure -j"$jobs" "$@") 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
    if [ -n "$summary" ]; then
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$summary")
        total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
        # ctest counts a skipped test (exit 77) as not failed: it is neither passed nor failed here.
        skipped=$(grep -cE '^[[:space:]]*[0-9]+ - .* \(Skipped\)$' "$log" || true)
        n_passed=$((n_passed + total - failed - skipped))
        n_failed=$((n_failed + failed))
        if [ "$failed" -ne 0 ]; then
            notes+=("$failed test(s) failed in $dir (see $log)")
            digest_failures "$log"
        fi
        [ "$skipped" -eq 0 ] || notes+=("$skipped test(s) skipped in $dir (see $log)")
        if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
            fail_note "ctest in $dir exited $rc with no failed test"
        fi
        RUN_RESULT="$((total - failed - skipped))/$total passed, $failed failed, $skipped skipped"
    elif grep -q 'No tests were found' "$log"; then
        echo "(no tests registered in $dir)"
        RUN_RESULT="no tests"
    else
        fail_note "ctest in $dir printed no summary (exit $rc)"
        RUN_RESULT="ctest broke"
    fi
}

overall_start=$(date +%s)

stage "deps: scripts/install-deps.sh"
if bash scripts/install-deps.sh; then
    stage_end deps ok
else
    fail_note "install-deps.sh failed"
    stage_end deps FAILED
fi

stage "release: build/ (Release)"
RUN_RESULT="build failed"
if configure_and_build build -DCMAKE_BUILD_TYPE=Release; then
    run_ctest build
fi
stage_end release "$RUN_RESULT"

stage "asan: build-asan/ (ASan+UBSan, RelWithDebInfo)"
RUN_RESULT="build failed"
if configure_and_build build-asan -DMT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_ctest build-asan
fi
stage_end asan "$RUN_RESULT"

stage "format: clang-format --dry-run --Werror"
mapfile -t sources < <(find src cli include tests -type f \( -name '*.c' -o -name '*.h' \) \
    2>/dev/null | sort)
if ! command -v clang-format >/dev/null; then
    fail_note "clang-format is not installed"
    stage_end format FAILED
elif [ "${#sources[@]}" -eq 0 ]; then
    echo "no C sources to check"
    n_passed=$((n_passed + 1))
    stage_end format "ok (no files)"
elif clang-format --dry-run --Werror "${sources[@]}" >/dev/null 2>&1; then
    echo "${#sources[@]} files formatted"
    n_passed=$((n_passed + 1))
    stage_end format "ok (${#sources[@]} files)"
else
    bad=()
    for f in "${sources[@]}"; do
        clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    for f in "${bad[@]:0:3}"; do # what clang-format wants, for the first few files
        clang-format "$f" | diff -u "$f" - | head -n 30 || true
    done
    fail_note "clang-format: ${#bad[@]} file(s) need formatting: ${bad[*]} (fix: clang-format -i FILE)"
    stage_end format FAILED
fi

stage "fuzz: build-fuzz/ (clang, MT_FUZZ=ON, corpus replay)"
if ! command -v clang >/dev/null; then
    echo "clang not installed: skipped"
    stage_end fuzz skipped
elif [ ! -f tests/fuzz/CMakeLists.txt ]; then
    echo "tests/fuzz/CMakeLists.txt does not exist yet: skipped"
    stage_end fuzz skipped
else
    RUN_RESULT="build failed"
    if configure_and_build build-fuzz -DCMAKE_C_COMPILER=clang -DMT_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
        # Unit, integration and conformance tests already ran in both builds above.
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_ctest build-fuzz -LE '^(unit|integration|conformance)$'
    fi
    stage_end fuzz "$RUN_RESULT"
fi

printf '\n==> summary (%ss in all)\n' "$(($(date +%s) - overall_start))"
printf '  %s\n' "${timings[@]}"
if [ "${#notes[@]}" -gt 0 ]; then
    printf '  - %s\n' "${notes[@]}"
fi
if [ "${#digests[@]}" -gt 0 ]; then
    echo "  why (from the failed runs' logs):"
    printf '    %s\n' "${digests[@]}"
fi
echo "$n_passed passed, $n_failed failed"
[ "$n_failed" -eq 0 ]
