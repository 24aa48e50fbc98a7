/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/compile/test_native.c — the native code path (src/compile/codegen.c, native.c):
 *   - SHA-256 against the FIPS 180-2 vectors;
 *   - a hostile model (names, notes and annotations with comment ends, #include, quotes,
 *     backslashes and newlines): none of its text is in the generated C;
 *   - the native blocks (rhs, jac, rules_dyn, roots) compute what the VM computes, on every
 *     SBML Test Suite model of $MT_SHARED and on pbpk15, at three states;
 *   - the cache: created 0700 where MEDTWIN_CACHE_DIR says; refused when group/world-writable,
 *     a symbolic link or owned by someone else (then the VM runs); a truncated object, a
 *     foreign one (another model's), one without the expected symbols and a group-writable
 *     one are detected and rebuilt; eight processes compiling the same model at once all
 *     get native code and leave one object and no temporary file;
 *   - the fallback: no compiler, a failing compiler and MEDTWIN_NATIVE=0 give the VM and the
 *     same simulation results.
 */
#define _POSIX_C_SOURCE 200809L
#include "compile/codegen.h"
#include "compile/native.h"
#include "compile/program.h"
#include "harness.h"
#include "medtwin/model.h"
#include "medtwin/sim.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *shared(void)
{
    const char *sh = getenv("MT_SHARED");
    return sh && *sh ? sh : "../shared";
}

static char tmp_root[256];

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmp_root, name);
}

/* ---------- models ---------- */

/* Two species, a piecewise rate, an event; every name, note and annotation hostile. */
static const char *const hostile_xml =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<sbml xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'>\n"
    "<model id='hostile_model_id' name='*/ #include &lt;stdio.h&gt; int evil_global; /*'>\n"
    "<notes><body xmlns='http://www.w3.org/1999/xhtml'><p>*/ #include \"evil_notes.h\"\n"
    "system(\"rm -rf /\"); \\ \" ' </p></body></notes>\n"
    "<annotation><x xmlns='http://evil.example/'>*/\n#define EVIL_MACRO 1 \\\n</x></annotation>\n"
    "<listOfCompartments><compartment id='evil_comp' name='&quot;quoted\\backslash&#10;newline "
    "*/' size='1' constant='true'/></listOfCompartments>\n"
    "<listOfSpecies>"
    "<species id='evil_species_S1' name='*/ #include &lt;stdlib.h&gt;' compartment='evil_comp' "
    "initialAmount='10' hasOnlySubstanceUnits='false' boundaryCondition='false' "
    "constant='false'/>"
    "<species id='evil_species_S2' name='\\\\ \\n &quot;' compartment='evil_comp' "
    "initialAmount='0' hasOnlySubstanceUnits='false' boundaryCondition='false' "
    "constant='false'/></listOfSpecies>\n"
    "<listOfParameters><parameter id='evil_param_k' name='#include' value='0.3' "
    "constant='true'/>"
    "<parameter id='evil_param_x' value='1' constant='false'/></listOfParameters>\n"
    "<listOfReactions><reaction id='evil_reaction_R' name='*/ abort(); /*' reversible='false' "
    "fast='false'>"
    "<notes><body xmlns='http://www.w3.org/1999/xhtml'><p>#include &lt;unistd.h&gt;</p></body>"
    "</notes>"
    "<listOfReactants><speciesReference species='evil_species_S1' stoichiometry='1' "
    "constant='true'/></listOfReactants>"
    "<listOfProducts><speciesReference species='evil_species_S2' stoichiometry='1' "
    "constant='true'/></listOfProducts>"
    "<kineticLaw><math xmlns='http://www.w3.org/1998/Math/MathML'><apply><times/>"
    "<ci>evil_comp</ci><piecewise><piece><apply><times/><ci>evil_param_k</ci>"
    "<ci>evil_species_S1</ci></apply><apply><gt/><ci>evil_species_S1</ci><cn>1</cn></apply>"
    "</piece><otherwise><apply><power/><ci>evil_param_k</ci><cn>2.5</cn></apply></otherwise>"
    "</piecewise></apply></math></kineticLaw></reaction></listOfReactions>\n"
    "<listOfEvents><event id='evil_event' name='*/ #pragma once' useValuesFromTriggerTime='true'>"
    "<trigger initialValue='false' persistent='true'><math "
    "xmlns='http://www.w3.org/1998/Math/MathML'><apply><lt/><ci>evil_species_S1</ci>"
    "<cn>5</cn></apply></math></trigger><listOfEventAssignments><eventAssignment "
    "variable='evil_param_x'><math xmlns='http://www.w3.org/1998/Math/MathML'><cn>2</cn>"
    "</math></eventAssignment></listOfEventAssignments></event></listOfEvents>\n"
    "</model></sbml>\n";

