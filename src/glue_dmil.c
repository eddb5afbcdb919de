#include <stdlib.h>
#include <string.h>
#include "dm_dmil.h"
#include "dm_rng.h"
#include "dm_streams.h"
#include "dm_threads.h"
#include "dm_train.h"
#include "glue.h"

/* The validation split dmil_fit() uses for every method: its rows, 1-based
 * (an integer vector). */
SEXP C_dm_split(SEXP y, SEXP K_, SEXP frac_, SEXP seed_) {
  const int n = (int)Rf_xlength(y), K = Rf_asInteger(K_);
  if (TYPEOF(y) != INTSXP) Rf_error("internal error: y must be integer");
  int *val = (int *)R_alloc(n + 1, sizeof(int)), *tr = (int *)R_alloc(n + 1, sizeof(int));
  int nv = dm_split_validation(INTEGER(y), n, K, Rf_asReal(frac_),
                               dm_rng_derive((uint64_t)Rf_asReal(seed_), DM_STREAM_SPLIT), val, tr);
  if (nv < 0) Rf_error("dmil: out of memory");
  SEXP out = PROTECT(Rf_allocVector(INTSXP, nv));
  for (int i = 0; i < nv; i++) INTEGER(out)[i] = val[i] + 1;
  UNPROTECT(1);
  return out;
}

static void arch_from(SEXP arch, const int *dims, int M, int K, dm_dmil_arch *a) {
  a->M = M;
  a->K = K;
  a->H = glue_int(arch, "hidden");
  a->D = glue_int(arch, "latent");
  a->depth = glue_int(arch, "depth");
  a->dims = dims;
}

/* The group bits of parameter group names (dm_dmil_group_names). */
static unsigned group_bits(SEXP names) {
  if (TYPEOF(names) != STRSXP) Rf_error("internal error: parameter groups must be names");
  unsigned bits = 0;
  for (R_xlen_t i = 0; i < Rf_xlength(names); i++) {
    int b = 0;
    while (b < DM_DMIL_N_GROUPS && strcmp(CHAR(STRING_ELT(names, i)), dm_dmil_group_names[b]) != 0)
      b++;
    if (b == DM_DMIL_N_GROUPS)
      Rf_error("internal error: unknown parameter group '%s'", CHAR(STRING_ELT(names, i)));
    bits |= 1u << b;
  }
  return bits;
}

/* The names of the parameter groups, in bit order. */
SEXP C_dm_dmil_groups(void) {
  SEXP out = PROTECT(Rf_allocVector(STRSXP, DM_DMIL_N_GROUPS));
  for (int b = 0; b < DM_DMIL_N_GROUPS; b++) SET_STRING_ELT(out, b, Rf_mkChar(dm_dmil_group_names[b]));
  UNPROTECT(1);
  return out;
}

/* The parameter table of a DMIL network with views of `dims` features
 * (dm_dmil_layout): list(group, view (1-based; NA for shared blocks),
 * start (1-based), length). */
