#include <stdlib.h>
#include <string.h>
#include "dm_distill.h"
#include "dm_i2moe.h"
#include "dm_net.h"
#include "dm_rng.h"
#include "dm_streams.h"
#include "dm_threads.h"
#include "dm_train.h"
#include "glue.h"

/* The encodings of every data row under the trained teacher nets `from`
 * (earlier nets of the same call, parameters in r_nets), side by side:
 * UMT's feature targets, `width` floats per row. */
static dm_status teacher_targets(SEXP r_nets, const dm_net_spec *specs, const int *from,
                                 int n_from, const int *dims, int V, const dm_data *data,
                                 int n, int width, float *target) {
  int *rows = malloc(sizeof(int) * ((size_t)n + 1));
  if (!rows) return DM_ERR_NOMEM;
  for (int i = 0; i < n; i++) rows[i] = i;
  dm_status st = DM_OK;
  int col = 0;
  for (int f = 0; f < n_from && st == DM_OK; f++) {
    dm_net tn;
    st = dm_net_create(&tn, &specs[from[f]], dims, V, DM_NET_EVAL_ROWS, 1);
    if (st != DM_OK) break;
    float *theta = malloc(sizeof(float) * (tn.n_params + 1));
    if (!theta) {
      st = DM_ERR_NOMEM;
    } else {
      glue_floats(VECTOR_ELT(VECTOR_ELT(r_nets, from[f]), 0), tn.n_params, theta);
      dm_net_encode(&tn, theta, data, rows, n, target + col, width, NULL);
      col += tn.concat_dim;
    }
    free(theta);
    dm_net_destroy(&tn);
  }
  free(rows);
  return st;
}

/* Trains one or more baseline networks on the same data and validation
 * split (several for method "ensemble"/"unimodal").
 *   data_: the data (glue_data_parse);
 *   y: 0-based integer labels; K: number of classes;
 *   nets: list of network descriptions (glue_net_spec, and `modulation`
 *         for OGM-GE, see glue_modulation, `distill` for UMT, and
 *         `interaction`, NULL or I2MoE's loss weight);
 *   cfg: list(epochs, batch_size, patience, lr, weight_decay);
 *   train_rows, val_rows: 1-based rows of the data; a network trains and
 *         is validated on those of them that have every view it reads
 *         (all of them unless the data say some views are absent);
 *   seed: master seed (a whole number drawn in R); nthreads; progress.
 * Returns list(status, nets = list of
 *   list(theta, train_loss, val_log_loss, val_accuracy, epochs_run, best_epoch)). */