/* A small nonlinear model; rate_expr is the kinetic law of A -> B (MathML). */
static char *small_xml(const char *rate_expr)
{
    static const char fmt[] =
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<sbml xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'>"
        "<model id='m'><listOfCompartments><compartment id='c' size='1' constant='true'/>"
        "</listOfCompartments><listOfSpecies>"
        "<species id='A' compartment='c' initialAmount='5' hasOnlySubstanceUnits='true' "
        "boundaryCondition='false' constant='false'/>"
        "<species id='B' compartment='c' initialAmount='0' hasOnlySubstanceUnits='true' "
        "boundaryCondition='false' constant='false'/></listOfSpecies>"
        "<listOfParameters><parameter id='k' value='0.7' constant='true'/></listOfParameters>"
        "<listOfReactions><reaction id='R' reversible='false' fast='false'>"
        "<listOfReactants><speciesReference species='A' stoichiometry='1' constant='true'/>"
        "</listOfReactants><listOfProducts><speciesReference species='B' stoichiometry='1' "
        "constant='true'/></listOfProducts><kineticLaw><math "
        "xmlns='http://www.w3.org/1998/Math/MathML'>%s</math></kineticLaw></reaction>"
        "</listOfReactions></model></sbml>";
    size_t n = sizeof fmt + strlen(rate_expr);
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, rate_expr);
    return s;
}

static const char *const rate_a =
    "<apply><divide/><apply><times/><ci>k</ci><ci>A</ci></apply><apply><plus/><cn>1</cn>"
    "<ci>A</ci></apply></apply>";
static const char *const rate_b =
    "<apply><times/><ci>k</ci><apply><power/><ci>A</ci><cn>1.5</cn></apply></apply>";

static mt_model *load_xml(mt_ctx *ctx, const char *xml)
{
    mt_model *m = NULL;
    if (mt_model_load_string(ctx, xml, strlen(xml), NULL, &m) != MT_OK) {
        printf("  load: %s\n", mt_errmsg(ctx));
        return NULL;
    }
    return m;
}

static mt_program *program_of(mt_ctx *ctx, const char *xml, mt_native_mode mode)
{
    mt_model *m = load_xml(ctx, xml);
    mt_program *p = NULL;
    if (!m)
        return NULL;
    if (mt_program_create_native(ctx, m, mode, &p) != MT_OK)
        printf("  compile: %s\n", mt_errmsg(ctx));
    mt_model_destroy(m);
    return p;
}

/* ---------- native against the VM ---------- */

