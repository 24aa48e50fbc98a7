/* SPDX-License-Identifier: Apache-2.0
 *
 * twin/pbpk.c — the whole-body PBPK builder (see medtwin/pbpk.h for the
 * structure and the parameter ids).
 *
 * The model is written straight into the IR (model/ir.h): parameters are
 * slots whose initial value is NaN until a twin sets them, so one compiled
 * program serves every twin of a regimen. Doses are events: a bolus or oral
 * dose at time t is an event with trigger `time >= t` (fired at the start
 * time too) that adds the amount; an infusion adds a constant rate between
 * its start and end, and two events without assignments at those times
 * make the solver stop and restart exactly at the discontinuities.
 * Cost: O(drugs x (organs + doses)) slots and expressions.
 *
 * Interactions (mt_pbpk_build_ddi, docs/interactions.md) — and the Michaelis-Menten saturation of
 * a drug's own pathways, which enters the same activities as a competitive term with Ki = Km —
 * add, after every drug is built, the perpetrators' unbound liver concentrations I_<p>
 * (rules), one relative-enzyme state E_<e> per enzyme with inactivation or
 * induction, the enzyme activities act_<e> (rules) and, for each victim
 * with a pathway on a targeted enzyme, the rule CL_H_eff_<d> that replaces
 * CL_H_<d> in its liver elimination. A victim without such a pathway keeps
 * the very expression of mt_pbpk_build, so a regimen without interactions
 * gives the same model, bit for bit. Cost: O(pathways + interactions x
 * enzymes) more slots and expressions.
 *
 * Metabolites (docs/metabolites.md): each formation (parent P, enzyme e or none, metabolite M)
 * adds fform x act x CL_H_P x C_out,liv,P x MW_M / MW_P (mg/h) to the derivative of M's liver
 * amount, act being the same activity of P's pathway on e that CL_H_eff_P uses (1 when no
 * interaction changes it). Only terms are added: a regimen without formations gets the same
 * model as before, bit for bit. Cost: O(formations x interactions) more expressions.
 *
 * Mechanistic oral absorption (mt_pbpk_build_gi, docs/absorption.md): for a drug with
 * gi_transit, oral doses enter the stomach of a first-order transit chain (five small-intestine
 * segments, six large-intestine segments, the faeces); the small intestine's absorbed flux enters
 * the gut tissue times Fg, the rest a gut-wall sink; the large intestine's enters it whole.
 * Fourteen states and 24 parameters per such drug (thirteen states more per dose with a Weibull
 * formulation); other drugs are built as before.
 *
 * Gut-wall interactions (build_gut, docs/interactions.md): for a victim on the transit model with
 * an affected pathway, Fg becomes the rule Fg_eff_<d> of the perpetrators' enterocyte
 * concentrations Ig_<p> (rules) and gut-wall enzyme states Eg_<e>; without such a victim nothing
 * is added. Cost: O(pathways + interactions x enzymes) more slots and expressions.
 */
#include "medtwin/pbpk.h"
#include "model/ir.h"
#include "twin_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { LUNG, ART, VEN, ADI, BONE, BRAIN, GUT, HEART, KID, LIV, MUS, SKIN, SPL, REST, N_ORG };

static const char *const organ[N_ORG] = {"lung",  "art", "ven", "adi", "bone", "brain", "gut",
                                         "heart", "kid", "liv", "mus", "skin", "spl",   "rest"};

/* Organs fed by arterial blood and draining into venous blood. */
static const int systemic[] = {ADI, BONE, BRAIN, HEART, KID, MUS, SKIN, REST};
/* Organs draining into the liver (portal). */
static const int portal[] = {GUT, SPL};
/* Flow parameters, in cardiac-output order. */
static const char *const flows[] = {"adi", "bone", "brain", "gut", "heart", "kid",
                                    "ha",  "mus",  "skin",  "spl", "rest"};

size_t mt_pbpk_n_organs(void) { return N_ORG; }
const char *mt_pbpk_organ(size_t i) { return i < N_ORG ? organ[i] : NULL; }

typedef struct {
    mt_ctx *ctx;
    mt_model *m;
    int oom;
    int dup;          /* two parameters got the same id */
    char dup_id[256]; /* the first such id */
} bld;

static int param(bld *b, const char *fmt, const char *a, const char *d)
{
    char id[256];
    snprintf(id, sizeof id, fmt, a, d);
    if (mt_ir_find(b->m, id) >= 0) {
        if (!b->dup)
            snprintf(b->dup_id, sizeof b->dup_id, "%s", id);
        b->dup = b->oom = 1;
        return -1;
    }
    int s = mt_ir_add_sym(b->ctx, b->m, id, MT_SYM_PARAMETER, 1);
    if (s < 0) {
        b->oom = 1;
        return -1;
    }
    b->m->sym[s].constant = 1;
    b->m->sym[s].init = mt_expr_const(b->ctx, NAN);
    if (!b->m->sym[s].init)
        b->oom = 1;
    return s;
}

static int find(bld *b, const char *fmt, const char *a, const char *d)
{
    char id[256];
    snprintf(id, sizeof id, fmt, a, d);
    return mt_ir_find(b->m, id);
}

static mt_expr *sym(bld *b, int s) { return s >= 0 ? mt_expr_sym(b->ctx, s) : NULL; }
static mt_expr *num(bld *b, double v) { return mt_expr_const(b->ctx, v); }
static mt_expr *mul(bld *b, mt_expr *x, mt_expr *y) { return mt_expr_bin(b->ctx, MT_E_MUL, x, y); }
static mt_expr *dv(bld *b, mt_expr *x, mt_expr *y) { return mt_expr_bin(b->ctx, MT_E_DIV, x, y); }

/* Appends term (sign +1/-1) to the sum *acc. */
static void add(bld *b, mt_expr **acc, mt_expr *term, int sign)
{
    if (!term) {
        b->oom = 1;
        return;
    }
    if (sign < 0) {
        mt_expr *n = mt_expr_new(b->ctx, MT_E_NEG);
        if (!n || mt_expr_push(b->ctx, n, term) != 0) {
            mt_expr_free(b->ctx, n);
            b->oom = 1;
            return;
        }
        term = n;
    }
    if (!*acc && !(*acc = mt_expr_new(b->ctx, MT_E_ADD))) {
        mt_expr_free(b->ctx, term);
        b->oom = 1;
        return;
    }
    if (mt_expr_push(b->ctx, *acc, term) != 0)
        b->oom = 1;
}

/* Venous-equilibrium concentration leaving organ o: A / (V * Kp). */
static mt_expr *cout(bld *b, const int *A, int o, const int *V, const int *Kp)
{
    if (o == ART || o == VEN)
        return dv(b, sym(b, A[o]), sym(b, V[o]));
    return dv(b, sym(b, A[o]), mul(b, sym(b, V[o]), sym(b, Kp[o])));
}

static int valid_name(const char *s)
{
    if (!s || !*s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static int dose_event(bld *b, int target, const mt_dose *d, double amount_time, double amount,
                      int f_slot)
{
    mt_model *m = b->m;
    mt_ctx *ctx = b->ctx;
    mt_event *ev;
    if (m->n_event == m->cap_event) {
        size_t nc = m->cap_event ? m->cap_event * 2 : 8;
        mt_event *ne = mt_realloc(ctx, m->ev, nc * sizeof *ne);
        if (!ne)
            return -1;
        m->ev = ne;
        m->cap_event = nc;
    }
    ev = &m->ev[m->n_event];
    memset(ev, 0, sizeof *ev);
    m->n_event++;
    char id[64];
    snprintf(id, sizeof id, "dose_at_%g", amount_time);
    ev->id = mt_strdup(ctx, id);
    ev->trigger =
        mt_expr_bin(ctx, MT_E_GE, mt_expr_new(ctx, MT_E_TIME), mt_expr_const(ctx, amount_time));
    ev->initial_value = 0; /* a dose at the start time is given at the start */
    ev->persistent = 1;
    ev->use_trigger_values = 1;
    if (!ev->id || !ev->trigger)
        return -1;
    if (target < 0)
        return 0; /* a time marker only */
    (void)d;
    ev->asg = mt_calloc(ctx, 1, sizeof *ev->asg);
    if (!ev->asg)
        return -1;
    mt_expr *inc = mt_expr_const(ctx, amount);
    if (f_slot >= 0)
        inc = mul(b, inc, sym(b, f_slot));
    ev->asg[0].target = target;
    ev->asg[0].e = mt_expr_bin(ctx, MT_E_ADD, sym(b, target), inc);
    ev->n_asg = 1;
    return ev->asg[0].e ? 0 : -1;
}

/* Infusion rate term: amount/duration while t0 <= time < t0 + duration. */
static mt_expr *infusion(bld *b, const mt_dose *d)
{
    mt_ctx *ctx = b->ctx;
    mt_expr *cond = mt_expr_new(ctx, MT_E_AND);
    mt_expr *pw = mt_expr_new(ctx, MT_E_PIECEWISE);
    if (!cond || !pw ||
        mt_expr_push(ctx, cond,
                     mt_expr_bin(ctx, MT_E_GE, mt_expr_new(ctx, MT_E_TIME),
                                 mt_expr_const(ctx, d->time_h))) ||
        mt_expr_push(ctx, cond,
                     mt_expr_bin(ctx, MT_E_LT, mt_expr_new(ctx, MT_E_TIME),
                                 mt_expr_const(ctx, d->time_h + d->duration_h))) ||
        mt_expr_push(ctx, pw, mt_expr_const(ctx, d->amount_mg / d->duration_h)) ||
        mt_expr_push(ctx, pw, cond)) {
        mt_expr_free(ctx, pw);
        return NULL;
    }
    cond = NULL;
    if (mt_expr_push(ctx, pw, mt_expr_const(ctx, 0.0))) {
        mt_expr_free(ctx, pw);
        return NULL;
    }
    return pw;
}

static mt_status check_drugs(mt_ctx *ctx, size_t n, const mt_pbpk_drug *drugs)
{
    if (n == 0)
        return mt_error(ctx, MT_EINVAL, "pbpk: a regimen needs at least one drug");
    for (size_t i = 0; i < n; i++) {
        const mt_pbpk_drug *d = &drugs[i];
        if (!valid_name(d->name) || strlen(d->name) > 64)
            return mt_error(ctx, MT_EINVAL, "pbpk: drug name '%s' is not a valid identifier",
                            d->name ? d->name : "");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(drugs[j].name, d->name))
                return mt_error(ctx, MT_EINVAL, "pbpk: drug '%s' listed twice", d->name);
        if (d->liver_uptake && !d->cell_permeability)
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: %s: a liver uptake needs the cells it carries the drug into "
                            "(cell_permeability)",
                            d->name);
        if (d->efflux && !d->cell_permeability)
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: %s: an efflux needs the cells it carries the drug out of "
                            "(cell_permeability)",
                            d->name);
        for (size_t k = 0; k < d->n_doses; k++) {
            const mt_dose *x = &d->doses[k];
            if (!isfinite(x->time_h) || x->time_h < 0)
                return mt_error(ctx, MT_EINVAL, "pbpk: %s dose %zu: time %g h is not >= 0", d->name,
                                k + 1, x->time_h);
            if (!isfinite(x->amount_mg) || x->amount_mg < 0)
                return mt_error(ctx, MT_EINVAL, "pbpk: %s dose %zu: amount %g mg is not >= 0",
                                d->name, k + 1, x->amount_mg);
            if (x->route == MT_DOSE_IV_INFUSION &&
                (!isfinite(x->duration_h) || !(x->duration_h > 0)))
                return mt_error(ctx, MT_EINVAL,
                                "pbpk: %s dose %zu: infusion duration %g h is not > 0", d->name,
                                k + 1, x->duration_h);
            if (x->diss_t50_h != 0 &&
                (x->route != MT_DOSE_PO || !isfinite(x->diss_t50_h) || !(x->diss_t50_h > 0) ||
                 !isfinite(x->diss_shape) || !(x->diss_shape > 0) || !isfinite(x->diss_lag_h) ||
                 x->diss_lag_h < 0))
                return mt_error(ctx, MT_EINVAL,
                                "pbpk: %s dose %zu: a formulation needs an oral dose, a 50%% "
                                "dissolution time > 0, a shape > 0 and a lag >= 0 (got %g h, %g, "
                                "%g h)",
                                d->name, k + 1, x->diss_t50_h, x->diss_shape, x->diss_lag_h);
            if (x->route != MT_DOSE_PO && x->route != MT_DOSE_IV_BOLUS &&
                x->route != MT_DOSE_IV_INFUSION)
                return mt_error(ctx, MT_EINVAL, "pbpk: %s dose %zu: unknown route", d->name, k + 1);
        }
    }
    return MT_OK;
}

