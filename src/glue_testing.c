/* Internal entry points used by the test suite only. */
#include <string.h>
#include <math.h>
#include "dm_distill.h"
#include "dm_gradcheck.h"
#include "dm_pid.h"
#include "dm_rng.h"
#include "dm_threads.h"
#include "glue.h"

SEXP C_dm_gradcheck_cases(void) {
  int n = 0;
  while (dm_gradcheck_cases[n]) n++;
  SEXP out = PROTECT(Rf_allocVector(STRSXP, n));
  for (int i = 0; i < n; i++)
    SET_STRING_ELT(out, i, Rf_mkChar(dm_gradcheck_cases[i]));
  UNPROTECT(1);
  return out;
}

SEXP C_dm_gradcheck(SEXP name, SEXP seed) {
  double err = NA_REAL;
  int prev = dm_blas_enter();
  dm_status st = dm_gradcheck_case(CHAR(STRING_ELT(name, 0)),
                                   (uint64_t)Rf_asReal(seed), &err);
  dm_blas_leave(prev);
  if (st == DM_ERR_ARG) Rf_error("unknown gradient check '%s'", CHAR(STRING_ELT(name, 0)));
  return Rf_ScalarReal(err);
}

/* BROJA's optimal Q for the optimality tests (p normalised, checked in R). */
SEXP C_dm_broja_q(SEXP p, SEXP dims) {
  const int n1 = INTEGER(dims)[0], n2 = INTEGER(dims)[1], ny = INTEGER(dims)[2];
  const char *names[] = {"status", "atoms", "q", "gap", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP atoms = Rf_allocVector(REALSXP, 4);
  SET_VECTOR_ELT(out, 1, atoms);
  SEXP q = Rf_allocVector(REALSXP, (R_xlen_t)n1 * n2 * ny);
  SET_VECTOR_ELT(out, 2, q);
  SEXP gap = Rf_allocVector(REALSXP, 1);
  SET_VECTOR_ELT(out, 3, gap);
  dm_status st = dm_pid_broja(n1, n2, ny, REAL(p), REAL(atoms), REAL(q), REAL(gap), NULL, NULL);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(1);
  return out;
}

/* n draws of the float noise generator of reparameterised sampling. */
SEXP C_dm_rng_normals(SEXP seed, SEXP n) {
  const int nn = Rf_asInteger(n);
  if (nn < 0) Rf_error("n must be nonnegative");
  SEXP out = PROTECT(Rf_allocVector(REALSXP, nn));
  float *buf = (float *)R_alloc((size_t)nn + 1, sizeof(float));
  dm_rng r;
  dm_rng_init(&r, (uint64_t)Rf_asReal(seed));
  dm_rng_normals(&r, buf, nn);
  for (int i = 0; i < nn; i++) REAL(out)[i] = buf[i];
  UNPROTECT(1);
  return out;
}

/* Row indices (0-based) within 0..n-1, else an R error before the core
 * runs (glue_data_parse checks the labels). */
static void check_rows(SEXP rows, int n) {
  if (TYPEOF(rows) != INTSXP || Rf_xlength(rows) < 1) Rf_error("rows must be an integer vector");
  for (R_xlen_t i = 0; i < Rf_xlength(rows); i++)
    if (INTEGER(rows)[i] < 0 || INTEGER(rows)[i] >= n) Rf_error("row index out of range");
}

/* The labelled data (parsed) loaded and a net of `spec` for batches of nb
 * rows, with theta of the net's length; the caller releases both with
 * test_net_close (also after a failure). */
static dm_status test_net_open(glue_data *gd, const dm_net_spec *spec, int nb, size_t n_params,
                               dm_net *net) {
  memset(net, 0, sizeof(*net));
  dm_status st = glue_data_load(gd);
  if (st != DM_OK) return st;
  st = dm_net_create(net, spec, gd->data.dims, gd->data.n_views, nb, 1);
  if (st == DM_OK && n_params != net->n_params) st = DM_ERR_ARG;
  return st;
}

static void test_net_close(glue_data *gd, dm_net *net) {
  dm_net_destroy(net);
  glue_data_release(gd);
}

/* theta as floats (R_alloc'ed). */
static float *test_theta(SEXP theta) {
  float *out = (float *)R_alloc(Rf_xlength(theta) + 1, sizeof(float));
  glue_floats(theta, (size_t)Rf_xlength(theta), out);
  return out;
}

/* One OGM-GE batch gradient of a late-fusion net: the plain gradient, the
 * modulated one (at 0-based `epoch`, noise from `key`), the encoders'
 * scores and coefficients. rows are 0-based. */
SEXP C_dm_ogm_grad(SEXP views_, SEXP y, SEXP K_,
                   SEXP net_, SEXP theta_, SEXP rows_, SEXP epoch, SEXP key) {
  const int K = Rf_asInteger(K_), n = (int)Rf_xlength(y), nb = (int)Rf_xlength(rows_);
  check_rows(rows_, n);
  glue_data gd;
  glue_data_parse(views_, n, y, K, &gd);
  dm_net_spec spec;
  dm_ogm_cfg cfg;
  glue_net_spec(net_, K, &spec);
  if (!glue_modulation(net_, &cfg)) Rf_error("the network has no modulation");
  const int E = spec.n_enc;
  const char *names[] = {"grad", "grad_plain", "score", "coef", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  const R_xlen_t P = Rf_xlength(theta_);
  for (int k = 0; k < 2; k++) SET_VECTOR_ELT(out, k, Rf_allocVector(REALSXP, P));
  SET_VECTOR_ELT(out, 2, Rf_allocVector(REALSXP, E));
  SET_VECTOR_ELT(out, 3, Rf_allocVector(REALSXP, E));
  float *theta = test_theta(theta_);
  float *g = (float *)R_alloc(P + 1, sizeof(float));
  float *g0 = (float *)R_alloc(P + 1, sizeof(float));
  double *score = (double *)R_alloc(E, sizeof(double)), loss;
  float *coef = (float *)R_alloc(E, sizeof(float));
  int prev = dm_blas_enter();
  dm_net net;
  dm_ogm og;
  memset(&og, 0, sizeof(og));
  dm_status st = test_net_open(&gd, &spec, nb, (size_t)P, &net);
  if (st == DM_OK) st = dm_ogm_init(&og, &net, &cfg);
  const dm_net_extras ex = {.enc_score = score};
  if (st == DM_OK) st = dm_net_batch_grad(&net, theta, &gd.data, INTEGER(rows_), nb, g0, &loss, 1, &ex);
  if (st == DM_OK) {
    memcpy(g, g0, sizeof(float) * (size_t)P);
    og.epoch = Rf_asInteger(epoch);
    dm_ogm_modulate(&og, score, g, (uint64_t)Rf_asReal(key));
    memcpy(coef, og.coef, sizeof(float) * E);
  }
  dm_ogm_free(&og);
  test_net_close(&gd, &net);
  dm_blas_leave(prev);
  if (st != DM_OK) Rf_error("dm_ogm_grad failed with status %d", (int)st);
  for (R_xlen_t i = 0; i < P; i++) {
    REAL(VECTOR_ELT(out, 0))[i] = g[i];
    REAL(VECTOR_ELT(out, 1))[i] = g0[i];
  }
  for (int e = 0; e < E; e++) {
    REAL(VECTOR_ELT(out, 2))[e] = score[e];
    REAL(VECTOR_ELT(out, 3))[e] = coef[e];
  }
  UNPROTECT(1);
  return out;
}

/* The batch gradient of a baseline net with UMT's feature targets: `target`
 * is an n x concat_dim R matrix, `weight` the term's weight; rows 0-based.
 * Returns list(loss = summed per-row loss, grad). */
SEXP C_dm_distill_grad(SEXP views_, SEXP y, SEXP K_,
                       SEXP net_, SEXP theta_, SEXP rows_, SEXP target_, SEXP weight) {
  const int K = Rf_asInteger(K_), n = (int)Rf_xlength(y), nb = (int)Rf_xlength(rows_);
  check_rows(rows_, n);
  glue_data gd;
  glue_data_parse(views_, n, y, K, &gd);
  dm_net_spec spec;
  glue_net_spec(net_, K, &spec);
  const int width = Rf_ncols(target_);
  if (!Rf_isMatrix(target_) || TYPEOF(target_) != REALSXP || Rf_nrows(target_) != n)
    Rf_error("target must be an n-row double matrix");
  const char *names[] = {"loss", "grad", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  const R_xlen_t P = Rf_xlength(theta_);
  SET_VECTOR_ELT(out, 1, Rf_allocVector(REALSXP, P));
  if (width != dm_net_spec_width(&spec)) Rf_error("target must have a column per encoding unit");
  float *theta = test_theta(theta_);
  float *g = (float *)R_alloc(P + 1, sizeof(float));
  float *target = (float *)R_alloc((size_t)n * width + 1, sizeof(float));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < width; j++) target[(size_t)i * width + j] = (float)REAL(target_)[(size_t)j * n + i];
  int prev = dm_blas_enter();
  dm_net net;
  double loss = NAN;
  dm_status st = test_net_open(&gd, &spec, nb, (size_t)P, &net);
  dm_distill d = {&net, target, (float)Rf_asReal(weight)};
  if (st == DM_OK) {
    dm_model m = dm_distill_model(&d);
    st = m.batch_grad(m.self, theta, &gd.data, INTEGER(rows_), nb, g, &loss, 0, 1);
  }
  test_net_close(&gd, &net);
  dm_blas_leave(prev);
  if (st != DM_OK) Rf_error("dm_distill_grad failed with status %d", (int)st);
  for (R_xlen_t i = 0; i < P; i++) REAL(VECTOR_ELT(out, 1))[i] = g[i];
  SET_VECTOR_ELT(out, 0, Rf_ScalarReal(loss));
  UNPROTECT(1);
  return out;
}