static int same(double a, double b)
{
    if (a == b || (isnan(a) && isnan(b)))
        return 1;
    return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

typedef struct {
    const mt_program *p;
    double *v1, *v2, *o1, *o2, *stack, *y;
    unsigned char *os;
    double *ov;
    size_t n_out;
} cmp_ws;

/* Runs block b on the VM (v1, o1) and fn natively (v2, o2) from the same values; returns the
 * number of differing outputs and slots. */
static int compare_block(cmp_ws *w, mt_block b, mt_native_fn fn, size_t n_out, double t)
{
    const mt_program *p = w->p;
    memcpy(w->v2, w->v1, p->n_slot * sizeof *w->v1);
    for (size_t i = 0; i < w->n_out; i++)
        w->o1[i] = w->o2[i] = -12345.0;
    mt_env env = {w->v1, w->y, w->o1, t, w->os, w->ov, w->stack, NULL, NULL};
    mt_vm_run(p, b, &env);
    fn(w->v2, w->y, w->o2, t, w->os, w->ov);
    int bad = 0;
    for (size_t i = 0; i < n_out; i++)
        bad += !same(w->o1[i], w->o2[i]);
    for (size_t s = 0; s < p->n_slot; s++)
        bad += !same(w->v1[s], w->v2[s]);
    return bad;
}

/* Compares every native block with the VM at three states; -1 when p has no native code. */
static int compare_program(const mt_program *p)
{
    if (!p->nat.handle)
        return -1;
    cmp_ws w = {p, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1};
    if (p->n_state > w.n_out)
        w.n_out = p->n_state;
    if (p->n_jac > w.n_out)
        w.n_out = p->n_jac;
    if (p->n_roots > w.n_out)
        w.n_out = p->n_roots;
    size_t ns = p->n_slot + 1;
    w.v1 = calloc(ns, sizeof *w.v1);
    w.v2 = calloc(ns, sizeof *w.v2);
    w.o1 = calloc(w.n_out, sizeof *w.o1);
    w.o2 = calloc(w.n_out, sizeof *w.o2);
    w.stack = calloc(p->max_stack + 1, sizeof *w.stack);
    w.y = calloc(p->n_state + 1, sizeof *w.y);
    w.os = calloc(ns, 1);
    w.ov = calloc(ns, sizeof *w.ov);
    int bad = 0;
    if (w.v1 && w.v2 && w.o1 && w.o2 && w.stack && w.y && w.os && w.ov) {
        mt_env env = {w.v1, NULL, NULL, 0.0, w.os, w.ov, w.stack, NULL, NULL};
        mt_vm_run(p, p->init, &env);
        for (size_t i = 0; i < p->n_state; i++)
            w.y[i] = w.v1[p->state_slot[i]];
        env.y = w.y;
        mt_vm_run(p, p->rules_all, &env);
        static const double times[3] = {0.0, 0.7, 3.1};
        for (int k = 0; k < 3; k++) {
            if (k == 1)
                for (size_t i = 0; i < p->n_state; i++)
                    w.y[i] = w.y[i] * 1.3 + 0.1 * (double)(i + 1);
            if (k == 2)
                for (size_t i = 0; i < p->n_state; i++)
                    w.y[i] = -0.6 * w.y[i] + 0.05;
            double t = times[k];
            if (p->n_state)
                bad += compare_block(&w, p->rhs, p->nat.rhs, p->n_state, t);
            if (p->has_jac)
                bad += compare_block(&w, p->jac, p->nat.jac, p->n_jac, t);
            bad += compare_block(&w, p->rules_dyn, p->nat.rules_dyn, 0, t);
            for (size_t q = 0; q < p->n_slot; q++)
                if (p->rule_pos[q] >= 0)
                    bad += compare_block(&w, p->rule_block[q], p->nat.rule[q], 0, t);
            bad += compare_block(&w, p->roots, p->nat.roots, p->n_roots, t);
        }
    } else {
        bad = 1;
    }
    free(w.v1);
    free(w.v2);
    free(w.o1);
    free(w.o2);
    free(w.stack);
    free(w.y);
    free(w.os);
    free(w.ov);
    return bad;
}

/* ---------- cache directory helpers ---------- */

static int count_files(const char *dir, const char *prefix, char *first, size_t cap)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (n++ == 0 && first)
            snprintf(first, cap, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    return n;
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    int ok = a && b;
    char buf[4096];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b && fclose(b) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* The simulated trajectory of A with the given program (VM or native). */
static int simulate(mt_ctx *ctx, const mt_program *p, double *out, size_t n)
{
    mt_sim *s = NULL;
    mt_result *r = NULL;
    if (mt_sim_create(ctx, p, &s) != MT_OK || mt_sim_add_output(s, "A", MT_REPORT_DEFAULT) ||
        mt_sim_run(s, 0, 5, (long)n - 1, &r) != MT_OK) {
        mt_sim_destroy(s);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = mt_result_value(r, i, 0);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    return 0;
}

/* ---------- tests ---------- */

TEST(sha256_vectors)
{
    char hex[65];
    mt_native_sha256_hex("abc", 3, hex);
    ASSERT_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    mt_native_sha256_hex("", 0, hex);
    ASSERT_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    mt_native_sha256_hex(two, strlen(two), hex);
    ASSERT_STR_EQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(hostile_model_text_never_reaches_the_source)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_program *p = program_of(ctx, hostile_xml, MT_NATIVE_OFF);
    ASSERT_TRUE(p != NULL);
    char *src = NULL;
    size_t len = 0;
    ASSERT_EQ_INT(mt_codegen_c(ctx, p, &src, &len), MT_OK);
    ASSERT_EQ_INT((long long)strlen(src), (long long)len);
    static const char *const banned[] = {
        "evil",   "hostile",   "stdio",       "stdlib", "unistd", "abort", "rm -rf", "EVIL",
        "quoted", "backslash", "pragma once", "\\",     "'",      "S1",    "S2",     "_comp"};
    for (size_t i = 0; i < sizeof banned / sizeof *banned; i++)
        MT_RET_(mt_check_(strstr(src, banned[i]) == NULL, __FILE__, __LINE__,
                          "the source contains '%s'", banned[i]));
    /* what the generator itself writes: one #include, one comment, no string */
    int includes = 0, comment_ends = 0, quotes = 0;
    for (const char *q = src; (q = strstr(q, "#include")); q++)
        includes++;
    for (const char *q = src; (q = strstr(q, "*/")); q++)
        comment_ends++;
    for (const char *q = src; *q; q++) {
        quotes += *q == '"';
        ASSERT_TRUE((*q >= 32 && *q < 127) || *q == '\n');
    }
    ASSERT_EQ_INT(includes, 1);
    ASSERT_EQ_INT(comment_ends, 1);
    ASSERT_EQ_INT(quotes, 0);
    mt_free(NULL, src);
    mt_program_destroy(p);

    /* and it compiles and runs like the VM */
    char dir[512];
    tmp_path(dir, sizeof dir, "hostile-cache");
    setenv("MEDTWIN_CACHE_DIR", dir, 1);
    p = program_of(ctx, hostile_xml, MT_NATIVE_ON);
    ASSERT_TRUE(p != NULL);
    printf("  %s\n", mt_program_native_info(p));
    ASSERT_TRUE(mt_program_native(p));
    ASSERT_EQ_INT(compare_program(p), 0);
    mt_program_destroy(p);
    unsetenv("MEDTWIN_CACHE_DIR");
    mt_ctx_destroy(ctx);
}

TEST(native_blocks_match_the_vm_on_the_suite)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    /* the user's cache (MEDTWIN_CACHE_DIR or ~/.cache/medtwin): a second run is fast */
    int checked = 0, native = 0, bad_models = 0, vm_by_design = 0;
    char path[4096];
    for (int c = 0; c <= 1900; c++) {
        int found = 0;
        if (c == 0) {
            snprintf(path, sizeof path, "%s/bench/pbpk15/pbpk15.xml", shared());
            FILE *f = fopen(path, "r");
            found = f != NULL;
            if (f)
                fclose(f);
        }
        for (int lv = 32; lv >= 21 && !found && c > 0; lv--) {
            snprintf(path, sizeof path, "%s/sbml-test-suite/cases/%05d/%05d-sbml-l%dv%d.xml",
                     shared(), c, c, lv / 10, lv % 10);
            FILE *f = fopen(path, "r");
            if (f) {
                fclose(f);
                found = 1;
            }
        }
        if (!found)
            continue;
        mt_model *m = NULL;
        mt_program *p = NULL;
        if (mt_model_load_file(ctx, path, &m) != MT_OK)
            continue;
        mt_status st = mt_program_create_native(ctx, m, MT_NATIVE_ON, &p);
        mt_model_destroy(m);
        if (st != MT_OK)
            continue;
        checked++;
        if (strstr(mt_program_native_info(p), "Newton") ||
            strstr(mt_program_native_info(p), "delay()")) {
            vm_by_design++; /* a nonlinear algebraic rule (a loop) or delay(): VM only */
            mt_program_destroy(p);
            continue;
        }
        int bad = compare_program(p);
        if (bad < 0 && native == 0 && checked < 5)
            printf("  no native code for %s: %s\n", path, mt_program_native_info(p));
        if (bad >= 0)
            native++;
        if (bad > 0) {
            if (bad_models < 5)
                printf("  %s: %d values differ from the VM\n", path, bad);
            bad_models++;
        }
        mt_program_destroy(p);
    }
    printf("  %d models compiled, %d with native code, %d on the VM by design (Newton loops, "
           "delay()), %d differ from the VM\n",
           checked, native, vm_by_design, bad_models);
    mt_ctx_destroy(ctx);
    if (checked == 0) {
        printf("# skipped: no SBML Test Suite under %s\n", shared());
        return;
    }
    ASSERT_EQ_INT(native + vm_by_design, checked);
    ASSERT_TRUE(vm_by_design <= 60); /* 5 Newton loops and 41 models with delay() in 2026 */
    ASSERT_EQ_INT(bad_models, 0);
}

TEST(cache_directory_is_created_private_and_checked)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char dir[512], got[1024];
    tmp_path(dir, sizeof dir, "cfg/nested/cache");
    setenv("MEDTWIN_CACHE_DIR", dir, 1);
    ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_OK);
    ASSERT_STR_EQ(got, dir);
    struct stat st;
    ASSERT_EQ_INT(stat(dir, &st), 0);
    ASSERT_EQ_INT((int)(st.st_mode & 0777), 0700);
    ASSERT_EQ_INT((long long)st.st_uid, (long long)geteuid());

    /* XDG_CACHE_HOME and HOME when MEDTWIN_CACHE_DIR is unset */
    unsetenv("MEDTWIN_CACHE_DIR");
    char xdg[512], want[600];
    tmp_path(xdg, sizeof xdg, "xdg");
    setenv("XDG_CACHE_HOME", xdg, 1);
    ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_OK);
    snprintf(want, sizeof want, "%s/medtwin", xdg);
    ASSERT_STR_EQ(got, want);
    unsetenv("XDG_CACHE_HOME");

    char *xml = small_xml(rate_a);
    ASSERT_TRUE(xml != NULL);
    double ref[11], alt[11];
    mt_program *p = program_of(ctx, xml, MT_NATIVE_OFF);
    ASSERT_TRUE(p && simulate(ctx, p, ref, 11) == 0);
    mt_program_destroy(p);

    /* group- or world-writable: refused, and the VM runs */
    setenv("MEDTWIN_CACHE_DIR", dir, 1);
    ASSERT_EQ_INT(chmod(dir, 0777), 0);
    ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_EINVAL);
    ASSERT_TRUE(strstr(mt_errmsg(ctx), "writable") != NULL);
    p = program_of(ctx, xml, MT_NATIVE_ON);
    ASSERT_TRUE(p != NULL);
    ASSERT_TRUE(!mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "writable") != NULL);
    ASSERT_EQ_INT(simulate(ctx, p, alt, 11), 0);
    for (int i = 0; i < 11; i++)
        ASSERT_TRUE(alt[i] == ref[i]);
    mt_program_destroy(p);
    ASSERT_EQ_INT(chmod(dir, 0720), 0);
    ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_EINVAL);
    ASSERT_EQ_INT(chmod(dir, 0700), 0);
    ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_OK);

    /* a symbolic link, and not a directory */
    char link[512], file[512];
    tmp_path(link, sizeof link, "cache-link");
    ASSERT_EQ_INT(symlink(dir, link), 0);
    setenv("MEDTWIN_CACHE_DIR", link, 1);
    ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_EINVAL);
    tmp_path(file, sizeof file, "plain-file");
    FILE *f = fopen(file, "w");
    ASSERT_TRUE(f != NULL);
    fclose(f);
    setenv("MEDTWIN_CACHE_DIR", file, 1);
    ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_EINVAL);

    /* owned by another user (needs root to arrange) */
    if (geteuid() == 0) {
        char other[512];
        tmp_path(other, sizeof other, "others-cache");
        ASSERT_EQ_INT(mkdir(other, 0700), 0);
        ASSERT_EQ_INT(chown(other, 65534, 65534), 0);
        setenv("MEDTWIN_CACHE_DIR", other, 1);
        ASSERT_EQ_INT(mt_native_cache_dir(ctx, got, sizeof got), MT_EINVAL);
        ASSERT_TRUE(strstr(mt_errmsg(ctx), "another user") != NULL);
        p = program_of(ctx, xml, MT_NATIVE_ON);
        ASSERT_TRUE(p && !mt_program_native(p));
        mt_program_destroy(p);
    } else {
        printf("  (not root: the other-owner case is not arranged)\n");
    }
    unsetenv("MEDTWIN_CACHE_DIR");
    free(xml);
    mt_ctx_destroy(ctx);
}

