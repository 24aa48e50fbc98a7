/* SPDX-License-Identifier: Apache-2.0
 *
 * medtwin/population.h — population simulation: a regimen given to every twin of a virtual
 * cohort (drawn, medtwin/cohort.h, or read from a JSON-lines file of profiles), each twin's
 * whole-body PBPK prediction and risk check (medtwin/predict.h, medtwin/risk.h), reduced to
 * a summary: percentiles of the exposure metrics overall and by phenotype group, the share
 * outside the therapeutic window, warning counts by kind.
 *
 * Determinism. Twin k depends on (seed, k) alone (or on line k of the cohort file). The
 * twins are cut into chunks of MT_POPSIM_CHUNK by index; a rank takes the chunks c with
 * c mod n_ranks == rank, its threads take the next chunk in turn, and the results are
 * committed in chunk order. Everything the summary is made of is an integer count: exposure
 * values go into fixed logarithmic histograms (MT_POPSIM_BINS_PER_DECADE bins per decade, a
 * percentile is read off as its bin's geometric centre, so to 0.6 %), and counts add up the
 * same in any order. The summary is therefore byte-identical for any number of threads or
 * ranks, and holds no time, host or worker count.
 *
 * Streaming. A twin lives only while its chunk is computed; at most a fixed window of chunk
 * results waits for its turn to be committed. Memory does not grow with the cohort.
 *
 * Checkpoints. With a checkpoint file, the committed state (how many of the rank's chunks,
 * the histograms and counts, how many bytes of the twins table) is rewritten atomically
 * (temporary file, fsync, rename) at most every MT_POPSIM_CHECKPOINT_S seconds (the
 * environment variable MEDTWIN_CHECKPOINT_SECONDS sets another interval; 0: after every
 * chunk) and at the end. A run started with an existing checkpoint resumes from it: a file that is
 * not a checkpoint, a corrupt one (checksum), or one of another run (other options, seed, cohort,
 * rank) is refused with an error, never merged.
 */
#ifndef MEDTWIN_POPULATION_H
#define MEDTWIN_POPULATION_H

#include "cohort.h"
#include "error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MT_POPSIM_CHUNK 64
#define MT_POPSIM_BINS_PER_DECADE 200
#define MT_POPSIM_CHECKPOINT_S 2.0
#define MT_POPSIM_MAX_REGIMENS 8
#define MT_POPSIM_MAX_N ((uint64_t)1 << 40)

typedef struct mt_popsim mt_popsim;

typedef struct {
    /* the cohort: drawn from pop with the cohort options and seed, or, with cohort_path,
     * line k of that JSON-lines file is twin k (pop then only names the genes and phenotypes
     * the summary groups by) */
    const mt_population *pop;
    mt_cohort_options cohort;
    uint64_t seed;
    uint64_t n; /* twins, 1..MT_POPSIM_MAX_N; with cohort_path 0: every line */
    const char *cohort_path;
    /* the regimen(s) every twin gets, as medtwin/regimen.h text (absolute doses) */
    size_t n_regimens;
    const char *const *regimens;
    double until_h; /* > 0 */
    long steps;     /* output intervals (0: one per minute, as `medtwin predict`) */
    /* execution */
    int threads;            /* >= 1 */
    int rank, n_ranks;      /* 0 and 1 without MPI */
    const char *checkpoint; /* NULL: none */
    const char *twins_path; /* NULL: no per-twin table */
    /* progress (may be NULL): twins committed by this rank, of this rank's total */
    void (*progress)(void *arg, uint64_t done, uint64_t total);
    void *progress_arg;
    /* cancellation (may be NULL): asked before each chunk is taken; non-zero stops the run,
     * which then fails with MT_ELIMIT "population: cancelled" (the node's job queue) */
    int (*cancelled)(void *arg);
    void *cancelled_arg;
} mt_popsim_options;

/* Runs this rank's share. OUT: *out (mt_popsim_destroy) with the rank's state. Errors: the
 * options (MT_EINVAL: a regimen that cannot be parsed or is per-kg, n out of range, threads
 * < 1), the cohort file (MT_EIO, MT_EPARSE naming the line), the checkpoint (MT_EPARSE "not
 * a medtwin population checkpoint", "corrupt", "belongs to another run"), a twin that cannot
 * be simulated (message names the twin), MT_ENOMEM. */
MT_NODISCARD mt_status mt_popsim_run(mt_ctx *ctx, const mt_popsim_options *o, mt_popsim **out);
void mt_popsim_destroy(mt_popsim *s);

/* The state as one array of counts, for a sum reduction across ranks (MPI_UINT64_T,
 * MPI_SUM): every rank's array has the same length and layout for the same options. */
size_t mt_popsim_counts_len(const mt_popsim *s);
uint64_t *mt_popsim_counts(mt_popsim *s);

/* The summary of the state (after the reduction, on one rank) as JSON text (free()). */
MT_NODISCARD mt_status mt_popsim_summary(mt_ctx *ctx, const mt_popsim *s, char **json);

/* A plot of the summary: per drug, the 5-25-50-75-95 percentiles of AUC by phenotype group
 * of the gene with the largest spread of medians. */
MT_NODISCARD mt_status mt_popsim_plot(mt_ctx *ctx, const mt_popsim *s, const char *path);

#ifdef __cplusplus
}
#endif
#endif
