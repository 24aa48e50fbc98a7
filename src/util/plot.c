/* SPDX-License-Identifier: Apache-2.0
 *
 * util/plot.c — mt_plot_lines(): line plots of time courses, and mt_plot_xy():
 * point sets (one marker and colour each) over grey reference curves on
 * linear or logarithmic axes (observed vs predicted with unity and fold
 * lines, Guest limits), written to PNG or SVG through PLplot's cairo drivers
 * (pngcairo / svgcairo), chosen by the path's extension (case-insensitive;
 * anything else is MT_EINVAL). On a log axis values are drawn at log10 with
 * PLplot's log tick labels; points that are not positive are skipped. The
 * x-y ranges come from the points only (curves are clipped to them), with
 * 0.3 decade of margin on a log axis.
 *
 * Every call makes its own PLplot stream (plmkstrm), draws one 1000x650
 * page on white (a fixed palette: axes in black, light-grey grid, ten
 * distinct series colours, line styles changing every ten series, a legend
 * right of the plot listing the first 12 series and "+N more"), closes it
 * with plend1() and restores the caller's current stream, so repeated calls
 * in one process work and leave no stream behind.
 *
 * Data: the axis ranges come from the finite (x, y) pairs only; values that
 * are NaN, Inf or beyond +-1e300 are skipped and split the line there (an
 * isolated finite point is drawn as a dot). A degenerate range (a constant
 * series, or a span below 1e-9 of the magnitude, where PLplot's tick loop
 * could stall) is padded. If no pair is finite the file is still written,
 * with axes [0,1]x[0,1] and the note "no finite data", and MT_OK returned.
 * Text is made safe for PLplot: '#' (its escape character) is doubled,
 * invalid UTF-8 becomes '?', control characters ' ', long strings are cut
 * with "...". NULL title/labels are empty; a NULL name is "series N".
 *
 * Errors: bad arguments are MT_EINVAL. The file is opened with
 * fopen(path, "wb") before PLplot sees it (MT_EIO naming the path), as
 * PLplot treats an unopenable file as fatal; a missing cairo driver is
 * MT_EUNSUPPORTED. PLplot reports fatal errors with plexit(), which calls
 * exit(): for the duration of the call an exit handler longjmp()s back
 * instead and the call fails with MT_EIO (the half-built stream is
 * abandoned: leaked, never reused). Non-fatal plabort() messages are routed
 * into a buffer with plsError() on our stream, so they are not printed, and
 * fail the call with MT_EIO too. After a failure the output file is
 * removed, so no partial file is left. Built without MT_HAVE_PLPLOT the
 * call validates its arguments and returns MT_EUNSUPPORTED.
 *
 * Threads: PLplot is NOT thread-safe (a global stream table, a global
 * current stream, a global exit handler). Calls here are serialised by a
 * mutex, but nothing else in the process may use PLplot while one runs, and
 * the plsexit() handler is reset to PLplot's default (none) afterwards: a
 * handler the application installed is lost.
 *
 * stderr: nothing is printed on a normal run or on the errors above;
 * PLplot's plwarn() writes to stderr unconditionally, but only on misuse
 * that is avoided here. Memory: nothing grows per call. PLplot keeps its
 * driver modules loaded, and fontconfig/pango (under the cairo driver) keep
 * a one-time font cache that LeakSanitizer and valgrind report as lost,
 * because fontconfig stores offset-encoded pointers they cannot follow.
 *
 * Cost: O(n_points * n_series) time and O(n_points) scratch memory; cairo
 * rasterisation dominates (tens of milliseconds for a typical PNG).
 */
#define _POSIX_C_SOURCE 200809L

#include "medtwin/plot.h"
#include "util/util.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef MT_HAVE_PLPLOT
#include <math.h>
#include <plplot.h>
#include <pthread.h>
#include <setjmp.h>
#endif

/* ASCII case-insensitive equality. */
static int ext_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int ca = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : *a;
        int cb = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : *b;
        if (ca != cb)
            return 0;
    }
    return *a == *b;
}