SEXP C_dm_dmil_layout(SEXP dims_, SEXP K_, SEXP arch_) {
  if (TYPEOF(dims_) != INTSXP) Rf_error("internal error: dims must be integer");
  const int M = (int)Rf_xlength(dims_), n = DM_DMIL_N_BLOCKS(M);
  dm_dmil_arch arch;
  arch_from(arch_, INTEGER(dims_), M, Rf_asInteger(K_), &arch);
  dm_dmil_block *blocks = (dm_dmil_block *)R_alloc(n, sizeof(dm_dmil_block));
  if (M < 2 || dm_dmil_layout(&arch, blocks) == 0) Rf_error("internal error: invalid DMIL architecture");
  const char *names[] = {"group", "view", "start", "length", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP group = Rf_allocVector(STRSXP, n);
  SET_VECTOR_ELT(out, 0, group);
  for (int k = 1; k <= 3; k++) SET_VECTOR_ELT(out, k, Rf_allocVector(REALSXP, n));
  for (int j = 0; j < n; j++) {
    int b = 0;
    while (!(blocks[j].group & (1u << b))) b++;
    SET_STRING_ELT(group, j, Rf_mkChar(dm_dmil_group_names[b]));
    REAL(VECTOR_ELT(out, 1))[j] = blocks[j].view < 0 ? NA_REAL : blocks[j].view + 1;
    REAL(VECTOR_ELT(out, 2))[j] = (double)blocks[j].offset + 1;
    REAL(VECTOR_ELT(out, 3))[j] = (double)blocks[j].length;
  }
  UNPROTECT(1);
  return out;
}

/* Per data row weights from R (numeric, or NULL), as float. */
static const float *weights(SEXP stage, const char *name, R_xlen_t len) {
  SEXP w = glue_elt(stage, name);
  if (Rf_isNull(w)) return NULL;
  if (TYPEOF(w) != REALSXP || Rf_xlength(w) != len)
    Rf_error("internal error: weights '%s' have the wrong length", name);
  float *out = (float *)R_alloc(len + 1, sizeof(float));
  glue_floats(w, (size_t)len, out);
  return out;
}

/* Trains the DMIL network through a sequence of stages
 * (dm_dmil_train_stages: Phase A is one, Phase C three), each with its own
 * loss, trainable groups and learning rate, starting from `theta` (NULL: a
 * fresh initialisation).
 * Returns list(status, theta, stages = list of list(theta, train_loss,
 *   val_log_loss, val_accuracy, epochs_run, best_epoch, acc_before, acc_after,
 *   kept)). */
SEXP C_dm_dmil_train(SEXP views_, SEXP y,
                     SEXP K_, SEXP arch_, SEXP theta_, SEXP train_rows_,
                     SEXP val_rows_, SEXP stages_, SEXP seed_, SEXP nthreads_,
                     SEXP progress_) {
  int nprotect = 0;
  const int K = Rf_asInteger(K_), n = (int)Rf_xlength(y);
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  const uint64_t master = (uint64_t)Rf_asReal(seed_);
  const int n_stages = (int)Rf_xlength(stages_);
  const int n_train = (int)Rf_xlength(train_rows_), n_val = (int)Rf_xlength(val_rows_);
  if (TYPEOF(y) != INTSXP || TYPEOF(train_rows_) != INTSXP || TYPEOF(val_rows_) != INTSXP)
    Rf_error("internal error: integer vectors expected");
  glue_data gd;
  glue_data_parse(views_, n, y, K, &gd);
  const int M = gd.data.n_views;
  dm_dmil_arch arch;
  arch_from(arch_, gd.data.dims, M, K, &arch);
  const size_t P = dm_dmil_param_count(&arch);
  if (P == 0) Rf_error("internal error: invalid DMIL architecture");
  if (!Rf_isNull(theta_) && (TYPEOF(theta_) != REALSXP || (size_t)Rf_xlength(theta_) != P))
    Rf_error("internal error: initial parameters have the wrong length");
  const int *train_rows = glue_rows(train_rows_, n), *val_rows = glue_rows(val_rows_, n);

  dm_dmil_stage *st_cfg = (dm_dmil_stage *)R_alloc(n_stages, sizeof(dm_dmil_stage));
  int batch = 0, max_partners = 1;
  double total = 0.0;
  for (int s = 0; s < n_stages; s++) {
    SEXP sg = VECTOR_ELT(stages_, s);
    dm_dmil_stage *c = &st_cfg[s];
    memset(c, 0, sizeof(*c));
    c->loss.lambda_full = (float)glue_dbl(sg, "lambda_full");
    c->loss.lambda_uni = (float)glue_dbl(sg, "lambda_uni");
    c->loss.lambda_red = (float)glue_dbl(sg, "lambda_red");
    c->loss.lambda_uni_sg = (float)glue_dbl(sg, "lambda_uni_sg");
    c->loss.lambda_syn_sg = (float)glue_dbl(sg, "lambda_syn_sg");
    c->loss.lambda_align = (float)glue_dbl(sg, "lambda_align");
    c->loss.beta_R = (float)glue_dbl(sg, "beta_R");
    c->loss.beta_U = (float)glue_dbl(sg, "beta_U");
    c->loss.beta_S = (float)glue_dbl(sg, "beta_S");
    c->loss.lambda_orth = (float)glue_dbl(sg, "lambda_orth");
    c->loss.lambda_anova = (float)glue_dbl(sg, "lambda_anova");
    c->loss.partners = glue_int(sg, "partners");
    c->loss.variational = glue_int(sg, "variational");
    c->loss.warmup_epochs = glue_int(sg, "warmup");
    c->loss.w_full = weights(sg, "w_full", n);
    c->loss.w_red = weights(sg, "w_red", n);
    c->loss.w_syn = weights(sg, "w_syn", n);
    c->loss.w_uni = weights(sg, "w_uni", (R_xlen_t)n * M);
    c->train = glue_train_cfg(sg, "", DM_SELECT_ACCURACY);
    c->groups = group_bits(glue_elt(sg, "groups"));
    c->enc_mult = (float)glue_dbl(sg, "enc_mult");
    c->tolerance = glue_dbl(sg, "tolerance");
    batch = DM_MAX(batch, c->train.batch_size);
    max_partners = DM_MAX(max_partners, c->loss.partners);
    total += (double)c->train.epochs * ((n_train + c->train.batch_size - 1) / c->train.batch_size);
  }

  const char *names[] = {"status", "theta", "stages", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  nprotect++;
  SEXP r_theta = Rf_allocVector(REALSXP, (R_xlen_t)P);
  SET_VECTOR_ELT(out, 1, r_theta);
  SEXP r_stages = Rf_allocVector(VECSXP, n_stages);
  SET_VECTOR_ELT(out, 2, r_stages);
  const char *snames[] = {"theta", "train_loss", "val_log_loss", "val_accuracy", "epochs_run",
                          "best_epoch", "acc_before", "acc_after", "kept", ""};
  for (int s = 0; s < n_stages; s++) {
    SEXP r = Rf_mkNamed(VECSXP, snames);
    SET_VECTOR_ELT(r_stages, s, r);
    SET_VECTOR_ELT(r, 0, Rf_allocVector(REALSXP, (R_xlen_t)P));
    for (int k = 1; k <= 3; k++) SET_VECTOR_ELT(r, k, Rf_allocVector(REALSXP, st_cfg[s].train.epochs));
    for (int k = 4; k <= 5; k++) SET_VECTOR_ELT(r, k, Rf_allocVector(INTSXP, 1));
    for (int k = 6; k <= 7; k++) SET_VECTOR_ELT(r, k, Rf_allocVector(REALSXP, 1));
    SET_VECTOR_ELT(r, 8, Rf_allocVector(LGLSXP, 1));
  }
  /* The stages' records point into the R results: NA until a stage runs. */
  dm_dmil_stage_result *res = (dm_dmil_stage_result *)R_alloc(n_stages, sizeof(dm_dmil_stage_result));
  for (int s = 0; s < n_stages; s++) {
    SEXP r = VECTOR_ELT(r_stages, s);
    res[s] = (dm_dmil_stage_result){{REAL(VECTOR_ELT(r, 1)), REAL(VECTOR_ELT(r, 2)),
                                     REAL(VECTOR_ELT(r, 3)), 0, 0},
                                    REAL(VECTOR_ELT(r, 0)), NA_REAL, NA_REAL, NA_LOGICAL};
  }
  glue_progress prog;
  glue_progress_start(&prog, Rf_asLogical(progress_) == TRUE, total, "DMIL");
  PROTECT(prog.bar);
  nprotect++;

  int blas_prev = dm_blas_enter();
  dm_dmil net;
  float *theta = NULL;
  int have_net = 0;
  dm_status status = glue_data_load(&gd);
  if (status == DM_OK) {
    status = dm_dmil_create(&net, &arch, batch, max_partners, nthreads);
    have_net = status == DM_OK;
  }
  if (status == DM_OK && !(theta = malloc(sizeof(float) * (P + 1)))) status = DM_ERR_NOMEM;
  if (status == DM_OK) {
    const uint64_t key = dm_rng_derive(master, DM_STREAM_DMIL);
    if (Rf_isNull(theta_)) dm_dmil_init(&net, theta, dm_rng_derive(key, DM_STREAM_DMIL_INIT));
    else
      glue_floats(theta_, P, theta);
    status = dm_dmil_train_stages(&net, theta, &gd.data, train_rows, n_train, val_rows, n_val,
                                  st_cfg, n_stages, key, nthreads, glue_progress_tick, &prog,
                                  total, res);
    for (int s = 0; s < n_stages; s++) {
      SEXP r = VECTOR_ELT(r_stages, s);
      INTEGER(VECTOR_ELT(r, 4))[0] = res[s].hist.epochs_run;
      INTEGER(VECTOR_ELT(r, 5))[0] = res[s].hist.best_epoch;
      REAL(VECTOR_ELT(r, 6))[0] = res[s].acc_before;
      REAL(VECTOR_ELT(r, 7))[0] = res[s].acc_after;
      LOGICAL(VECTOR_ELT(r, 8))[0] = res[s].kept;
    }
    for (size_t k = 0; k < P; k++) REAL(r_theta)[k] = theta[k];
  }
  free(theta);
  if (have_net) dm_dmil_destroy(&net);
  glue_data_release(&gd);
  dm_blas_leave(blas_prev);
  glue_progress_done(&prog);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(status)));
  UNPROTECT(nprotect);
  return out;
}