/* Creates the program of xml in dir and returns it; *info receives its native info. */
static mt_program *native_in(mt_ctx *ctx, const char *dir, const char *xml)
{
    setenv("MEDTWIN_CACHE_DIR", dir, 1);
    mt_program *p = program_of(ctx, xml, MT_NATIVE_ON);
    unsetenv("MEDTWIN_CACHE_DIR");
    if (p)
        printf("  %s\n", mt_program_native_info(p));
    return p;
}

TEST(bad_cached_objects_are_rebuilt)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char dir[512], dir_b[512], obj[1024], obj_b[1024];
    tmp_path(dir, sizeof dir, "rebuild");
    tmp_path(dir_b, sizeof dir_b, "rebuild-b");
    char *xa = small_xml(rate_a), *xb = small_xml(rate_b);
    ASSERT_TRUE(xa && xb);

    mt_program *p = native_in(ctx, dir, xa);
    ASSERT_TRUE(p && mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "compiled") != NULL);
    mt_program_destroy(p);
    ASSERT_EQ_INT(count_files(dir, "mt-", obj, sizeof obj), 1);
    p = native_in(ctx, dir, xa);
    ASSERT_TRUE(p && strstr(mt_program_native_info(p), "loaded from the cache") != NULL);
    mt_program_destroy(p);

    /* truncated */
    ASSERT_EQ_INT(truncate(obj, 100), 0);
    p = native_in(ctx, dir, xa);
    ASSERT_TRUE(p && mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "rebuilt") != NULL);
    ASSERT_EQ_INT(compare_program(p), 0);
    mt_program_destroy(p);

    /* foreign: another model's object under this model's key */
    p = native_in(ctx, dir_b, xb);
    ASSERT_TRUE(p && mt_program_native(p));
    mt_program_destroy(p);
    ASSERT_EQ_INT(count_files(dir_b, "mt-", obj_b, sizeof obj_b), 1);
    ASSERT_EQ_INT(unlink(obj), 0);
    ASSERT_EQ_INT(copy_file(obj_b, obj), 0);
    ASSERT_EQ_INT(chmod(obj, 0600), 0);
    p = native_in(ctx, dir, xa);
    ASSERT_TRUE(p && mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "another key") != NULL);
    ASSERT_EQ_INT(compare_program(p), 0);
    mt_program_destroy(p);

    /* a shared object without the expected symbols */
    char csrc[512], cc_cmd[2048];
    tmp_path(csrc, sizeof csrc, "other.c");
    FILE *f = fopen(csrc, "w");
    ASSERT_TRUE(f != NULL);
    fprintf(f, "int mt_something_else(void) { return 42; }\n");
    fclose(f);
    snprintf(cc_cmd, sizeof cc_cmd, "cc -shared -fPIC -o '%s' '%s' 2>/dev/null", obj, csrc);
    if (system(cc_cmd) == 0) {
        ASSERT_EQ_INT(chmod(obj, 0600), 0);
        p = native_in(ctx, dir, xa);
        ASSERT_TRUE(p && mt_program_native(p));
        ASSERT_TRUE(strstr(mt_program_native_info(p), "lacks a symbol") != NULL);
        mt_program_destroy(p);
    }

    /* group-writable object: not loaded, replaced */
    ASSERT_EQ_INT(chmod(obj, 0664), 0);
    p = native_in(ctx, dir, xa);
    ASSERT_TRUE(p && mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "not a private regular file") != NULL);
    mt_program_destroy(p);
    struct stat st;
    ASSERT_EQ_INT(stat(obj, &st), 0);
    ASSERT_EQ_INT((int)(st.st_mode & 0777), 0600);
    ASSERT_EQ_INT(count_files(dir, "tmp-", NULL, 0), 0);
    free(xa);
    free(xb);
    mt_ctx_destroy(ctx);
}

