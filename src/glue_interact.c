#include <stdlib.h>
#include <string.h>
#include "dm_calib.h"
#include "dm_interact.h"
#include "dm_lattice.h"
#include "dm_knife.h"
#include "dm_pid.h"
#include "dm_rng.h"
#include "dm_threads.h"
#include "glue.h"

/* Cross-fitted, repeated discriminators (and densities) for
 * dmil_interactions(), calibrated per repeat (dm_calib.h).
 *   data_: the data (glue_data_parse); y: 0-based labels; K;
 *   nets: discriminator descriptions, one per nonempty subset of the views
 *   in subset order (dm_calib.h); cfg: list(folds, repeats, foldid,
 *   inner_val, epochs, batch_size, patience, lr, weight_decay, calibrate,
 *   bins, density, knife_components, knife_epochs, knife_batch_size,
 *   knife_patience, knife_lr, knife_weight_decay); seed; nthreads; progress.
 * Returns list(status, fold (n x R, 1-based), logp (per net: n x K log of
 *   the posterior averaged over repeats), logp_y (per net: n x R, log
 *   posterior of each sample's label in each repeat), logdens (n x M x R
 *   or NULL), prior (F x K x R), nets (repeat 1: per fold, per net
 *   parameters), knife (repeat 1: per fold, per view parameters), calib
 *   (maps, stacks and log prior fitted on all of repeat 1, for new data; or
 *   NULL)). */
