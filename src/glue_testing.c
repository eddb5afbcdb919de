/* Internal entry points used by the test suite only. */
#include "dm_gradcheck.h"
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