#ifdef MT_HAVE_PLPLOT

enum {
    PAGE_W = 1000,
    PAGE_H = 650,
    LEGEND_MAX = 12,        /* series listed in the legend */
    TITLE_CHARS = 120,      /* characters kept of title and labels */
    NAME_CHARS = 20,        /* characters kept of a legend entry */
    TEXT_CAP = 4 * 120 + 8, /* bytes for TITLE_CHARS, each <= 4 bytes */
    NAME_CAP = 4 * 20 + 8,  /* bytes for NAME_CHARS */
    COL_BG = 0,
    COL_FG = 1,
    COL_GRID = 2,
    COL_SERIES = 3, /* first of N_SERIES_COL series colours */
    N_SERIES_COL = 10,
    N_COL = COL_SERIES + N_SERIES_COL,
    N_STYLES = 8 /* PLplot's predefined line styles 1..8 */
};

#define RANGE_LIMIT 1e300

/* White, black, grid grey, then the Tableau 10 colours. */
static const PLINT pal_r[N_COL] = {255, 0, 221, 31, 255, 44, 214, 148, 140, 227, 127, 188, 23};
static const PLINT pal_g[N_COL] = {255, 0, 221, 119, 127, 160, 39, 103, 86, 119, 127, 189, 190};
static const PLINT pal_b[N_COL] = {255, 0, 221, 180, 14, 44, 40, 189, 75, 194, 127, 34, 207};

typedef struct {
    const char *path, *dev;
    size_t n_points, n_series;
    const double *x, *y;
    const char *const *names;
    const char *title, *xlabel, *ylabel;
    double xlo, xhi, ylo, yhi;
    int any_finite;
    PLFLT *bx, *by; /* scratch, n_points each */
    /* mt_plot_xy: point sets and reference curves instead of series */
    const mt_plot_points *sets;
    size_t n_sets;
    const mt_plot_curve *curves;
    size_t n_curves;
    int log_x, log_y;
    /* set while drawing */
    PLINT prev_stream; /* the caller's current stream, -1 until known */
    char fail[256];    /* non-empty: the call failed with this message */
    mt_status fail_st;
} plot_job;

static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf plot_jmp;
static char plot_fatal[256];
/* plabort() text for our stream (plsError): PLplot fills it with sprintf and
 * strcat from fixed messages, so it is generously sized. */
static PLINT plot_errcode;
static char plot_errmsg[2048];

/* plsexit() handler: never return to plexit(), which would exit(). */
static int on_plexit(const char *msg)
{
    snprintf(plot_fatal, sizeof plot_fatal, "%s", msg && *msg ? msg : "fatal error");
    longjmp(plot_jmp, 1);
}

/* The message of the last plabort() on our stream, without PLplot's banner. */
static const char *abort_text(void)
{
    char *m = plot_errmsg, *banner = strstr(m, "***\n");
    while (banner) {
        m = banner + 4;
        banner = strstr(m, "***\n");
    }
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        m[--n] = '\0';
    return *m ? m : "error";
}

/* Length of the valid UTF-8 sequence at s, 0 if it is not one. Stops at the
 * first byte that fails, so never reads past a terminating NUL. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Copies src (NULL: "") into dst[cap] as PLplot text: at most max_chars
 * characters, "..." appended when cut; '#' doubled, invalid UTF-8 as '?',
 * control characters as ' '. cap >= 4 * max_chars + 8 never cuts early. */
static void pl_text(char *dst, size_t cap, const char *src, size_t max_chars)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    size_t o = 0, nch = 0;
    int cut = 0;
    while (*s) {
        if (nch == max_chars || o + 4 > cap - 4) {
            cut = 1;
            break;
        }
        size_t len = utf8_len(s);
        if (len == 0) {
            dst[o++] = '?';
            s++;
        } else if (len == 1) {
            unsigned char c = *s++;
            if (c < 0x20 || c == 0x7F) {
                dst[o++] = ' ';
            } else if (c == '#') {
                dst[o++] = '#';
                dst[o++] = '#';
            } else {
                dst[o++] = (char)c;
            }
        } else {
            memcpy(dst + o, s, len);
            o += len;
            s += len;
        }
        nch++;
    }
    if (cut) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

