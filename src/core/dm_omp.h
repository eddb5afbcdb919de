/* dm_omp.h -- OpenMP when the compiler has it, serial stand-ins otherwise.
 * Every parallel region in the core names its thread count explicitly with
 * num_threads(); nothing calls omp_set_num_threads(). */
#ifndef DM_OMP_H
#define DM_OMP_H

#ifdef _OPENMP
#include <omp.h>
#else
static inline int omp_get_thread_num(void) { return 0; }
static inline int omp_get_num_threads(void) { return 1; }
static inline int omp_get_max_threads(void) { return 1; }
static inline int omp_get_num_procs(void) { return 1; }
static inline int omp_get_thread_limit(void) { return 1; }
static inline int omp_in_parallel(void) { return 0; }
#endif

#endif
