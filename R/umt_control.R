#' Settings of UMT training
#'
#' The settings of `dmil_fit(method = "umt")`: the joint model (one encoder
#' per view, nonlinear fusion head, as `method = "joint"`) whose encoders
#' are also pulled towards the features of uni-modal teachers (UMT, Du et
#' al. 2023).
#'
#' @section The method:
#' First one unimodal network per view is trained, as the members of
#' `method = "ensemble"` (an encoder and a linear head, cross-entropy).
#' These teachers are then frozen, and the joint model is trained on the
#' cross-entropy plus `lambda` times, for each view, the squared distance
#' between its encoder's output and the teacher's encoder output for the
#' same sample, averaged over the encoding's units:
#' \eqn{\ell = CE + \lambda \sum_m \frac{1}{H} \lVert h_m - t_m \rVert^2}.
#' The teachers learn each view's own evidence without the other view to
#' lean on; distilling their features keeps the joint model's encoders from
#' neglecting the weaker view. Teachers and student use the same epochs,
#' batches and validation rows; the teachers are kept in the fit
#' (`fit$aux_nets`) and prediction is the joint model's. The teachers'
#' encodings of every training sample are held in memory during training
#' (4 bytes per sample and encoder unit).
#'
#' The default `lambda` was chosen on the package's benchmark suite
#' (`bench/suite/` in the source repository: 13 data sets, 5-fold
#' cross-validation repeated twice) by the mean paired accuracy difference
#' to `"joint"`: +0.01 points with 0.1, -0.3 with 1, -0.4 with 10. The mean
#' for 0.1 is carried by one small data set (nutrimouse diet, 40 mice:
#' +7.5 points); with 1, UMT gained on the three largest real data sets
#' (segmentation +1.6, satellite +0.8, yeast +0.7 points) and lost on the
#' simulated ones, whose synergistic samples the distillation towards
#' unimodal features hurts (MIX4 with three classes: 0.866 against 0.929
#' for `"joint"` on those samples). On simulated data with a weaker second
#' view (MIX4, `kappa = c(1, 0.6)`, 5 seeds, `bench/probe.R`) it did not
#' show the published effect: a linear probe of the weaker view's encoder
#' was as accurate after UMT as after plain joint training (0.743 against
#' 0.740 with two classes, 0.652 against 0.649 with three).
#'
#' @param lambda Weight of the distillation term, between 0 and 1e6 (0
#'   gives the joint model trained after, and independently of, the
#'   teachers).
#' @return A list of class `umt_control`.
#' @references Du, C., Teng, J., Li, T., Liu, Y., Yuan, T., Wang, Y., Yuan,
#'   Y. and Zhao, H. (2023). On uni-modal feature learning in supervised
#'   multi-modal learning. *ICML 2023*, PMLR 202, 8632--8656.
#' @seealso [dmil_fit()]
#' @examples
#' sim <- simulate_interactions(600, "mix4", kappa = c(1, 0.6), seed = 1)
#' fit <- dmil_fit(sim$x, sim$y, method = "umt", control = umt_control(lambda = 0.5),
#'                 epochs = 20, nthreads = 1)
#' fit
#' @export
umt_control <- function(lambda = 0.1) {
  out <- list(lambda = check_number(lambda, min = 0, max = 1e6))
  structure(out, class = c("umt_control", "dmil_settings"))
}

# The unimodal teachers (trained first, kept apart as aux_nets) and the
# joint student that distils their encodings.
method_nets.dmil_method_umt <- function(m, kit, control, epochs) {
  c(stats::setNames(lapply(kit$members(), utils::modifyList, list(aux = TRUE)),
                    paste0("teacher_", kit$view_names)),
    list(umt = utils::modifyList(kit$joint(), list(
      distill = list(from = seq_len(kit$M) - 1L, weight = control$lambda)))))
}

method_architecture.dmil_method_umt <- function(m, fit, enc, fusion) {
  sprintf("encoders %s per view, distilled from unimodal teachers (lambda %g); %s", enc,
          fit$settings$control$lambda, fusion)
}
