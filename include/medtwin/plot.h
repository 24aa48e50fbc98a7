/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/plot.h — line plots of time courses (PLplot, cairo driver) to PNG
 * or SVG, chosen by the file extension.
 */
#ifndef MEDTWIN_PLOT_H
#define MEDTWIN_PLOT_H

#include "error.h"

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

#ifdef __cplusplus
}
#endif
#endif
