/* SPDX-License-Identifier: Apache-2.0
 *
 * solve/lti.c — the exact solution of a linear time-invariant system y' = A y + b
 * (solve/lti.h) by eigendecomposition, A = V diag(lambda) V^-1 (LAPACK dgeev; V^-1 by the LU
 * factorisation zgetrf/zgetrs). In eigen-coordinates z = V^-1 y each mode is independent:
 *   z_i(t + h) = e^(lambda_i h) z_i(t) + c_i (e^(lambda_i h) - 1) / lambda_i,   c = V^-1 b
 * (c_i h when lambda_i = 0), so a uniform output grid costs one complex multiply-add per mode
 * and step, and y = Re(V z) only for the states the caller needs.
 * A defective or nearly defective A (eigenvectors close to dependent: reciprocal condition
 * number of V below 1e-9) is refused, so that the caller integrates numerically instead.
 */
#include "solve/lti.h"

#include <complex.h>
#include <math.h>
#include <string.h>

/* LAPACK (Fortran calling convention, column-major) */
extern void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda,
                   double *wr, double *wi, double *vl, const int *ldvl, double *vr, const int *ldvr,
                   double *work, const int *lwork, int *info);
extern void zgetrf_(const int *m, const int *n, double complex *a, const int *lda, int *ipiv,
                    int *info);
extern void zgetrs_(const char *trans, const int *n, const int *nrhs, const double complex *a,
                    const int *lda, const int *ipiv, double complex *b, const int *ldb, int *info);
extern void zgecon_(const char *norm, const int *n, const double complex *a, const int *lda,
                    const double *anorm, double *rcond, double complex *work, double *rwork,
                    int *info);

struct mt_lti {
    mt_ctx *ctx;
    size_t cap; /* n the buffers hold */
    int n;
    double *a, *wr, *wi, *vr, *work, *rwork;
    int lwork;
    double complex *v, *lu, *z, *c, *cwork;
    int *ipiv;
    int real; /* every eigenvalue real: the imaginary parts stay 0 */
    /* the stepping, in real arithmetic (no complex-multiply library calls in the loop):
     * z <- e z + gc per mode; V by state row for y = Re(V z) */
    double *zr, *zi, *er, *ei, *gr, *gi, *vre, *vim;
};

void mt_lti_destroy(mt_lti *w)
{
    if (!w)
        return;
    mt_free(w->ctx, w->a);
    mt_free(w->ctx, w->wr);
    mt_free(w->ctx, w->wi);
    mt_free(w->ctx, w->vr);
    mt_free(w->ctx, w->work);
    mt_free(w->ctx, w->rwork);
    mt_free(w->ctx, w->v);
    mt_free(w->ctx, w->lu);
    mt_free(w->ctx, w->z);
    mt_free(w->ctx, w->c);
    mt_free(w->ctx, w->zr);
    mt_free(w->ctx, w->zi);
    mt_free(w->ctx, w->er);
    mt_free(w->ctx, w->ei);
    mt_free(w->ctx, w->gr);
    mt_free(w->ctx, w->gi);
    mt_free(w->ctx, w->vre);
    mt_free(w->ctx, w->vim);
    mt_free(w->ctx, w->cwork);
    mt_free(w->ctx, w->ipiv);
    mt_free(w->ctx, w);
}

