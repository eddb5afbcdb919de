# The methods of the benchmark suite: each is a dmil_fit() call with the
# package's defaults. Baselines are the comparison set ("best baseline");
# other entries are DMIL and its ablations.
baselines <- c("late", "ensemble", "joint", "early")
default_methods <- c(baselines, "dmil")

# `control`, if given, is a list of dmil_control() arguments.
fit_with <- function(method, control = NULL) {
  function(x, y, seed, nthreads) {
    ctl <- if (is.null(control)) list() else {
      list(control = do.call(dmil:::method_controls[[method]], control))
    }
    # constant columns of a training fold are dropped, as they should be, without comment
    withCallingHandlers(
      do.call(dmil_fit, c(list(x = x, y = y, method = method, seed = seed, nthreads = nthreads,
                               progress = FALSE), ctl)),
      dmil_message_dropped = function(m) invokeRestart("muffleMessage"))
  }
}

suite_methods <- c(
  stats::setNames(lapply(baselines, fit_with), baselines),
  list(dmil = fit_with("dmil"))
)

# DMIL ablations (run with methods=...).
# Forward selection of Phase A's terms: "plain" is the decomposition network
# with every term off, deterministic codes and no Phases B and C; each
# "plain_<term>" adds one part back at the value of the package's original
# design ("plain_finetune": Phases B and C).
# These are ablations of the network: no pool.
plain <- list(finetune = FALSE, variational = FALSE, lambda_red = 0, members = character())
add_back <- list(variational = list(variational = TRUE), uni = list(lambda_uni = 1),
                 red = list(lambda_red = 0.5), align = list(lambda_align = 0.1),
                 orth = list(lambda_orth = 0.1), anova = list(lambda_anova = 0.1),
                 finetune = list(finetune = TRUE),
                 finetune_uniform = list(finetune = TRUE, gamma = 0))
# The package's original design, with the shared epoch budget.
original <- list(lambda_uni = 1, lambda_red = 0.5, lambda_align = 0.1, lambda_orth = 0.1,
                 lambda_anova = 0.1, variational = TRUE, members = character())
ablations <- c(
  list(plain = fit_with("dmil", control = plain)),
  stats::setNames(lapply(add_back, function(a) fit_with("dmil", control = utils::modifyList(plain, a))),
                  paste0("plain_", names(add_back))),
  list(
    original = fit_with("dmil", control = original),
    # the default model ("dmil") without one of its parts: its pool (the
    # network alone), Phases B and C
    dmil_network = fit_with("dmil", control = list(members = character())),
    dmil_network_a = fit_with("dmil", control = list(members = character(), finetune = FALSE)),
    dmil_phase_a = fit_with("dmil", control = list(finetune = FALSE)),
    dmil_uniform = fit_with("dmil", control = list(gamma = 0)),
    dmil_no_R = fit_with("dmil", control = list(stages = c("U", "S"))),
    dmil_no_U = fit_with("dmil", control = list(stages = c("R", "S"))),
    dmil_no_S = fit_with("dmil", control = list(stages = c("R", "U"))),
    # without the two Phase A terms the default keeps
    dmil_no_variational = fit_with("dmil", control = list(variational = FALSE)),
    dmil_no_red = fit_with("dmil", control = list(lambda_red = 0)),
    # two views only
    dmil_lsmi = fit_with("dmil", control = list(measure = "lsmi")),
    # the default model with one setting changed: a synergy code as free as
    # the others, or longer fine-tuning stages
    dmil_beta_s = fit_with("dmil", control = list(beta_S = 1e-3)),
    dmil_ft20 = fit_with("dmil", control = list(finetune_epochs = 20))
  )
)
suite_methods <- c(suite_methods, ablations)

# The field's baselines of issue 12, reported beside the comparison set
# (`baselines` above, which defines "the best baseline") until all of them
# exist. ogm_a<alpha>: OGM-GE with another modulation strength (the
# default is 0.1); umt_l<lambda>: UMT with another distillation weight (the
# default is 0.1); i2moe_l<lambda>: I2MoE with another interaction-loss
# weight (the default is 0.1).
suite_methods <- c(suite_methods, list(
  ogm = fit_with("ogm"),
  ogm_a0.5 = fit_with("ogm", control = list(alpha = 0.5)),
  ogm_a0.8 = fit_with("ogm", control = list(alpha = 0.8)),
  ogm_nonoise = fit_with("ogm", control = list(ge = FALSE)),
  umt = fit_with("umt"),
  umt_l1 = fit_with("umt", control = list(lambda = 1)),
  umt_l10 = fit_with("umt", control = list(lambda = 10)),
  i2moe = fit_with("i2moe"),
  i2moe_l0 = fit_with("i2moe", control = list(lambda = 0)),
  i2moe_l0.5 = fit_with("i2moe", control = list(lambda = 0.5)),
  interaction_ensemble = fit_with("interaction_ensemble")
))

# A probe, not a package method: the log-linear pool of baseline fits
# (`members`), weighted as DMIL weights its pool (dmil:::pool_weights(), on
# the shared validation rows); what DMIL's pool is without its network.
pool_with <- function(members) function(x, y, seed, nthreads) {
  fits <- lapply(members, function(m) suite_methods[[m]](x, y, seed, nthreads))
  v <- fits[[1]]$val_rows
  L <- lapply(fits, pool_logprob, x = lapply(x, function(m) m[v, , drop = FALSE]), lev = levels(y))
  w <- dmil:::pool_weights(stats::setNames(L, members), y[v])
  structure(list(fits = fits, w = w, method = "pool", n_val = length(v), val_rows = v,
                 settings = fits[[1]]$settings, levels = levels(y)), class = "pool_fit")
}
pool_logprob <- function(fit, x, lev) {
  dmil:::log_softmax(as.matrix(predict(fit, x, type = "logit")[paste0(".logit_", lev)]))
}
predict.pool_fit <- function(object, new_x, type = "prob", ...) {
  L <- lapply(object$fits, pool_logprob, x = new_x, lev = object$levels)
  p <- dmil:::softmax_rows(Reduce(`+`, Map(`*`, object$w, L)))
  colnames(p) <- paste0(".pred_", object$levels)
  as.data.frame(p)
}
suite_methods$pool <- pool_with(c("joint", "late", "ensemble"))
suite_methods$pool4 <- pool_with(c("joint", "late", "ensemble", "early"))
suite_methods$pool3 <- pool_with(c("joint", "late", "early"))
