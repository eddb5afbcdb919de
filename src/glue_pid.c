#include <string.h>
#include "dm_pid.h"
#include "glue.h"

/* The bar runs from 0 to 1 over a solver's iterations (BROJA's outer
 * barrier iterations, CCS's sweeps up to its cap). */
static int pid_tick(void *ctx, double done, double total) {
  return glue_progress_tick(ctx, done / total, 1.0);
}

/* The measures defined by a redundancy on the lattice (dm_pid_redundancies);
 * -1 for others. */
static int red_measure(const char *m) {
  static const char *names[] = {"imin", "mmi", "pmmi", "pm", "sx", "wedge", "rdr"};
  static const dm_red_measure codes[] = {DM_RED_IMIN, DM_RED_MMI, DM_RED_PMMI, DM_RED_PM,
                                         DM_RED_SX, DM_RED_WEDGE, DM_RED_RDR};
  for (int k = 0; k < 7; k++)
    if (strcmp(m, names[k]) == 0) return (int)codes[k];
  return -1;
}

/* Two sources: the redundancy of the lattice's bottom {1}{2}, completed to
 * the atoms by the consistency equations. */
static dm_status two_source_redundancy(SEXP dims, const double *p, int measure, const double *mi,
                                       double *atoms) {
  dm_lattice lat;
  double red[DM_LATTICE_MAX_NODES];
  dm_status st = dm_lattice_create(&lat, 2);
  if (st == DM_OK)
    st = dm_pid_redundancies(2, INTEGER(dims), INTEGER(dims)[2], p, (dm_red_measure)measure, &lat,
                             red, NULL);
  dm_lattice_destroy(&lat);
  if (st == DM_OK) dm_pid_atoms(red[0], mi, atoms);
  return st;
}

/* Exact PID of a discrete distribution (array of probabilities summing to
 * 1, dims n1 x n2 x ny, checked in R) for the named measures; BROJA and
 * CCS show a progress bar when `progress` is TRUE and can be interrupted.
 * Returns
 * list(status, atoms = length(measures) x 4 matrix (R, U1, U2, S; nats),
 * mi = c(I1, I2, I12), gap = BROJA's bound on its distance to the optimum,
 * max_free = the most free coordinates BROJA takes, maxent_error = the
 * largest marginal error left by the maximum-entropy fitting of CCS and
 * I_dep, proj_violation = the optimality error of I_proj's projections). */
SEXP C_dm_pid_discrete(SEXP p, SEXP dims, SEXP measures, SEXP tol, SEXP support_max,
                       SEXP progress) {
  const int n1 = INTEGER(dims)[0], n2 = INTEGER(dims)[1], ny = INTEGER(dims)[2];
  const int M = (int)Rf_xlength(measures);
  const double *pp = REAL(p);
  const char *names[] = {"status", "atoms", "mi", "gap", "max_free", "maxent_error",
                         "proj_violation", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(out, 4, Rf_ScalarInteger(DM_BROJA_MAX_FREE));
  SEXP maxent_err = Rf_ScalarReal(NA_REAL);
  SET_VECTOR_ELT(out, 5, maxent_err);
  SEXP proj_viol = Rf_ScalarReal(NA_REAL);
  SET_VECTOR_ELT(out, 6, proj_viol);
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
      st = dm_pid_ccs(n1, n2, ny, pp, Rf_asReal(tol), Rf_asInteger(support_max), REAL(maxent_err),
                      a, pid_tick, &prog);
    else if (strcmp(m, "dep") == 0)
      st = dm_pid_dep(n1, n2, ny, pp, Rf_asReal(tol), Rf_asInteger(support_max), REAL(maxent_err),
                      a, pid_tick, &prog);
    else if (strcmp(m, "proj") == 0) st = dm_pid_proj(n1, n2, ny, pp, a, REAL(proj_viol));
    else if (red_measure(m) >= 0) st = two_source_redundancy(dims, pp, red_measure(m), REAL(mi), a);
    else if (strcmp(m, "lsmi") == 0) dm_pid_pointwise_mean(n1, n2, ny, pp, DM_PW_PM, 1, a);
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

/* Redundancies and atoms of every node of the lattice of M = length(dims) - 1
 * sources for a measure of dm_pid_redundancies(): list(status, red, atoms)
 * (nats, lattice order), plus with `pointwise` (pointwise measures) the
 * local values of every cell, N x L matrices red_cells and atom_cells. */
SEXP C_dm_pid_lattice(SEXP p, SEXP dims, SEXP measure, SEXP pointwise) {
  const int M = Rf_length(dims) - 1, ny = INTEGER(dims)[M];
  const int code = red_measure(CHAR(STRING_ELT(measure, 0)));
  if (code < 0 || M < 2 || M > DM_PID_MAX_SOURCES) Rf_error("internal error: no lattice measure");
  dm_lattice lat;
  if (dm_lattice_create(&lat, M) != DM_OK) Rf_error("internal error: no lattice for %d sources", M);
  const int L = lat.L, cells = Rf_asLogical(pointwise) == TRUE;
  const R_xlen_t N = Rf_xlength(p);
  const char *names[] = {"status", "red", "atoms", "red_cells", "atom_cells", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP red = Rf_allocVector(REALSXP, L);
  SET_VECTOR_ELT(out, 1, red);
  SEXP atoms = Rf_allocVector(REALSXP, L);
  SET_VECTOR_ELT(out, 2, atoms);
  double *rc = NULL, *ac = NULL;
  if (cells) {
    SET_VECTOR_ELT(out, 3, Rf_allocMatrix(REALSXP, N, L));
    SET_VECTOR_ELT(out, 4, Rf_allocMatrix(REALSXP, N, L));
    rc = REAL(VECTOR_ELT(out, 3));
    ac = REAL(VECTOR_ELT(out, 4));
  }
  dm_status st = dm_pid_redundancies(M, INTEGER(dims), ny, REAL(p), (dm_red_measure)code, &lat,
                                     REAL(red), rc);
  if (st == DM_OK) dm_lattice_invert(&lat, REAL(red), REAL(atoms));
  if (st == DM_OK && cells) {
    double r[DM_LATTICE_MAX_NODES], a[DM_LATTICE_MAX_NODES];
    for (R_xlen_t c = 0; c < N; c++) {
      for (int k = 0; k < L; k++) r[k] = rc[c + N * k];
      dm_lattice_invert(&lat, r, a);
      for (int k = 0; k < L; k++) ac[c + N * k] = a[k];
    }
  }
  dm_lattice_destroy(&lat);
  SET_VECTOR_ELT(out, 0, Rf_mkString(dm_status_name(st)));
  UNPROTECT(1);
  return out;
}