TEST(concurrent_processes_share_one_object)
{
    char dir[512];
    tmp_path(dir, sizeof dir, "concurrent");
    char *xml = small_xml(rate_b);
    ASSERT_TRUE(xml != NULL);
    int gate[2];
    ASSERT_EQ_INT(pipe(gate), 0);
    enum { N_PROC = 8 };
    pid_t pid[N_PROC];
    setenv("MEDTWIN_CACHE_DIR", dir, 1);
    fflush(stdout);
    for (int i = 0; i < N_PROC; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            close(gate[1]);
            char c;
            if (read(gate[0], &c, 1) < 0)
                _exit(3);
            mt_ctx *ctx = NULL;
            if (mt_ctx_create(&ctx) != MT_OK)
                _exit(3);
            mt_program *p = program_of(ctx, xml, MT_NATIVE_ON);
            int ok = p && mt_program_native(p) && compare_program(p) == 0;
            mt_program_destroy(p);
            mt_ctx_destroy(ctx);
            _exit(ok ? 0 : 1);
        }
        ASSERT_TRUE(pid[i] > 0);
    }
    close(gate[0]);
    close(gate[1]); /* every child starts now */
    int failed = 0;
    for (int i = 0; i < N_PROC; i++) {
        int status = 0;
        waitpid(pid[i], &status, 0);
        failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ASSERT_EQ_INT(failed, 0);
    ASSERT_EQ_INT(count_files(dir, "mt-", NULL, 0), 1);
    ASSERT_EQ_INT(count_files(dir, "tmp-", NULL, 0), 0);
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_program *p = program_of(ctx, xml, MT_NATIVE_ON);
    ASSERT_TRUE(p && strstr(mt_program_native_info(p), "loaded from the cache") != NULL);
    mt_program_destroy(p);
    mt_ctx_destroy(ctx);
    unsetenv("MEDTWIN_CACHE_DIR");
    free(xml);
}

