/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/plot.h — line plots of time courses, and x-y plots of point sets
 * with reference curves (observed vs predicted, fold-error lines), through
 * PLplot's cairo driver to PNG or SVG, chosen by the file extension.
 */
#ifndef MEDTWIN_PLOT_H
#define MEDTWIN_PLOT_H

#include "error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a plot of n_series curves sharing the x values x[0..n_points-1].
 * y is row-major n_points x n_series (y[i*n_series + j] is series j at
 * point i), names[j] labels series j in the legend. path ends in .png or
 * .svg (MT_EINVAL otherwise). Non-finite values are skipped. */
MT_NODISCARD mt_status mt_plot_lines(mt_ctx *ctx, const char *path, const char *title,
                                     const char *xlabel, const char *ylabel, size_t n_points,
                                     const double *x, size_t n_series, const double *y,
                                     const char *const *names);

/* A set of points drawn with one marker (legend: name). */
typedef struct {
    const char *name;
    size_t n;
    const double *x, *y;
} mt_plot_points;

/* A reference curve (legend: name; NULL or "" leaves it out of the legend). style: 0 solid,
 * 1 dashed, 2 dotted. */
typedef struct {
    const char *name;
    size_t n;
    const double *x, *y;
    int style;
} mt_plot_curve;

typedef struct {
    const char *title, *xlabel, *ylabel;
    int log_x, log_y; /* logarithmic axes (non-positive values are skipped) */
    int same_range;   /* x and y share one range (observed vs predicted plots) */
    double cover_lo;  /* when cover_hi > cover_lo (> 0 on a log axis): both axes cover at */
    double cover_hi;  /* least [cover_lo, cover_hi], with or without points */
    int fit_curves;   /* the ranges cover the curves too (a predicted curve over observations) */
} mt_plot_xy_options;

/* Writes an x-y plot: n_sets point sets (markers, one colour each) over n_curves reference
 * curves (black; clipped to the range of the points unless o->fit_curves). The axis ranges come
 * from the finite points (positive ones on a log axis); with none the file still has axes and the
 * note "no finite data". path ends in .png or .svg. Errors as mt_plot_lines (MT_EINVAL for bad
 * arguments, MT_EIO/MT_EUNSUPPORTED from PLplot; no file is left behind on failure). */
MT_NODISCARD mt_status mt_plot_xy(mt_ctx *ctx, const char *path, const mt_plot_xy_options *o,
                                  size_t n_sets, const mt_plot_points *sets, size_t n_curves,
                                  const mt_plot_curve *curves);

#ifdef __cplusplus
}
#endif
#endif