SEXP C_dm_fit_baseline(SEXP data_, SEXP y, SEXP K_, SEXP nets, SEXP cfg_, SEXP train_rows_,
                       SEXP val_rows_, SEXP seed_, SEXP nthreads_, SEXP progress_) {
  int nprotect = 0;
  const int K = Rf_asInteger(K_);
  const int n = (int)Rf_xlength(y);
  const int n_nets = (int)Rf_xlength(nets);
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  const uint64_t master = (uint64_t)Rf_asReal(seed_);
  if (TYPEOF(y) != INTSXP) Rf_error("internal error: y must be integer");
  glue_data gd;
  glue_data_parse(data_, n, y, K, &gd);
  const int V = gd.data.n_views;
  int *dims = gd.data.dims;

  dm_train_cfg cfg = glue_train_cfg(cfg_, "", DM_SELECT_ACCURACY);

  dm_net_spec *specs = (dm_net_spec *)R_alloc(n_nets, sizeof(dm_net_spec));
  size_t *n_params = (size_t *)R_alloc(n_nets, sizeof(size_t));
  dm_ogm_cfg *ogm = (dm_ogm_cfg *)R_alloc(n_nets, sizeof(dm_ogm_cfg));
  int *modulated = (int *)R_alloc(n_nets, sizeof(int));
  /* UMT: element `distill` = NULL or list(from = earlier nets (0-based),
   * weight); the teachers' encodings must be as wide as the student's. */
  const int **from = (const int **)R_alloc(n_nets, sizeof(int *));
  int *n_from = (int *)R_alloc(n_nets, sizeof(int));
  float *distill_w = (float *)R_alloc(n_nets, sizeof(float));
  /* I2MoE: the interaction losses' weight, or -1 for none. */
  float *interaction_w = (float *)R_alloc(n_nets, sizeof(float));
  for (int j = 0; j < n_nets; j++) {
    glue_net_spec(VECTOR_ELT(nets, j), K, &specs[j]);
    SEXP iw = glue_elt_or_null(VECTOR_ELT(nets, j), "interaction");
    interaction_w[j] = Rf_isNull(iw) ? -1.0f : (float)Rf_asReal(iw);
    modulated[j] = glue_modulation(VECTOR_ELT(nets, j), &ogm[j]);
    SEXP dist = glue_elt(VECTOR_ELT(nets, j), "distill");
    n_from[j] = 0;
    if (!Rf_isNull(dist)) {
      SEXP fr = glue_elt(dist, "from");
      if (TYPEOF(fr) != INTSXP) Rf_error("internal error: distill$from must be integer");
      n_from[j] = (int)Rf_xlength(fr);
      from[j] = INTEGER(fr);
      distill_w[j] = (float)glue_dbl(dist, "weight");
      int w = 0;
      for (int f = 0; f < n_from[j]; f++) {
        if (from[j][f] < 0 || from[j][f] >= j) Rf_error("internal error: bad teacher index");
        w += dm_net_spec_width(&specs[from[j][f]]);
      }
      if (w != dm_net_spec_width(&specs[j])) Rf_error("internal error: teacher encodings of the wrong width");
    }
    n_params[j] = dm_net_param_count(&specs[j], dims, V);
    if (n_params[j] == 0) Rf_error("internal error: invalid network %d", j + 1);
  }

  const int *train_rows = glue_rows(train_rows_, n), *val_rows = glue_rows(val_rows_, n);
  const int n_train = (int)Rf_xlength(train_rows_), n_val = (int)Rf_xlength(val_rows_);
  /* each network's rows: those with the views it reads */
  int *net_train = (int *)R_alloc(n_train + 1, sizeof(int));
  int *net_val = (int *)R_alloc(n_val + 1, sizeof(int));
  const int batches = (n_train + cfg.batch_size - 1) / cfg.batch_size;

  /* Every R result is allocated before the core runs. */
  const char *out_names[] = {"status", "nets", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, out_names));
  nprotect++;
  SEXP r_nets = Rf_allocVector(VECSXP, n_nets);
  SET_VECTOR_ELT(out, 1, r_nets);
  const char *net_names[] = {"theta", "train_loss", "val_log_loss", "val_accuracy",
                             "epochs_run", "best_epoch", ""};
  for (int j = 0; j < n_nets; j++) {
    SEXP r = Rf_mkNamed(VECSXP, net_names);
    SET_VECTOR_ELT(r_nets, j, r);
    SET_VECTOR_ELT(r, 0, Rf_allocVector(REALSXP, (R_xlen_t)n_params[j]));
    for (int k = 1; k <= 3; k++)
      SET_VECTOR_ELT(r, k, Rf_allocVector(REALSXP, cfg.epochs));
    SET_VECTOR_ELT(r, 4, Rf_allocVector(INTSXP, 1));
    SET_VECTOR_ELT(r, 5, Rf_allocVector(INTSXP, 1));
  }
  glue_progress prog;
  glue_progress_start(&prog, Rf_asLogical(progress_) == TRUE,
                      (double)batches * cfg.epochs * n_nets, "Training");
  PROTECT(prog.bar);
  nprotect++;

  /* The core runs from here on: no R allocation until the end. */
  int blas_prev = dm_blas_enter();
  dm_status st = glue_data_load(&gd);
  const dm_data *data = &gd.data;
  double done = 0.0;
  const double total = (double)batches * cfg.epochs * n_nets;
  for (int j = 0; j < n_nets && st == DM_OK; j++) {
    SEXP r = VECTOR_ELT(r_nets, j);
    dm_net net;
    st = dm_net_create(&net, &specs[j], dims, V, cfg.batch_size, nthreads);
    if (st != DM_OK) break;
    float *theta = malloc(sizeof(float) * (net.n_params + 1));
    if (!theta) {
      dm_net_destroy(&net);
      st = DM_ERR_NOMEM;
      break;
    }
    const uint64_t key = dm_rng_derive(master, DM_STREAM_NETS + (uint64_t)j);
    dm_net_init(&net, theta, dm_rng_derive(key, DM_STREAM_INIT));
    dm_history hist = {REAL(VECTOR_ELT(r, 1)), REAL(VECTOR_ELT(r, 2)),
                       REAL(VECTOR_ELT(r, 3)), 0, 0};
    dm_model model = dm_net_model(&net);
    dm_ogm og;
    memset(&og, 0, sizeof(og));
    if (modulated[j]) {
      st = dm_ogm_init(&og, &net, &ogm[j]);
      if (st == DM_OK) model = dm_ogm_model(&og);
    }
    float *target = NULL;
    dm_distill dist;
    if (n_from[j] > 0) {
      target = malloc(sizeof(float) * ((size_t)n * net.concat_dim + 1));
      st = target ? teacher_targets(r_nets, specs, from[j], n_from[j], dims, V, data, n,
                                    net.concat_dim, target)
                  : DM_ERR_NOMEM;
      dist = (dm_distill){&net, target, distill_w[j]};
      model = dm_distill_model(&dist);
    }
    dm_i2moe im;
    memset(&im, 0, sizeof(im));
    if (interaction_w[j] >= 0.0f && st == DM_OK) {
      st = dm_i2moe_init(&im, &net, interaction_w[j]);
      model = dm_i2moe_model(&im);
    }
    int views_read = 0;
    for (int e = 0; e < specs[j].n_enc; e++) views_read += specs[j].enc_n_views[e];
    const int nt_j = dm_data_rows_with(data, views_read, specs[j].enc_views, train_rows, n_train,
                                       net_train);
    const int nv_j = dm_data_rows_with(data, views_read, specs[j].enc_views, val_rows, n_val,
                                       net_val);
    if (st == DM_OK && nt_j == 0) st = DM_ERR_ARG; /* R keeps this from happening */
    if (st == DM_OK)
      st = dm_train(&model, theta, data, net_train, nt_j, net_val, nv_j,
                  &cfg, dm_rng_derive(key, DM_STREAM_TRAIN), nthreads,
                  glue_progress_tick, &prog, &done, total, &hist);
    double *th = REAL(VECTOR_ELT(r, 0));
    for (size_t k = 0; k < net.n_params; k++) th[k] = theta[k];
    INTEGER(VECTOR_ELT(r, 4))[0] = hist.epochs_run;
    INTEGER(VECTOR_ELT(r, 5))[0] = hist.best_epoch;
    free(target);
    dm_i2moe_free(&im);
    dm_ogm_free(&og);
    free(theta);
    dm_net_destroy(&net);
  }
  glue_data_release(&gd);
  dm_blas_leave(blas_prev);
  glue_progress_done(&prog);

  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(nprotect);
  return out;
}
