/* dm_threads.h -- thread counts for OpenMP and for the BLAS.
 *
 * The core keeps no thread setting of its own: every compute function takes
 * `nthreads` from its caller. The only process-wide state here is a flag set
 * in a forked child (pthread_atfork), where OpenMP must not be used, and the
 * BLAS's own thread count, which dm_blas_enter()/dm_blas_leave() pin to one
 * thread around core computations (parallelism comes from OpenMP over fixed
 * blocks of work, so BLAS threads would both oversubscribe the cores and make
 * results depend on the thread count). */
#ifndef DM_THREADS_H
#define DM_THREADS_H

/* 1 if compiled with OpenMP; `version` receives _OPENMP (yyyymm) or 0. */
int dm_omp_available(int *version);
int dm_num_procs(void);
/* OMP_THREAD_LIMIT as OpenMP sees it (a large number when unset). */
int dm_thread_limit(void);
/* Number of threads a region asked to use `requested` threads will run on:
 * at least 1, at most the processors and the thread limit (more threads
 * than processors only slow the work down, and results do not depend on
 * the count; without the cap a huge request exhausts the stack or the
 * thread table), 1 without OpenMP or in a forked child. */
int dm_threads_effective(int requested);
/* Marks the process as a forked child (called by a pthread_atfork handler). */
void dm_threads_mark_forked(void);

/* "OpenBLAS" or "built-in". */
const char *dm_blas_name(void);
/* OpenBLAS's build configuration string, or "" for the built-in GEMM. */
const char *dm_blas_config(void);
/* Current BLAS thread count (1 for the built-in GEMM). */
int dm_blas_threads(void);
/* Pin the BLAS to one thread; returns the previous count for dm_blas_leave.
 * Main thread only. */
int dm_blas_enter(void);
void dm_blas_leave(int previous);

#endif
