#' Settings of OGM-GE training
#'
#' The settings of `dmil_fit(method = "ogm")`: late fusion (one encoder per
#' view, a linear head on the concatenated encodings, as `method = "late"`)
#' trained with on-the-fly gradient modulation and generalisation
#' enhancement (OGM-GE, Peng et al. 2022).
#'
#' @section The method:
#' In each batch, view \eqn{m}'s score \eqn{s_m} is the summed probability of
#' the true class under its own share of the linear head,
#' \eqn{\mathrm{softmax}(W_m h_m + b / M)}. Its discrepancy ratio is
#' \eqn{\rho_m = s_m / \bar s_{-m}}, the mean of the other views' scores in
#' the denominator (with two views this is the paper's
#' \eqn{s_1 / s_2}), and its coefficient is \eqn{k_m = 1 - \tanh(\alpha
#' \rho_m)} when \eqn{\rho_m > 1}, else 1: the view that is ahead learns
#' more slowly, so the others are not starved of gradient. Between epochs
#' `start` and `end` the gradients of each encoder's weight matrices are
#' multiplied by \eqn{k_m} after the backward pass, and with `ge = TRUE` each
#' also receives Gaussian noise whose standard deviation is that of its
#' unmodulated gradient (the generalisation enhancement; it reaches every
#' encoder, as in the authors' code). Biases and the head are never
#' modulated, as in the authors' code, which modulates only the encoders'
#' weights. At a tie (\eqn{\rho = 1}) no view is modulated, whereas the
#' authors' two-view code then modulates its first view. Prediction is
#' that of the late-fusion network.
#'
#' The window and the noise follow the authors' example run: modulation
#' during the first half of training, with the noise on. They give no
#' default for \eqn{\alpha} (0.1 on VGGSound, 0.8 on CREMA-D). On the
#' package's benchmark suite (`bench/suite/` in the source repository, 13
#' data sets, 5-fold cross-validation repeated twice), OGM-GE with
#' \eqn{\alpha} = 0.1 and 0.5 was 0.4 points more accurate than `"late"` on
#' average, with 0.8 and without the noise 0.2 to 0.3 points; 0.1 is the
#' default because it lost least where modulation hurt (brca: -0.6 points
#' against -2.3 with 0.5). On simulated data with a weaker second view
#' (MIX4, `kappa = c(1, 0.6)`, 5 seeds, `bench/probe.R`) it did not show the
#' published effect: a linear probe of the weaker view's encoder was as
#' accurate after OGM-GE as after plain late fusion (0.741 against 0.747
#' with two classes, 0.637 against 0.638 with three).
#'
#' @param alpha Modulation strength \eqn{\alpha}, between 1e-6 and 1e6.
#' @param start,end First and last epoch (counting from 1, inclusive) in
#'   which gradients are modulated. `end = NULL`: half of `epochs`, rounded
#'   up.
#' @param ge Add the generalisation-enhancement noise.
#' @return A list of class `ogm_control`.
#' @references Peng, X., Wei, Y., Deng, A., Wang, D. and Hu, D. (2022).
#'   Balanced multimodal learning via on-the-fly gradient modulation.
#'   *CVPR 2022*, 8238--8247.
#' @seealso [dmil_fit()]
#' @examples
#' sim <- simulate_interactions(600, "mix4", kappa = c(1, 0.6), seed = 1)
#' fit <- dmil_fit(sim$x, sim$y, method = "ogm", control = ogm_control(alpha = 0.3),
#'                 epochs = 20, nthreads = 1)
#' fit
#' @export
ogm_control <- function(alpha = 0.1, start = 1, end = NULL, ge = TRUE) {
  start <- check_count(start, min = 1, max = 1e6)
  if (!is.null(end)) {
    end <- check_count(end, min = 1, max = 1e6)
    if (end < start) {
      dm_abort(c("{.arg end} must be at least {.arg start}.",
                 "x" = "{.arg start} is {start} and {.arg end} is {end}."),
               class = "dmil_error_arg")
    }
  }
  out <- list(alpha = check_number(alpha, min = 1e-6, max = 1e6), start = start,
              end = end, ge = check_flag(ge))
  structure(out, class = c("ogm_control", "dmil_settings"))
}

# The last modulated epoch: `end`, or half of the epochs rounded up.
ogm_end <- function(control, epochs) {
  control$end %||% as.integer(ceiling(epochs / 2))
}

method_check.dmil_method_ogm <- function(m, views, y, val_rows, control, epochs, call) {
  if (control$start > min(ogm_end(control, epochs), epochs)) {
    dm_abort(c("No epoch would be modulated: {.code ogm_control(start)} is {control$start}.",
               "x" = "Training has {epochs} epoch{?s} and modulation ends at epoch {ogm_end(control, epochs)}{if (is.null(control$end)) ' (by default half of them)' else ''}.",
               "i" = "Choose a smaller {.arg start}, or a larger {.arg end} or {.arg epochs}."),
             class = "dmil_error_arg", call = call)
  }
  invisible()
}

# Late fusion whose training modulates the encoders' gradients.
method_nets.dmil_method_ogm <- function(m, kit, control, epochs) {
  list(ogm = utils::modifyList(kit$net(kit$per_view, 1L),
                               list(modulation = ogm_modulation(control, epochs))))
}

method_architecture.dmil_method_ogm <- function(m, fit, enc, fusion) {
  s <- fit$settings
  sprintf("encoders %s per view; linear head; modulation alpha %g, epochs %d-%d%s", enc,
          s$control$alpha, s$control$start, ogm_end(s$control, s$epochs),
          if (s$control$ge) ", with noise (GE)" else "")
}
