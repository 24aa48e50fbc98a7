/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/util/test_plot.c — mt_plot_lines(): PNG and SVG output of two
 * sine curves (signature, size), repeated calls in one process, awkward data
 * (gaps, constant and all-NaN series, more series than the legend shows) and
 * the error paths (bad extension, bad arguments, unwritable path); mt_plot_xy (log axes,
 * reference curves, empty sets, argument errors).
 *
 * Files go to a fresh mkdtemp() directory under $TMPDIR (or /tmp) that each
 * case removes. A library built without PLplot answers MT_EUNSUPPORTED; the
 * cases that need output then pass as skipped. Fontconfig's font cache is
 * exempted from LeakSanitizer (see __lsan_default_suppressions below).
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"
#include "medtwin/plot.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#define NP 200

/* LeakSanitizer hook (used only in sanitizer builds): fontconfig, loaded by
 * PLplot's cairo driver through pango, keeps a one-time font cache behind
 * offset-encoded pointers that LSan cannot follow, so it is reported as
 * leaked. It does not grow with the number of plots. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

typedef struct {
    char dir[512];
    int n; /* paths handed out */
} tmp_area;

/* The paths of the current case's temporary area (cases run one at a time). */
static char tmp_paths[8][640];

/* Makes a temporary directory; returns 0 on failure. */
static int tmp_open(tmp_area *t)
{
    const char *base = getenv("TMPDIR");
    t->n = 0;
    snprintf(t->dir, sizeof t->dir, "%s/mt_plot_XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(t->dir) != NULL;
}

/* A path inside the temporary directory, removed by tmp_close(). */
static const char *tmp_path(tmp_area *t, const char *name)
{
    char *p = tmp_paths[t->n++ % 8];
    snprintf(p, sizeof tmp_paths[0], "%s/%s", t->dir, name);
    return p;
}

static void tmp_close(tmp_area *t)
{
    for (int i = 0; i < t->n && i < 8; i++)
        remove(tmp_paths[i]);
    rmdir(t->dir);
}

/* Reads up to cap-1 bytes of a file, NUL-terminated; returns the file size or -1. */
static long read_head(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    fclose(f);
    return size;
}

static void sines(double *x, double *y)
{
    for (int i = 0; i < NP; i++) {
        x[i] = 10.0 * i / (NP - 1);
        y[2 * i] = sin(x[i]);
        y[2 * i + 1] = 0.5 * cos(2.0 * x[i]);
    }
}

static const char *const sine_names[] = {"sin(t)", "0.5 cos(2t)"};

static mt_status plot_sines(mt_ctx *ctx, const char *path)
{
    double x[NP], y[2 * NP];
    sines(x, y);
    return mt_plot_lines(ctx, path, "Two sines", "time (h)", "concentration (mM)", NP, x, 2, y,
                         sine_names);
}

/* 1 if path looks like a real PNG / SVG plot. */
static int check_png(const char *path)
{
    char head[64];
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    long size = read_head(path, head, sizeof head);
    return mt_check_(size > 2000, __FILE__, __LINE__, "%s: size %ld", path, size) &&
           mt_check_(memcmp(head, sig, 8) == 0, __FILE__, __LINE__, "%s: no PNG signature", path);
}

static int check_svg(const char *path)
{
    static char head[4096];
    long size = read_head(path, head, sizeof head);
    return mt_check_(size > 2000, __FILE__, __LINE__, "%s: size %ld", path, size) &&
           mt_check_(strstr(head, "<svg") != NULL, __FILE__, __LINE__, "%s: no <svg", path);
}

/* Creates a context and reports whether plotting is built in (writes one PNG). */
static int plplot_built(mt_ctx *ctx, tmp_area *t)
{
    mt_status st = plot_sines(ctx, tmp_path(t, "probe.png"));
    if (st == MT_EUNSUPPORTED) {
        printf("# %s: skipped: %s\n", mt_test_name_, mt_errmsg(ctx));
        return 0;
    }
    return 1;
}

TEST(png_and_svg)
{
    mt_ctx *ctx = NULL;
    tmp_area t;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_TRUE(tmp_open(&t));
    if (plplot_built(ctx, &t)) {
        const char *png = tmp_path(&t, "sines.png");
        const char *svg = tmp_path(&t, "sines.SVG");
        mt_status st = plot_sines(ctx, png);
        if (mt_check_(st == MT_OK, __FILE__, __LINE__, "png: %s", mt_errmsg(ctx)) &&
            check_png(png)) {
            st = plot_sines(ctx, svg);
            if (mt_check_(st == MT_OK, __FILE__, __LINE__, "svg: %s", mt_errmsg(ctx)))
                check_svg(svg);
        }
    }
    tmp_close(&t);
    mt_ctx_destroy(ctx);
}

TEST(repeated_calls)
{
    mt_ctx *ctx = NULL;
    tmp_area t;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_TRUE(tmp_open(&t));
    if (plplot_built(ctx, &t)) {
        const char *png = tmp_path(&t, "again.png");
        const char *svg = tmp_path(&t, "again.svg");
        for (int k = 0; k < 3 && !mt_test_failed_; k++) {
            mt_status st = plot_sines(ctx, png);
            if (mt_check_(st == MT_OK, __FILE__, __LINE__, "round %d png: %s", k, mt_errmsg(ctx)))
                check_png(png);
            st = plot_sines(ctx, svg);
            if (mt_check_(st == MT_OK, __FILE__, __LINE__, "round %d svg: %s", k, mt_errmsg(ctx)))
                check_svg(svg);
        }
        /* A failure in between must not break the next call. */
        if (!mt_test_failed_) {
            mt_status st = plot_sines(ctx, tmp_path(&t, "no/such/dir.png"));
            mt_check_(st == MT_EIO, __FILE__, __LINE__, "expected MT_EIO, got %d", (int)st);
            st = plot_sines(ctx, png);
            if (mt_check_(st == MT_OK, __FILE__, __LINE__, "after error: %s", mt_errmsg(ctx)))
                check_png(png);
        }
    }
    tmp_close(&t);
    mt_ctx_destroy(ctx);
}

TEST(awkward_data)
{
    enum { NS = 15 };
    static double x[NP], y[NP * NS];
    static const char *names[NS];
    mt_ctx *ctx = NULL;
    tmp_area t;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_TRUE(tmp_open(&t));
    for (int i = 0; i < NP; i++) {
        x[i] = i == 7 ? NAN : i;
        for (int j = 0; j < NS; j++)
            y[i * NS + j] = j + sin(0.1 * i + j);
        y[i * NS + 0] = (i % 50 == 10) ? INFINITY : 2.5; /* constant with gaps */
        y[i * NS + 1] = (i / 20) % 2 ? NAN : cos(0.05 * i);
    }
    for (int j = 0; j < NS; j++)
        names[j] = NULL;
    names[0] = "constant #1 <&> with a rather long name that gets cut";
    names[1] = "gappy\t\xff\xfe bytes";
    if (plplot_built(ctx, &t)) {
        const char *png = tmp_path(&t, "awkward.png");
        mt_status st = mt_plot_lines(ctx, png, NULL, NULL, NULL, NP, x, NS, y, names);
        if (mt_check_(st == MT_OK, __FILE__, __LINE__, "awkward: %s", mt_errmsg(ctx)))
            check_png(png);

        /* One constant series alone, then nothing finite at all. */
        double one[3] = {1.0, 1.0, 1.0}, xs[3] = {0.0, 1.0, 2.0};
        st = mt_plot_lines(ctx, png, "flat", "t", "y", 3, xs, 1, one, NULL);
        if (mt_check_(st == MT_OK, __FILE__, __LINE__, "constant: %s", mt_errmsg(ctx)))
            check_png(png);
        double nan3[3] = {NAN, INFINITY, -INFINITY};
        const char *svg = tmp_path(&t, "empty.svg");
        st = mt_plot_lines(ctx, svg, "empty", "t", "y", 3, xs, 1, nan3, NULL);
        if (mt_check_(st == MT_OK, __FILE__, __LINE__, "all NaN: %s", mt_errmsg(ctx)))
            check_svg(svg);
    }
    tmp_close(&t);
    mt_ctx_destroy(ctx);
}

TEST(bad_extension)
{
    double x[NP], y[2 * NP];
    mt_ctx *ctx = NULL;
    sines(x, y);
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_status st = mt_plot_lines(ctx, "out.jpg", "t", "x", "y", NP, x, 2, y, sine_names);
    if (mt_check_(st == MT_EINVAL, __FILE__, __LINE__, "jpg: status %d", (int)st))
        mt_check_(strstr(mt_errmsg(ctx), "unsupported file type '.jpg'") != NULL, __FILE__,
                  __LINE__, "message: %s", mt_errmsg(ctx));
    st = mt_plot_lines(ctx, "out", "t", "x", "y", NP, x, 2, y, sine_names);
    mt_check_(st == MT_EINVAL, __FILE__, __LINE__, "no extension: status %d", (int)st);
    st = mt_plot_lines(ctx, "dir.png/out", "t", "x", "y", NP, x, 2, y, sine_names);
    mt_check_(st == MT_EINVAL, __FILE__, __LINE__, "dot in directory: status %d", (int)st);
    ASSERT_EQ_INT(access("out.jpg", F_OK), -1);
    mt_ctx_destroy(ctx);
}

TEST(bad_arguments)
{
    double x[NP], y[2 * NP];
    mt_ctx *ctx = NULL;
    sines(x, y);
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_EQ_INT(mt_plot_lines(ctx, NULL, "t", "x", "y", NP, x, 2, y, sine_names), MT_EINVAL);
    ASSERT_TRUE(mt_errmsg(ctx)[0] != '\0');
    mt_error_clear(ctx);
    ASSERT_EQ_INT(mt_plot_lines(ctx, "a.png", "t", "x", "y", 0, x, 2, y, sine_names), MT_EINVAL);
    ASSERT_TRUE(mt_errmsg(ctx)[0] != '\0');
    mt_error_clear(ctx);
    ASSERT_EQ_INT(mt_plot_lines(ctx, "a.png", "t", "x", "y", NP, x, 0, y, sine_names), MT_EINVAL);
    ASSERT_TRUE(mt_errmsg(ctx)[0] != '\0');
    ASSERT_EQ_INT(mt_plot_lines(ctx, "a.png", "t", "x", "y", NP, NULL, 2, y, NULL), MT_EINVAL);
    ASSERT_EQ_INT(mt_plot_lines(ctx, "a.png", "t", "x", "y", NP, x, 2, NULL, NULL), MT_EINVAL);
    ASSERT_EQ_INT(access("a.png", F_OK), -1);
    mt_ctx_destroy(ctx);
}

TEST(unwritable_path)
{
    mt_ctx *ctx = NULL;
    tmp_area t;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_TRUE(tmp_open(&t));
    if (plplot_built(ctx, &t)) {
        const char *bad = tmp_path(&t, "missing/dir/out.png");
        mt_status st = plot_sines(ctx, bad);
        if (mt_check_(st == MT_EIO, __FILE__, __LINE__, "status %d: %s", (int)st, mt_errmsg(ctx)))
            mt_check_(strstr(mt_errmsg(ctx), bad) != NULL, __FILE__, __LINE__,
                      "message does not name the path: %s", mt_errmsg(ctx));
    }
    tmp_close(&t);
    mt_ctx_destroy(ctx);
}

/* mt_plot_xy: observed-vs-predicted points on log axes (non-positive and NaN points are
 * skipped, not errors), reference lines, an empty set, a curve-covering range; the argument
 * errors. */
TEST(xy_plot)
{
    mt_ctx *ctx = NULL;
    tmp_area t;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    ASSERT_TRUE(tmp_open(&t));
    double ox[5] = {0.1, 1, 10, -1, NAN}, oy[5] = {0.15, 0.9, 25, 2, 3};
    double lx[2] = {1e-6, 1e6}, ly[2] = {1e-6, 1e6}, l2[2] = {2e-6, 2e6};
    mt_plot_points sets[2] = {{"iv", 5, ox, oy}, {"po", 0, NULL, NULL}};
    mt_plot_curve cv[2] = {{"unity", 2, lx, ly, 0}, {"2-fold", 2, lx, l2, 1}};
    mt_plot_xy_options o = {.title = "AUC # obs vs pred",
                            .xlabel = "observed",
                            .ylabel = "predicted",
                            .log_x = 1,
                            .log_y = 1,
                            .same_range = 1};
    if (plplot_built(ctx, &t)) {
        const char *png = tmp_path(&t, "xy.png");
        mt_status st = mt_plot_xy(ctx, png, &o, 2, sets, 2, cv);
        if (mt_check_(st == MT_OK, __FILE__, __LINE__, "xy: %s", mt_errmsg(ctx)))
            check_png(png);
        /* no usable point at all: still a plot (axes, the note), covering the given range */
        mt_plot_points none = {"none", 1, ox + 3, oy + 3};
        mt_plot_xy_options oc = o;
        oc.cover_lo = 0.1;
        oc.cover_hi = 10;
        const char *empty = tmp_path(&t, "empty.png");
        st = mt_plot_xy(ctx, empty, &oc, 1, &none, 2, cv);
        if (mt_check_(st == MT_OK, __FILE__, __LINE__, "empty: %s", mt_errmsg(ctx)))
            check_png(empty);
        /* a time course: linear x, log y, the range fitted to the curve */
        double ct[3] = {0, 1, 2}, cc[3] = {1, 0.5, 0.25};
        mt_plot_curve pred = {"predicted", 3, ct, cc, 0};
        mt_plot_points obs = {"observed", 3, ct, cc};
        mt_plot_xy_options op = {.title = "profile", .log_y = 1, .fit_curves = 1};
        const char *svg = tmp_path(&t, "profile.svg");
        st = mt_plot_xy(ctx, svg, &op, 1, &obs, 1, &pred);
        if (mt_check_(st == MT_OK, __FILE__, __LINE__, "profile: %s", mt_errmsg(ctx)))
            check_svg(svg);
    }
    ASSERT_EQ_INT(mt_plot_xy(ctx, NULL, &o, 2, sets, 2, cv), MT_EINVAL);
    ASSERT_EQ_INT(mt_plot_xy(ctx, "a.png", NULL, 2, sets, 2, cv), MT_EINVAL);
    ASSERT_EQ_INT(mt_plot_xy(ctx, "a.png", &o, 0, sets, 2, cv), MT_EINVAL);
    ASSERT_EQ_INT(mt_plot_xy(ctx, "a.png", &o, 2, sets, 2, NULL), MT_EINVAL);
    ASSERT_EQ_INT(mt_plot_xy(ctx, "a.pdf", &o, 2, sets, 2, cv), MT_EINVAL);
    mt_plot_points broken = {"broken", 3, NULL, oy};
    ASSERT_EQ_INT(mt_plot_xy(ctx, "a.png", &o, 1, &broken, 0, NULL), MT_EINVAL);
    ASSERT_EQ_INT(access("a.png", F_OK), -1);
    tmp_close(&t);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(png_and_svg), TEST_ENTRY(repeated_calls), TEST_ENTRY(awkward_data),
          TEST_ENTRY(bad_extension), TEST_ENTRY(bad_arguments), TEST_ENTRY(unwritable_path),
          TEST_ENTRY(xy_plot))
