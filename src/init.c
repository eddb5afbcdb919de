#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>
#include "dm_threads.h"
#include "glue.h"

#if !defined(_WIN32)
#include <pthread.h>
#endif

SEXP C_dm_threads_info(void);
SEXP C_dm_threads_effective(SEXP n);
SEXP C_dm_colstats(SEXP x, SEXP nthreads);
SEXP C_dm_fit_baseline(SEXP views, SEXP cols, SEXP center, SEXP scale,
                       SEXP y, SEXP K, SEXP nets, SEXP cfg, SEXP seed,
                       SEXP nthreads, SEXP progress);
SEXP C_dm_predict_baseline(SEXP views, SEXP cols, SEXP center, SEXP scale,
                           SEXP nets, SEXP K, SEXP combine, SEXP nthreads);
SEXP C_dm_gradcheck_cases(void);
SEXP C_dm_gradcheck(SEXP name, SEXP seed);

static const R_CallMethodDef call_methods[] = {
    {"dm_threads_info", (DL_FUNC)&C_dm_threads_info, 0},
    {"dm_threads_effective", (DL_FUNC)&C_dm_threads_effective, 1},
    {"dm_colstats", (DL_FUNC)&C_dm_colstats, 2},
    {"dm_fit_baseline", (DL_FUNC)&C_dm_fit_baseline, 11},
    {"dm_predict_baseline", (DL_FUNC)&C_dm_predict_baseline, 8},
    {"dm_gradcheck_cases", (DL_FUNC)&C_dm_gradcheck_cases, 0},
    {"dm_gradcheck", (DL_FUNC)&C_dm_gradcheck, 2},
    {NULL, NULL, 0}};

#if !defined(_WIN32)
/* OpenMP's thread pool does not survive fork(): children of
 * parallel::mclapply() or future's multicore backend run single-threaded. */
static void atfork_child(void) { dm_threads_mark_forked(); }
#endif

void attribute_visible R_init_dmil(DllInfo *dll) {
  R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
#if !defined(_WIN32)
  pthread_atfork(NULL, NULL, atfork_child);
#endif
}