static int usable(double v) { return isfinite(v) && fabs(v) <= RANGE_LIMIT; }

/* Pads a degenerate [*lo, *hi]; otherwise adds margin * span on both sides. */
static void finish_range(double *lo, double *hi, double margin)
{
    double mag = fmax(fabs(*lo), fabs(*hi));
    double span = *hi - *lo;
    if (span < fmax(mag * 1e-9, 1e-290)) {
        double mid = *lo / 2 + *hi / 2;
        double pad = mag > 0 ? fmax(mag * 0.1, 1e-280) : 1.0;
        *lo = mid - pad;
        *hi = mid + pad;
    } else {
        *lo -= margin * span;
        *hi += margin * span;
    }
}

static void compute_ranges(plot_job *job)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < job->n_points; i++) {
        double xv = job->x[i];
        if (!usable(xv))
            continue;
        const double *row = job->y + i * job->n_series;
        int row_any = 0;
        for (size_t j = 0; j < job->n_series; j++) {
            double yv = row[j];
            if (!usable(yv))
                continue;
            row_any = 1;
            ylo = fmin(ylo, yv);
            yhi = fmax(yhi, yv);
        }
        if (row_any) {
            xlo = fmin(xlo, xv);
            xhi = fmax(xhi, xv);
        }
    }
    job->any_finite = xlo <= xhi;
    if (!job->any_finite) {
        xlo = ylo = 0.0;
        xhi = yhi = 1.0;
    } else {
        finish_range(&xlo, &xhi, 0.0);
        finish_range(&ylo, &yhi, 0.04);
    }
    job->xlo = xlo;
    job->xhi = xhi;
    job->ylo = ylo;
    job->yhi = yhi;
}

/* Is PLplot's driver for dev available (without plinit's interactive prompt)? */
static int have_device(const char *dev)
{
    enum { MAX_DEVS = 256 };
    const char *menu[MAX_DEVS], *names[MAX_DEVS];
    const char **pm = menu, **pn = names;
    int n = MAX_DEVS;
    plgDevs(&pm, &pn, &n);
    for (int i = 0; i < n && i < MAX_DEVS; i++)
        if (names[i] && strcmp(names[i], dev) == 0)
            return 1;
    return 0;
}

static void draw_series(const plot_job *job, size_t j)
{
    PLINT n = 0;
    for (size_t i = 0; i <= job->n_points; i++) {
        int ok = 0;
        if (i < job->n_points) {
            double xv = job->x[i], yv = job->y[i * job->n_series + j];
            ok = usable(xv) && usable(yv);
            if (ok) {
                job->bx[n] = xv;
                job->by[n] = yv;
                n++;
            }
        }
        if (!ok && n > 0) {
            if (n == 1)
                plpoin(1, job->bx, job->by, 17);
            else
                plline(n, job->bx, job->by);
            n = 0;
        }
    }
}

