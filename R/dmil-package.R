#' dmil: decomposition-based multimodal interaction learning
#'
#' Learns classifiers from multimodal (multi-view) data, given as a named list
#' of matrices with samples in rows (or one table split by [dmil_views()]),
#' and reports how the views inform the label. The numerical work is done by a C core in single precision with
#' OpenMP threads and OpenBLAS matrix products; results are identical for any
#' number of threads.
#'
#' Main entry points:
#' * [dmil_fit()] fits DMIL (default) or a multimodal baseline (`"joint"`,
#'   `"late"`, `"ensemble"`, `"early"`, `"unimodal"`, `"ogm"`, `"umt"`,
#'   `"i2moe"`, `"interaction_ensemble"`),
#'   with method settings from [dmil_control()], [ogm_control()],
#'   [umt_control()] or [i2moe_control()];
#'   [predict.dmil_fit()], [augment.dmil_fit()] and [interactions()] use it;
#' * [dmil_interactions()] estimates per-sample redundancy, uniqueness and
#'   synergy, [dmil_importance()] through which features;
#'   [pid_discrete()] computes exact decompositions of discrete
#'   distributions; [simulate_interactions()] simulates data with known
#'   answers;
#' * [dmil_boot()] and [dmil_cv()] resample at scale (through future),
#'   [dmil_tune()] tunes settings by cross-validation;
#'   [dmil_compare()] compares fits by group;
#' * [dmil_threads()] reports and sets the default number of threads.
#'
#' [dmil_vocabulary] lists the names of atoms, types and metrics, which are
#' the same in every output.
#'
#' @section Options and environment variables:
#' * `DMIL_NUM_THREADS` (environment) and `dmil.nthreads` (option): default
#'   number of threads, see [dmil_threads()].
#'
#' @keywords internal
#' @useDynLib dmil, .registration = TRUE, .fixes = "C_"
#' @importFrom stats predict
#' @importFrom generics tidy glance augment
#' @importFrom rlang .data %||%
"_PACKAGE"