/* The lumen of the transit model (pbpk.h, docs/absorption.md): the stomach, five
 * small-intestine segments (N_SEG, the ones whose absorbed flux passes the enterocytes of the
 * Qgut model) and six large-intestine segments, in the order the drug moves. */
enum { N_SEG = 5, N_LI = 6, N_GUT = N_SEG + N_LI, N_LUM = 1 + N_GUT };
static const char *const seg[N_GUT] = {"duo", "jej1", "jej2", "ile1", "ile2", "cae",
                                       "asc", "tra",  "des",  "sig",  "rec"};
static const char *const lum[N_LUM] = {"sto", "duo", "jej1", "jej2", "ile1", "ile2",
                                       "cae", "asc", "tra",  "des",  "sig",  "rec"};

/* A parameter slot integrated as a state from 0. */
static int state0(bld *b, const char *fmt, const char *a, const char *d)
{
    int s = param(b, fmt, a, d);
    if (s < 0)
        return -1;
    b->m->sym[s].constant = 0;
    mt_expr_free(b->ctx, b->m->sym[s].init);
    b->m->sym[s].init = mt_expr_const(b->ctx, 0.0);
    if (!b->m->sym[s].init)
        b->oom = 1;
    return s;
}

/* The transit states of drug n (pbpk.h): the lumen (stomach, then the segments), the faeces, the
 * gut-wall metabolised amount, their derivatives in d[] in that order; the gut's gain (Fg J from
 * the small intestine, all of the large intestine's absorbed flux) is added to *dgut. */
typedef struct {
    int l[N_LUM], fec, gwm, am; /* l[0] the stomach, l[1 + k] segment k; am the enterocytes */
    int kge, kt[N_GUT], ka[N_GUT], fg;
    mt_expr *d[N_LUM + 3];
} gi_states;

static int derived(bld *b, const char *fmt, const char *a, const char *d);
static void add_rule(bld *b, int slot, mt_expr *e);

/* An efflux of drug n (pbpk.h, efflux): the rule J = V E c / (Kmef_<n> + c) with the maximal rate
 * vfmt % n and the activity efmt % n (1 until build_ddi makes it a rule), c the cells'
 * concentration (taken over); its slot, -1 on failure (b->oom). */
static int efflux_rule(bld *b, const char *jfmt, const char *vfmt, const char *efmt, const char *n,
                       mt_expr *c)
{
    int km = find(b, "Kmef_%s%s", n, ""); /* shared by the three sites */
    if (km < 0)
        km = param(b, "Kmef_%s%s", n, "");
    int v = param(b, vfmt, n, ""), e = param(b, efmt, n, "");
    int J = derived(b, jfmt, n, "");
    if (b->oom || v < 0 || km < 0 || e < 0 || J < 0 || !c) {
        mt_expr_free(b->ctx, c);
        b->oom = 1;
        return -1;
    }
    mt_expr_free(b->ctx, b->m->sym[e].init);
    if (!(b->m->sym[e].init = num(b, 1.0)))
        b->oom = 1;
    mt_expr *den = mt_expr_bin(b->ctx, MT_E_ADD, sym(b, km), mt_expr_clone(b->ctx, c));
    add_rule(b, J, dv(b, mul(b, mul(b, sym(b, v), sym(b, e)), c), den));
    return b->oom ? -1 : J;
}

/* The mucosa of drug n (pbpk.h, mucosa): the enterocyte state g->am fed by the small
 * intestine's absorbed flux j (taken over), its basolateral flux Jm_<n> into the gut tissue
 * (outflow concentration cgut, taken over) and the gut wall's metabolism at clg (CLg_<n>, or the
 * rule CLg_eff_<n> of gut-wall interactions) into the metabolised amount. */
static void mucosa_build(bld *b, const char *n, gi_states *g, mt_expr *j, mt_expr *cgut,
                         mt_expr **dgut, int clg, int efflux)
{
    mt_ctx *ctx = b->ctx;
    g->am = state0(b, "AM_%s%s", n, "");
    int psm = param(b, "PSm_%s%s", n, ""), vm = param(b, "VM_%s%s", n, "");
    int jm = derived(b, "Jm_%s%s", n, "");
    if (b->oom || g->am < 0 || psm < 0 || vm < 0 || jm < 0 || clg < 0) {
        mt_expr_free(ctx, j);
        mt_expr_free(ctx, cgut);
        b->oom = 1;
        return;
    }
    mt_expr *gap = mt_expr_bin(ctx, MT_E_SUB, dv(b, sym(b, g->am), sym(b, vm)), cgut);
    add_rule(b, jm, mul(b, sym(b, psm), gap));
    mt_expr *met = mul(b, sym(b, clg), dv(b, sym(b, g->am), sym(b, vm)));
    add(b, &g->d[N_LUM + 2], j, +1);
    add(b, &g->d[N_LUM + 2], sym(b, jm), -1);
    add(b, &g->d[N_LUM + 2], mt_expr_clone(ctx, met), -1);
    add(b, &g->d[N_LUM + 1], met, +1);
    add(b, dgut, sym(b, jm), +1);
    if (!efflux)
        return;
    /* the efflux back into the lumen, shared among the segments as the transporter is */
    int jg = efflux_rule(b, "Jgef_%s%s", "Vgef_%s%s", "Eef_gut_%s%s", n,
                         dv(b, sym(b, g->am), sym(b, vm)));
    if (jg < 0)
        return;
    add(b, &g->d[N_LUM + 2], sym(b, jg), -1);
    for (int k = 0; k < N_SEG; k++)
        add(b, &g->d[1 + k], mul(b, sym(b, param(b, "wef_%s_%s", seg[k], n)), sym(b, jg)), +1);
}

/* fge: the slot of Fg_eff_<n> (gut-wall interactions, a rule made by build_ddi) or -1 (Fg).
 * With the mucosa (cgut the gut's outflow concentration, taken over): clg the slot of CLg_eff_<n>
 * or -1 (CLg_<n>), and no Fg. */
static void gi_build(bld *b, const char *n, gi_states *g, mt_expr **dgut, int fge, mt_expr *cgut,
                     int clg, int efflux)
{
    mt_ctx *ctx = b->ctx;
    g->l[0] = state0(b, "A_sto_%s%s", n, "");
    g->fec = state0(b, "A_fec_%s%s", n, "");
    g->gwm = state0(b, "A_gwm_%s%s", n, "");
    g->kge = param(b, "kge_%s%s", n, "");
    g->fg = cgut ? -1 : param(b, "Fg_%s%s", n, "");
    g->am = -1;
    for (int k = 0; k < N_GUT; k++) {
        g->l[1 + k] = state0(b, "A_%s_%s", seg[k], n);
        g->kt[k] = param(b, "kt_%s_%s", seg[k], n);
        g->ka[k] = param(b, "ka_%s_%s", seg[k], n);
    }
    if (b->oom) {
        mt_expr_free(ctx, cgut);
        return;
    }
    /* stomach -> duodenum */
    mt_expr *ge = mul(b, sym(b, g->kge), sym(b, g->l[0]));
    add(b, &g->d[0], mt_expr_clone(ctx, ge), -1);
    add(b, &g->d[1], ge, +1);
    mt_expr *j = NULL;
    for (int k = 0; k < N_GUT; k++) {
        mt_expr *tr = mul(b, sym(b, g->kt[k]), sym(b, g->l[1 + k]));
        add(b, &g->d[1 + k], mt_expr_clone(ctx, tr), -1);
        add(b, &g->d[2 + k], tr, +1); /* the next segment; after the rectum the faeces */
        mt_expr *ab = mul(b, sym(b, g->ka[k]), sym(b, g->l[1 + k]));
        add(b, &g->d[1 + k], mt_expr_clone(ctx, ab), -1);
        if (k < N_SEG)
            add(b, &j, ab, +1);
        else /* the large intestine: no enterocyte metabolism (docs/absorption.md) */
            add(b, dgut, ab, +1);
    }
    if (cgut) {                                 /* the mucosa: the flux enters the enterocytes */
        int clg0 = param(b, "CLg_%s%s", n, ""); /* CLg_eff (clg) is a rule of it */
        mucosa_build(b, n, g, j, cgut, dgut, clg >= 0 ? clg : clg0, efflux);
        return;
    }
    /* small-intestinal flux: Fg J into the gut tissue, (1 - Fg) J metabolised in the gut wall */
    int fg = fge >= 0 ? fge : g->fg;
    mt_expr *one_m = mt_expr_bin(ctx, MT_E_SUB, num(b, 1.0), sym(b, fg));
    add(b, &g->d[N_LUM + 1], mul(b, one_m, mt_expr_clone(ctx, j)), +1);
    add(b, dgut, mul(b, sym(b, fg), j), +1);
}