SEXP C_dm_interactions_fit(SEXP data_,
                           SEXP y, SEXP K_, SEXP nets, SEXP cfg_, SEXP seed_,
                           SEXP nthreads_, SEXP progress_) {
  int nprotect = 0;
  const int K = Rf_asInteger(K_), n = (int)Rf_xlength(y);
  const int n_nets = (int)Rf_xlength(nets);
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  const uint64_t master = (uint64_t)Rf_asReal(seed_);
  glue_data gd;
  glue_data_parse(data_, n, y, K, &gd);
  const int M = gd.data.n_views;
  int *dims = gd.data.dims;

  dm_interact_cfg cfg;
  cfg.folds = glue_int(cfg_, "folds");
  cfg.repeats = glue_int(cfg_, "repeats");
  cfg.inner_val = glue_dbl(cfg_, "inner_val");
  cfg.net_train = glue_train_cfg(cfg_, "", DM_SELECT_LOSS);
  cfg.density = glue_int(cfg_, "density");
  cfg.knife_K = glue_int(cfg_, "knife_components");
  cfg.knife_train = glue_train_cfg(cfg_, "knife_", DM_SELECT_LOSS);
  const int calibrate = glue_int(cfg_, "calibrate"), bins = glue_int(cfg_, "bins");
  const int F = cfg.folds, R = cfg.repeats;
  if (F < 2 || R < 1) Rf_error("internal error: folds or repeats out of range");
  if (M > DM_CALIB_MAX_VIEWS || n_nets != (1 << M) - 1 ||
      (calibrate && (bins < 1 || bins > DM_CALIB_MAX_BINS)))
    Rf_error("internal error: one net per subset of at most %d views is needed",
             DM_CALIB_MAX_VIEWS);
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

  const char *names[] = {"status", "fold", "logp", "logp_y", "logdens", "prior",
                         "nets", "knife", "calib", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  nprotect++;
  SEXP r_fold = Rf_allocMatrix(INTSXP, n, R);
  SET_VECTOR_ELT(out, 1, r_fold);
  SEXP r_logp = Rf_allocVector(VECSXP, n_nets);
  SET_VECTOR_ELT(out, 2, r_logp);
  SEXP r_logp_y = Rf_allocVector(VECSXP, n_nets);
  SET_VECTOR_ELT(out, 3, r_logp_y);
  for (int j = 0; j < n_nets; j++) {
    SET_VECTOR_ELT(r_logp, j, Rf_allocMatrix(REALSXP, n, K));
    SET_VECTOR_ELT(r_logp_y, j, Rf_allocMatrix(REALSXP, n, R));
  }
  double *logdens = NULL;
  if (cfg.density) {
    SEXP r_dens = Rf_alloc3DArray(REALSXP, n, M, R);
    SET_VECTOR_ELT(out, 4, r_dens);
    logdens = REAL(r_dens);
  }
  SEXP r_prior = Rf_alloc3DArray(REALSXP, F, K, R);
  SET_VECTOR_ELT(out, 5, r_prior);
  SEXP r_nets = Rf_allocVector(VECSXP, F);
  SET_VECTOR_ELT(out, 6, r_nets);
  SEXP r_knife = Rf_allocVector(VECSXP, F);
  SET_VECTOR_ELT(out, 7, r_knife);
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
  double *maps = NULL, *stacks = NULL, *lp_all = NULL;
  if (calibrate) {
    const char *cnames[] = {"maps", "stacks", "lp", ""};
    SEXP cal = Rf_mkNamed(VECSXP, cnames);
    SET_VECTOR_ELT(out, 8, cal);
    SEXP r_maps = Rf_allocMatrix(REALSXP, DM_CALIB_MAP_LEN(bins), n_nets);
    SET_VECTOR_ELT(cal, 0, r_maps);
    SEXP r_stacks = Rf_allocMatrix(REALSXP, DM_CALIB_STACK_LEN(M), n_nets);
    SET_VECTOR_ELT(cal, 1, r_stacks);
    SEXP r_lp = Rf_allocVector(REALSXP, K);
    SET_VECTOR_ELT(cal, 2, r_lp);
    maps = REAL(r_maps);
    stacks = REAL(r_stacks);
    lp_all = REAL(r_lp);
  }
  /* Held-out posteriors of every repeat, freed by R when the call returns
   * (also on error). */
  double **raw = (double **)R_alloc((size_t)R * n_nets, sizeof(double *));
  for (size_t j = 0; j < (size_t)R * n_nets; j++)
    raw[j] = (double *)R_alloc((size_t)n * K, sizeof(double));
  double **avg = (double **)R_alloc(n_nets, sizeof(double *));
  double **lpy = (double **)R_alloc(n_nets, sizeof(double *));
  for (int j = 0; j < n_nets; j++) {
    avg[j] = REAL(VECTOR_ELT(r_logp, j));
    lpy[j] = REAL(VECTOR_ELT(r_logp_y, j));
  }

  /* Progress is counted in batches; the inner split is about inner_val. */
  double per_fold_rows = (double)n * (F - 1) / F * (1.0 - cfg.inner_val);
  double total = (double)R * F * n_nets * cfg.net_train.epochs *
                 (per_fold_rows / cfg.net_train.batch_size + 1.0);
  if (cfg.density)
    total += (double)R * F * M * cfg.knife_train.epochs *
             (per_fold_rows / cfg.knife_train.batch_size + 1.0);
  glue_progress prog;
  glue_progress_start(&prog, Rf_asLogical(progress_) == TRUE, total,
                      "Cross-fitting");
  PROTECT(prog.bar);
  nprotect++;

  int blas_prev = dm_blas_enter();
  dm_status st = glue_data_load(&gd);
  if (st == DM_OK) {
    st = dm_interact_fit(&gd.data, &cfg, n_nets, specs, master, nthreads,
                         glue_progress_tick, &prog, total, fold_given, INTEGER(r_fold),
                         raw, logdens, REAL(r_prior), th_net, th_knife);
  }
  glue_data_release(&gd);
  glue_progress_done(&prog);
  if (st == DM_OK)
    st = dm_interact_combine(M, K, n, F, R, (const double *const *)raw, INTEGER(y),
                             INTEGER(r_fold), REAL(r_prior), calibrate ? bins : 0, nthreads,
                             avg, lpy, maps, stacks, lp_all);
  dm_blas_leave(blas_prev);
  for (size_t q = 0; q < (size_t)n * R; q++) INTEGER(r_fold)[q] += 1;
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(nprotect);
  return out;
}

/* Calibrated log posteriors of new data: logp, a list of one n x K raw log
 * posterior matrix per subset of the M views; calib as returned by
 * C_dm_interactions_fit. Returns list(status, logp). */
SEXP C_dm_calib_apply(SEXP logp, SEXP calib, SEXP M_) {
  const int M = Rf_asInteger(M_), S = (int)Rf_xlength(logp);
  if (TYPEOF(logp) != VECSXP || M < 1 || M > DM_CALIB_MAX_VIEWS || S != (1 << M) - 1)
    Rf_error("internal error: malformed calibration input");
  SEXP maps = glue_elt(calib, "maps"), stacks = glue_elt(calib, "stacks"),
       lp = glue_elt(calib, "lp");
  const int n = Rf_nrows(VECTOR_ELT(logp, 0)), K = (int)Rf_xlength(lp);
  const int bins = Rf_nrows(maps) / 2;
  if (TYPEOF(maps) != REALSXP || Rf_ncols(maps) != S || bins < 1 ||
      TYPEOF(stacks) != REALSXP || Rf_nrows(stacks) != DM_CALIB_STACK_LEN(M) ||
      Rf_ncols(stacks) != S || TYPEOF(lp) != REALSXP)
    Rf_error("internal error: malformed calibration parameters");
  const double **src = (const double **)R_alloc(S, sizeof(double *));
  for (int s = 0; s < S; s++) {
    SEXP l = VECTOR_ELT(logp, s);
    if (TYPEOF(l) != REALSXP || Rf_nrows(l) != n || Rf_ncols(l) != K)
      Rf_error("internal error: malformed posterior %d", s + 1);
    src[s] = REAL(l);
  }
  const char *names[] = {"status", "logp", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP res = Rf_allocVector(VECSXP, S);
  SET_VECTOR_ELT(out, 1, res);
  double **dst = (double **)R_alloc(S, sizeof(double *));
  for (int s = 0; s < S; s++) {
    SET_VECTOR_ELT(res, s, Rf_allocMatrix(REALSXP, n, K));
    dst[s] = REAL(VECTOR_ELT(res, s));
  }
  int *rows = (int *)R_alloc(n + 1, sizeof(int));
  for (int i = 0; i < n; i++) rows[i] = i;
  dm_status st = dm_calib_apply(M, K, n, src, rows, n, REAL(lp), bins, REAL(maps),
                                REAL(stacks), dst);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(1);
  return out;
}

/* log p(x) of one view under a fitted density, for new data. */
SEXP C_dm_knife_logdens(SEXP data_, SEXP view_, SEXP K_, SEXP theta, SEXP nthreads_) {
  glue_data gd;
  glue_data_parse(data_, -1, R_NilValue, 0, &gd);
  const int V = gd.data.n_views, view = Rf_asInteger(view_), n = gd.data.n;
  int *dims = gd.data.dims;
  const int Kc = Rf_asInteger(K_);
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  if (view < 0 || view >= V || TYPEOF(theta) != REALSXP ||
      (size_t)Rf_xlength(theta) != dm_knife_param_count(dims[view], Kc))
    Rf_error("internal error: malformed density");
  const int *rows = glue_rows(R_NilValue, n);
  const char *names[] = {"status", "logdens", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP ld = Rf_allocVector(REALSXP, n);
  SET_VECTOR_ELT(out, 1, ld);
  int blas_prev = dm_blas_enter();
  dm_knife kn;
  float *th = NULL;
  dm_status st = glue_data_load(&gd);
  if (st == DM_OK) st = dm_knife_create(&kn, dims[view], Kc, view, 1, nthreads);
  if (st == DM_OK) {
    th = malloc(sizeof(float) * (kn.n_params + 1));
    if (!th) st = DM_ERR_NOMEM;
    else {
      glue_floats(theta, kn.n_params, th);
      dm_knife_logdens(&kn, th, &gd.data, rows, n, REAL(ld), nthreads);
    }
    dm_knife_destroy(&kn);
  }
  free(th);
  glue_data_release(&gd);
  dm_blas_leave(blas_prev);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(1);
  return out;
}

/* The redundancy lattice of M views (dm_lattice.h): per node, its sources
 * as view bit masks. */
SEXP C_dm_lattice(SEXP M_) {
  dm_lattice lat;
  if (dm_lattice_create(&lat, Rf_asInteger(M_)) != DM_OK)
    Rf_error("internal error: no lattice for %d views", Rf_asInteger(M_));
  SEXP out = PROTECT(Rf_allocVector(VECSXP, lat.L));
  for (int a = 0; a < lat.L; a++) {
    const int m = lat.start[a + 1] - lat.start[a];
    SEXP v = Rf_allocVector(INTSXP, m);
    SET_VECTOR_ELT(out, a, v);
    for (int j = 0; j < m; j++) INTEGER(v)[j] = lat.members[lat.start[a] + j];
  }
  dm_lattice_destroy(&lat);
  UNPROTECT(1);
  return out;
}

/* Pointwise decomposition of n samples from the pointwise mutual
 * informations of every source (n x (2^M - 1) matrix `i`, column A - 1 for
 * the views in bit mask A). measure "pmmi": the atoms of the redundancy
 * lattice (dm_lattice.h). measure "pm" (two views only): the Finn-Lizier
 * I+- atoms r, u1, u2, s from surprisals `h` (n x 2), with the RUS shift
 * when `adjust` (computed from the sample means when `shift` is NA, else the
 * given one). Returns list(atoms = n x L in lattice order, shift). */
SEXP C_dm_decompose(SEXP i, SEXP h, SEXP measure, SEXP adjust, SEXP shift_) {
  const int n = Rf_nrows(i), S = Rf_ncols(i);
  int M = 0;
  while ((1 << M) - 1 < S) M++;
  if (TYPEOF(i) != REALSXP || (1 << M) - 1 != S || M < 2 || M > DM_LATTICE_MAX_VIEWS)
    Rf_error("internal error: malformed decomposition input");
  const int pm = strcmp(CHAR(STRING_ELT(measure, 0)), "pm") == 0;
  if (pm && (M != 2 || TYPEOF(h) != REALSXP || Rf_nrows(h) != n || Rf_ncols(h) != 2))
    Rf_error("internal error: 'pm' needs two views and their surprisals");
  dm_lattice lat;
  if (dm_lattice_create(&lat, M) != DM_OK) Rf_error("internal error: lattice");
  const char *names[] = {"atoms", "shift", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP atoms = Rf_allocMatrix(REALSXP, n, lat.L);
  SET_VECTOR_ELT(out, 0, atoms);
  double *A = REAL(atoms);
  const double *I = REAL(i);
  double iv[(1 << DM_LATTICE_MAX_VIEWS) - 1], av[DM_LATTICE_MAX_NODES];
  double mean[4] = {0, 0, 0, 0};
  for (int k = 0; k < n; k++) {
    for (int s = 0; s < S; s++) iv[s] = I[(size_t)s * n + k];
    if (pm) {
      /* lattice order for two views: {1}{2}, {1}, {2}, {12} */
      const double hv[2] = {REAL(h)[k], REAL(h)[(size_t)n + k]}, im[2] = {iv[0], iv[1]};
      double u[2];
      dm_pid_pointwise(2, im, iv[2], hv, DM_PW_PM, &av[0], u, &av[3]);
      av[1] = u[0];
      av[2] = u[1];
      for (int q = 0; q < 4; q++) mean[q] += av[q] / n;
    } else {
      dm_lattice_pmmi(&lat, iv, av);
    }
    for (int a = 0; a < lat.L; a++) A[(size_t)a * n + k] = av[a];
  }
  double a = 0.0;
  if (pm && Rf_asLogical(adjust) == TRUE) {
    a = ISNAN(Rf_asReal(shift_)) ? dm_rus_shift(2, mean[0], mean + 1, mean[3])
                                 : Rf_asReal(shift_);
    for (int k = 0; k < n; k++) {
      A[k] += a;
      A[(size_t)n + k] -= a;
      A[(size_t)2 * n + k] -= a;
      A[(size_t)3 * n + k] += a;
    }
  }
  SET_VECTOR_ELT(out, 1, Rf_ScalarReal(a));
  dm_lattice_destroy(&lat);
  UNPROTECT(1);
  return out;
}