/* Predictions of a DMIL network with possibly missing views (the views'
 * `present`, see glue_views). Returns list(status,
 * logits = n x K, comps = n x ((M + 3) * K): for each component (a_R,
 * a_U1.., a_S, b) a block of K columns). */
SEXP C_dm_dmil_predict(SEXP views_, SEXP K_, SEXP arch_, SEXP theta_, SEXP nthreads_) {
  const int K = Rf_asInteger(K_);
  glue_data gd;
  glue_data_parse(views_, -1, R_NilValue, K, &gd);
  const int M = gd.data.n_views, n = gd.data.n;
  const int nthreads = dm_threads_effective(Rf_asInteger(nthreads_));
  dm_dmil_arch arch;
  arch_from(arch_, gd.data.dims, M, K, &arch);
  const size_t P = dm_dmil_param_count(&arch);
  if (P == 0 || TYPEOF(theta_) != REALSXP || (size_t)Rf_xlength(theta_) != P)
    Rf_error("internal error: malformed DMIL parameters");
  const int *rows = glue_rows(R_NilValue, n);
  const char *names[] = {"status", "logits", "comps", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP logits = Rf_allocMatrix(REALSXP, n, K);
  SET_VECTOR_ELT(out, 1, logits);
  SEXP comps = Rf_allocMatrix(REALSXP, n, (M + 3) * K);
  SET_VECTOR_ELT(out, 2, comps);
  int blas_prev = dm_blas_enter();
  dm_dmil net;
  float *theta = NULL, *z = NULL, *cz = NULL;
  int have_net = 0;
  dm_status st = glue_data_load(&gd);
  if (st == DM_OK) {
    st = dm_dmil_create(&net, &arch, 1, 1, nthreads);
    have_net = st == DM_OK;
  }
  if (st == DM_OK) {
    theta = malloc(sizeof(float) * (P + 1));
    z = malloc(sizeof(float) * ((size_t)n * K + 1));
    cz = malloc(sizeof(float) * ((size_t)n * (M + 3) * K + 1));
    if (!theta || !z || !cz) st = DM_ERR_NOMEM;
  }
  if (st == DM_OK) {
    glue_floats(theta_, P, theta);
    dm_dmil_predict(&net, theta, &gd.data, rows, n, z, cz, nthreads);
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < K; k++) REAL(logits)[(size_t)k * n + i] = z[(size_t)i * K + k];
      for (int c = 0; c < (M + 3) * K; c++)
        REAL(comps)[(size_t)c * n + i] = cz[(size_t)i * (M + 3) * K + c];
    }
  }
  free(theta);
  free(z);
  free(cz);
  if (have_net) dm_dmil_destroy(&net);
  glue_data_release(&gd);
  dm_blas_leave(blas_prev);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(1);
  return out;
}
