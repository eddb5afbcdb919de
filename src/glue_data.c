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

/* A new shared copy as an external pointer: the pointer is made first, so
 * that no R allocation can fail while the copy is held, then `build` fills
 * the copy; the status name instead of the pointer when it fails. */
typedef struct {
  const glue_views *gv; /* C_dm_data_new: views and rows */
  const int *rows;
  int n_rows;
  glue_data *gd;        /* C_dm_data_subset: data, and the views to keep */
  const int *views;
  int n_v;
} data_build;

static dm_status build_new(const data_build *b, dm_data *d) {
  return glue_build_data(b->gv, b->rows, b->n_rows, d);
}

static dm_status build_subset(const data_build *b, dm_data *d) {
  dm_status st = glue_data_load(b->gd);
  if (st == DM_OK) st = dm_data_subset(&b->gd->data, b->rows, b->n_rows, b->views, b->n_v, d);
  glue_data_release(b->gd);
  return st;
}

static SEXP data_handle(dm_status (*build)(const data_build *, dm_data *), const data_build *b) {
  SEXP h = PROTECT(R_MakeExternalPtr(NULL, Rf_install(GLUE_DATA_TAG), R_NilValue));
  R_RegisterCFinalizerEx(h, data_finalize, TRUE);
  dm_data *d = calloc(1, sizeof(dm_data));
  dm_status st = d ? build(b, d) : DM_ERR_NOMEM;
  if (st != DM_OK) {
    free(d);
    UNPROTECT(1);
    return Rf_mkString(dm_status_name(st));
  }
  R_SetExternalPtrAddr(h, d);
  UNPROTECT(1);
  return h;
}

SEXP C_dm_data_new(SEXP views_, SEXP rows_) {
  const glue_views gv = glue_parse_views(views_, -1);
  data_build b = {&gv, Rf_isNull(rows_) ? NULL : glue_rows(rows_, gv.n),
                  Rf_isNull(rows_) ? gv.n : (int)Rf_xlength(rows_), NULL, NULL, 0};
  return data_handle(build_new, &b);
}

SEXP C_dm_data_free(SEXP h) {
  if (TYPEOF(h) == EXTPTRSXP) data_finalize(h);
  return R_NilValue;
}

/* A new shared copy (as C_dm_data_new makes) of rows[] (1-based) and views
 * views[] (1-based) of the data argument data_ (glue_data_parse): what a
 * computation on part of a fit's data reads. */
SEXP C_dm_data_subset(SEXP data_, SEXP rows_, SEXP views_) {
  glue_data gd;
  glue_data_parse(data_, -1, R_NilValue, 0, &gd);
  data_build b = {NULL, glue_rows(rows_, gd.data.n), (int)Rf_xlength(rows_), &gd,
                  glue_rows(views_, gd.data.n_views), (int)Rf_xlength(views_)};
  return data_handle(build_subset, &b);
}