/* The Weibull hazard of dose x (pbpk.h): ln2 b / T50^b (tau + eps)^(b - 1) for tau = time -
 * t_dose - lag >= 0, else 0; NULL when out of memory. */
static mt_expr *weibull_hazard(bld *b, const mt_dose *x)
{
    mt_ctx *ctx = b->ctx;
    double t50 = x->diss_t50_h, bw = x->diss_shape, lag = x->diss_lag_h > 0 ? x->diss_lag_h : 0;
    double t0 = x->time_h + lag, eps = 1e-9 * t50;
    mt_expr *tau = mt_expr_bin(ctx, MT_E_SUB, mt_expr_new(ctx, MT_E_TIME), num(b, t0 - eps));
    mt_expr *h = mul(
        b, num(b, log(2.0) * bw / pow(t50, bw)),
        mt_expr_bin(ctx, MT_E_POW, mt_expr_bin(ctx, MT_E_MAX, tau, num(b, eps)), num(b, bw - 1.0)));
    mt_expr *pw = mt_expr_new(ctx, MT_E_PIECEWISE);
    if (!h || !pw || mt_expr_push(ctx, pw, h)) {
        mt_expr_free(ctx, pw);
        return NULL;
    }
    if (mt_expr_push(ctx, pw, mt_expr_bin(ctx, MT_E_GE, mt_expr_new(ctx, MT_E_TIME), num(b, t0))) ||
        mt_expr_push(ctx, pw, num(b, 0.0))) {
        mt_expr_free(ctx, pw);
        return NULL;
    }
    return pw;
}

/* Dose k of drug n with a Weibull formulation (pbpk.h): the hazard as one rule hdis_<n>_<k>
 * (evaluated once per right-hand side, not once per segment), thirteen undissolved states (the
 * lumen, then the faeces) that move down the lumen like the dissolved drug and dissolve into g's
 * lumen states. */
static void formulation_build(bld *b, const char *n, size_t k, const mt_dose *x, gi_states *g)
{
    mt_ctx *ctx = b->ctx;
    char nk[96];
    snprintf(nk, sizeof nk, "%s_%zu", n, k);
    int u[N_LUM + 1]; /* the lumen, then the faeces (undissolved and excreted) */
    mt_expr *du[N_LUM + 1] = {0};
    for (int i = 0; i <= N_LUM; i++)
        u[i] = state0(b, "U_%s_%s", i < N_LUM ? lum[i] : "fec", nk);
    int h = derived(b, "hdis_%s%s", nk, "");
    if (!b->oom)
        add_rule(b, h, weibull_hazard(b, x));
    if (b->oom)
        goto fail;
    /* transit: stomach -> duodenum -> ... -> rectum -> faeces, at the dissolved drug's rates */
    for (int i = 0; i < N_LUM; i++) {
        int rate = i == 0 ? g->kge : g->kt[i - 1];
        mt_expr *tr = mul(b, sym(b, rate), sym(b, u[i]));
        add(b, &du[i], mt_expr_clone(ctx, tr), -1);
        add(b, &du[i + 1], tr, +1);
    }
    /* dissolution into the same place of the lumen (g->d[0] the stomach, d[1 + k] segment k) */
    for (int i = 0; i < N_LUM; i++) {
        mt_expr *dis = mul(b, sym(b, h), sym(b, u[i]));
        add(b, &du[i], mt_expr_clone(ctx, dis), -1);
        add(b, &g->d[i], dis, +1);
    }
    if (b->oom || dose_event(b, u[0], x, x->time_h, x->amount_mg, -1) ||
        (x->diss_lag_h > 0 && dose_event(b, -1, x, x->time_h + x->diss_lag_h, 0, -1)))
        goto fail;
    for (int i = 0; i <= N_LUM; i++) {
        if (mt_ir_add_state(ctx, b->m, u[i], du[i]) < 0)
            goto fail;
        du[i] = NULL;
        b->m->sym[u[i]].rate_rule = 1;
    }
    return;
fail:
    b->oom = 1;
    for (int i = 0; i <= N_LUM; i++)
        mt_expr_free(ctx, du[i]);
}

/* Specific binding of drug n (pbpk.h): per tissue organ a bound amount AB_<o>_<n> exchanging
 * with the organ's amount at the binding flux Jb_<o>_<n> = kon C_out (Bmax - AB) - koff AB, one
 * rule that both derivatives reference. */
static void binding_build(bld *b, const char *n, const int *A, const int *V, const int *Kp,
                          mt_expr **dA)
{
    mt_ctx *ctx = b->ctx;
    int kon = param(b, "kon_%s%s", n, ""), koff = param(b, "koff_%s%s", n, "");
    for (int o = 0; o < N_ORG && !b->oom; o++) {
        if (o == ART || o == VEN)
            continue;
        int AB = state0(b, "AB_%s_%s", organ[o], n), Bm = param(b, "Bmax_%s_%s", organ[o], n);
        int Jb = derived(b, "Jb_%s_%s", organ[o], n);
        if (b->oom || AB < 0 || Bm < 0 || Jb < 0 || kon < 0 || koff < 0) {
            b->oom = 1;
            return;
        }
        mt_expr *free_sites = mt_expr_bin(ctx, MT_E_SUB, sym(b, Bm), sym(b, AB));
        mt_expr *on = mul(b, mul(b, sym(b, kon), cout(b, A, o, V, Kp)), free_sites);
        add_rule(b, Jb, mt_expr_bin(ctx, MT_E_SUB, on, mul(b, sym(b, koff), sym(b, AB))));
        add(b, &dA[o], sym(b, Jb), -1);
        mt_expr *d = sym(b, Jb);
        if (b->oom || !d || mt_ir_add_state(ctx, b->m, AB, d) < 0) {
            mt_expr_free(ctx, d);
            b->oom = 1;
            return;
        }
        b->m->sym[AB].rate_rule = 1;
    }
}

/* Permeability-limited cells of drug n (pbpk.h, cell_permeability): per tissue organ the
 * parameter fe, the rules KpE = Kp fe (the outflow's Kp, into KpO) and KpI = Kp (1 - fe) and the
 * intracellular amount AC (a state from 0). */
static void cells_params(bld *b, const char *n, const int *Kp, int *KpO, int *KpI, int *AC)
{
    mt_ctx *ctx = b->ctx;
    for (int o = 0; o < N_ORG && !b->oom; o++) {
        if (o == ART || o == VEN)
            continue;
        int fe = param(b, "fe_%s_%s", organ[o], n);
        KpO[o] = derived(b, "KpE_%s_%s", organ[o], n);
        KpI[o] = derived(b, "KpI_%s_%s", organ[o], n);
        AC[o] = state0(b, "AC_%s_%s", organ[o], n);
        if (b->oom || fe < 0 || KpO[o] < 0 || KpI[o] < 0 || AC[o] < 0) {
            b->oom = 1;
            return;
        }
        add_rule(b, KpO[o], mul(b, sym(b, Kp[o]), sym(b, fe)));
        add_rule(b, KpI[o],
                 mul(b, sym(b, Kp[o]), mt_expr_bin(ctx, MT_E_SUB, num(b, 1.0), sym(b, fe))));
    }
}

/* The brain's exchange flow with the blood-brain barrier (pbpk.h): the rule
 * Qbbb_<n> = Q_brain PSbbb_<n> / (Q_brain + PSbbb_<n>), its slot (-1 on failure: b->oom). */
static int brain_barrier(bld *b, const char *n, int qbrain)
{
    int ps = param(b, "PSbbb_%s%s", n, ""), qe = derived(b, "Qbbb_%s%s", n, "");
    if (b->oom || ps < 0 || qe < 0) {
        b->oom = 1;
        return -1;
    }
    mt_expr *sum = mt_expr_bin(b->ctx, MT_E_ADD, sym(b, qbrain), sym(b, ps));
    add_rule(b, qe, dv(b, mul(b, sym(b, qbrain), sym(b, ps)), sum));
    return qe;
}

/* The active uptake into the liver cells (pbpk.h, liver_uptake): the rule
 * Jup_<n> = Vup_<n> c / (Kmup_<n> + c), c the liver's outflow concentration (taken over). */
static void liver_uptake(bld *b, const char *n, mt_expr *c, mt_expr **dA, mt_expr **dAC)
{
    int vup = param(b, "Vup_%s%s", n, ""), km = param(b, "Kmup_%s%s", n, "");
    int eu = param(b, "Eup_%s%s", n, ""), J = derived(b, "Jup_%s%s", n, "");
    if (b->oom || vup < 0 || km < 0 || eu < 0 || J < 0 || !c) {
        mt_expr_free(b->ctx, c);
        b->oom = 1;
        return;
    }
    /* the transporter's amount relative to baseline: 1, or its turnover state (build_ddi) */
    mt_expr_free(b->ctx, b->m->sym[eu].init);
    if (!(b->m->sym[eu].init = num(b, 1.0)))
        b->oom = 1;
    mt_expr *den = mt_expr_bin(b->ctx, MT_E_ADD, sym(b, km), mt_expr_clone(b->ctx, c));
    add_rule(b, J, dv(b, mul(b, mul(b, sym(b, vup), sym(b, eu)), c), den));
    add(b, dA, sym(b, J), -1);
    add(b, dAC, sym(b, J), +1);
}

/* The exchange Jc_<o>_<n> = PSc (A / (V KpE) - AC / (V KpI)) of every tissue organ, one rule
 * that the extracellular (dA) and intracellular (dAC) derivatives reference. */
static void cells_flux(bld *b, const char *n, const int *A, const int *AC, const int *V,
                       const int *KpO, const int *KpI, mt_expr **dA, mt_expr **dAC)
{
    mt_ctx *ctx = b->ctx;
    for (int o = 0; o < N_ORG && !b->oom; o++) {
        if (o == ART || o == VEN)
            continue;
        int ps = param(b, "PSc_%s_%s", organ[o], n), Jc = derived(b, "Jc_%s_%s", organ[o], n);
        if (b->oom || ps < 0 || Jc < 0) {
            b->oom = 1;
            return;
        }
        mt_expr *gap = mt_expr_bin(ctx, MT_E_SUB, cout(b, A, o, V, KpO), cout(b, AC, o, V, KpI));
        add_rule(b, Jc, mul(b, sym(b, ps), gap));
        add(b, &dA[o], sym(b, Jc), -1);
        add(b, &dAC[o], sym(b, Jc), +1);
    }
}

