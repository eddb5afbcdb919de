#' Number of threads used by dmil
#'
#' Every computing function of dmil takes an `nthreads` argument. When it is
#' `NULL`, the package default applies: the value set with `dmil_threads(n)`
#' in this session, else the environment variable `DMIL_NUM_THREADS`, else the
#' option `dmil.nthreads`, else 2. The count is capped by the number of
#' processors (as data.table caps its threads: more only slow the work down)
#' and by `OMP_THREAD_LIMIT`, and processes forked from a session that used
#' dmil (e.g. by `parallel::mclapply()`) run on one thread.
#'
#' dmil parallelises with OpenMP over fixed blocks of work and keeps its
#' OpenBLAS matrix products single-threaded while it runs, so BLAS and OpenMP
#' threads together never exceed the requested count, and results do not
#' depend on it.
#'
#' @param n `NULL` to query, or the new default: a whole number, 0 meaning
#'   every core.
#' @param verbose Print what was found: OpenMP, the BLAS, the relevant
#'   environment variables and options, and where the default comes from.
#' @return The default number of threads (invisibly, the previous default
#'   when setting).
#' @examples
#' dmil_threads()
#' old <- dmil_threads(1)
#' dmil_threads()
#' dmil_threads(old)
#' @export
dmil_threads <- function(n = NULL, verbose = FALSE) {
  verbose <- check_flag(verbose)
  if (!is.null(n)) {
    old <- default_threads()$n
    n <- check_count(n, min = 0, max = 1e6)
    the$threads <- n
    if (verbose) print_threads_info()
    return(invisible(old))
  }
  if (verbose) print_threads_info()
  default_threads()$n
}

the <- new.env(parent = emptyenv())

# The default thread count and where it came from.
default_threads <- function() {
  info <- .Call(C_dm_threads_info)
  resolve <- function(n, source) {
    if (n == 0L) n <- info$procs
    used <- if (source == "built-in default") .Call(C_dm_threads_effective, as.integer(n)) else threads_used(n)
    list(n = used, requested = n, source = source)
  }
  if (!is.null(the$threads)) return(resolve(the$threads, "dmil_threads()"))
  env <- Sys.getenv("DMIL_NUM_THREADS", "")
  if (nzchar(env)) {
    val <- suppressWarnings(as.numeric(env))
    if (is_whole(val) && val >= 0) return(resolve(val, "DMIL_NUM_THREADS"))
    cli::cli_warn("Ignoring DMIL_NUM_THREADS={.val {env}}: not a whole number >= 0.",
                  class = "dmil_warning_threads")
  }
  opt <- getOption("dmil.nthreads")
  if (!is.null(opt)) {
    if (is_whole(opt) && opt >= 0) return(resolve(opt, "option dmil.nthreads"))
    cli::cli_warn("Ignoring option {.code dmil.nthreads}: not a whole number >= 0.",
                  class = "dmil_warning_threads")
  }
  resolve(2L, "built-in default")
}

print_threads_info <- function() {
  info <- .Call(C_dm_threads_info)
  d <- default_threads()
  env <- function(v) {
    val <- Sys.getenv(v, NA)
    if (is.na(val)) "unset" else val
  }
  omp <- if (info$openmp) sprintf("yes (version %d)", info$openmp_version) else "no (single-threaded)"
  blas <- if (info$blas == "OpenBLAS") {
    sprintf("OpenBLAS (%s); its own threads: %d, pinned to 1 while dmil computes",
            trimws(info$blas_config), info$blas_threads)
  } else {
    "built-in blocked GEMM (OpenBLAS was not found when dmil was installed)"
  }
  limit <- if (info$thread_limit >= .Machine$integer.max) "none" else info$thread_limit
  cli::cli_text("{.strong dmil threads}")
  cli::cli_bullets(c(
    "*" = "OpenMP: {omp}",
    "*" = "cores available: {info$procs}; OpenMP thread limit: {limit}",
    "*" = "BLAS: {blas}",
    "*" = "DMIL_NUM_THREADS: {env('DMIL_NUM_THREADS')}; option dmil.nthreads: {format(getOption('dmil.nthreads', 'unset'))}",
    "*" = "OMP_NUM_THREADS: {env('OMP_NUM_THREADS')}; OMP_THREAD_LIMIT: {env('OMP_THREAD_LIMIT')}; OPENBLAS_NUM_THREADS: {env('OPENBLAS_NUM_THREADS')}",
    "*" = "default: {d$n} thread{?s} (from {d$source})"
  ))
  invisible(info)
}
