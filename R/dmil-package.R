#' dmil: decomposition-based multimodal interaction learning
#'
#' Learns classifiers from multimodal (multi-view) data, given as a named list
#' of matrices with samples in rows, and reports how the views inform the
#' label. The numerical work is done by a C core in single precision with
#' OpenMP threads and OpenBLAS matrix products; results are identical for any
#' number of threads.
#'
#' Main entry points:
#' * [dmil_fit()] fits a model (currently the multimodal baselines
#'   `"joint"`, `"late"`, `"ensemble"`, `"early"` and `"unimodal"`);
#' * [predict.dmil_fit()] predicts classes, probabilities or logits for new
#'   data, matching views and columns by name;
#' * [dmil_threads()] reports and sets the default number of threads.
#'
#' @section Options and environment variables:
#' * `DMIL_NUM_THREADS` (environment) and `dmil.nthreads` (option): default
#'   number of threads, see [dmil_threads()].
#'
#' @keywords internal
#' @useDynLib dmil, .registration = TRUE, .fixes = "C_"
#' @importFrom stats predict
#' @importFrom generics tidy glance augment
"_PACKAGE"
