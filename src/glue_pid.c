#include <string.h>
#include "dm_pid.h"
#include "glue.h"

/* The bar runs from 0 to 1 over a solver's iterations (BROJA's outer
 * barrier iterations, CCS's sweeps up to its cap). */
static int pid_tick(void *ctx, double done, double total) {
  return glue_progress_tick(ctx, done / total, 1.0);
}

/* Exact PID of a discrete distribution (array of probabilities summing to
 * 1, dims n1 x n2 x ny, checked in R) for the named measures; BROJA and
 * CCS show a progress bar when `progress` is TRUE and can be interrupted.
 * Returns
 * list(status, atoms = length(measures) x 4 matrix (R, U1, U2, S; nats),
 * mi = c(I1, I2, I12), gap = BROJA's bound on its distance to the optimum,
 * max_free = the most free coordinates BROJA takes, ccs_error = the largest
 * marginal error left by CCS's fitting). */
SEXP C_dm_pid_discrete(SEXP p, SEXP dims, SEXP measures, SEXP tol, SEXP progress) {
  const int n1 = INTEGER(dims)[0], n2 = INTEGER(dims)[1], ny = INTEGER(dims)[2];
  const int M = (int)Rf_xlength(measures);
  const double *pp = REAL(p);
  const char *names[] = {"status", "atoms", "mi", "gap", "max_free", "ccs_error", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(out, 4, Rf_ScalarInteger(DM_BROJA_MAX_FREE));
  SEXP ccs_err = Rf_ScalarReal(NA_REAL);
  SET_VECTOR_ELT(out, 5, ccs_err);
  glue_progress prog;
  glue_progress_start(&prog, Rf_asLogical(progress) == TRUE, 1.0, "Exact PID");
  PROTECT(prog.bar);
  SEXP atoms = Rf_allocMatrix(REALSXP, M, 4);
  SET_VECTOR_ELT(out, 1, atoms);
  SEXP mi = Rf_allocVector(REALSXP, 3);
  SET_VECTOR_ELT(out, 2, mi);
  SEXP gap = Rf_allocVector(REALSXP, 1);
  SET_VECTOR_ELT(out, 3, gap);
  REAL(gap)[0] = NA_REAL;
  dm_pid_mis(n1, n2, ny, pp, REAL(mi));
  dm_status st = DM_OK;
  for (int k = 0; k < M && st == DM_OK; k++) {
    const char *m = CHAR(STRING_ELT(measures, k));
    double a[4];
    if (strcmp(m, "broja") == 0)
      st = dm_pid_broja(n1, n2, ny, pp, a, NULL, REAL(gap), pid_tick, &prog);
    else if (strcmp(m, "ccs") == 0)
      st = dm_pid_ccs(n1, n2, ny, pp, Rf_asReal(tol), REAL(ccs_err), a, pid_tick, &prog);
    else if (strcmp(m, "imin") == 0) dm_pid_imin(n1, n2, ny, pp, a);
    else if (strcmp(m, "mmi") == 0) dm_pid_mmi(n1, n2, ny, pp, a);
    else if (strcmp(m, "pm") == 0) dm_pid_pointwise_mean(n1, n2, ny, pp, DM_PW_PM, 0, a);
    else if (strcmp(m, "lsmi") == 0) dm_pid_pointwise_mean(n1, n2, ny, pp, DM_PW_PM, 1, a);
    else if (strcmp(m, "pmmi") == 0) dm_pid_pointwise_mean(n1, n2, ny, pp, DM_PW_PMMI, 0, a);
    else Rf_error("internal error: unknown measure '%s'", m);
    for (int j = 0; j < 4; j++) REAL(atoms)[k + (size_t)M * j] = a[j];
  }
  glue_progress_done(&prog);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(2);
  return out;
}

/* Per-outcome values of a pointwise measure ("pm", "lsmi" or "pmmi"):
 * list of r, u1, u2, s, i1, i2, i12 (nats), one entry per cell of p, NaN
 * where p is 0. */
SEXP C_dm_pid_pointwise(SEXP p, SEXP dims, SEXP measure) {
  const int n1 = INTEGER(dims)[0], n2 = INTEGER(dims)[1], ny = INTEGER(dims)[2];
  const R_xlen_t N = (R_xlen_t)n1 * n2 * ny;
  const char *m = CHAR(STRING_ELT(measure, 0));
  const char *names[] = {"r", "u1", "u2", "s", "i1", "i2", "i12", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  double *v[7];
  for (int k = 0; k < 7; k++) {
    SET_VECTOR_ELT(out, k, Rf_allocVector(REALSXP, N));
    v[k] = REAL(VECTOR_ELT(out, k));
  }
  dm_pw_measure meas = strcmp(m, "pmmi") == 0 ? DM_PW_PMMI : DM_PW_PM;
  int adjust = strcmp(m, "lsmi") == 0;
  dm_pid_pointwise_cells(n1, n2, ny, REAL(p), meas, adjust, v[0], v[1], v[2],
                         v[3], v[4], v[5], v[6]);
  UNPROTECT(1);
  return out;
}
