#include "dm_standardize.h"
#include "dm_threads.h"
#include "glue.h"

/* Column means, sds and non-finite counts of a double matrix, for the
 * argument checks and the standardisation learned at fit time. */
SEXP C_dm_colstats(SEXP x, SEXP nthreads) {
  if (TYPEOF(x) != REALSXP) Rf_error("internal error: x must be double");
  int n = Rf_nrows(x), d = Rf_ncols(x);
  const char *names[] = {"mean", "sd", "n_bad", "first_bad", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP mean = Rf_allocVector(REALSXP, d);
  SET_VECTOR_ELT(out, 0, mean);
  SEXP sd = Rf_allocVector(REALSXP, d);
  SET_VECTOR_ELT(out, 1, sd);
  SEXP bad = Rf_allocVector(INTSXP, d);
  SET_VECTOR_ELT(out, 2, bad);
  SEXP first = Rf_allocVector(INTSXP, d);
  SET_VECTOR_ELT(out, 3, first);
  dm_colstats(n, d, REAL(x), REAL(mean), REAL(sd), INTEGER(bad),
              INTEGER(first), dm_threads_effective(Rf_asInteger(nthreads)));
  /* 1-based rows for R; NA when the column is clean. */
  for (int j = 0; j < d; j++)
    INTEGER(first)[j] = INTEGER(first)[j] < 0 ? NA_INTEGER : INTEGER(first)[j] + 1;
  UNPROTECT(1);
  return out;
}
