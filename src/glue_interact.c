#include <stdlib.h>
#include <string.h>
#include "dm_interact.h"
#include "dm_knife.h"
#include "dm_pid.h"
#include "dm_rng.h"
#include "dm_threads.h"
#include "glue.h"

/* Cross-fitted discriminators (and densities) for dmil_interactions().
 *   views, cols, center, scale: as for dmil_fit; y: 0-based labels; K;
 *   nets: discriminator descriptions; cfg: list(folds, inner_val, epochs,
 *   batch_size, patience, lr, weight_decay, density, knife_components,
 *   knife_epochs, knife_batch_size, knife_patience, knife_lr,
 *   knife_weight_decay); seed; nthreads; progress.
 * Returns list(status, fold, logp (list of n x K matrices, one per net),
 *   logdens (n x M matrix or NULL), prior (F x K), nets (per fold, per net
 *   parameters), knife (per fold, per view parameters)). */
SEXP C_dm_interactions_fit(SEXP views, SEXP cols, SEXP center, SEXP scale,
                           SEXP y, SEXP K_, SEXP nets, SEXP cfg_, SEXP seed_,
                           SEXP nthreads_, SEXP progress_) {
  int nprotect = 0;
  const int K = Rf_asInteger(K_), n = (int)Rf_xlength(y);
  const int M = (int)Rf_xlength(views), n_nets = (int)Rf_xlength(nets);
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  const uint64_t master = (uint64_t)Rf_asReal(seed_);
  if (TYPEOF(y) != INTSXP) Rf_error("internal error: y must be integer");
  int *dims = glue_check_views(views, cols, center, scale, n);

  dm_interact_cfg cfg;
  cfg.folds = glue_int(cfg_, "folds");
  cfg.inner_val = glue_dbl(cfg_, "inner_val");
  cfg.net_train = glue_train_cfg(cfg_, "", DM_SELECT_LOSS);
  cfg.calibrate = glue_int(cfg_, "calibrate");
  cfg.density = glue_int(cfg_, "density");
  cfg.knife_K = glue_int(cfg_, "knife_components");
  cfg.knife_train = glue_train_cfg(cfg_, "knife_", DM_SELECT_LOSS);
  const int F = cfg.folds;
  const int *fold_given = NULL;
  SEXP foldid = glue_elt(cfg_, "foldid");
  if (!Rf_isNull(foldid)) {
    if (TYPEOF(foldid) != INTSXP || Rf_xlength(foldid) != n)
      Rf_error("internal error: malformed fold ids");
    int *f0 = (int *)R_alloc(n + 1, sizeof(int));
    for (int i = 0; i < n; i++) {
      const int f = INTEGER(foldid)[i];
      if (f == NA_INTEGER || f < 1 || f > F) Rf_error("internal error: fold id out of range");
      f0[i] = f - 1;
    }
    fold_given = f0;
  }

  dm_net_spec *specs = (dm_net_spec *)R_alloc(n_nets, sizeof(dm_net_spec));
  for (int j = 0; j < n_nets; j++) {
    glue_net_spec(VECTOR_ELT(nets, j), K, &specs[j]);
    if (dm_net_param_count(&specs[j], dims, M) == 0)
      Rf_error("internal error: invalid network %d", j + 1);
  }

  const char *names[] = {"status", "fold", "logp", "logdens", "prior",
                         "nets", "knife", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  nprotect++;
  SEXP r_fold = Rf_allocVector(INTSXP, n);
  SET_VECTOR_ELT(out, 1, r_fold);
  SEXP r_logp = Rf_allocVector(VECSXP, n_nets);
  SET_VECTOR_ELT(out, 2, r_logp);
  double **logp = (double **)R_alloc(n_nets, sizeof(double *));
  for (int j = 0; j < n_nets; j++) {
    SET_VECTOR_ELT(r_logp, j, Rf_allocMatrix(REALSXP, n, K));
    logp[j] = REAL(VECTOR_ELT(r_logp, j));
  }
  SEXP r_dens = R_NilValue;
  if (cfg.density) {
    r_dens = Rf_allocMatrix(REALSXP, n, M);
    SET_VECTOR_ELT(out, 3, r_dens);
  }
  SEXP r_prior = Rf_allocMatrix(REALSXP, F, K);
  SET_VECTOR_ELT(out, 4, r_prior);
  SEXP r_nets = Rf_allocVector(VECSXP, F);
  SET_VECTOR_ELT(out, 5, r_nets);
  SEXP r_knife = Rf_allocVector(VECSXP, F);
  SET_VECTOR_ELT(out, 6, r_knife);
  double **th_net = (double **)R_alloc((size_t)F * n_nets + 1, sizeof(double *));
  double **th_knife = (double **)R_alloc((size_t)F * M + 1, sizeof(double *));
  for (int f = 0; f < F; f++) {
    SEXP fn = Rf_allocVector(VECSXP, n_nets);
    SET_VECTOR_ELT(r_nets, f, fn);
    for (int j = 0; j < n_nets; j++) {
      SEXP th = Rf_allocVector(REALSXP, (R_xlen_t)dm_net_param_count(&specs[j], dims, M));
      SET_VECTOR_ELT(fn, j, th);
      th_net[(size_t)f * n_nets + j] = REAL(th);
    }
    if (cfg.density) {
      SEXP fk = Rf_allocVector(VECSXP, M);
      SET_VECTOR_ELT(r_knife, f, fk);
      for (int m = 0; m < M; m++) {
        SEXP th = Rf_allocVector(REALSXP, (R_xlen_t)dm_knife_param_count(dims[m], cfg.knife_K));
        SET_VECTOR_ELT(fk, m, th);
        th_knife[(size_t)f * M + m] = REAL(th);
      }
    }
  }
  /* Progress is counted in batches; the inner split is about inner_val. */
  double per_fold_rows = (double)n * (F - 1) / F * (1.0 - cfg.inner_val);
  double total = F * n_nets * cfg.net_train.epochs *
                 (per_fold_rows / cfg.net_train.batch_size + 1.0);
  if (cfg.density)
    total += F * M * cfg.knife_train.epochs *
             (per_fold_rows / cfg.knife_train.batch_size + 1.0);
  glue_progress prog;
  glue_progress_start(&prog, Rf_asLogical(progress_) == TRUE, total,
                      "Cross-fitting");
  PROTECT(prog.bar);
  nprotect++;

  int blas_prev = dm_blas_enter();
  dm_data data;
  dm_status st = glue_build_data(views, cols, center, scale, dims, K, 1, &data);
  if (st == DM_OK) {
    memcpy(data.y, INTEGER(y), sizeof(int) * (size_t)n);
    st = dm_interact_fit(&data, &cfg, n_nets, specs, master, nthreads,
                         glue_progress_tick, &prog, total, fold_given, INTEGER(r_fold),
                         logp, cfg.density ? REAL(r_dens) : NULL,
                         REAL(r_prior), th_net, th_knife);
  }
  dm_data_free(&data);
  dm_blas_leave(blas_prev);
  glue_progress_done(&prog);
  for (int i = 0; i < n; i++) INTEGER(r_fold)[i] += 1;
  SET_VECTOR_ELT(out, 0, Rf_ScalarInteger((int)st));
  UNPROTECT(nprotect);
  return out;
}

/* log p(x) of one view under a fitted density, for new data. */
SEXP C_dm_knife_logdens(SEXP views, SEXP cols, SEXP center, SEXP scale,
                        SEXP view_, SEXP K_, SEXP theta, SEXP nthreads_) {
  const int V = (int)Rf_xlength(views), view = Rf_asInteger(view_);
  const int Kc = Rf_asInteger(K_);
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  int *dims = glue_check_views(views, cols, center, scale, -1);
  const int n = Rf_nrows(VECTOR_ELT(views, 0));
  if (view < 0 || view >= V || TYPEOF(theta) != REALSXP ||
      (size_t)Rf_xlength(theta) != dm_knife_param_count(dims[view], Kc))
    Rf_error("internal error: malformed density");
  int *rows = (int *)R_alloc(n + 1, sizeof(int));
  for (int i = 0; i < n; i++) rows[i] = i;
  const char *names[] = {"status", "logdens", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP ld = Rf_allocVector(REALSXP, n);
  SET_VECTOR_ELT(out, 1, ld);
  int blas_prev = dm_blas_enter();
  dm_data data;
  dm_knife kn;
  float *th = NULL;
  dm_status st = glue_build_data(views, cols, center, scale, dims, 0, 0, &data);
  if (st == DM_OK) st = dm_knife_create(&kn, dims[view], Kc, view, 1, nthreads);
  if (st == DM_OK) {
    th = malloc(sizeof(float) * (kn.n_params + 1));
    if (!th) st = DM_ERR_NOMEM;
    else {
      for (size_t k = 0; k < kn.n_params; k++) th[k] = (float)REAL(theta)[k];
      dm_knife_logdens(&kn, th, &data, rows, n, REAL(ld), nthreads);
    }
    dm_knife_destroy(&kn);
  }
  free(th);
  dm_data_free(&data);
  dm_blas_leave(blas_prev);
  SET_VECTOR_ELT(out, 0, Rf_ScalarInteger((int)st));
  UNPROTECT(1);
  return out;
}

/* Pointwise decomposition of n samples from their pointwise mutual
 * informations (n x M matrix `i`, vector `i_joint`) and, for the measure
 * "pm", surprisals `h` (n x M). With `adjust`, the RUS shift is applied:
 * computed from the sample means when `shift` is NA, else the given one.
 * Returns list(r, u = n x M, s, shift). */
SEXP C_dm_decompose(SEXP i, SEXP i_joint, SEXP h, SEXP measure, SEXP adjust,
                    SEXP shift_) {
  const int n = Rf_nrows(i), M = Rf_ncols(i);
  if (TYPEOF(i) != REALSXP || TYPEOF(i_joint) != REALSXP ||
      Rf_xlength(i_joint) != n || M < 2 ||
      (!Rf_isNull(h) && (TYPEOF(h) != REALSXP || Rf_nrows(h) != n || Rf_ncols(h) != M)))
    Rf_error("internal error: malformed decomposition input");
  const dm_pw_measure meas =
      strcmp(CHAR(STRING_ELT(measure, 0)), "pm") == 0 ? DM_PW_PM : DM_PW_PMMI;
  if (meas == DM_PW_PM && Rf_isNull(h)) Rf_error("internal error: 'pm' needs h");
  const char *names[] = {"r", "u", "s", "shift", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP r = Rf_allocVector(REALSXP, n);
  SET_VECTOR_ELT(out, 0, r);
  SEXP u = Rf_allocMatrix(REALSXP, n, M);
  SET_VECTOR_ELT(out, 1, u);
  SEXP s = Rf_allocVector(REALSXP, n);
  SET_VECTOR_ELT(out, 2, s);
  double *iv = (double *)R_alloc(M, sizeof(double));
  double *hv = (double *)R_alloc(M, sizeof(double));
  double *uv = (double *)R_alloc(M, sizeof(double));
  const double *I = REAL(i), *H = Rf_isNull(h) ? NULL : REAL(h);
  double Rbar = 0.0, Sbar = 0.0;
  double *Ubar = (double *)R_alloc(M, sizeof(double));
  for (int m = 0; m < M; m++) Ubar[m] = 0.0;
  for (int k = 0; k < n; k++) {
    for (int m = 0; m < M; m++) {
      iv[m] = I[(size_t)m * n + k];
      if (H) hv[m] = H[(size_t)m * n + k];
    }
    dm_pid_pointwise(M, iv, REAL(i_joint)[k], hv, meas, &REAL(r)[k], uv,
                     &REAL(s)[k]);
    for (int m = 0; m < M; m++) {
      REAL(u)[(size_t)m * n + k] = uv[m];
      Ubar[m] += uv[m] / n;
    }
    Rbar += REAL(r)[k] / n;
    Sbar += REAL(s)[k] / n;
  }
  double a = 0.0;
  if (Rf_asLogical(adjust) == TRUE) {
    a = ISNAN(Rf_asReal(shift_)) ? dm_rus_shift(M, Rbar, Ubar, Sbar)
                                 : Rf_asReal(shift_);
    for (int k = 0; k < n; k++) {
      REAL(r)[k] += a;
      REAL(s)[k] += (M - 1) * a;
      for (int m = 0; m < M; m++) REAL(u)[(size_t)m * n + k] -= a;
    }
  }
  SET_VECTOR_ELT(out, 3, Rf_ScalarReal(a));
  UNPROTECT(1);
  return out;
}