/* clh_eff: 1 if the drug's hepatic elimination uses CL_H_eff_<d> (a rule
 * made by build_ddi) instead of CL_H_<d>; fg_eff: with gi, 1 if its gut wall uses Fg_eff_<d>
 * instead of Fg_<d> (gut-wall interactions; saturation changes the liver only). */
static void build_drug(bld *b, const mt_pbpk_drug *d, const int *V, int QC, int Qliv, int clh_eff,
                       int fg_eff, int gi)
{
    mt_model *m = b->m;
    mt_ctx *ctx = b->ctx;
    const char *n = d->name;
    int A[N_ORG], Kp[N_ORG], Q[N_ORG];
    int KpO[N_ORG], KpI[N_ORG], AC[N_ORG]; /* outflow Kp; with cells: KpI and AC (else -1) */
    for (int o = 0; o < N_ORG; o++) {
        Kp[o] = (o == ART || o == VEN) ? -1 : param(b, "Kp_%s_%s", organ[o], n);
        KpO[o] = Kp[o];
        KpI[o] = AC[o] = -1;
        Q[o] =
            (o == LUNG || o == ART || o == VEN || o == LIV) ? -1 : find(b, "Q_%s%s", organ[o], "");
    }
    int Qha = find(b, "Q_ha%s%s", "", "");
    int CLH = param(b, "CL_H_%s%s", n, "");
    int CLR = param(b, "CL_R_%s%s", n, "");
    int ka = param(b, "ka_%s%s", n, "");
    int F = param(b, "F_%s%s", n, "");
    int BP = param(b, "BP_%s%s", n, "");
    int CLHe = CLH;
    if (clh_eff) {
        CLHe = param(b, "CL_H_eff_%s%s", n, "");
        if (CLHe >= 0)
            m->sym[CLHe].constant = 0;
    }
    /* amounts: species-like parameters integrated as states (rate rules) */
    for (int o = 0; o < N_ORG; o++) {
        A[o] = param(b, "A_%s_%s", organ[o], n);
        if (A[o] >= 0) {
            m->sym[A[o]].constant = 0;
            mt_expr_free(ctx, m->sym[A[o]].init);
            m->sym[A[o]].init = mt_expr_const(ctx, 0.0);
        }
    }
    int Adep = param(b, "A_depot_%s%s", n, "");
    if (Adep >= 0) {
        m->sym[Adep].constant = 0;
        mt_expr_free(ctx, m->sym[Adep].init);
        m->sym[Adep].init = mt_expr_const(ctx, 0.0);
    }
    gi_states g;
    memset(&g, 0, sizeof g);
    if (d->cell_permeability)
        cells_params(b, n, Kp, KpO, KpI, AC);
    if (b->oom)
        return;
    mt_expr *dA[N_ORG] = {0}, *dAC[N_ORG] = {0}, *ddep = NULL, *duri = NULL;
    int jk = -1; /* the kidney's efflux (pbpk.h, efflux) */
    /* oral absorption */
    mt_expr *absn = mul(b, sym(b, ka), sym(b, Adep));
    add(b, &ddep, mt_expr_clone(ctx, absn), -1);
    add(b, &dA[GUT], absn, +1);
    if (gi && d->mucosa) /* PK-Sim's mucosa; gut-wall interactions change CLg */
        gi_build(b, n, &g, &dA[GUT], -1, cout(b, A, GUT, V, KpO),
                 fg_eff ? derived(b, "CLg_eff_%s%s", n, "") : -1, d->efflux);
    else if (gi)
        gi_build(b, n, &g, &dA[GUT], fg_eff ? derived(b, "Fg_eff_%s%s", n, "") : -1, NULL, -1, 0);
    /* venous return to lung, pulmonary outflow to arterial blood */
    mt_expr *ven_out = mul(b, sym(b, QC), cout(b, A, VEN, V, KpO));
    add(b, &dA[VEN], mt_expr_clone(ctx, ven_out), -1);
    add(b, &dA[LUNG], ven_out, +1);
    mt_expr *lung_out = mul(b, sym(b, QC), cout(b, A, LUNG, V, KpO));
    add(b, &dA[LUNG], mt_expr_clone(ctx, lung_out), -1);
    add(b, &dA[ART], lung_out, +1);
    /* arterial supply */
    for (size_t i = 0; i < sizeof systemic / sizeof *systemic; i++) {
        int o = systemic[i], q = Q[o];
        if (o == BRAIN && d->cell_permeability) { /* the blood-brain barrier: pbpk.h */
            q = brain_barrier(b, n, Q[o]);
            mt_expr *by = mul(b, mt_expr_bin(ctx, MT_E_SUB, sym(b, Q[o]), sym(b, q)),
                              cout(b, A, ART, V, KpO));
            add(b, &dA[ART], mt_expr_clone(ctx, by), -1);
            add(b, &dA[VEN], by, +1);
        }
        mt_expr *in = mul(b, sym(b, q), cout(b, A, ART, V, KpO));
        add(b, &dA[ART], mt_expr_clone(ctx, in), -1);
        add(b, &dA[o], in, +1);
        mt_expr *out = mul(b, sym(b, q), cout(b, A, o, V, KpO));
        add(b, &dA[o], mt_expr_clone(ctx, out), -1);
        add(b, &dA[VEN], out, +1);
    }
    for (size_t i = 0; i < sizeof portal / sizeof *portal; i++) {
        int o = portal[i];
        mt_expr *in = mul(b, sym(b, Q[o]), cout(b, A, ART, V, KpO));
        add(b, &dA[ART], mt_expr_clone(ctx, in), -1);
        add(b, &dA[o], in, +1);
        mt_expr *out = mul(b, sym(b, Q[o]), cout(b, A, o, V, KpO));
        add(b, &dA[o], mt_expr_clone(ctx, out), -1);
        add(b, &dA[LIV], out, +1);
    }
    mt_expr *ha = mul(b, sym(b, Qha), cout(b, A, ART, V, KpO));
    add(b, &dA[ART], mt_expr_clone(ctx, ha), -1);
    add(b, &dA[LIV], ha, +1);
    mt_expr *liv_out = mul(b, sym(b, Qliv), cout(b, A, LIV, V, KpO));
    add(b, &dA[LIV], mt_expr_clone(ctx, liv_out), -1);
    add(b, &dA[VEN], liv_out, +1);
    if (d->cell_permeability) { /* hepatic elimination in the liver cells */
        add(b, &dAC[LIV], mul(b, sym(b, CLHe), cout(b, AC, LIV, V, KpI)), -1);
        cells_flux(b, n, A, AC, V, KpO, KpI, dA, dAC);
        if (d->liver_uptake)
            liver_uptake(b, n, cout(b, A, LIV, V, KpO), &dA[LIV], &dAC[LIV]);
        if (d->efflux) { /* into the bile (to the duodenum with the transit model), the urine */
            int jb = efflux_rule(b, "Jbil_%s%s", "Vbil_%s%s", "Eef_liv_%s%s", n,
                                 cout(b, AC, LIV, V, KpI));
            jk = efflux_rule(b, "Jkef_%s%s", "Vkef_%s%s", "Eef_kid_%s%s", n,
                             cout(b, AC, KID, V, KpI));
            add(b, &dAC[LIV], sym(b, jb), -1);
            add(b, &dAC[KID], sym(b, jk), -1);
            if (gi)
                add(b, &g.d[1], sym(b, jb), +1);
        }
    } else {
        add(b, &dA[LIV], mul(b, sym(b, CLHe), cout(b, A, LIV, V, KpO)), -1);
    }
    add(b, &dA[KID], mul(b, sym(b, CLR), cout(b, A, KID, V, KpO)), -1);
    int Auri = -1; /* with an efflux: the amount excreted unchanged in urine */
    if (d->efflux && d->cell_permeability) {
        Auri = state0(b, "A_uri_%s%s", n, "");
        add(b, &duri, mul(b, sym(b, CLR), cout(b, A, KID, V, KpO)), +1);
        add(b, &duri, sym(b, jk), +1);
    }
    if (d->specific_binding)
        binding_build(b, n, A, V, KpO, dA);
    /* doses */
    for (size_t k = 0; k < d->n_doses; k++) {
        const mt_dose *x = &d->doses[k];
        if (x->route == MT_DOSE_IV_INFUSION) {
            add(b, &dA[VEN], infusion(b, x), +1);
            if (dose_event(b, -1, x, x->time_h, 0, -1) ||
                dose_event(b, -1, x, x->time_h + x->duration_h, 0, -1))
                b->oom = 1;
        } else if (x->route == MT_DOSE_PO && gi && x->diss_t50_h > 0) {
            formulation_build(b, n, k, x, &g);
        } else if (x->route == MT_DOSE_PO && gi) {
            if (dose_event(b, g.l[0], x, x->time_h, x->amount_mg, -1))
                b->oom = 1;
        } else if (dose_event(b, x->route == MT_DOSE_PO ? Adep : A[VEN], x, x->time_h, x->amount_mg,
                              x->route == MT_DOSE_PO ? F : -1)) {
            b->oom = 1;
        }
    }
    if (b->oom)
        goto fail;
    for (int o = 0; o < N_ORG; o++) {
        if (mt_ir_add_state(ctx, m, A[o], dA[o]) < 0)
            goto fail;
        dA[o] = NULL;
        m->sym[A[o]].rate_rule = 1;
        if (AC[o] < 0)
            continue;
        if (mt_ir_add_state(ctx, m, AC[o], dAC[o]) < 0)
            goto fail;
        dAC[o] = NULL;
        m->sym[AC[o]].rate_rule = 1;
    }
    if (Auri >= 0) {
        if (mt_ir_add_state(ctx, m, Auri, duri) < 0)
            goto fail;
        duri = NULL;
        m->sym[Auri].rate_rule = 1;
    }
    if (mt_ir_add_state(ctx, m, Adep, ddep) < 0)
        goto fail;
    ddep = NULL;
    m->sym[Adep].rate_rule = 1;
    if (gi) {
        int gs[N_LUM + 3];
        for (int k = 0; k < N_LUM; k++)
            gs[k] = g.l[k];
        gs[N_LUM] = g.fec;
        gs[N_LUM + 1] = g.gwm;
        gs[N_LUM + 2] = g.am;
        for (int k = 0; k < N_LUM + 2 + (g.am >= 0); k++) {
            if (mt_ir_add_state(ctx, m, gs[k], g.d[k]) < 0)
                goto fail;
            g.d[k] = NULL;
            m->sym[gs[k]].rate_rule = 1;
        }
    }
    /* outputs */
    {
        int cv = param(b, "C_venous_%s%s", n, "");
        int cp = param(b, "C_plasma_%s%s", n, "");
        if (cv < 0 || cp < 0)
            goto fail;
        m->sym[cv].constant = m->sym[cp].constant = 0;
        if (mt_ir_add_rule(ctx, m, cv, dv(b, sym(b, A[VEN]), sym(b, V[VEN]))) < 0 ||
            mt_ir_add_rule(ctx, m, cp, dv(b, sym(b, cv), sym(b, BP))) < 0)
            goto fail;
        if (!m->rule[m->n_rule - 1].e || !m->rule[m->n_rule - 2].e)
            goto fail;
    }
    return;
fail:
    b->oom = 1;
    for (int o = 0; o < N_ORG; o++) {
        mt_expr_free(ctx, dA[o]);
        mt_expr_free(ctx, dAC[o]);
    }
    mt_expr_free(ctx, ddep);
    mt_expr_free(ctx, duri);
    for (int k = 0; k < N_LUM + 3; k++)
        mt_expr_free(ctx, g.d[k]);
}

