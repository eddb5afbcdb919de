# The most views I2MoE takes: its M + 2 experts are heads of one network,
# of which the C core allows DM_NET_MAX_HEADS = 64 (src/core/dm_net.h).
i2moe_max_views <- 62L

#' Settings of I2MoE training
#'
#' The settings of `dmil_fit(method = "i2moe")`: interpretable multimodal
#' interaction-aware mixture of experts (I2MoE, Xin et al. 2025) built on
#' the `"joint"` network.
#'
#' @section The method:
#' One encoder per view, as in `method = "joint"`, feeds \eqn{M + 2} fusion
#' heads, the interaction experts: one uniqueness expert per view, a synergy
#' expert and a redundancy expert, each shaped like the joint model's head.
#' A gating network (`gate_depth` layers of `hidden` units, ReLU) reads the
#' same encodings and gives each sample weights
#' \eqn{w = \mathrm{softmax}(g / T)} over the experts, \eqn{T} =
#' `temperature`; the logits are \eqn{\sum_b w_b z_b}.
#'
#' Training minimises the cross-entropy of these logits plus
#' \eqn{\lambda / (M + 2)} times the sum of the experts' interaction losses.
#' For these, every expert is also run once per view with that view's
#' encoding replaced by standard-normal noise. With \eqn{a} an expert's
#' logits on the intact sample and \eqn{p_m} its logits with view \eqn{m}
#' replaced, per sample:
#' * uniqueness expert of view \eqn{e}: the mean over \eqn{m \ne e} of the
#'   triplet margin loss \eqn{\max(0, \lVert a - p_m \rVert - \lVert a -
#'   p_e \rVert + 1)}: losing its own view must change its output more than
#'   losing any other;
#' * synergy expert: the mean over views of the cosine similarity of
#'   \eqn{a} and \eqn{p_m} (losing any view must change its output);
#' * redundancy expert: the mean of one minus that similarity (losing one
#'   view must not).
#'
#' The weights of the training samples are returned by
#' [interactions()][interactions.dmil_fit] as a table with one column per
#' expert, named like the interaction atoms (`r`, `u_<view>`, `s`), so they
#' can be set beside DMIL's per-sample interactions. They are weights that
#' sum to one, not amounts of information, and nothing in the training
#' ties an expert to its type except its interaction loss. On simulated
#' data whose samples have a known type (MIX4 with a weaker view, two or
#' three classes, 5 seeds, `bench/i2moe_weights.R` in the source
#' repository), the expert of largest weight was the sample's type for 29%
#' (two classes) and 27% (three classes) of held-out samples with the
#' default `lambda`, 30% with 0.5, where a guess among the four types
#' scores 25%.
#'
#' Differences from the authors' code: the gate has no dropout (the
#' package's networks have none); the experts start from independent random
#' weights, not from copies of one fusion model; and one noise draw per
#' batch and view is shared by the experts. A fit runs every expert \eqn{M + 1} times per
#' batch, so an epoch costs several times a `"joint"` epoch.
#'
#' @param lambda Weight of the interaction losses, between 0 and 1e6 (0
#'   trains the mixture of experts on the cross-entropy alone). The default
#'   was chosen on the package's benchmark suite (`bench/suite/` in the
#'   source repository: 13 data sets, 5-fold cross-validation repeated
#'   twice) by the mean paired accuracy difference to the best of `"late"`,
#'   `"ensemble"`, `"joint"` and `"early"`: -1.8 points with 0.1, -2.6 with
#'   0.5 (the value the authors' training scripts use most often; their
#'   grids span 0.0001 to 0.7). Without the interaction losses (0) it was
#'   -1.3 points: on this suite the losses cost accuracy and log-loss
#'   rather than add any.
#' @param temperature Temperature \eqn{T > 0} of the gate's softmax
#'   (default 2; larger values give more even weights).
#' @param gate_depth Number of layers of the gating network, 1 to 16
#'   (default 2: one hidden layer).
#' @return A list of class `i2moe_control`.
#' @references Xin, J., Yun, S., Peng, J., Choi, I., Ballard, J. L., Chen,
#'   T. and Long, Q. (2025). I2MoE: Interpretable multimodal
#'   interaction-aware mixture-of-experts. *ICML 2025*; arXiv:2505.19190.
#' @seealso [dmil_fit()], [interactions()]
#' @examples
#' sim <- simulate_interactions(600, "mix4", seed = 1)
#' fit <- dmil_fit(sim$x, sim$y, method = "i2moe", control = i2moe_control(lambda = 0.3),
#'                 epochs = 20, nthreads = 1)
#' fit
#' head(interactions(fit))
#' @export
i2moe_control <- function(lambda = 0.1, temperature = 2, gate_depth = 2) {
  out <- list(lambda = check_number(lambda, min = 0, max = 1e6),
              temperature = check_number(temperature, min = 0, min_open = TRUE, max = 1e6),
              gate_depth = check_count(gate_depth, min = 1, max = 16))
  structure(out, class = c("i2moe_control", "dmil_settings"))
}

# The joint network with M + 2 heads (the interaction experts) mixed by a gate.
method_nets.dmil_method_i2moe <- function(m, kit, control, epochs) {
  list(i2moe = utils::modifyList(kit$joint(), list(
    heads = kit$M + 2L, interaction = control$lambda,
    gate = list(layers = control$gate_depth, width = kit$hidden,
                temperature = control$temperature))))
}

method_architecture.dmil_method_i2moe <- function(m, fit, enc, fusion) {
  ctl <- fit$settings$control
  sprintf("encoders %s per view; %d experts, each a %s; gate of %d layer%s, temperature %g, interaction losses weighted %g",
          enc, length(fit$views) + 2L, fusion, ctl$gate_depth,
          if (ctl$gate_depth == 1) "" else "s", ctl$temperature, ctl$lambda)
}

method_check.dmil_method_i2moe <- function(m, views, y, val_rows, control, epochs, call) {
  if (length(views) > i2moe_max_views) {
    dm_abort(c("{.code method = \"i2moe\"} takes at most {i2moe_max_views} views.",
               "x" = "There are {length(views)}."),
             class = "dmil_error_arg", call = call)
  }
  invisible()
}

method_finish.dmil_method_i2moe <- function(m, fit, views, y, data, progress) {
  fit$interactions <- expert_weights(fit, data, y)
  with_val_metrics(m, fit, y, data)
}

# augment() also gives the gate's weights of each new sample.
method_augment.dmil_method_i2moe <- function(m, fit, new_data, nthreads) {
  out <- NextMethod()
  g <- gate_weights(fit, match_blueprint(new_data, fit$views, nthreads, call = rlang::caller_env()))
  out[paste0(".weight_", colnames(g$weights))] <- as.data.frame(g$weights)
  out$.dominant <- g$dominant
  out
}
