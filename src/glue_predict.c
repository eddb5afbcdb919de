#include <stdlib.h>
#include <string.h>
#include "dm_loss.h"
#include "dm_net.h"
#include "dm_threads.h"
#include "glue.h"

/* Logits of new data under one or more trained baseline networks.
 *   data_: the data (glue_data_parse; views with cols matching the new
 *   data's columns to the fitted ones);
 *   nets: list of network descriptions, each with its `theta`;
 *   combine: 0 = logits of the single network, 1 = mean over the networks
 *   of their log-softmax outputs (the modality ensemble).
 * Returns list(status, logits = n x K double matrix). */
SEXP C_dm_predict_baseline(SEXP data_, SEXP nets, SEXP K_, SEXP combine_, SEXP nthreads_) {
  int nprotect = 0;
  const int K = Rf_asInteger(K_);
  glue_data gd;
  glue_data_parse(data_, -1, R_NilValue, K, &gd);
  const int V = gd.data.n_views, n = gd.data.n;
  int *dims = gd.data.dims;
  const int n_nets = (int)Rf_xlength(nets);
  const int combine = Rf_asInteger(combine_);
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  dm_net_spec *specs = (dm_net_spec *)R_alloc(n_nets, sizeof(dm_net_spec));
  for (int j = 0; j < n_nets; j++) {
    SEXP net = VECTOR_ELT(nets, j);
    glue_net_spec(net, K, &specs[j]);
    SEXP theta = glue_elt(net, "theta");
    if (TYPEOF(theta) != REALSXP ||
        (size_t)Rf_xlength(theta) != dm_net_param_count(&specs[j], dims, V))
      Rf_error("internal error: network %d has the wrong number of weights",
               j + 1);
  }
  const int *rows = glue_rows(R_NilValue, n);

  const char *names[] = {"status", "logits", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  nprotect++;
  SEXP logits = Rf_allocMatrix(REALSXP, n, K);
  SET_VECTOR_ELT(out, 1, logits);
  double *L = REAL(logits);
  for (R_xlen_t k = 0; k < (R_xlen_t)n * K; k++) L[k] = 0.0;

  int blas_prev = dm_blas_enter();
  dm_status st = glue_data_load(&gd);
  float *z = st == DM_OK ? malloc(sizeof(float) * ((size_t)n * K + 1)) : NULL;
  if (st == DM_OK && !z) st = DM_ERR_NOMEM;
  for (int j = 0; j < n_nets && st == DM_OK; j++) {
    SEXP th = glue_elt(VECTOR_ELT(nets, j), "theta");
    dm_net net;
    st = dm_net_create(&net, &specs[j], dims, V, DM_NET_EVAL_ROWS, nthreads);
    if (st != DM_OK) break;
    float *theta = malloc(sizeof(float) * (net.n_params + 1));
    if (!theta) {
      dm_net_destroy(&net);
      st = DM_ERR_NOMEM;
      break;
    }
    glue_floats(th, net.n_params, theta);
    dm_model model = dm_net_model(&net);
    model.logits(model.self, theta, &gd.data, rows, n, z, nthreads);
    if (combine == 1) dm_log_softmax(n, K, z, K, z, K);
    /* R's matrix is column-major. */
    const double w = combine == 1 ? 1.0 / n_nets : 1.0;
    for (int i = 0; i < n; i++)
      for (int k = 0; k < K; k++)
        L[(size_t)k * n + i] += w * z[(size_t)i * K + k];
    free(theta);
    dm_net_destroy(&net);
  }
  free(z);
  glue_data_release(&gd);
  dm_blas_leave(blas_prev);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(nprotect);
  return out;
}

/* The encoder outputs (concatenated, n x concat_dim) of new data under one
 * trained baseline network, what a probe of a view's representation reads,
 * and for a mixture of heads their weights (n x n_heads; NULL otherwise).
 * Arguments as for C_dm_predict_baseline with a single network.
 * Returns list(status, encodings, weights). */
SEXP C_dm_net_internals(SEXP data_, SEXP net_, SEXP K_) {
  const int K = Rf_asInteger(K_);
  glue_data gd;
  glue_data_parse(data_, -1, R_NilValue, K, &gd);
  const int V = gd.data.n_views, n = gd.data.n;
  int *dims = gd.data.dims;
  dm_net_spec spec;
  glue_net_spec(net_, K, &spec);
  SEXP th = glue_elt(net_, "theta");
  if (TYPEOF(th) != REALSXP || (size_t)Rf_xlength(th) != dm_net_param_count(&spec, dims, V))
    Rf_error("internal error: the network has the wrong number of weights");
  const int width = dm_net_spec_width(&spec);
  const int H = spec.n_heads > 1 ? spec.n_heads : 0;
  const char *names[] = {"status", "encodings", "weights", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP enc = Rf_allocMatrix(REALSXP, n, width);
  SET_VECTOR_ELT(out, 1, enc);
  if (H) SET_VECTOR_ELT(out, 2, Rf_allocMatrix(REALSXP, n, H));
  const int *rows = glue_rows(R_NilValue, n);
  float *buf = (float *)R_alloc((size_t)n * width + 1, sizeof(float));
  float *wbuf = H ? (float *)R_alloc((size_t)n * H + 1, sizeof(float)) : NULL;

  int blas_prev = dm_blas_enter();
  dm_net net;
  memset(&net, 0, sizeof(net));
  float *theta = NULL;
  dm_status st = glue_data_load(&gd);
  if (st == DM_OK) st = dm_net_create(&net, &spec, dims, V, DM_NET_EVAL_ROWS, 1);
  if (st == DM_OK && !(theta = malloc(sizeof(float) * (net.n_params + 1)))) st = DM_ERR_NOMEM;
  if (st == DM_OK) {
    glue_floats(th, net.n_params, theta);
    dm_net_encode(&net, theta, &gd.data, rows, n, buf, width, wbuf);
    /* R's matrices are column-major. */
    double *E = REAL(enc);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < width; j++) E[(size_t)j * n + i] = buf[(size_t)i * width + j];
    if (H) {
      double *W = REAL(VECTOR_ELT(out, 2));
      for (int i = 0; i < n; i++)
        for (int b = 0; b < H; b++) W[(size_t)b * n + i] = wbuf[(size_t)i * H + b];
    }
  }
  free(theta);
  dm_net_destroy(&net);
  glue_data_release(&gd);
  dm_blas_leave(blas_prev);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(1);
  return out;
}

/* The number of parameters of each network description in `nets`
 * (glue_net_spec) on views of `dims` features and K classes, as doubles:
 * what a fit's memory estimate reads before anything is allocated. */
SEXP C_dm_net_param_counts(SEXP dims_, SEXP K_, SEXP nets) {
  if (TYPEOF(dims_) != INTSXP) Rf_error("internal error: dims must be integer");
  const int V = (int)Rf_xlength(dims_), K = Rf_asInteger(K_), n = (int)Rf_xlength(nets);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, n));
  for (int j = 0; j < n; j++) {
    dm_net_spec spec;
    glue_net_spec(VECTOR_ELT(nets, j), K, &spec);
    REAL(out)[j] = (double)dm_net_param_count(&spec, INTEGER(dims_), V);
  }
  UNPROTECT(1);
  return out;
}