static int valid_enzyme(const char *s)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
              (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return 0;
    return n <= 32;
}

static long drug_index(size_t n, const mt_pbpk_drug *drugs, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(drugs[i].name, name))
            return (long)i;
    return -1;
}

static int pathway_affected(const mt_pbpk_ddi *x, const char *d, const char *e);

static mt_status check_ddi(mt_ctx *ctx, size_t n, const mt_pbpk_drug *drugs, const mt_pbpk_ddi *x)
{
    if ((x->n_pathways && !x->pathways) || (x->n_interactions && !x->interactions))
        return mt_error(ctx, MT_EINVAL, "pbpk: interactions: NULL pathway or interaction list");
    for (size_t k = 0; k < x->n_pathways; k++) {
        const mt_pbpk_pathway *w = &x->pathways[k];
        if (drug_index(n, drugs, w->drug) < 0)
            return mt_error(ctx, MT_EINVAL, "pbpk: pathway %zu: drug '%s' is not in the regimen",
                            k + 1, w->drug ? w->drug : "(null)");
        if (!valid_enzyme(w->enzyme))
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: pathway %zu: enzyme '%s' is not a name of [A-Za-z0-9_] (at "
                            "most 32)",
                            k + 1, w->enzyme ? w->enzyme : "(null)");
        for (size_t j = 0; j < k; j++)
            if (!strcmp(x->pathways[j].drug, w->drug) && !strcmp(x->pathways[j].enzyme, w->enzyme))
                return mt_error(ctx, MT_EINVAL, "pbpk: pathway %s by %s listed twice", w->drug,
                                w->enzyme);
    }
    for (size_t k = 0; k < x->n_interactions; k++) {
        const mt_pbpk_interaction *v = &x->interactions[k];
        if (drug_index(n, drugs, v->perpetrator) < 0)
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: interaction %zu: perpetrator '%s' is not in the regimen", k + 1,
                            v->perpetrator ? v->perpetrator : "(null)");
        if (!valid_enzyme(v->enzyme))
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: interaction %zu: enzyme '%s' is not a name of [A-Za-z0-9_] (at "
                            "most 32)",
                            k + 1, v->enzyme ? v->enzyme : "(null)");
        if (v->mechanism != MT_DDI_REVERSIBLE && v->mechanism != MT_DDI_INACTIVATION &&
            v->mechanism != MT_DDI_INDUCTION && v->mechanism != MT_DDI_SATURATION)
            return mt_error(ctx, MT_EINVAL, "pbpk: interaction %zu: unknown mechanism", k + 1);
        for (size_t j = 0; j < k; j++)
            if (!strcmp(x->interactions[j].perpetrator, v->perpetrator) &&
                !strcmp(x->interactions[j].enzyme, v->enzyme) &&
                x->interactions[j].mechanism == v->mechanism)
                return mt_error(ctx, MT_EINVAL, "pbpk: interaction of %s on %s listed twice",
                                v->perpetrator, v->enzyme);
    }
    if (x->n_formations && !x->formations)
        return mt_error(ctx, MT_EINVAL, "pbpk: metabolites: NULL formation list");
    for (size_t k = 0; k < x->n_formations; k++) {
        const mt_pbpk_formation *f = &x->formations[k];
        if (drug_index(n, drugs, f->parent) < 0)
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: formation %zu: parent '%s' is not in the regimen", k + 1,
                            f->parent ? f->parent : "(null)");
        if (drug_index(n, drugs, f->metabolite) < 0)
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: formation %zu: metabolite '%s' is not in the regimen", k + 1,
                            f->metabolite ? f->metabolite : "(null)");
        if (!strcmp(f->parent, f->metabolite))
            return mt_error(ctx, MT_EINVAL, "pbpk: formation %zu: %s cannot form itself", k + 1,
                            f->parent);
        if (f->enzyme && !valid_enzyme(f->enzyme))
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: formation %zu: enzyme '%s' is not a name of [A-Za-z0-9_] (at "
                            "most 32)",
                            k + 1, f->enzyme);
        for (size_t j = 0; j < k; j++) {
            const mt_pbpk_formation *g = &x->formations[j];
            if (!strcmp(g->parent, f->parent) && !strcmp(g->metabolite, f->metabolite) &&
                (g->enzyme ? f->enzyme && !strcmp(g->enzyme, f->enzyme) : !f->enzyme))
                return mt_error(ctx, MT_EINVAL, "pbpk: formation of %s from %s by %s listed twice",
                                f->metabolite, f->parent, f->enzyme ? f->enzyme : "(no enzyme)");
        }
        /* an interaction on the formation's enzyme must also change the parent's clearance */
        if (f->enzyme && pathway_affected(x, f->parent, f->enzyme)) {
            int listed = 0;
            for (size_t j = 0; j < x->n_pathways; j++)
                listed |= !strcmp(x->pathways[j].drug, f->parent) &&
                          !strcmp(x->pathways[j].enzyme, f->enzyme);
            if (!listed)
                return mt_error(ctx, MT_EINVAL,
                                "pbpk: formation %zu: %s's pathway on %s is changed by an "
                                "interaction but not listed as a pathway (its clearance and the "
                                "formation would disagree)",
                                k + 1, f->parent, f->enzyme);
        }
    }
    return MT_OK;
}

int mt_pbpk_interaction_changes(const mt_pbpk_interaction *v, const char *d, int gut)
{
    if (v->mechanism == MT_DDI_REVERSIBLE)
        return strcmp(v->perpetrator, d) != 0;
    if (v->mechanism == MT_DDI_SATURATION) /* the liver, or the gut wall with the mucosa */
        return gut != 1 && !strcmp(v->perpetrator, d);
    return 1;
}

/* 1 if drug d's pathway on enzyme e is changed by an interaction of x (in the gut wall when gut):
 * mt_pbpk_interaction_changes of one on e. */
static int affected_at(const mt_pbpk_ddi *x, const char *d, const char *e, int gut)
{
    for (size_t k = 0; x && k < x->n_interactions; k++)
        if (!strcmp(x->interactions[k].enzyme, e) &&
            mt_pbpk_interaction_changes(&x->interactions[k], d, gut))
            return 1;
    return 0;
}

static int pathway_affected(const mt_pbpk_ddi *x, const char *d, const char *e)
{
    return affected_at(x, d, e, 0);
}

/* The gut-wall site of drug d for mt_pbpk_interaction_changes: 2 with the mucosa (its AM_<d>
 * exists: the enterocytes saturate), else 1 (the Qgut model: no saturation). */
static int gut_site(bld *b, const char *d) { return find(b, "AM_%s%s", d, "") >= 0 ? 2 : 1; }

/* In the gut wall. */
static int pathway_affected_gut(bld *b, const mt_pbpk_ddi *x, const char *d, const char *e)
{
    return affected_at(x, d, e, gut_site(b, d));
}

/* 1 if drug `name` has an affected pathway. */
static int affected(const mt_pbpk_ddi *x, const char *name, int gut)
{
    for (size_t k = 0; x && k < x->n_pathways; k++)
        if (!strcmp(x->pathways[k].drug, name) && affected_at(x, name, x->pathways[k].enzyme, gut))
            return 1;
    return 0;
}

/* 1 if enzyme e has an inactivation or induction (a turnover state). */
static int has_turnover(const mt_pbpk_ddi *x, const char *e)
{
    for (size_t k = 0; k < x->n_interactions; k++)
        if (!strcmp(x->interactions[k].enzyme, e) &&
            (x->interactions[k].mechanism == MT_DDI_INACTIVATION ||
             x->interactions[k].mechanism == MT_DDI_INDUCTION))
            return 1;
    return 0;
}
/* Whether drug d has an interaction that is a saturation of its own pathways (saturation 1) or
 * one that is not (saturation 0: a perpetrator proper). */
static int has_interaction(const mt_pbpk_ddi *x, const char *d, int saturation)
{
    for (size_t k = 0; k < x->n_interactions; k++)
        if (!strcmp(x->interactions[k].perpetrator, d) &&
            (x->interactions[k].mechanism == MT_DDI_SATURATION) == saturation)
            return 1;
    return 0;
}
static int acts_on_others(const mt_pbpk_ddi *x, const char *d) { return has_interaction(x, d, 0); }

static void add_rule(bld *b, int slot, mt_expr *e)
{
    if (slot < 0 || !e || mt_ir_add_rule(b->ctx, b->m, slot, e) < 0) {
        mt_expr_free(b->ctx, e);
        b->oom = 1;
        return;
    }
    b->m->sym[slot].constant = 0;
}

/* A slot computed by a rule or integrated as a state (not set by a twin). */
static int derived(bld *b, const char *fmt, const char *a, const char *d)
{
    int s = param(b, fmt, a, d);
    if (s >= 0)
        b->m->sym[s].constant = 0;
    return s;
}

/* The ids of the liver's and the gut wall's enzyme states and degradation rate constants. */
typedef struct {
    const char *state, *kdeg;
} site;
static const site liver = {"E_%s%s", "kdeg_%s%s"}, gutwall = {"Eg_%s%s", "kdeg_gut_%s%s"},
                  kidney = {"Ek_%s%s", "kdeg_%s%s"}; /* the kidney: the liver's kdeg (PK-Sim) */

/* The enzyme state E_e (Eg_e in the gut wall, with the gut-wall concentrations Iix):
 * dE/dt = kdeg (1 + sum Emax I/(EC50 + I)) - kdeg E - sum kinact I/(KI + I) E, E(0) = 1. */
