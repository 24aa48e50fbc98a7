/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/codegen.c — bytecode blocks -> C source (see compile/codegen.h).
 *
 * A block is straight-line stack code with forward jumps (piecewise, and/or chains). The depth
 * of the stack before every instruction is fixed at compile time, so stack slot k becomes the
 * local variable rk and every instruction one C statement over them; a jump becomes a goto to
 * the label of its target instruction. The C compiler then allocates registers and forwards
 * stores to loads, which is where the speed comes from; the arithmetic itself is unchanged
 * (compiled with -ffp-contract=off, no fast-math: see compile/native.c).
 */
#include "compile/codegen.h"
#include "model/expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    mt_ctx *ctx;
    char *s;
    size_t len, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        /* no pointer arithmetic on the empty (NULL) buffer: vsnprintf(NULL, 0) just counts */
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t nc = (b->cap + (size_t)n + 1) * 2;
        char *ns = mt_realloc(b->ctx, b->s, nc);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
}

/* A double as a C expression that reads back exactly. */
static void put_num(buf *b, double x)
{
    if (isnan(x))
        put(b, "NAN");
    else if (isinf(x))
        put(b, x > 0 ? "INFINITY" : "(-INFINITY)");
    else
        put(b, "(%a)", x);
}

/* mt_fn_eval (model/expr.c) of the function fn applied to register x, as C. */
static void put_fn(buf *b, int fn, int x)
{
    static const char *const direct[MT_FN__COUNT] = {[MT_FN_ABS] = "fabs",
                                                     [MT_FN_EXP] = "exp",
                                                     [MT_FN_LN] = "log",
                                                     [MT_FN_LOG10] = "log10",
                                                     [MT_FN_FLOOR] = "floor",
                                                     [MT_FN_CEIL] = "ceil",
                                                     [MT_FN_FACTORIAL] = "mt_factorial",
                                                     [MT_FN_SQRT] = "sqrt",
                                                     [MT_FN_SIN] = "sin",
                                                     [MT_FN_COS] = "cos",
                                                     [MT_FN_TAN] = "tan",
                                                     [MT_FN_SINH] = "sinh",
                                                     [MT_FN_COSH] = "cosh",
                                                     [MT_FN_TANH] = "tanh",
                                                     [MT_FN_ASIN] = "asin",
                                                     [MT_FN_ACOS] = "acos",
                                                     [MT_FN_ATAN] = "atan",
                                                     [MT_FN_ASINH] = "asinh",
                                                     [MT_FN_ACOSH] = "acosh",
                                                     [MT_FN_ATANH] = "atanh"};
    /* 1 / f(x) */
    static const char *const recip[MT_FN__COUNT] = {
        [MT_FN_SEC] = "cos",   [MT_FN_CSC] = "sin",   [MT_FN_COT] = "tan",
        [MT_FN_SECH] = "cosh", [MT_FN_CSCH] = "sinh", [MT_FN_COTH] = "tanh"};
    /* f(1 / x) */
    static const char *const of_recip[MT_FN__COUNT] = {
        [MT_FN_ASEC] = "acos",   [MT_FN_ACSC] = "asin",   [MT_FN_ACOT] = "atan",
        [MT_FN_ASECH] = "acosh", [MT_FN_ACSCH] = "asinh", [MT_FN_ACOTH] = "atanh"};
    if (fn >= 0 && fn < MT_FN__COUNT && direct[fn])
        put(b, "r%d = %s(r%d);\n", x, direct[fn], x);
    else if (fn >= 0 && fn < MT_FN__COUNT && recip[fn])
        put(b, "r%d = 1.0 / %s(r%d);\n", x, recip[fn], x);
    else if (fn >= 0 && fn < MT_FN__COUNT && of_recip[fn])
        put(b, "r%d = %s(1.0 / r%d);\n", x, of_recip[fn], x);
    else
        put(b, "r%d = NAN;\n", x);
}

/* Length of the block starting at code[start] (up to and including its END). */
static size_t block_len(const mt_program *p, size_t start)
{
    size_t i = start;
    while (i < p->n_code && p->code[i].op != MT_OP_END)
        i++;
    return i < p->n_code ? i - start + 1 : 0;
}

static const char *const binop[] = {
    [MT_OP_ADD] = "+", [MT_OP_SUB] = "-", [MT_OP_MUL] = "*", [MT_OP_DIV] = "/", [MT_OP_LT] = "<",
    [MT_OP_LE] = "<=", [MT_OP_GT] = ">",  [MT_OP_GE] = ">=", [MT_OP_EQ] = "==", [MT_OP_NE] = "!="};