static void draw_legend(const plot_job *job)
{
    enum { N = LEGEND_MAX + 1 };
    PLINT opt[N], tcol[N], lcol[N], lsty[N];
    PLFLT lwid[N];
    char buf[N][NAME_CAP];
    const char *text[N];
    PLINT nleg = 0;
    size_t shown = job->n_series < LEGEND_MAX ? job->n_series : LEGEND_MAX;
    for (size_t j = 0; j < shown; j++, nleg++) {
        const char *name = job->names ? job->names[j] : NULL;
        if (name) {
            pl_text(buf[nleg], NAME_CAP, name, NAME_CHARS);
        } else {
            snprintf(buf[nleg], NAME_CAP, "series %zu", j + 1);
        }
        opt[nleg] = PL_LEGEND_LINE;
        tcol[nleg] = COL_FG;
        lcol[nleg] = COL_SERIES + (PLINT)(j % N_SERIES_COL);
        lsty[nleg] = 1 + (PLINT)((j / N_SERIES_COL) % N_STYLES);
        lwid[nleg] = 2.0;
        text[nleg] = buf[nleg];
    }
    if (job->n_series > shown) {
        snprintf(buf[nleg], NAME_CAP, "+%zu more", job->n_series - shown);
        opt[nleg] = PL_LEGEND_NONE;
        tcol[nleg] = COL_FG;
        lcol[nleg] = COL_FG;
        lsty[nleg] = 1;
        lwid[nleg] = 1.0;
        text[nleg] = buf[nleg];
        nleg++;
    }
    PLFLT w, h;
    /* Top-left corner just right of the viewport, level with its top. */
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_LEFT | PL_POSITION_TOP | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 1.03,
             0.0, 0.06, COL_BG, COL_FG, 1, 0, 0, nleg, opt, 0.6, 0.75, 2.0, 0.0, tcol, text, NULL,
             NULL, NULL, NULL, lcol, lsty, lwid, NULL, NULL, NULL, NULL);
}

/* Markers of the point sets (UTF-8, drawn by plstring; DejaVu has them). */
static const char *const markers[] = {"\u25cf", "\u25b2", "\u25a0", "\u25c6", "\u25bc"};
#define N_MARKERS (sizeof markers / sizeof markers[0])

/* A coordinate in plot space (log10 on a log axis); NaN when it cannot be drawn. */
static double xy_coord(double v, int log_axis)
{
    if (!usable(v) || (log_axis && !(v > 0)))
        return NAN;
    return log_axis ? log10(v) : v;
}

/* Ranges of an x-y plot from its points only (reference curves are clipped to them). */
static void compute_xy_ranges(plot_job *job, const mt_plot_xy_options *o)
{
    int same_range = o->same_range;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    if (o->cover_hi > o->cover_lo) {
        double xa = xy_coord(o->cover_lo, job->log_x), xb = xy_coord(o->cover_hi, job->log_x);
        double ya = xy_coord(o->cover_lo, job->log_y), yb = xy_coord(o->cover_hi, job->log_y);
        if (!isnan(xa) && !isnan(xb) && !isnan(ya) && !isnan(yb)) {
            xlo = xa;
            xhi = xb;
            ylo = ya;
            yhi = yb;
        }
    }
    for (size_t k = 0; k < job->n_sets; k++) {
        const mt_plot_points *ps = &job->sets[k];
        for (size_t i = 0; i < ps->n; i++) {
            double xv = xy_coord(ps->x[i], job->log_x), yv = xy_coord(ps->y[i], job->log_y);
            if (isnan(xv) || isnan(yv))
                continue;
            xlo = fmin(xlo, xv);
            xhi = fmax(xhi, xv);
            ylo = fmin(ylo, yv);
            yhi = fmax(yhi, yv);
        }
    }
    for (size_t c = 0; o->fit_curves && c < job->n_curves; c++) {
        const mt_plot_curve *cv = &job->curves[c];
        for (size_t i = 0; i < cv->n; i++) {
            double xv = xy_coord(cv->x[i], job->log_x), yv = xy_coord(cv->y[i], job->log_y);
            if (isnan(xv) || isnan(yv))
                continue;
            xlo = fmin(xlo, xv);
            xhi = fmax(xhi, xv);
            ylo = fmin(ylo, yv);
            yhi = fmax(yhi, yv);
        }
    }
    int any_points = 0;
    for (size_t k = 0; k < job->n_sets && !any_points; k++)
        for (size_t i = 0; i < job->sets[k].n && !any_points; i++)
            any_points = !isnan(xy_coord(job->sets[k].x[i], job->log_x)) &&
                         !isnan(xy_coord(job->sets[k].y[i], job->log_y));
    job->any_finite = any_points;
    if (!(xlo <= xhi)) {
        xlo = ylo = 0.0;
        xhi = yhi = 1.0;
    } else {
        if (same_range) {
            xlo = ylo = fmin(xlo, ylo);
            xhi = yhi = fmax(xhi, yhi);
        }
        /* on a log axis, half a decade of margin keeps the 2-fold lines visible */
        if (job->log_x) {
            xlo -= 0.3;
            xhi += 0.3;
        }
        if (job->log_y) {
            ylo -= 0.3;
            yhi += 0.3;
        }
        finish_range(&xlo, &xhi, job->log_x ? 0.0 : 0.05);
        finish_range(&ylo, &yhi, job->log_y ? 0.0 : 0.05);
    }
    job->xlo = xlo;
    job->xhi = xhi;
    job->ylo = ylo;
    job->yhi = yhi;
}