static void enzyme_state(bld *b, const mt_pbpk_ddi *x, const char *e, const int *Iix, const int *c1,
                         const int *c2, const site *at)
{
    mt_ctx *ctx = b->ctx;
    mt_model *m = b->m;
    int kdeg = find(b, at->kdeg, e, ""); /* the kidney's is the liver's */
    if (kdeg < 0)
        kdeg = param(b, at->kdeg, e, "");
    int E = derived(b, at->state, e, "");
    if (E < 0 || kdeg < 0) {
        b->oom = 1;
        return;
    }
    mt_expr_free(ctx, m->sym[E].init);
    m->sym[E].init = num(b, 1.0);
    mt_expr *syn = NULL, *loss = NULL, *d = NULL;
    add(b, &syn, num(b, 1.0), +1);
    for (size_t j = 0; j < x->n_interactions; j++) {
        const mt_pbpk_interaction *v = &x->interactions[j];
        if (strcmp(v->enzyme, e) ||
            (v->mechanism != MT_DDI_INACTIVATION && v->mechanism != MT_DDI_INDUCTION))
            continue;
        /* c1 I / (c2 + I): Emax or kinact over EC50 or KI */
        mt_expr *h = dv(b, mul(b, sym(b, c1[j]), sym(b, Iix[j])),
                        mt_expr_bin(ctx, MT_E_ADD, sym(b, c2[j]), sym(b, Iix[j])));
        add(b, v->mechanism == MT_DDI_INDUCTION ? &syn : &loss, h, +1);
    }
    add(b, &d, mul(b, sym(b, kdeg), syn), +1);
    add(b, &d, mul(b, sym(b, kdeg), sym(b, E)), -1);
    if (loss)
        add(b, &d, mul(b, loss, sym(b, E)), -1);
    if (b->oom || !m->sym[E].init || !d || mt_ir_add_state(ctx, m, E, d) < 0) {
        mt_expr_free(ctx, d);
        b->oom = 1;
        return;
    }
    m->sym[E].rate_rule = 1;
}

/* The current activity of drug d's pathway on enzyme e: E_e (or 1) / (1 + sum over reversible
 * inhibitors p != d of I_p / Ki_p,e [+ I_d / Km_d,e, its own saturation, in the liver]); 1 for an
 * unaffected pathway or e NULL. */
static mt_expr *activity(bld *b, const mt_pbpk_ddi *x, const char *d, const char *e, const int *Iix,
                         const int *c1, const site *at)
{
    const int gut = at == &gutwall ? gut_site(b, d) : 0;
    if (!e || !affected_at(x, d, e, gut))
        return num(b, 1.0);
    mt_expr *den = NULL;
    for (size_t j = 0; j < x->n_interactions; j++) {
        const mt_pbpk_interaction *v = &x->interactions[j];
        if (strcmp(v->enzyme, e) || !mt_pbpk_interaction_changes(v, d, gut) ||
            (v->mechanism != MT_DDI_REVERSIBLE && v->mechanism != MT_DDI_SATURATION))
            continue;
        if (!den)
            add(b, &den, num(b, 1.0), +1);
        add(b, &den, dv(b, sym(b, Iix[j]), sym(b, c1[j])), +1);
    }
    mt_expr *a = has_turnover(x, e) ? sym(b, find(b, at->state, e, "")) : num(b, 1.0);
    return den ? dv(b, a, den) : a;
}

/* MW_<d>: one parameter per drug, shared by its roles (perpetrator, parent, metabolite). */
static int mw_param(bld *b, const char *d)
{
    int s = find(b, "MW_%s%s", d, "");
    return s >= 0 ? s : param(b, "MW_%s%s", d, "");
}

/* The liver amount of drug d where its hepatic processes act, and the Kp of its concentration:
 * the cells' AC_liv and KpI_liv with permeability-limited cells, else A_liv and Kp_liv. */
static int liver_amount(bld *b, const char *d)
{
    int ac = find(b, "AC_liv_%s%s", d, "");
    return ac >= 0 ? ac : find(b, "A_liv_%s%s", d, "");
}

static int liver_kp(bld *b, const char *d)
{
    int k = find(b, "KpI_liv_%s%s", d, "");
    return k >= 0 ? k : find(b, "Kp_liv_%s%s", d, "");
}

/* Adds the formation term to the metabolite's liver amount (its cells' with cells). */
static void formation(bld *b, const mt_pbpk_ddi *x, const mt_pbpk_formation *f, const int *V,
                      const int *Iix, const int *c1)
{
    mt_model *m = b->m;
    char id[256];
    formation_id(id, sizeof id, "fform", f);
    int ff = param(b, "%s%s", id, "");
    int mwp = mw_param(b, f->parent), mwm = mw_param(b, f->metabolite);
    int A = liver_amount(b, f->parent), Kp = liver_kp(b, f->parent);
    int CLH = find(b, "CL_H_%s%s", f->parent, ""), AM = liver_amount(b, f->metabolite);
    if (b->oom || ff < 0 || mwp < 0 || mwm < 0 || A < 0 || Kp < 0 || CLH < 0 || AM < 0 ||
        m->sym[AM].state < 0) {
        b->oom = 1;
        return;
    }
    mt_expr *c = dv(b, sym(b, A), mul(b, sym(b, V[LIV]), sym(b, Kp)));
    mt_expr *r = mul(b, mul(b, sym(b, ff), activity(b, x, f->parent, f->enzyme, Iix, c1, &liver)),
                     mul(b, sym(b, CLH), c));
    r = mul(b, r, dv(b, sym(b, mwm), sym(b, mwp)));
    add(b, &m->state[m->sym[AM].state].deriv, r, +1);
}

/* The absorbed flux J_d = sum_s ka_<s>_<d> A_<s>_<d> of a drug on the transit model. */
static mt_expr *gi_flux(bld *b, const char *d)
{
    mt_expr *j = NULL;
    for (int k = 0; k < N_SEG; k++)
        add(b, &j,
            mul(b, sym(b, find(b, "ka_%s_%s", seg[k], d)), sym(b, find(b, "A_%s_%s", seg[k], d))),
            +1);
    return j;
}

/* 1 + sum_e fmg_<d>_<e> (actg_de - 1) over d's affected pathways: the gut-wall CLint of d
 * relative to baseline (the fmg parameters exist). */
static mt_expr *gut_factor(bld *b, const mt_pbpk_ddi *x, const char *d, const int *Igix,
                           const int *c1)
{
    mt_expr *f = NULL;
    add(b, &f, num(b, 1.0), +1);
    for (size_t k = 0; k < x->n_pathways; k++) {
        const mt_pbpk_pathway *w = &x->pathways[k];
        if (strcmp(w->drug, d) || !pathway_affected_gut(b, x, d, w->enzyme))
            continue;
        int fmg = find(b, "fmg_%s_%s", d, w->enzyme);
        add(b, &f, sym(b, fmg), -1);
        add(b, &f, mul(b, sym(b, fmg), activity(b, x, d, w->enzyme, Igix, c1, &gutwall)), +1);
    }
    return f;
}

/* Metabolite formation in the gut wall (docs/metabolites.md): of the parent's flux metabolised in
 * the gut wall, (1 - Fg_eff) J, the part through the formation's pathway, fformg x its current
 * activity / the gut factor, enters the metabolite's gut tissue in molar amounts. */
static void gut_formation(bld *b, const mt_pbpk_ddi *x, const mt_pbpk_formation *f, const int *Igix,
                          const int *c1, int mucosa)
{
    mt_model *m = b->m;
    mt_ctx *ctx = b->ctx;
    char id[256];
    formation_id(id, sizeof id, "fformg", f);
    int ff = param(b, "%s%s", id, "");
    int mwp = find(b, "MW_%s%s", f->parent, ""), mwm = find(b, "MW_%s%s", f->metabolite, "");
    int AM = find(b, "A_gut_%s%s", f->metabolite, "");
    if (mucosa) { /* fformg x the pathway's current activity x CLg x the enterocytes' C_M */
        int clg = find(b, "CLg_%s%s", f->parent, ""), am = find(b, "AM_%s%s", f->parent, ""),
            vm = find(b, "VM_%s%s", f->parent, "");
        if (b->oom || ff < 0 || mwp < 0 || mwm < 0 || AM < 0 || clg < 0 || am < 0 || vm < 0 ||
            m->sym[AM].state < 0) {
            b->oom = 1;
            return;
        }
        mt_expr *r = mul(b, mul(b, sym(b, ff), sym(b, clg)), dv(b, sym(b, am), sym(b, vm)));
        if (find(b, "CLg_eff_%s%s", f->parent, "") >= 0)
            r = mul(b, r, activity(b, x, f->parent, f->enzyme, Igix, c1, &gutwall));
        r = mul(b, r, dv(b, sym(b, mwm), sym(b, mwp)));
        add(b, &m->state[m->sym[AM].state].deriv, r, +1);
        return;
    }
    int fge = find(b, "Fg_eff_%s%s", f->parent, ""),
        fg = fge >= 0 ? fge : find(b, "Fg_%s%s", f->parent, "");
    if (b->oom || ff < 0 || mwp < 0 || mwm < 0 || AM < 0 || fg < 0 || m->sym[AM].state < 0) {
        b->oom = 1;
        return;
    }
    mt_expr *r = mul(b, mul(b, sym(b, ff), mt_expr_bin(ctx, MT_E_SUB, num(b, 1.0), sym(b, fg))),
                     gi_flux(b, f->parent));
    if (fge >= 0) /* the parent's gut wall is changed by an interaction */
        r = dv(b, mul(b, r, activity(b, x, f->parent, f->enzyme, Igix, c1, &gutwall)),
               gut_factor(b, x, f->parent, Igix, c1));
    r = mul(b, r, dv(b, sym(b, mwm), sym(b, mwp)));
    add(b, &m->state[m->sym[AM].state].deriv, r, +1);
}

/* 1 if drug d effluxes from its enterocytes (its Vgef_<d> exists: pbpk.h, efflux with the
 * mucosa) and an interaction on the transporter changes that. */
static int gut_efflux(bld *b, const mt_pbpk_ddi *x, const char *d)
{
    return find(b, "Vgef_%s%s", d, "") >= 0 && affected_at(x, d, MT_PBPK_EFFLUX_TRANSPORTER, 2);
}

static void efflux_activity(bld *b, const char *efmt, const char *d, mt_expr *act);

