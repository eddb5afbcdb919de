#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>
#include "dm_threads.h"
#include "dm_testing.h"
#include "glue.h"

#if !defined(_WIN32)
#include <pthread.h>
#endif

SEXP C_dm_threads_info(void);
SEXP C_dm_threads_effective(SEXP n);
SEXP C_dm_colstats(SEXP x, SEXP nthreads);
SEXP C_dm_fit_baseline(SEXP data, SEXP y, SEXP K, SEXP nets, SEXP cfg, SEXP train_rows,
                       SEXP val_rows, SEXP seed, SEXP nthreads, SEXP progress);
SEXP C_dm_data_new(SEXP views, SEXP rows);
SEXP C_dm_data_free(SEXP h);
SEXP C_dm_data_subset(SEXP data, SEXP rows, SEXP views);
SEXP C_dm_predict_baseline(SEXP views,
                           SEXP nets, SEXP K, SEXP combine, SEXP nthreads);
SEXP C_dm_net_internals(SEXP views, SEXP net_,
                        SEXP K_);
SEXP C_dm_pid_discrete(SEXP p, SEXP dims, SEXP measures, SEXP tol, SEXP support_max,
                       SEXP progress);
SEXP C_dm_pid_pointwise(SEXP p, SEXP dims, SEXP measure);
SEXP C_dm_pid_lattice(SEXP p, SEXP dims, SEXP measure, SEXP pointwise);
SEXP C_dm_interactions_fit(SEXP views,
                           SEXP y, SEXP K, SEXP nets, SEXP cfg, SEXP seed,
                           SEXP nthreads, SEXP progress);
SEXP C_dm_knife_logdens(SEXP views,
                        SEXP view, SEXP K, SEXP theta, SEXP nthreads);
SEXP C_dm_decompose(SEXP i, SEXP h, SEXP measure, SEXP adjust, SEXP shift);
SEXP C_dm_lattice(SEXP M);
SEXP C_dm_calib_apply(SEXP logp, SEXP calib, SEXP M);
SEXP C_dm_split(SEXP y, SEXP K, SEXP frac, SEXP seed);
SEXP C_dm_dmil_groups(void);
SEXP C_dm_dmil_layout(SEXP dims, SEXP K, SEXP arch);
SEXP C_dm_net_param_counts(SEXP dims, SEXP K, SEXP nets);
SEXP C_dm_dmil_train(SEXP views, SEXP y,
                     SEXP K, SEXP arch, SEXP theta, SEXP train_rows,
                     SEXP val_rows, SEXP stages, SEXP seed, SEXP nthreads,
                     SEXP progress);
SEXP C_dm_dmil_predict(SEXP views, SEXP K, SEXP arch, SEXP theta,
                       SEXP nthreads);
#ifdef DM_TESTING
SEXP C_dm_gradcheck_cases(void);
SEXP C_dm_gradcheck(SEXP name, SEXP seed);
SEXP C_dm_broja_q(SEXP p, SEXP dims);
SEXP C_dm_rng_normals(SEXP seed, SEXP n);
SEXP C_dm_distill_grad(SEXP views, SEXP y, SEXP K_,
                       SEXP net_, SEXP theta_, SEXP rows_, SEXP target_, SEXP weight);
SEXP C_dm_ogm_grad(SEXP views, SEXP y, SEXP K_,
                   SEXP net_, SEXP theta_, SEXP rows_, SEXP epoch, SEXP key);
#endif

static const R_CallMethodDef call_methods[] = {
    {"dm_threads_info", (DL_FUNC)&C_dm_threads_info, 0},
    {"dm_threads_effective", (DL_FUNC)&C_dm_threads_effective, 1},
    {"dm_colstats", (DL_FUNC)&C_dm_colstats, 2},
    {"dm_fit_baseline", (DL_FUNC)&C_dm_fit_baseline, 10},
    {"dm_data_new", (DL_FUNC)&C_dm_data_new, 2},
    {"dm_data_free", (DL_FUNC)&C_dm_data_free, 1},
    {"dm_data_subset", (DL_FUNC)&C_dm_data_subset, 3},
    {"dm_predict_baseline", (DL_FUNC)&C_dm_predict_baseline, 5},
    {"dm_net_internals", (DL_FUNC)&C_dm_net_internals, 3},
    {"dm_pid_discrete", (DL_FUNC)&C_dm_pid_discrete, 6},
    {"dm_pid_lattice", (DL_FUNC)&C_dm_pid_lattice, 4},
    {"dm_pid_pointwise", (DL_FUNC)&C_dm_pid_pointwise, 3},
    {"dm_interactions_fit", (DL_FUNC)&C_dm_interactions_fit, 8},
    {"dm_knife_logdens", (DL_FUNC)&C_dm_knife_logdens, 5},
    {"dm_decompose", (DL_FUNC)&C_dm_decompose, 5},
    {"dm_lattice", (DL_FUNC)&C_dm_lattice, 1},
    {"dm_calib_apply", (DL_FUNC)&C_dm_calib_apply, 3},
    {"dm_split", (DL_FUNC)&C_dm_split, 4},
    {"dm_dmil_groups", (DL_FUNC)&C_dm_dmil_groups, 0},
    {"dm_dmil_layout", (DL_FUNC)&C_dm_dmil_layout, 3},
    {"dm_net_param_counts", (DL_FUNC)&C_dm_net_param_counts, 3},
    {"dm_dmil_train", (DL_FUNC)&C_dm_dmil_train, 11},
    {"dm_dmil_predict", (DL_FUNC)&C_dm_dmil_predict, 5},
#ifdef DM_TESTING
    {"dm_gradcheck_cases", (DL_FUNC)&C_dm_gradcheck_cases, 0},
    {"dm_gradcheck", (DL_FUNC)&C_dm_gradcheck, 2},
    {"dm_broja_q", (DL_FUNC)&C_dm_broja_q, 2},
    {"dm_rng_normals", (DL_FUNC)&C_dm_rng_normals, 2},
    {"dm_ogm_grad", (DL_FUNC)&C_dm_ogm_grad, 8},
    {"dm_distill_grad", (DL_FUNC)&C_dm_distill_grad, 8},
#endif
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