TEST(fallback_to_the_vm)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char dir[512];
    tmp_path(dir, sizeof dir, "fallback");
    setenv("MEDTWIN_CACHE_DIR", dir, 1);
    char *xml = small_xml(rate_a);
    ASSERT_TRUE(xml != NULL);
    double nat[21], vm[21], alt[21];
    mt_program *p = program_of(ctx, xml, MT_NATIVE_ON);
    ASSERT_TRUE(p && mt_program_native(p));
    ASSERT_EQ_INT(simulate(ctx, p, nat, 21), 0);
    mt_program_destroy(p);

    /* no compiler */
    setenv("MEDTWIN_CC", "/nonexistent/cc", 1);
    p = program_of(ctx, xml, MT_NATIVE_ON);
    ASSERT_TRUE(p && !mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "no C compiler") != NULL);
    ASSERT_EQ_INT(simulate(ctx, p, vm, 21), 0);
    mt_program_destroy(p);
    for (int i = 0; i < 21; i++)
        ASSERT_TRUE(same(vm[i], nat[i]));

    /* a compiler that fails (a fresh directory, so nothing is cached) */
    char dir2[512];
    tmp_path(dir2, sizeof dir2, "fallback-2");
    setenv("MEDTWIN_CACHE_DIR", dir2, 1);
    setenv("MEDTWIN_CC", "/bin/false", 1);
    p = program_of(ctx, xml, MT_NATIVE_ON);
    ASSERT_TRUE(p && !mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "compiler failed") != NULL);
    ASSERT_EQ_INT(simulate(ctx, p, alt, 21), 0);
    mt_program_destroy(p);
    for (int i = 0; i < 21; i++)
        ASSERT_TRUE(alt[i] == vm[i]);
    ASSERT_EQ_INT(count_files(dir2, "tmp-", NULL, 0), 0);
    ASSERT_EQ_INT(count_files(dir2, "mt-", NULL, 0), 0);
    unsetenv("MEDTWIN_CC");

    /* MEDTWIN_NATIVE=0 for the default mode; =1 on */
    setenv("MEDTWIN_NATIVE", "0", 1);
    mt_model *m = load_xml(ctx, xml);
    ASSERT_TRUE(m != NULL);
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_TRUE(!mt_program_native(p));
    ASSERT_STR_EQ(mt_program_native_info(p), "vm: native code off");
    mt_program_destroy(p);
    setenv("MEDTWIN_NATIVE", "1", 1);
    ASSERT_EQ_INT(mt_program_create(ctx, m, &p), MT_OK);
    ASSERT_TRUE(mt_program_native(p));
    /* a workspace may still choose the VM */
    mt_sim *s = NULL;
    mt_result *r = NULL;
    ASSERT_EQ_INT(mt_sim_create(ctx, p, &s), MT_OK);
    mt_sim_set_native(s, 0);
    ASSERT_EQ_INT(mt_sim_add_output(s, "A", MT_REPORT_DEFAULT), MT_OK);
    ASSERT_EQ_INT(mt_sim_run(s, 0, 5, 20, &r), MT_OK);
    for (int i = 0; i < 21; i++)
        ASSERT_TRUE(mt_result_value(r, (size_t)i, 0) == vm[i]);
    mt_result_destroy(r);
    mt_sim_destroy(s);
    mt_program_destroy(p);
    unsetenv("MEDTWIN_NATIVE");
    ASSERT_EQ_INT(mt_program_create_native(ctx, m, (mt_native_mode)7, &p), MT_EINVAL);
    mt_model_destroy(m);
    unsetenv("MEDTWIN_CACHE_DIR");
    free(xml);
    mt_ctx_destroy(ctx);
}

