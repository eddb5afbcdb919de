#include "dm_common.h"
#include "dm_omp.h"
#include "dm_threads.h"

#ifdef DM_HAVE_OPENBLAS
#include <cblas.h>
#endif

static volatile int forked_child = 0;

int dm_omp_available(int *version) {
#ifdef _OPENMP
  if (version) *version = _OPENMP;
  return 1;
#else
  if (version) *version = 0;
  return 0;
#endif
}

int dm_num_procs(void) { return omp_get_num_procs(); }

int dm_thread_limit(void) { return omp_get_thread_limit(); }

int dm_threads_effective(int requested) {
  int n = requested < 1 ? 1 : requested;
  int limit = omp_get_thread_limit();
  if (limit >= 1 && n > limit) n = limit;
  int procs = omp_get_num_procs();
  if (procs >= 1 && n > procs) n = procs;
  if (forked_child || !dm_omp_available(NULL)) n = 1;
  return n;
}

void dm_threads_mark_forked(void) { forked_child = 1; }

const char *dm_blas_name(void) {
#ifdef DM_HAVE_OPENBLAS
  return "OpenBLAS";
#else
  return "built-in";
#endif
}

const char *dm_blas_config(void) {
#ifdef DM_HAVE_OPENBLAS
  const char *s = openblas_get_config();
  return s ? s : "";
#else
  return "";
#endif
}

int dm_blas_threads(void) {
#ifdef DM_HAVE_OPENBLAS
  return openblas_get_num_threads();
#else
  return 1;
#endif
}

int dm_blas_enter(void) {
#ifdef DM_HAVE_OPENBLAS
  int previous = openblas_get_num_threads();
  if (previous != 1) openblas_set_num_threads(1);
  return previous;
#else
  return 1;
#endif
}

void dm_blas_leave(int previous) {
#ifdef DM_HAVE_OPENBLAS
  if (previous >= 1 && previous != openblas_get_num_threads())
    openblas_set_num_threads(previous);
#else
  (void)previous;
#endif
}