/* Draws one polyline in plot space, split at points that cannot be drawn. */
static void draw_polyline(plot_job *job, size_t n, const double *x, const double *y)
{
    PLFLT px[2];
    PLFLT py[2];
    int have = 0;
    for (size_t i = 0; i < n; i++) {
        double xv = xy_coord(x[i], job->log_x), yv = xy_coord(y[i], job->log_y);
        if (isnan(xv) || isnan(yv)) {
            have = 0;
            continue;
        }
        px[1] = xv;
        py[1] = yv;
        if (have)
            plline(2, px, py);
        px[0] = xv;
        py[0] = yv;
        have = 1;
    }
}

static void draw_xy(plot_job *job)
{
    for (size_t c = 0; c < job->n_curves; c++) {
        const mt_plot_curve *cv = &job->curves[c];
        plcol0(COL_FG);
        pllsty(cv->style == 1 ? 3 : cv->style == 2 ? 2 : 1);
        plwidth(cv->style == 0 ? 1.5 : 1.0);
        draw_polyline(job, cv->n, cv->x, cv->y);
    }
    pllsty(1);
    plwidth(1.0);
    plschr(0.0, 0.7);
    for (size_t k = 0; k < job->n_sets; k++) {
        const mt_plot_points *ps = &job->sets[k];
        plcol0(COL_SERIES + (PLINT)(k % N_SERIES_COL));
        for (size_t i = 0; i < ps->n; i++) {
            PLFLT xv = xy_coord(ps->x[i], job->log_x), yv = xy_coord(ps->y[i], job->log_y);
            if (!isnan(xv) && !isnan(yv))
                plstring(1, &xv, &yv, markers[k % N_MARKERS]);
        }
    }
    plschr(0.0, 1.0);
}

static void draw_xy_legend(const plot_job *job)
{
    enum { N = LEGEND_MAX };
    PLINT opt[N], tcol[N], lcol[N], lsty[N], scol[N], snum[N];
    PLFLT lwid[N], sscale[N];
    char buf[N][NAME_CAP];
    const char *text[N], *sym[N];
    PLINT nleg = 0;
    for (size_t k = 0; k < job->n_sets && nleg < N; k++, nleg++) {
        pl_text(buf[nleg], NAME_CAP, job->sets[k].name ? job->sets[k].name : "points", NAME_CHARS);
        opt[nleg] = PL_LEGEND_SYMBOL;
        tcol[nleg] = COL_FG;
        scol[nleg] = COL_SERIES + (PLINT)(k % N_SERIES_COL);
        snum[nleg] = 1;
        sscale[nleg] = 0.7; /* as drawn */
        sym[nleg] = markers[k % N_MARKERS];
        lcol[nleg] = COL_FG;
        lsty[nleg] = 1;
        lwid[nleg] = 1.0;
        text[nleg] = buf[nleg];
    }
    for (size_t c = 0; c < job->n_curves && nleg < N; c++) {
        const mt_plot_curve *cv = &job->curves[c];
        if (!cv->name || !*cv->name)
            continue;
        pl_text(buf[nleg], NAME_CAP, cv->name, NAME_CHARS);
        opt[nleg] = PL_LEGEND_LINE;
        tcol[nleg] = COL_FG;
        lcol[nleg] = COL_FG;
        lsty[nleg] = cv->style == 1 ? 3 : cv->style == 2 ? 2 : 1;
        lwid[nleg] = cv->style == 0 ? 1.5 : 1.0;
        scol[nleg] = COL_FG;
        snum[nleg] = 0;
        sscale[nleg] = 1.0;
        sym[nleg] = "";
        text[nleg] = buf[nleg];
        nleg++;
    }
    if (nleg == 0)
        return;
    PLFLT w, h;
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_LEFT | PL_POSITION_TOP | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 1.03,
             0.0, 0.06, COL_BG, COL_FG, 1, 0, 0, nleg, opt, 0.6, 0.75, 2.0, 0.0, tcol, text, NULL,
             NULL, NULL, NULL, lcol, lsty, lwid, scol, sscale, snum, sym);
}