/* Stack entries an instruction reads. */
static long reads(int op)
{
    switch ((mt_opcode)op) {
    case MT_OP_STORE:
    case MT_OP_OUT:
    case MT_OP_NEG:
    case MT_OP_FN:
    case MT_OP_NOT:
    case MT_OP_PM1:
    case MT_OP_JZ:
        return 1;
    case MT_OP_CONST:
    case MT_OP_LOAD:
    case MT_OP_TIME:
    case MT_OP_OVRSET:
    case MT_OP_OVRVAL:
    case MT_OP_LOADSTATES:
    case MT_OP_JMP:
    case MT_OP_END:
        return 0;
    default:
        return 2;
    }
}

#define ARGS                                                                                       \
    "double *restrict v, const double *restrict y, double *restrict out, double t, "               \
    "const unsigned char *os, const double *ov"

/* Opens part k of block name: a function of its own, not inlined, so that the C compiler's
 * time stays linear in the size of the model (its alias analysis is not, within one
 * function: 300 reactions in one function took 5 s at -O2, in parts 0.5 s). */
static void open_part(buf *b, const char *name, size_t k)
{
    put(b, "static MT_NOINLINE void mt_native_%s_%zu(" ARGS ")\n{\n", name, k);
    put(b, "(void)v; (void)y; (void)out; (void)t; (void)os; (void)ov;\n");
}
/* One block as the function mt_native_<name>, which calls its parts in order. present 0: an
 * empty body. */
