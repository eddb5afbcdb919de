#include "dm_threads.h"
#include "glue.h"

/* What dmil_threads(verbose = TRUE) reports about OpenMP and the BLAS. */
SEXP C_dm_threads_info(void) {
  int version = 0;
  int has_omp = dm_omp_available(&version);
  const char *names[] = {"openmp", "openmp_version", "procs", "thread_limit",
                         "blas", "blas_config", "blas_threads", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(out, 0, Rf_ScalarLogical(has_omp));
  SET_VECTOR_ELT(out, 1, Rf_ScalarInteger(version));
  SET_VECTOR_ELT(out, 2, Rf_ScalarInteger(dm_num_procs()));
  SET_VECTOR_ELT(out, 3, Rf_ScalarInteger(dm_thread_limit()));
  SET_VECTOR_ELT(out, 4, Rf_mkString(dm_blas_name()));
  SET_VECTOR_ELT(out, 5, Rf_mkString(dm_blas_config()));
  SET_VECTOR_ELT(out, 6, Rf_ScalarInteger(dm_blas_threads()));
  UNPROTECT(1);
  return out;
}

/* Threads a computation asked for n threads will actually use. */
SEXP C_dm_threads_effective(SEXP n) {
  return Rf_ScalarInteger(dm_threads_effective(Rf_asInteger(n)));
}