mt_status mt_lti_create(mt_ctx *ctx, size_t n, mt_lti **out)
{
    *out = NULL;
    if (n == 0 || n > MT_LTI_MAX)
        return mt_error(ctx, MT_EINVAL, "exact linear solution: %zu states (1 to %d)", n,
                        MT_LTI_MAX);
    mt_lti *w = mt_calloc(ctx, 1, sizeof *w);
    if (!w)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    w->ctx = ctx;
    w->cap = n;
    w->n = (int)n;
    w->lwork = (int)(8 * n + 64);
    w->a = mt_calloc(ctx, n * n, sizeof *w->a);
    w->wr = mt_calloc(ctx, n, sizeof *w->wr);
    w->wi = mt_calloc(ctx, n, sizeof *w->wi);
    w->vr = mt_calloc(ctx, n * n, sizeof *w->vr);
    w->work = mt_calloc(ctx, (size_t)w->lwork, sizeof *w->work);
    w->rwork = mt_calloc(ctx, 2 * n, sizeof *w->rwork);
    w->v = mt_calloc(ctx, n * n, sizeof *w->v);
    w->lu = mt_calloc(ctx, n * n, sizeof *w->lu);
    w->z = mt_calloc(ctx, n, sizeof *w->z);
    w->c = mt_calloc(ctx, n, sizeof *w->c);
    w->zr = mt_calloc(ctx, n, sizeof *w->zr);
    w->zi = mt_calloc(ctx, n, sizeof *w->zi);
    w->er = mt_calloc(ctx, n, sizeof *w->er);
    w->ei = mt_calloc(ctx, n, sizeof *w->ei);
    w->gr = mt_calloc(ctx, n, sizeof *w->gr);
    w->gi = mt_calloc(ctx, n, sizeof *w->gi);
    w->vre = mt_calloc(ctx, n * n, sizeof *w->vre);
    w->vim = mt_calloc(ctx, n * n, sizeof *w->vim);
    w->cwork = mt_calloc(ctx, 2 * n, sizeof *w->cwork);
    w->ipiv = mt_calloc(ctx, n, sizeof *w->ipiv);
    if (!w->a || !w->wr || !w->wi || !w->vr || !w->work || !w->rwork || !w->v || !w->lu || !w->z ||
        !w->c || !w->zr || !w->zi || !w->er || !w->ei || !w->gr || !w->gi || !w->vre || !w->vim ||
        !w->cwork || !w->ipiv) {
        mt_lti_destroy(w);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    *out = w;
    return MT_OK;
}

mt_status mt_lti_setup(mt_lti *w, const double *A, const double *y0, const double *b)
{
    const int n = w->n;
    /* column-major copy (dgeev overwrites it) */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            w->a[(size_t)j * n + i] = A[(size_t)i * n + j];
    int info = 0, ld = n;
    dgeev_("N", "V", &n, w->a, &ld, w->wr, w->wi, NULL, &ld, w->vr, &ld, w->work, &w->lwork, &info);
    if (info != 0)
        return mt_error(w->ctx, MT_EUNSUPPORTED, "eigendecomposition failed (dgeev info %d)", info);
    /* complex V from dgeev's packing: a conjugate pair occupies columns j (real part) and j+1
     * (imaginary part) */
    for (int j = 0; j < n; j++) {
        if (w->wi[j] != 0 && j + 1 < n) {
            for (int i = 0; i < n; i++) {
                double re = w->vr[(size_t)j * n + i], im = w->vr[(size_t)(j + 1) * n + i];
                w->v[(size_t)j * n + i] = re + I * im;
                w->v[(size_t)(j + 1) * n + i] = re - I * im;
            }
            j++;
        } else {
            for (int i = 0; i < n; i++)
                w->v[(size_t)j * n + i] = w->vr[(size_t)j * n + i];
        }
    }
    memcpy(w->lu, w->v, (size_t)n * n * sizeof *w->lu);
    double anorm = 0;
    for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += cabs(w->v[(size_t)j * n + i]);
        if (s > anorm)
            anorm = s;
    }
    zgetrf_(&n, &n, w->lu, &ld, w->ipiv, &info);
    if (info != 0)
        return mt_error(w->ctx, MT_EUNSUPPORTED, "eigenvectors are dependent (defective matrix)");
    double rcond = 0;
    zgecon_("1", &n, w->lu, &ld, &anorm, &rcond, w->cwork, w->rwork, &info);
    if (info != 0 || !(rcond >= 1e-9))
        return mt_error(w->ctx, MT_EUNSUPPORTED,
                        "eigenvectors are nearly dependent (reciprocal condition %g)", rcond);
    for (int i = 0; i < n; i++) {
        w->z[i] = y0[i];
        w->c[i] = b[i];
    }
    int one = 1;
    zgetrs_("N", &n, &one, w->lu, &ld, w->ipiv, w->z, &ld, &info);
    if (info == 0)
        zgetrs_("N", &n, &one, w->lu, &ld, w->ipiv, w->c, &ld, &info);
    if (info != 0)
        return mt_error(w->ctx, MT_EUNSUPPORTED, "eigenvector solve failed (info %d)", info);
    w->real = 1;
    for (int i = 0; i < n; i++) {
        w->real &= w->wi[i] == 0;
        w->zr[i] = creal(w->z[i]);
        w->zi[i] = cimag(w->z[i]);
        for (int k = 0; k < n; k++) {
            w->vre[(size_t)i * n + k] = creal(w->v[(size_t)k * n + i]);
            w->vim[(size_t)i * n + k] = cimag(w->v[(size_t)k * n + i]);
        }
    }
    return MT_OK;
}

