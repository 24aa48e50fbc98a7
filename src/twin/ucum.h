/* SPDX-License-Identifier: Apache-2.0
 * twin/ucum.h — the part of UCUM (the Unified Code for Units of Measure, the unit system of HL7
 * FHIR Quantity) that patient data needs: a unit is at most one "numerator / denominator" pair
 * of prefixed atoms, e.g. "kg", "[lb_av]", "mg/dL", "umol/L", "{INR}". Anything else is refused
 * with the unit and the field named. Private to the twin layer; see docs/profile.md. */
#ifndef MT_TWIN_UCUM_H
#define MT_TWIN_UCUM_H

#include "util/util.h"

/* A parsed unit: value_in_base = value * factor, base units g, m, s, mol; dim holds the exponents
 * of mass, length, time and amount of substance. */
typedef struct {
    double factor;
    signed char dim[4];
} mt_ucum_unit;

/* Parses a UCUM code (case-sensitive, as UCUM is). field names the datum for the message.
 * MT_EINVAL "<field>: unknown unit '<code>'..." if the code is outside the supported subset. */
MT_NODISCARD mt_status mt_ucum_parse(mt_ctx *ctx, const char *field, const char *code,
                                     mt_ucum_unit *out);

/* 1 if a and b measure the same kind of quantity with the same factor (to 1e-12 relative). */
int mt_ucum_same(const mt_ucum_unit *a, const mt_ucum_unit *b);

/* Converts value from unit `from` to unit `to`. A substance concentration (mol/L) converts to
 * and from a mass concentration only with the molar mass molar_mass_g_mol (> 0); pass 0 when it
 * is not known, and such a conversion is refused naming the field. OUT: *out.
 * MT_EINVAL for an unknown unit or for units of different kinds ("kg" to "cm"). */
MT_NODISCARD mt_status mt_ucum_convert(mt_ctx *ctx, const char *field, double value,
                                       const char *from, const char *to, double molar_mass_g_mol,
                                       double *out);

/* The molar mass (g/mol) of an analyte medtwin knows by name (lower case: "creatinine",
 * "warfarin", ...), computed from its molecular formula with IUPAC standard atomic weights;
 * 0 if the analyte is not in the table. */
double mt_ucum_molar_mass(const char *analyte);

/* The molar mass of a molecular formula in Hill notation ("C4H7N3O"); 0 if the formula has an
 * element outside the table or is malformed. Exposed for the unit test. */
double mt_ucum_formula_mass(const char *formula);

/* The table behind mt_ucum_molar_mass: i-th analyte name and formula; NULL past the end. */
const char *mt_ucum_analyte_at(size_t i, const char **formula);

#endif