/* All PLplot calls; run under plot_protected(). Sets job->fail on failure. */
static void draw(plot_job *job)
{
    char title[TEXT_CAP], xlab[TEXT_CAP], ylab[TEXT_CAP];
    PLINT strm = -1;

    plgstrm(&job->prev_stream);
    plmkstrm(&strm);
    if (strm < 0) {
        snprintf(job->fail, sizeof job->fail, "cannot create a PLplot stream");
        return;
    }
    /* plabort() on this stream now stores its message instead of printing it. */
    plot_errcode = 0;
    plot_errmsg[0] = '\0';
    plsError(&plot_errcode, plot_errmsg);
    if (!have_device(job->dev)) {
        job->fail_st = MT_EUNSUPPORTED;
        snprintf(job->fail, sizeof job->fail, "PLplot driver '%s' is not available%s%s", job->dev,
                 plot_errcode ? ": " : " (install the cairo driver)",
                 plot_errcode ? abort_text() : "");
        plend1();
        return;
    }
    plsdev(job->dev);
    plsfnam(job->path);
    plspage(0.0, 0.0, PAGE_W, PAGE_H, 0, 0);
    plscmap0n(N_COL);
    plscmap0(pal_r, pal_g, pal_b, N_COL);
    plinit();

    pladv(0);
    plschr(0.0, 1.0);
    plvpor(0.10, 0.71, 0.11, 0.87);
    plwind(job->xlo, job->xhi, job->ylo, job->yhi);

    plcol0(COL_GRID);
    plwidth(1.0);
    pllsty(1);
    plbox(job->log_x ? "gl" : "g", 0.0, 0, job->log_y ? "gl" : "g", 0.0, 0);
    plcol0(COL_FG);
    plbox(job->log_x ? "bcnstl" : "bcnst", 0.0, 0, job->log_y ? "bcnstvl" : "bcnstv", 0.0, 0);
    pl_text(title, sizeof title, job->title, TITLE_CHARS);
    pl_text(xlab, sizeof xlab, job->xlabel, TITLE_CHARS);
    pl_text(ylab, sizeof ylab, job->ylabel, TITLE_CHARS);
    pllab(xlab, ylab, title);

    if (job->sets) {
        draw_xy(job);
    } else {
        plwidth(2.0);
        for (size_t j = 0; j < job->n_series; j++) {
            plcol0(COL_SERIES + (PLINT)(j % N_SERIES_COL));
            pllsty(1 + (PLINT)((j / N_SERIES_COL) % N_STYLES));
            draw_series(job, j);
        }
    }
    pllsty(1);
    plwidth(1.0);
    plcol0(COL_FG);
    if (!job->any_finite)
        plptex(0.5, 0.5, 1.0, 0.0, 0.5, "no finite data");
    if (job->sets)
        draw_xy_legend(job);
    else
        draw_legend(job);

    plend1();
}

/* Runs draw() under the plexit() handler's longjmp target. Returns 0, or -1
 * if PLplot hit a fatal error (message in plot_fatal). */