mt_status mt_lti_restart(mt_lti *w, const double *y0, const double *b)
{
    const int n = w->n, ld = n, one = 1;
    int info = 0;
    for (int i = 0; i < n; i++) {
        w->z[i] = y0[i];
        w->c[i] = b[i];
    }
    zgetrs_("N", &n, &one, w->lu, &ld, w->ipiv, w->z, &ld, &info);
    if (info == 0)
        zgetrs_("N", &n, &one, w->lu, &ld, w->ipiv, w->c, &ld, &info);
    if (info != 0)
        return mt_error(w->ctx, MT_EUNSUPPORTED, "eigenvector solve failed (info %d)", info);
    for (int i = 0; i < n; i++) {
        w->zr[i] = creal(w->z[i]);
        w->zi[i] = cimag(w->z[i]);
    }
    return MT_OK;
}

/* (e^x - 1) for complex x, accurate near 0 */
static double complex cexpm1(double complex x)
{
    double re = creal(x), im = cimag(x);
    double em1 = expm1(re), s = sin(0.5 * im);
    return (em1 * cos(im) - 2 * s * s) + I * (exp(re) * sin(im));
}

void mt_lti_step_prepare(mt_lti *w, double h)
{
    for (int i = 0; i < w->n; i++) {
        double complex l = w->wr[i] + I * w->wi[i];
        double complex lh = l * h;
        double complex e = cexp(lh);
        /* (e^(l h) - 1) / l, = h in the limit l -> 0; times c_i */
        double complex g = (cabs(lh) < 1e-300 ? h : cexpm1(lh) / l) * w->c[i];
        w->er[i] = creal(e);
        w->ei[i] = cimag(e);
        w->gr[i] = creal(g);
        w->gi[i] = cimag(g);
    }
}

void mt_lti_advance(mt_lti *w)
{
    const int n = w->n;
    double *restrict zr = w->zr, *restrict zi = w->zi;
    const double *restrict er = w->er, *restrict ei = w->ei, *restrict gr = w->gr,
                           *restrict gi = w->gi;
    if (w->real) {
        for (int i = 0; i < n; i++)
            zr[i] = er[i] * zr[i] + gr[i];
        return;
    }
    for (int i = 0; i < n; i++) {
        double a = zr[i], b = zi[i];
        zr[i] = er[i] * a - ei[i] * b + gr[i];
        zi[i] = er[i] * b + ei[i] * a + gi[i];
    }
}

double mt_lti_state(const mt_lti *w, size_t row)
{
    const int n = w->n;
    const double *vr = w->vre + row * (size_t)n, *vi = w->vim + row * (size_t)n;
    double y = 0;
    if (w->real) {
        for (int k = 0; k < n; k++)
            y += vr[k] * w->zr[k];
        return y;
    }
    for (int k = 0; k < n; k++)
        y += vr[k] * w->zr[k] - vi[k] * w->zi[k];
    return y;
}
