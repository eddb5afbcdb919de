# DMIL's pool (dmil_control(members)): the decomposition network and
# component learners trained as the baselines of the same names train them,
# combined by a log-linear pool whose weights are chosen on the validation
# rows. Why: the network alone does not beat the baselines on the benchmark
# suite, while the pool does (see ?dmil_control, "The pool").

# The component learners a pool may hold, in the order they are trained.
pool_member_methods <- c("joint", "late", "early", "ensemble")

# The networks of the pool's members, trained on the fit's data with the
# fit's seed: each member's networks are those of dmil_fit(method = member)
# with the same seed (train_nets() seeds a network by its place in its
# call, so each member has a call of its own). Networks are named by their
# member, the ensemble's "ensemble_<view>". Returns list(nets, history,
# best_epoch, members), `members` naming each member's networks.
train_pool_members <- function(members, views, y, val_rows, args, data) {
  parts <- lapply(members, function(mb) {
    nets <- baseline_nets(mb, names(views), args$hidden, args$depth, args$fusion_depth)
    if (mb == "ensemble") names(nets) <- paste0("ensemble_", names(nets))
    train_nets(nets, y, val_rows, args, data)
  })
  names(parts) <- members
  list(nets = do.call(c, unname(lapply(parts, `[[`, "nets"))),
       history = do.call(rbind, lapply(parts, `[[`, "history")),
       best_epoch = do.call(c, unname(lapply(parts, `[[`, "best_epoch"))),
       members = c(list(dmil = "dmil"), lapply(parts, function(p) names(p$nets))))
}

# Each member's log-probabilities on matched data (or rows of the fit's
# data): an n x K matrix per member, with NA rows where the member cannot
# predict. DMIL's network predicts from any view (its logits `dmil_logits`,
# already calibrated); the ensemble from the views a row has; joint, late
# and early fusion need every view (predict_logits()).
pool_logprobs <- function(fit, data, dmil_logits, nthreads) {
  lapply(fit$pool$members, function(nets) {
    if (identical(nets, "dmil")) return(log_softmax(dmil_logits))
    log_softmax(predict_logits(fit, data, nets, nthreads))
  })
}

# The names of a pool's members other than the network.
pool_members <- function(fit) setdiff(names(fit$pool$members), "dmil")

# The pool's logits: sum_j w_j log p_j over the members that can predict a
# row, with their weights rescaled to sum to 1 (equal weights if those
# members' weights are all 0).
pool_combine <- function(lp, w) {
  ok <- vapply(lp, function(l) !is.na(l[, 1]), logical(nrow(lp[[1]])))
  ok <- matrix(ok, nrow(lp[[1]]))
  wr <- sweep(ok, 2, w, `*`)
  zero <- rowSums(wr) == 0
  wr[zero, ] <- ok[zero, , drop = FALSE]
  wr <- wr / rowSums(wr)
  out <- 0
  for (j in seq_along(lp)) out <- out + wr[, j] * zero_rows(lp[[j]], !ok[, j])
  out
}
zero_rows <- function(m, rows) {
  m[rows, ] <- 0
  m
}

# Pool weights on the simplex in steps of 0.1, chosen by the log-loss of
# the pooled validation rows (lp: each member's log-probabilities there; y
# their labels) plus a penalty 10 * sum((w - 1/J)^2) / n_val that pulls
# towards equal weights when there are few validation rows. Without
# validation rows the weights are equal.
pool_weights <- function(lp, y) {
  # a member that predicts no validation row cannot be judged: weight 0
  judged <- vapply(lp, function(l) length(y) > 0 && any(!is.na(l[, 1])), logical(1))
  if (length(y) && !all(judged) && any(judged)) {
    w <- stats::setNames(rep(0, length(lp)), names(lp))
    w[judged] <- pool_weights(lp[judged], y)
    return(w)
  }
  J <- length(lp)
  if (length(y) == 0 || J == 1) return(equal_weights(names(lp)))
  grid <- as.matrix(expand.grid(rep(list(seq(0, 10)), J - 1)))
  grid <- grid[rowSums(grid) <= 10, , drop = FALSE]
  grid <- cbind(grid, 10 - rowSums(grid)) / 10
  yi <- cbind(seq_along(y), as.integer(y))
  # rows lacking a view have NA for members that need it: pooled as predict() pools them
  incomplete <- any(vapply(lp, anyNA, logical(1)))
  score <- apply(grid, 1, function(g) {
    l <- if (incomplete) pool_combine(lp, g) else Reduce(`+`, Map(`*`, g, lp))
    mean(logsumexp_rows(l) - l[yi]) + 10 * sum((g - 1 / J)^2) / length(y)
  })
  stats::setNames(grid[which.min(score), ], names(lp))
}
equal_weights <- function(members) stats::setNames(rep(1 / length(members), length(members)), members)