static int plot_protected(plot_job *job)
{
    if (setjmp(plot_jmp))
        return -1;
    draw(job);
    return 0;
}

static mt_status plot_run(mt_ctx *ctx, plot_job *job)
{
    pthread_mutex_lock(&plot_lock);
    plot_fatal[0] = '\0';
    plot_errcode = 0;
    plot_errmsg[0] = '\0';
    job->prev_stream = -1;
    plsexit(on_plexit);
    /* After a fatal error our stream is in an unknown state: it is abandoned
     * (never plend1()ed, its slot never reused) rather than touched again. */
    int fatal = plot_protected(job);
    if (job->prev_stream >= 0)
        plsstrm(job->prev_stream);
    plsexit(NULL);
    char fatal_msg[sizeof plot_fatal], abort_msg[256];
    memcpy(fatal_msg, plot_fatal, sizeof fatal_msg);
    snprintf(abort_msg, sizeof abort_msg, "%s", plot_errcode ? abort_text() : "");
    pthread_mutex_unlock(&plot_lock);

    if (fatal)
        return mt_error(ctx, MT_EIO, "plot: PLplot failed writing '%s': %s", job->path, fatal_msg);
    if (job->fail[0])
        return mt_error(ctx, job->fail_st ? job->fail_st : MT_EIO, "plot: %s", job->fail);
    if (abort_msg[0])
        return mt_error(ctx, MT_EIO, "plot: PLplot error writing '%s': %s", job->path, abort_msg);
    return MT_OK;
}

#endif /* MT_HAVE_PLPLOT */

mt_status mt_plot_lines(mt_ctx *ctx, const char *path, const char *title, const char *xlabel,
                        const char *ylabel, size_t n_points, const double *x, size_t n_series,
                        const double *y, const char *const *names)
{
    if (!path || !*path)
        return mt_error(ctx, MT_EINVAL, "plot: no output path");
    if (n_points == 0)
        return mt_error(ctx, MT_EINVAL, "plot: no data points");
    if (n_series == 0)
        return mt_error(ctx, MT_EINVAL, "plot: no series");
    if (!x || !y)
        return mt_error(ctx, MT_EINVAL, "plot: NULL data array");
    if (n_series > SIZE_MAX / n_points)
        return mt_error(ctx, MT_EINVAL, "plot: %zu points x %zu series overflows", n_points,
                        n_series);
    if (n_points > INT_MAX)
        return mt_error(ctx, MT_ELIMIT, "plot: too many points (%zu > %d)", n_points, INT_MAX);

    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    const char *dev = NULL;
    if (dot && ext_eq(dot, ".png"))
        dev = "pngcairo";
    else if (dot && ext_eq(dot, ".svg"))
        dev = "svgcairo";
    if (!dev) {
        if (!dot)
            return mt_error(ctx, MT_EINVAL, "plot: '%s' has no file extension; use .png or .svg",
                            path);
        return mt_error(ctx, MT_EINVAL, "plot: unsupported file type '%s'; use .png or .svg", dot);
    }

#ifndef MT_HAVE_PLPLOT
    (void)title;
    (void)xlabel;
    (void)ylabel;
    (void)names;
    return mt_error(ctx, MT_EUNSUPPORTED, "plot: built without PLplot");
#else
    plot_job job = {.path = path,
                    .dev = dev,
                    .n_points = n_points,
                    .n_series = n_series,
                    .x = x,
                    .y = y,
                    .names = names,
                    .title = title,
                    .xlabel = xlabel,
                    .ylabel = ylabel};
    compute_ranges(&job);

    job.bx = mt_malloc(ctx, n_points * sizeof *job.bx);
    job.by = mt_malloc(ctx, n_points * sizeof *job.by);
    if (!job.bx || !job.by) {
        mt_free(ctx, job.bx);
        mt_free(ctx, job.by);
        return mt_error(ctx, MT_ENOMEM, "plot: out of memory for %zu points", n_points);
    }

    FILE *f = fopen(path, "wb");
    if (!f) {
        int e = errno;
        mt_free(ctx, job.bx);
        mt_free(ctx, job.by);
        return mt_error(ctx, MT_EIO, "plot: cannot write '%s': %s", path, strerror(e));
    }
    fclose(f);

    mt_status st = plot_run(ctx, &job);
    mt_free(ctx, job.bx);
    mt_free(ctx, job.by);

    if (st == MT_OK) {
        /* PLplot does not report write errors (e.g. a full disk). */
        f = fopen(path, "rb");
        long size = -1;
        if (f && fseek(f, 0, SEEK_END) == 0)
            size = ftell(f);
        if (f)
            fclose(f);
        if (size <= 0)
            st = mt_error(ctx, MT_EIO, "plot: '%s' is empty after writing", path);
    }
    if (st != MT_OK)
        remove(path);
    return st;
#endif
}