/* A chain of n Michaelis-Menten steps S0 -> S1 -> ... (a model of about 30 n instructions). */
static char *chain_xml(int n)
{
    size_t cap = 4096 + (size_t)n * 900;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t len = (size_t)snprintf(
        s, cap,
        "<?xml version='1.0' encoding='UTF-8'?><sbml "
        "xmlns='http://www.sbml.org/sbml/level3/version1/core' level='3' version='1'><model "
        "id='chain'><listOfCompartments><compartment id='c' size='1' constant='true'/>"
        "</listOfCompartments><listOfSpecies>");
    for (int i = 0; i <= n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "<species id='S%d' compartment='c' initialAmount='%d' "
                                "hasOnlySubstanceUnits='false' boundaryCondition='false' "
                                "constant='false'/>",
                                i, i == 0);
    len += (size_t)snprintf(s + len, cap - len, "</listOfSpecies><listOfReactions>");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(
            s + len, cap - len,
            "<reaction id='R%d' reversible='false' fast='false'><listOfReactants>"
            "<speciesReference species='S%d' stoichiometry='1' constant='true'/>"
            "</listOfReactants><listOfProducts><speciesReference species='S%d' "
            "stoichiometry='1' constant='true'/></listOfProducts><kineticLaw><math "
            "xmlns='http://www.w3.org/1998/Math/MathML'><apply><divide/><apply><times/>"
            "<ci>c</ci><cn>%d.5</cn><ci>S%d</ci></apply><apply><plus/><cn>1</cn><ci>S%d</ci>"
            "</apply></apply></math></kineticLaw></reaction>",
            i, i, i + 1, i % 7, i, i);
    snprintf(s + len, cap - len, "</listOfReactions></model></sbml>");
    return s;
}