/* The gut wall (docs/interactions.md), for the drugs on the transit model (gi).
 * Interactions, for the victims with an affected pathway. Ig_<p>: the perpetrator's unbound
 * concentration in the enterocytes, a quasi-steady state of the Qgut model's well-stirred gut
 * wall fed by the perpetrator's absorbed flux J_p and by its unbound arterial concentration:
 *   Ig_p = Fg_p (J_p / Qgut_p + fu_p / BP_p A_art_p / V_art) 1000 / MW_p   (transit model)
 *   Ig_p = fu_p / BP_p A_art_p / V_art 1000 / MW_p                        (otherwise)
 * The gut-wall enzyme states Eg_<e> (kdeg_gut_<e>) and activities as in the liver; the victim's
 *   Fg_eff_d = Fg_d / (Fg_d + (1 - Fg_d) (1 + sum_e fmg_d_e (actg_de - 1))).
 * Formations whose parent is on the transit model: gut_formation. */
static void build_gut(bld *b, size_t n, const mt_pbpk_drug *drugs, const mt_pbpk_ddi *x,
                      const int *V, const int *gi, const int *I, const int *c1, const int *c2)
{
    mt_ctx *ctx = b->ctx;
    size_t ni = x->n_interactions, nw = x->n_pathways;
    int any = 0, any_form = 0;
    for (size_t k = 0; k < nw; k++)
        any |= gi[drug_index(n, drugs, x->pathways[k].drug)] &&
               pathway_affected_gut(b, x, x->pathways[k].drug, x->pathways[k].enzyme);
    for (size_t i = 0; i < n; i++) /* the enterocytes' efflux back into the lumen */
        any |= gut_efflux(b, x, drugs[i].name);
    for (size_t k = 0; k < x->n_formations; k++)
        any_form |= gi[drug_index(n, drugs, x->formations[k].parent)];
    if (!any && !any_form)
        return;
    int *Ig = mt_calloc(ctx, n + 1, sizeof *Ig), *Igix = mt_calloc(ctx, ni + 1, sizeof *Igix);
    if (!Ig || !Igix) {
        b->oom = 1;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        Ig[i] = -1;
    for (size_t i = 0; any && i < n; i++) {
        if (I[i] < 0 || !(acts_on_others(x, drugs[i].name) ||
                          (gi[i] && drugs[i].mucosa && has_interaction(x, drugs[i].name, 1))))
            continue; /* neither a perpetrator nor saturating its own enterocytes */
        const char *p = drugs[i].name;
        Ig[i] = derived(b, "Ig_%s%s", p, "");
        int A = find(b, "A_art_%s%s", p, ""), BP = find(b, "BP_%s%s", p, ""),
            fu = find(b, "fu_%s%s", p, ""), mw = find(b, "MW_%s%s", p, "");
        if (b->oom || A < 0 || BP < 0 || fu < 0 || mw < 0) {
            b->oom = 1;
            goto done;
        }
        mt_expr *c = mul(b, dv(b, sym(b, A), sym(b, V[ART])), dv(b, sym(b, fu), sym(b, BP)));
        if (gi[i] && drugs[i].mucosa) { /* the enterocytes' own unbound concentration */
            mt_expr_free(ctx, c);
            c = mul(b, dv(b, sym(b, find(b, "AM_%s%s", p, "")), sym(b, find(b, "VM_%s%s", p, ""))),
                    dv(b, sym(b, fu), sym(b, BP)));
        } else if (gi[i]) {
            int qg = param(b, "Qgut_%s%s", p, ""), fg = find(b, "Fg_%s%s", p, "");
            mt_expr *sum = NULL;
            add(b, &sum, dv(b, gi_flux(b, p), sym(b, qg)), +1);
            add(b, &sum, c, +1);
            c = mul(b, sym(b, fg), sum);
        }
        add_rule(b, Ig[i], dv(b, mul(b, c, num(b, 1000.0)), sym(b, mw)));
    }
    for (size_t k = 0; k < ni; k++)
        Igix[k] = Ig[drug_index(n, drugs, x->interactions[k].perpetrator)];
    /* one gut-wall state per enzyme with inactivation or induction and a gut-wall pathway */
    for (size_t k = 0; any && k < ni && !b->oom; k++) {
        const char *e = x->interactions[k].enzyme;
        size_t first = 0;
        while (strcmp(x->interactions[first].enzyme, e))
            first++;
        int on_e = 0;
        for (size_t w = 0; w < nw; w++)
            on_e |= !strcmp(x->pathways[w].enzyme, e) &&
                    gi[drug_index(n, drugs, x->pathways[w].drug)] &&
                    pathway_affected_gut(b, x, x->pathways[w].drug, e);
        for (size_t i = 0; i < n && !strcmp(e, MT_PBPK_EFFLUX_TRANSPORTER); i++)
            on_e |= gut_efflux(b, x, drugs[i].name);
        if (first == k && on_e && has_turnover(x, e))
            enzyme_state(b, x, e, Igix, c1, c2, &gutwall);
    }
    /* victims: Fg_eff from Fg and the gut-wall activities */
    for (size_t i = 0; any && i < n && !b->oom; i++) {
        const char *d = drugs[i].name;
        if (!gi[i] || !affected(x, d, gut_site(b, d)))
            continue;
        for (size_t k = 0; k < nw; k++)
            if (!strcmp(x->pathways[k].drug, d) &&
                pathway_affected_gut(b, x, d, x->pathways[k].enzyme))
                param(b, "fmg_%s_%s", d, x->pathways[k].enzyme);
        if (drugs[i].mucosa) { /* the mucosa: the gut wall's clearance itself */
            add_rule(b, find(b, "CLg_eff_%s%s", d, ""),
                     mul(b, sym(b, find(b, "CLg_%s%s", d, "")), gut_factor(b, x, d, Igix, c1)));
            continue;
        }
        int fg = find(b, "Fg_%s%s", d, "");
        mt_expr *den = NULL;
        add(b, &den, sym(b, fg), +1);
        add(b, &den,
            mul(b, mt_expr_bin(ctx, MT_E_SUB, num(b, 1.0), sym(b, fg)),
                gut_factor(b, x, d, Igix, c1)),
            +1);
        add_rule(b, find(b, "Fg_eff_%s%s", d, ""), dv(b, sym(b, fg), den));
    }
    for (size_t i = 0; i < n && !b->oom; i++) /* the enterocytes' efflux activities */
        if (gut_efflux(b, x, drugs[i].name))
            efflux_activity(
                b, "Eef_gut_%s%s", drugs[i].name,
                activity(b, x, drugs[i].name, MT_PBPK_EFFLUX_TRANSPORTER, Igix, c1, &gutwall));
    for (size_t k = 0; k < x->n_formations && !b->oom; k++)
        if (gi[drug_index(n, drugs, x->formations[k].parent)])
            gut_formation(b, x, &x->formations[k], Igix, c1,
                          drugs[drug_index(n, drugs, x->formations[k].parent)].mucosa);
done:
    mt_free(ctx, Ig);
    mt_free(ctx, Igix);
}

/* Makes the efflux activity efmt % d the rule act (pbpk.h, efflux), replacing its initial 1. */
static void efflux_activity(bld *b, const char *efmt, const char *d, mt_expr *act)
{
    int e = find(b, efmt, d, "");
    if (e < 0 || !act) {
        mt_expr_free(b->ctx, act);
        b->oom = 1;
        return;
    }
    mt_expr_free(b->ctx, b->m->sym[e].init);
    b->m->sym[e].init = NULL;
    add_rule(b, e, act);
}

/* The liver's and the kidney's efflux activities of the drugs with an efflux that an interaction
 * on the transporter changes (pbpk.h, efflux): the kidney's perpetrator concentrations Ik_<p>
 * and turnover state Ek_<t>, then the rules Eef_liv_<d> and Eef_kid_<d>. */
static void efflux_ddi(bld *b, size_t n, const mt_pbpk_drug *drugs, const mt_pbpk_ddi *x,
                       const int *V, const int *Iix, const int *c1, const int *c2)
{
    const char *t = MT_PBPK_EFFLUX_TRANSPORTER;
    size_t ni = x->n_interactions;
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= drugs[i].efflux && affected_at(x, drugs[i].name, t, 0);
    if (!any || b->oom)
        return;
    int *Ikix = mt_calloc(b->ctx, ni + 1, sizeof *Ikix);
    if (!Ikix) {
        b->oom = 1;
        return;
    }
    for (size_t k = 0; k < ni && !b->oom; k++) {
        const mt_pbpk_interaction *v = &x->interactions[k];
        Ikix[k] = -1;
        if (strcmp(v->enzyme, t))
            continue;
        const char *p = v->perpetrator;
        if ((Ikix[k] = find(b, "Ik_%s%s", p, "")) >= 0)
            continue; /* a second interaction of p on t */
        Ikix[k] = derived(b, "Ik_%s%s", p, "");
        int ac = find(b, "AC_kid_%s%s", p, ""), kpi = find(b, "KpI_kid_%s%s", p, "");
        int A = ac >= 0 ? ac : find(b, "A_kid_%s%s", p, "");
        int Kp = kpi >= 0 ? kpi : find(b, "Kp_kid_%s%s", p, "");
        int BP = find(b, "BP_%s%s", p, ""), fu = find(b, "fu_%s%s", p, ""), mw = mw_param(b, p);
        if (b->oom || Ikix[k] < 0 || A < 0 || Kp < 0 || BP < 0 || fu < 0 || mw < 0) {
            b->oom = 1;
            break;
        }
        mt_expr *c = dv(b, sym(b, A), mul(b, sym(b, V[KID]), sym(b, Kp)));
        c = mul(b, c, dv(b, sym(b, fu), sym(b, BP)));
        add_rule(b, Ikix[k], dv(b, mul(b, c, num(b, 1000.0)), sym(b, mw)));
    }
    if (!b->oom && has_turnover(x, t))
        enzyme_state(b, x, t, Ikix, c1, c2, &kidney);
    for (size_t i = 0; i < n && !b->oom; i++) {
        const char *d = drugs[i].name;
        if (!drugs[i].efflux || !affected_at(x, d, t, 0))
            continue;
        efflux_activity(b, "Eef_liv_%s%s", d, activity(b, x, d, t, Iix, c1, &liver));
        efflux_activity(b, "Eef_kid_%s%s", d, activity(b, x, d, t, Ikix, c1, &kidney));
    }
    mt_free(b->ctx, Ikix);
}

/* The perpetrators' concentrations, the enzyme states and the victims' effective clearances
 * (medtwin/pbpk.h, docs/interactions.md). */
static void build_ddi(bld *b, size_t n, const mt_pbpk_drug *drugs, const mt_pbpk_ddi *x,
                      const int *V, const int *gi)
{
    mt_ctx *ctx = b->ctx;
    size_t ni = x->n_interactions, nw = x->n_pathways;
    int *I = mt_calloc(ctx, n + 1, sizeof *I), *Iix = mt_calloc(ctx, ni + 1, sizeof *Iix);
    int *c1 = mt_calloc(ctx, ni + 1, sizeof *c1), *c2 = mt_calloc(ctx, ni + 1, sizeof *c2);
    int *fm = mt_calloc(ctx, nw + 1, sizeof *fm);
    if (!I || !Iix || !c1 || !c2 || !fm) {
        b->oom = 1;
        goto done;
    }
    for (size_t k = 0; k < nw; k++) /* an unaffected pathway changes nothing and has no fm */
        fm[k] = pathway_affected(x, x->pathways[k].drug, x->pathways[k].enzyme)
                    ? param(b, "fm_%s_%s", x->pathways[k].drug, x->pathways[k].enzyme)
                    : -1;
    /* perpetrators: I_p = A_liv_p / (V_liv Kp_liv_p) * fu_p / BP_p * 1000 / MW_p (umol/L) */
    for (size_t i = 0; i < n; i++) {
        I[i] = -1;
        int perp = 0;
        for (size_t k = 0; k < ni; k++)
            perp |= !strcmp(x->interactions[k].perpetrator, drugs[i].name);
        if (!perp)
            continue;
        const char *p = drugs[i].name;
        int mw = mw_param(b, p), fu = param(b, "fu_%s%s", p, "");
        I[i] = derived(b, "I_%s%s", p, "");
        int A = liver_amount(b, p), Kp = liver_kp(b, p), BP = find(b, "BP_%s%s", p, "");
        if (b->oom || A < 0 || Kp < 0 || BP < 0) {
            b->oom = 1;
            goto done;
        }
        mt_expr *c = dv(b, sym(b, A), mul(b, sym(b, V[LIV]), sym(b, Kp)));
        c = mul(b, c, dv(b, sym(b, fu), sym(b, BP)));
        c = dv(b, mul(b, c, num(b, 1000.0)), sym(b, mw));
        add_rule(b, I[i], c);
    }
    /* the constants of each interaction */
    for (size_t k = 0; k < ni; k++) {
        const mt_pbpk_interaction *v = &x->interactions[k];
        Iix[k] = I[drug_index(n, drugs, v->perpetrator)];
        c1[k] = c2[k] = -1;
        if (v->mechanism == MT_DDI_REVERSIBLE) {
            c1[k] = param(b, "Ki_%s_%s", v->perpetrator, v->enzyme);
        } else if (v->mechanism == MT_DDI_SATURATION) {
            c1[k] = param(b, "Km_%s_%s", v->perpetrator, v->enzyme);
        } else if (v->mechanism == MT_DDI_INACTIVATION) {
            c1[k] = param(b, "kinact_%s_%s", v->perpetrator, v->enzyme);
            c2[k] = param(b, "KI_%s_%s", v->perpetrator, v->enzyme);
        } else {
            c1[k] = param(b, "Emax_%s_%s", v->perpetrator, v->enzyme);
            c2[k] = param(b, "EC50_%s_%s", v->perpetrator, v->enzyme);
        }
    }
    /* one state per enzyme with inactivation or induction, at its first interaction */
    for (size_t k = 0; k < ni && !b->oom; k++) {
        const char *e = x->interactions[k].enzyme;
        size_t first = 0;
        while (strcmp(x->interactions[first].enzyme, e))
            first++;
        if (first == k && has_turnover(x, e))
            enzyme_state(b, x, e, Iix, c1, c2, &liver);
    }
    if (b->oom)
        goto done;
    /* the liver uptake follows its transporter's amount when an inducer or inactivator changes it
     * (pbpk.h, liver_uptake: OATP1B1) */
    int e_up = find(b, "E_%s%s", MT_PBPK_UPTAKE_TRANSPORTER, "");
    for (size_t i = 0; e_up >= 0 && i < n && !b->oom; i++) {
        int eu = find(b, "Eup_%s%s", drugs[i].name, "");
        if (eu < 0)
            continue;
        mt_expr_free(ctx, b->m->sym[eu].init);
        b->m->sym[eu].init = NULL;
        add_rule(b, eu, sym(b, e_up));
    }
    efflux_ddi(b, n, drugs, x, V, Iix, c1, c2);
    /* victims: CL_H_eff = CL_H (1 + sum (fm act - fm)) over affected pathways */
    for (size_t i = 0; i < n; i++) {
        const char *d = drugs[i].name;
        if (!affected(x, d, 0))
            continue;
        mt_expr *f = NULL;
        add(b, &f, num(b, 1.0), +1);
        for (size_t k = 0; k < nw; k++) {
            const mt_pbpk_pathway *w = &x->pathways[k];
            if (strcmp(w->drug, d) || fm[k] < 0)
                continue;
            add(b, &f, sym(b, fm[k]), -1);
            add(b, &f, mul(b, sym(b, fm[k]), activity(b, x, d, w->enzyme, Iix, c1, &liver)), +1);
        }
        add_rule(b, find(b, "CL_H_eff_%s%s", d, ""),
                 mul(b, sym(b, find(b, "CL_H_%s%s", d, "")), f));
    }
    /* metabolite formation: into M's liver, fform act CL_H_P C_out,liv,P MW_M / MW_P */
    for (size_t k = 0; k < x->n_formations && !b->oom; k++)
        formation(b, x, &x->formations[k], V, Iix, c1);
    if (!b->oom && gi)
        build_gut(b, n, drugs, x, V, gi, I, c1, c2);
done:
    mt_free(ctx, I);
    mt_free(ctx, Iix);
    mt_free(ctx, c1);
    mt_free(ctx, c2);
    mt_free(ctx, fm);
}

mt_status mt_pbpk_build(mt_ctx *ctx, size_t n_drugs, const mt_pbpk_drug *drugs, mt_model **out)
{
    return mt_pbpk_build_ddi(ctx, n_drugs, drugs, NULL, out);
}

mt_status mt_pbpk_build_ddi(mt_ctx *ctx, size_t n_drugs, const mt_pbpk_drug *drugs,
                            const mt_pbpk_ddi *ddi, mt_model **out)
{
    return mt_pbpk_build_gi(ctx, n_drugs, drugs, ddi, NULL, out);
}

mt_status mt_pbpk_build_gi(mt_ctx *ctx, size_t n_drugs, const mt_pbpk_drug *drugs,
                           const mt_pbpk_ddi *ddi, const int *gi_transit, mt_model **out)
{
    if (!out)
        return mt_error(ctx, MT_EINVAL, "pbpk: NULL out");
    *out = NULL;
    if (n_drugs && !drugs)
        return mt_error(ctx, MT_EINVAL, "pbpk: NULL drug list");
    mt_status st = check_drugs(ctx, n_drugs, drugs);
    if (st == MT_OK && ddi)
        st = check_ddi(ctx, n_drugs, drugs, ddi);
    for (size_t i = 0; i < n_drugs && st == MT_OK; i++)
        for (size_t k = 0; k < drugs[i].n_doses && !(gi_transit && gi_transit[i]) && st == MT_OK;
             k++)
            if (drugs[i].doses[k].diss_t50_h > 0)
                st = mt_error(ctx, MT_EINVAL,
                              "pbpk: %s dose %zu has a formulation, which needs the transit "
                              "model of the gut (docs/absorption.md); the drug is not on it",
                              drugs[i].name, k + 1);
    for (size_t i = 0; i < n_drugs && st == MT_OK; i++)
        if (drugs[i].mucosa && !(gi_transit && gi_transit[i]))
            st = mt_error(ctx, MT_EINVAL,
                          "pbpk: %s has the mucosa, which needs the transit model of the gut "
                          "(docs/absorption.md); the drug is not on it",
                          drugs[i].name);
    if (st != MT_OK)
        return st;
    if (ddi && ddi->n_interactions == 0 && ddi->n_pathways == 0 && ddi->n_formations == 0)
        ddi = NULL;
    bld b = {ctx, mt_ir_new(ctx), 0, 0, {0}};
    if (!b.m)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    b.m->id = mt_strdup(ctx, "pbpk");
    int V[N_ORG];
    for (int o = 0; o < N_ORG; o++)
        V[o] = param(&b, "V_%s%s", organ[o], "");
    mt_expr *qsum = mt_expr_new(ctx, MT_E_ADD);
    for (size_t i = 0; i < sizeof flows / sizeof *flows; i++) {
        int q = param(&b, "Q_%s%s", flows[i], "");
        if (!qsum || mt_expr_push(ctx, qsum, sym(&b, q)) != 0) {
            qsum = NULL;
            b.oom = 1;
        }
    }
    int QC = param(&b, "Q_C%s%s", "", "");
    int Qliv = param(&b, "Q_liv%s%s", "", "");
    if (!b.oom && QC >= 0 && Qliv >= 0) {
        b.m->sym[QC].constant = b.m->sym[Qliv].constant = 0;
        mt_expr *ql = mt_expr_new(ctx, MT_E_ADD);
        if (!ql || mt_expr_push(ctx, ql, sym(&b, find(&b, "Q_ha%s%s", "", ""))) ||
            mt_expr_push(ctx, ql, sym(&b, find(&b, "Q_gut%s%s", "", ""))) ||
            mt_expr_push(ctx, ql, sym(&b, find(&b, "Q_spl%s%s", "", ""))) ||
            mt_ir_add_rule(ctx, b.m, QC, qsum) < 0) {
            mt_expr_free(ctx, ql);
            mt_expr_free(ctx, qsum);
            b.oom = 1;
        } else if (mt_ir_add_rule(ctx, b.m, Qliv, ql) < 0) {
            mt_expr_free(ctx, ql);
            b.oom = 1;
        }
    } else {
        mt_expr_free(ctx, qsum);
        b.oom = 1;
    }
    for (size_t i = 0; i < n_drugs && !b.oom; i++)
        build_drug(&b, &drugs[i], V, QC, Qliv, affected(ddi, drugs[i].name, 0),
                   affected(ddi, drugs[i].name, drugs[i].mucosa ? 2 : 1),
                   gi_transit && gi_transit[i]);
    if (ddi && (ddi->n_interactions || ddi->n_formations) && !b.oom)
        build_ddi(&b, n_drugs, drugs, ddi, V, gi_transit);
    if (b.oom) {
        mt_model_destroy(b.m);
        if (b.dup)
            return mt_error(ctx, MT_EINVAL,
                            "pbpk: two parameters would be called '%s' (drug or enzyme names "
                            "collide)",
                            b.dup_id);
        return mt_error(ctx, MT_ENOMEM, "pbpk: out of memory building the model");
    }
    *out = b.m;
    return MT_OK;
}