mt_status mt_plot_xy(mt_ctx *ctx, const char *path, const mt_plot_xy_options *o, size_t n_sets,
                     const mt_plot_points *sets, size_t n_curves, const mt_plot_curve *curves)
{
    if (!path || !*path)
        return mt_error(ctx, MT_EINVAL, "plot: no output path");
    if (!o)
        return mt_error(ctx, MT_EINVAL, "plot: no options");
    if (n_sets == 0 || !sets)
        return mt_error(ctx, MT_EINVAL, "plot: no point sets");
    if (n_curves && !curves)
        return mt_error(ctx, MT_EINVAL, "plot: NULL curve array");
    size_t most = 1;
    for (size_t k = 0; k < n_sets; k++) {
        if (sets[k].n && (!sets[k].x || !sets[k].y))
            return mt_error(ctx, MT_EINVAL, "plot: point set %zu has a NULL array", k + 1);
        if (sets[k].n > INT_MAX)
            return mt_error(ctx, MT_ELIMIT, "plot: too many points (%zu > %d)", sets[k].n, INT_MAX);
        if (sets[k].n > most)
            most = sets[k].n;
    }
    for (size_t c = 0; c < n_curves; c++)
        if (curves[c].n && (!curves[c].x || !curves[c].y))
            return mt_error(ctx, MT_EINVAL, "plot: curve %zu has a NULL array", c + 1);
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    const char *dev = NULL;
    if (dot && ext_eq(dot, ".png"))
        dev = "pngcairo";
    else if (dot && ext_eq(dot, ".svg"))
        dev = "svgcairo";
    if (!dev)
        return mt_error(ctx, MT_EINVAL, "plot: '%s': use a .png or .svg file name", path);
#ifndef MT_HAVE_PLPLOT
    (void)most;
    return mt_error(ctx, MT_EUNSUPPORTED, "plot: built without PLplot");
#else
    plot_job job = {.path = path,
                    .dev = dev,
                    .title = o->title,
                    .xlabel = o->xlabel,
                    .ylabel = o->ylabel,
                    .sets = sets,
                    .n_sets = n_sets,
                    .curves = curves,
                    .n_curves = n_curves,
                    .log_x = o->log_x != 0,
                    .log_y = o->log_y != 0};
    compute_xy_ranges(&job, o);
    FILE *f = fopen(path, "wb");
    if (!f) {
        int e = errno;
        return mt_error(ctx, MT_EIO, "plot: cannot write '%s': %s", path, strerror(e));
    }
    fclose(f);
    mt_status st = plot_run(ctx, &job);
    if (st == MT_OK) {
        f = fopen(path, "rb");
        long size = -1;
        if (f && fseek(f, 0, SEEK_END) == 0)
            size = ftell(f);
        if (f)
            fclose(f);
        if (size <= 0)
            st = mt_error(ctx, MT_EIO, "plot: '%s' is empty after writing", path);
    }
    if (st != MT_OK)
        remove(path);
    return st;
#endif
}