TEST(large_models_are_not_compiled_by_default)
{
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    char dir[512];
    tmp_path(dir, sizeof dir, "large");
    setenv("MEDTWIN_CACHE_DIR", dir, 1);
    char *xml = chain_xml(2500);
    ASSERT_TRUE(xml != NULL);
    mt_program *p = program_of(ctx, xml, MT_NATIVE_DEFAULT);
    free(xml);
    ASSERT_TRUE(p != NULL);
    printf("  %zu instructions: %s\n", mt_codegen_size(p), mt_program_native_info(p));
    ASSERT_TRUE(mt_codegen_size(p) > MT_NATIVE_AUTO_MAX_INS);
    ASSERT_TRUE(!mt_program_native(p));
    ASSERT_TRUE(strstr(mt_program_native_info(p), "not compiled by default") != NULL);
    ASSERT_EQ_INT(count_files(dir, "mt-", NULL, 0), 0);
    mt_program_destroy(p);
    unsetenv("MEDTWIN_CACHE_DIR");
    mt_ctx_destroy(ctx);
}

static void make_tmp_root(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/mt_native_test_XXXXXX");
    if (!mkdtemp(tmp_root))
        snprintf(tmp_root, sizeof tmp_root, "/tmp");
}

TEST(setup) { make_tmp_root(); }

TEST(cleanup)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    if (strncmp(tmp_root, "/tmp/mt_native_test_", 20) == 0)
        ASSERT_EQ_INT(system(cmd), 0);
}

TEST_MAIN(TEST_ENTRY(setup), TEST_ENTRY(sha256_vectors),
          TEST_ENTRY(hostile_model_text_never_reaches_the_source),
          TEST_ENTRY(cache_directory_is_created_private_and_checked),
          TEST_ENTRY(bad_cached_objects_are_rebuilt),
          TEST_ENTRY(concurrent_processes_share_one_object), TEST_ENTRY(fallback_to_the_vm),
          TEST_ENTRY(large_models_are_not_compiled_by_default),
          TEST_ENTRY(native_blocks_match_the_vm_on_the_suite), TEST_ENTRY(cleanup))
