#include <stdlib.h>
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

/* A fit's standardised float copy of its data, made once and shared by the
 * calls of the fit (fit_data() in R): rows[] (1-based; NULL: all, in
 * order) of the views. An external pointer, freed by C_dm_data_free or
 * when R collects it. */
static void data_finalize(SEXP h) {
  dm_data *d = R_ExternalPtrAddr(h);
  if (!d) return;
  dm_data_free(d);
  free(d);
  R_ClearExternalPtr(h);
}

SEXP C_dm_data_new(SEXP views_, SEXP rows_) {
  const glue_views gv = glue_parse_views(views_, -1);
  const int *rows = Rf_isNull(rows_) ? NULL : glue_rows(rows_, gv.n);
  const int n_rows = Rf_isNull(rows_) ? gv.n : (int)Rf_xlength(rows_);
  SEXP h = PROTECT(R_MakeExternalPtr(NULL, Rf_install(GLUE_DATA_TAG), R_NilValue));
  R_RegisterCFinalizerEx(h, data_finalize, TRUE);
  dm_data *d = calloc(1, sizeof(dm_data));
  dm_status st = d ? glue_build_data(&gv, rows, n_rows, d) : DM_ERR_NOMEM;
  if (st != DM_OK) {
    free(d);
    UNPROTECT(1);
    return Rf_mkString(dm_status_name(st));
  }
  R_SetExternalPtrAddr(h, d);
  UNPROTECT(1);
  return h;
}

SEXP C_dm_data_free(SEXP h) {
  if (TYPEOF(h) == EXTPTRSXP) data_finalize(h);
  return R_NilValue;
}
