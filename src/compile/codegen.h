/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/codegen.h — C source for the hot blocks of a compiled program (right-hand side,
 * analytic Jacobian, dynamic rules, root functions), for the native code path
 * (compile/native.c).
 *
 * The C is a literal translation of the bytecode, instruction by instruction, with one local
 * variable per stack position: the same operations in the same order as mt_vm_run, so the
 * results are the VM's (NaN propagation, piecewise, comparisons as 0/1, the SBML functions
 * through the same libm calls). Nothing from the model's text reaches the source: values are
 * addressed by slot index (v[12]), constants are printed as hexadecimal floating literals
 * (%a) or NAN/INFINITY, and labels are instruction numbers.
 *
 * Each block becomes one function of type mt_native_fn (see program.h) named
 * mt_native_<block> with MT_NATIVE_ABI in the symbol version; the source ends with the
 * shape of the program (slot, state, Jacobian and root counts) for the loader to check.
 */
#ifndef MT_COMPILE_CODEGEN_H
#define MT_COMPILE_CODEGEN_H

#include "compile/program.h"

/* Largest program (instructions in the translated blocks) that gets native code: beyond it
 * the C compiler's time grows faster than the savings. */
#define MT_CODEGEN_MAX_INS ((size_t)400000)

/* Instructions per generated function (a block longer than that is split at statement
 * boundaries into parts called in order). */
#define MT_CODEGEN_PART 400

/* Instructions in the blocks that are translated (the size that the compile time follows). */
size_t mt_codegen_size(const mt_program *p);

/* OUT: *src (NUL-terminated, mt_free) and *len. MT_ELIMIT past MT_CODEGEN_MAX_INS,
 * MT_ENOMEM. */
MT_NODISCARD mt_status mt_codegen_c(mt_ctx *ctx, const mt_program *p, char **src, size_t *len);

#endif
