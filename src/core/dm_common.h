/* dm_common.h -- shared definitions of the dmil core library.
 *
 * The core is plain C99 with no R headers: it is linked into the R package
 * and into the stand-alone test program tests/core/test_core.c.
 *
 * Conventions used by every module:
 *  - numbers are float32; accumulations that decide results (losses,
 *    statistics) are done in double;
 *  - matrices are row-major with an explicit leading dimension;
 *  - buffers are owned by the caller; functions never allocate unless their
 *    name says so (..._alloc / ..._create);
 *  - functions that can fail return a dm_status; they never abort.
 */
#ifndef DM_COMMON_H
#define DM_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  DM_OK = 0,
  DM_ERR_NOMEM = 1,        /* an allocation failed */
  DM_ERR_ARG = 2,          /* an argument violates a documented contract */
  DM_ERR_INTERRUPT = 3,    /* the progress callback asked to stop */
  DM_ERR_NONFINITE = 4,    /* the training loss became NaN or infinite */
  DM_ERR_UNKNOWN = 5
} dm_status;

/* The status's name ("ok", "nomem", "arg", "interrupt", "nonfinite",
 * "unknown"): what the glue returns to R, which turns names into messages
 * in one place (R/errors.R). */
const char *dm_status_name(dm_status s);

#define DM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DM_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Number of set bits (sets of views are bit masks). */
static inline int dm_popcount(unsigned v) {
  int c = 0;
  for (; v; v &= v - 1) c++;
  return c;
}

#if defined(__GNUC__) || defined(__clang__)
#define DM_RESTRICT __restrict__
#else
#define DM_RESTRICT
#endif

/* Called on the caller's (main) thread between units of work. `done` and
 * `total` count the same units (batches). A nonzero return asks the core to
 * stop: the function in progress frees its memory and returns
 * DM_ERR_INTERRUPT. */
typedef int (*dm_tick_fn)(void *ctx, double done, double total);

#endif