static mt_status gen_block(buf *b, const mt_program *p, const char *name, int present, mt_block blk,
                           int is_static)
{
    size_t n = present ? block_len(p, blk.start) : 0;
    if (present && n == 0)
        return mt_error(b->ctx, MT_EINVAL, "native code: block '%s' has no end", name);
    int *label = n ? mt_calloc(b->ctx, n + 1, sizeof *label) : NULL; /* depth + 1; 0 none */
    if (n && !label) {
        b->oom = 1;
        return MT_ENOMEM;
    }
    size_t maxd = p->max_stack;
    size_t n_parts = 1, part_ins = 0, last_target = 0;
    open_part(b, name, 0);
    /* registers are declared where a part first pushes to their depth (before any read of
     * them: jumps go forward only), so a part declares only the depth it uses */
    long declared = 0;
    long d = 0; /* stack depth before the instruction; -1: not reachable by falling through */
    mt_status st = MT_OK;
    for (size_t i = 0; i < n && st == MT_OK; i++) {
        const mt_ins *in = &p->code[blk.start + i];
        /* a new part where the stack is empty and no jump crosses */
        if (d == 0 && !label[i] && last_target <= i && part_ins >= MT_CODEGEN_PART &&
            in->op != MT_OP_END) {
            put(b, "}\n\n");
            open_part(b, name, n_parts++);
            part_ins = 0;
            declared = 0;
        }
        part_ins++;
        if (label[i]) {
            if (d >= 0 && d != label[i] - 1) {
                st = mt_error(b->ctx, MT_EINVAL, "native code: inconsistent stack at %zu", i);
                break;
            }
            d = label[i] - 1;
            put(b, "L%zu:;\n", i);
        }
        if (d < 0)
            continue; /* dead code after a jump (none is emitted today) */
        int a = in->a;
        int slot_op = in->op == MT_OP_LOAD || in->op == MT_OP_STORE || in->op == MT_OP_OVRSET ||
                      in->op == MT_OP_OVRVAL;
        if ((slot_op && (a < 0 || (size_t)a >= p->n_slot)) || (in->op == MT_OP_OUT && a < 0)) {
            st = mt_error(b->ctx, MT_EINVAL, "native code: bad operand at %zu", i);
            break;
        }
        int push_op = in->op == MT_OP_CONST || in->op == MT_OP_LOAD || in->op == MT_OP_TIME ||
                      in->op == MT_OP_OVRSET || in->op == MT_OP_OVRVAL;
        if (push_op && d >= declared) {
            if ((size_t)d >= maxd) {
                st = mt_error(b->ctx, MT_EINVAL, "native code: stack out of range at %zu", i);
                break;
            }
            for (; declared <= d; declared++)
                put(b, "double r%ld;\n", declared);
        }
        long top = d - 1, nxt = d - 2; /* registers of the top two stack entries */
        int pops = 0, pushes = 0;
        switch ((mt_opcode)in->op) {
        case MT_OP_CONST:
            if (a < 0 || (size_t)a >= p->n_const) {
                st = mt_error(b->ctx, MT_EINVAL, "native code: bad constant %d", a);
                break;
            }
            put(b, "r%ld = ", d);
            put_num(b, p->consts[a]);
            put(b, ";\n");
            pushes = 1;
            break;
        case MT_OP_LOAD:
            put(b, "r%ld = v[%d];\n", d, a);
            pushes = 1;
            break;
        case MT_OP_TIME:
            put(b, "r%ld = t;\n", d);
            pushes = 1;
            break;
        case MT_OP_OVRSET:
            put(b, "r%ld = (os && os[%d]) ? 1.0 : 0.0;\n", d, a);
            pushes = 1;
            break;
        case MT_OP_OVRVAL:
            put(b, "r%ld = ov ? ov[%d] : NAN;\n", d, a);
            pushes = 1;
            break;
        case MT_OP_STORE:
            put(b, "v[%d] = r%ld;\n", a, top);
            pops = 1;
            break;
        case MT_OP_OUT:
            put(b, "out[%d] = r%ld;\n", a, top);
            pops = 1;
            break;
        case MT_OP_LOADSTATES:
            for (size_t k = 0; k < p->n_state; k++)
                put(b, "v[%d] = y[%zu];\n", p->state_slot[k], k);
            break;
        case MT_OP_ADD:
        case MT_OP_SUB:
        case MT_OP_MUL:
        case MT_OP_DIV:
            put(b, "r%ld = r%ld %s r%ld;\n", nxt, nxt, binop[in->op], top);
            pops = 1;
            break;
        case MT_OP_LT:
        case MT_OP_LE:
        case MT_OP_GT:
        case MT_OP_GE:
        case MT_OP_EQ:
        case MT_OP_NE:
            put(b, "r%ld = (r%ld %s r%ld) ? 1.0 : 0.0;\n", nxt, nxt, binop[in->op], top);
            pops = 1;
            break;
        case MT_OP_NEG:
            put(b, "r%ld = -r%ld;\n", top, top);
            break;
        case MT_OP_POW:
            put(b, "r%ld = pow(r%ld, r%ld);\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_FN:
            put_fn(b, a, (int)top);
            break;
        case MT_OP_LOG:
            put(b, "r%ld = log(r%ld) / log(r%ld);\n", nxt, top, nxt);
            pops = 1;
            break;
        case MT_OP_ROOT:
            put(b, "r%ld = mt_root(r%ld, r%ld);\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_REM:
            put(b, "r%ld = fmod(r%ld, r%ld);\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_QUOT:
            put(b, "r%ld = trunc(r%ld / r%ld);\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_MIN:
            put(b, "r%ld = (r%ld < r%ld || isnan(r%ld)) ? r%ld : r%ld;\n", nxt, top, nxt, top, top,
                nxt);
            pops = 1;
            break;
        case MT_OP_MAX:
            put(b, "r%ld = (r%ld > r%ld || isnan(r%ld)) ? r%ld : r%ld;\n", nxt, top, nxt, top, top,
                nxt);
            pops = 1;
            break;
        case MT_OP_AND:
            put(b, "r%ld = (r%ld != 0.0 && r%ld != 0.0) ? 1.0 : 0.0;\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_OR:
            put(b, "r%ld = (r%ld != 0.0 || r%ld != 0.0) ? 1.0 : 0.0;\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_XOR:
            put(b, "r%ld = ((r%ld != 0.0) != (r%ld != 0.0)) ? 1.0 : 0.0;\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_NOT:
            put(b, "r%ld = (r%ld == 0.0) ? 1.0 : 0.0;\n", top, top);
            break;
        case MT_OP_IMPLIES:
            put(b, "r%ld = (r%ld == 0.0 || r%ld != 0.0) ? 1.0 : 0.0;\n", nxt, nxt, top);
            pops = 1;
            break;
        case MT_OP_PM1:
            put(b, "r%ld = (r%ld != 0.0) ? 1.0 : -1.0;\n", top, top);
            break;
        case MT_OP_JZ:
        case MT_OP_JMP: {
            long to = (long)i + a;
            int jz = in->op == MT_OP_JZ;
            long dt = jz ? d - 1 : d;
            if (a <= 0 || (size_t)to >= n || dt < 0 || (label[to] && label[to] - 1 != dt)) {
                st = mt_error(b->ctx, MT_EINVAL, "native code: bad jump at %zu", i);
                break;
            }
            label[to] = (int)dt + 1;
            if ((size_t)to > last_target)
                last_target = (size_t)to;
            if (jz)
                put(b, "if (r%ld == 0.0) goto L%ld;\n", top, to);
            else
                put(b, "goto L%ld;\n", to);
            pops = jz;
            if (!jz) {
                d = -1; /* nothing falls through a jump */
                continue;
            }
            break;
        }
        case MT_OP_END:
            break;
        default:
            st = mt_error(b->ctx, MT_EINVAL, "native code: unknown instruction %d", in->op);
            break;
        }
        if (d >= 0) {
            if (d < reads(in->op) || (size_t)(d - pops + pushes) > maxd) {
                st = mt_error(b->ctx, MT_EINVAL, "native code: stack out of range at %zu", i);
                break;
            }
            d = d - pops + pushes;
        }
    }
    put(b, "}\n\n%svoid mt_native_%s(" ARGS ")\n{\n", is_static ? "static " : "", name);
    for (size_t k = 0; k < n_parts; k++)
        put(b, "    mt_native_%s_%zu(v, y, out, t, os, ov);\n", name, k);
    put(b, "}\n\n");
    mt_free(b->ctx, label);
    return st;
}

size_t mt_codegen_size(const mt_program *p)
{
    size_t n = block_len(p, p->rules_dyn.start) + block_len(p, p->roots.start);
    for (size_t q = 0; q < p->n_slot; q++)
        if (p->rule_pos[q] >= 0)
            n += block_len(p, p->rule_block[q].start);
    if (p->n_state)
        n += block_len(p, p->rhs.start);
    if (p->has_jac)
        n += block_len(p, p->jac.start);
    return n;
}

static const char prelude[] =
    "/* medtwin native code: generated from a compiled program by src/compile/codegen.c.\n"
    " * Values by slot index, constants as hexadecimal literals; no text of the model. */\n"
    "#include <math.h>\n"
    "#if defined(__GNUC__)\n"
    "#define MT_NOINLINE __attribute__((noinline))\n"
    "#define MT_UNUSED __attribute__((unused))\n"
    "#else\n"
    "#define MT_NOINLINE\n"
    "#define MT_UNUSED\n"
    "#endif\n"
    "static MT_UNUSED double mt_factorial(double x)\n"
    "{\n"
    "    if (x < 0 || x != floor(x))\n"
    "        return NAN;\n"
    "    return tgamma(x + 1.0);\n"
    "}\n"
    "static MT_UNUSED double mt_root(double degree, double x)\n"
    "{\n"
    "    if (degree == 2.0)\n"
    "        return sqrt(x);\n"
    "    if (x < 0 && degree == floor(degree) && fmod(fabs(degree), 2.0) == 1.0)\n"
    "        return -pow(-x, 1.0 / degree);\n"
    "    return pow(x, 1.0 / degree);\n"
    "}\n\n";

mt_status mt_codegen_c(mt_ctx *ctx, const mt_program *p, char **src, size_t *len)
{
    *src = NULL;
    *len = 0;
    if (mt_codegen_size(p) > MT_CODEGEN_MAX_INS)
        return mt_error(ctx, MT_ELIMIT, "native code: the model is too large (%zu instructions)",
                        mt_codegen_size(p));
    buf b = {ctx, NULL, 0, 0, 0};
    put(&b, "%s", prelude);
    mt_status st = gen_block(&b, p, "rhs", p->n_state > 0, p->rhs, 0);
    if (st == MT_OK)
        st = gen_block(&b, p, "jac", p->has_jac, p->jac, 0);
    if (st == MT_OK)
        st = gen_block(&b, p, "rules_dyn", 1, p->rules_dyn, 0);
    if (st == MT_OK)
        st = gen_block(&b, p, "roots", 1, p->roots, 0);
    /* one function per dynamic rule (the outputs evaluate only those they read), and the
     * table of them by slot */
    for (size_t q = 0; q < p->n_slot && st == MT_OK; q++) {
        if (p->rule_pos[q] < 0)
            continue;
        char name[32];
        snprintf(name, sizeof name, "rule%zu", q);
        st = gen_block(&b, p, name, 1, p->rule_block[q], 1);
    }
    put(&b, "void (*const mt_native_rule[%zu])(" ARGS ") = {\n", p->n_slot ? p->n_slot : 1);
    for (size_t q = 0; q < p->n_slot && st == MT_OK; q++)
        if (p->rule_pos[q] >= 0)
            put(&b, "    [%zu] = mt_native_rule%zu,\n", q, q);
    put(&b, "};\n");
    put(&b, "const unsigned long mt_native_shape[5] = {%dUL, %zuUL, %zuUL, %zuUL, %zuUL};\n",
        MT_NATIVE_ABI, p->n_slot, p->n_state, p->has_jac ? p->n_jac : 0, p->n_roots);
    if (st == MT_OK && b.oom)
        st = mt_error(ctx, MT_ENOMEM, "out of memory generating native code");
    if (st != MT_OK) {
        mt_free(ctx, b.s);
        return st;
    }
    *src = b.s;
    *len = b.len;
    return MT_OK;
}
