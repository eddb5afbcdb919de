/* Internal entry points used by the test suite only. */
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
  dm_status st = dm_pid_broja(n1, n2, ny, REAL(p), REAL(atoms), REAL(q), REAL(gap));
  SET_VECTOR_ELT(out, 0, Rf_ScalarInteger((int)st));
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
