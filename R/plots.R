#' Plots of fits, interactions, comparisons and resampling results
#'
#' Base-graphics `plot()` methods and, when ggplot2 is installed,
#' `ggplot2::autoplot()` methods returning ggplot objects:
#' * fits: training curves, the training loss and validation accuracy per
#'   epoch (for DMIL, of its network, per phase and stage, one after the
#'   other; the networks of its pool are in `tidy(fit)`);
#' * interactions: `type = "profile"` draws one stacked bar per sample of its
#'   atoms (`r`, `u_<view>`, `s`; negative values below zero), samples
#'   grouped by dominant type and ordered by the size of that atom;
#'   `type = "distribution"` the distribution of each atom;
#' * comparisons ([dmil_compare()]): accuracy per group (e.g. interaction
#'   type) and method, means with their range when several runs are stacked;
#' * cross-validation ([dmil_cv()]): a metric of every split per method, with
#'   the mean over splits (weighted by their size) plus or minus one standard
#'   error;
#' * bootstrap ([dmil_boot()]): the distribution of each term over the
#'   replicates, with its estimate on the data and its percentile interval;
#' * feature importance ([dmil_importance()]): the `top` features of each
#'   term, with their standard errors over permutations;
#' * tuning ([dmil_tune()]): a metric of every candidate (mean over splits
#'   plus or minus one standard error) against the setting with the most
#'   values, one line per combination of the other settings, the selected
#'   candidate circled.
#'
#' @param x,object A [dmil_fit()], [dmil_interactions()], [dmil_compare()],
#'   [dmil_cv()], [dmil_boot()], [dmil_tune()] or [dmil_importance()]
#'   result.
#' @param type For interactions: `"profile"` or `"distribution"`.
#' @param max_samples Profiles show at most this many samples (an evenly
#'   spaced subset of the ordered samples).
#' @param ... Unused.
#' @return `plot()` methods return `x` invisibly; `autoplot()` methods a
#'   ggplot.
#' @name dmil-plots
#' @examples
#' it <- dmil_interactions(mix4_small$x, mix4_small$y, epochs = 10, repeats = 2, seed = 1,
#'                         nthreads = 1)
#' plot(it)
#' plot(it, type = "distribution")
#' fit <- dmil_fit(mix4_small$x, mix4_small$y, method = "joint", epochs = 20, nthreads = 1)
#' plot(fit)
#' if (requireNamespace("ggplot2", quietly = TRUE)) ggplot2::autoplot(it)
NULL

# One colour-blind-safe palette (Okabe and Ito 2008) for every plot, base
# and ggplot2 alike: `n` colours for series (methods, networks, stages),
# recycled beyond eight.
dm_palette <- function(n) {
  okabe_ito <- c("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
                 "#000000")
  rep_len(okabe_ito, n)
}
# The atoms r, u_<view> (one per view) and s: redundancy blue, synergy
# vermillion, the views the palette's other colours.
atom_palette <- function(n_views) {
  okabe_ito <- dm_palette(8)
  c(okabe_ito[1], rep_len(okabe_ito[c(2, 3, 5, 6, 7, 8)], n_views), okabe_ito[4])
}

# A legend in the right margin, which is first made wide enough for the
# longest label (base graphics; call after the plot, with the margin from
# legend_margin()).
legend_margin <- function(labels, mar = c(4, 4, 2, 1)) {
  width <- max(graphics::strwidth(labels, units = "inches")) / graphics::par("csi")
  mar[4] <- mar[4] + width + 3
  mar
}
legend_right <- function(labels, ...) {
  usr <- graphics::par("usr")
  graphics::legend(usr[2], usr[4], legend = labels, xjust = 0, yjust = 1, bty = "n", xpd = TRUE, ...)
}

#' @rdname dmil-plots
#' @export
plot.dmil_fit <- function(x, ...) {
  cv <- fit_curves(x)
  h <- cv$h
  old <- graphics::par(mfrow = c(1, 2), mar = c(4, 4, 2, 1))
  on.exit(graphics::par(old))
  series <- unique(h$series)
  cols <- dm_palette(length(series))
  for (what in c("train_loss", "val_accuracy")) {
    y <- h[[what]]
    ok <- is.finite(y)
    graphics::plot(h$step[ok], y[ok], type = "n",
                   xlab = cv$xlab,
                   ylab = if (what == "train_loss") "training loss" else "validation accuracy",
                   main = if (what == "train_loss") "Training loss" else "Validation accuracy")
    for (r in unique(h$run)) {
      s <- h$run == r & ok
      graphics::lines(h$step[s], y[s], col = cols[match(h$series[s][1], series)], lwd = 2)
    }
    if (cv$stages) {
      edges <- which(diff(match(h$stage, unique(h$stage))) != 0)
      graphics::abline(v = h$step[edges] + 0.5, lty = 3, col = "grey50")
    } else if (length(series) > 1) {
      graphics::legend("topright", legend = series, col = cols, lwd = 2, bty = "n")
    }
  }
  invisible(x)
}

#' @rdname dmil-plots
#' @exportS3Method ggplot2::autoplot
autoplot.dmil_fit <- function(object, ...) {
  cv <- fit_curves(object)
  h <- cv$h
  long <- rbind(
    data.frame(step = h$step, series = h$series, stage = h$stage, run = h$run,
               metric = "training loss", value = h$train_loss),
    data.frame(step = h$step, series = h$series, stage = h$stage, run = h$run,
               metric = "validation accuracy", value = h$val_accuracy)
  )
  long <- long[is.finite(long$value), ]
  # colours and legend in the order the series and stages ran
  long$series <- factor(long$series, levels = unique(h$series))
  long$stage <- factor(long$stage, levels = unique(h$stage))
  aes <- ggplot2::aes(x = .data$step, y = .data$value, colour = .data[[cv$colour]], group = .data$run)
  ggplot2::ggplot(long, aes) +
    ggplot2::geom_line(linewidth = 0.8) +
    ggplot2::facet_wrap(~metric, scales = "free_y") +
    ggplot2::scale_colour_manual(values = dm_palette(nlevels(long[[cv$colour]]))) +
    ggplot2::labs(x = cv$xlab, y = NULL, colour = cv$colour_title)
}

# A fit's training curves (method_curves()) with `run`, one line each: a
# network's, or a DMIL stage's epochs (stages optimise different losses, so
# their curves are not joined).
fit_curves <- function(fit) {
  cv <- method_curves(method_of(fit), fit)
  cv$h$run <- paste(cv$h$series, cv$h$stage)
  cv
}

profile_data <- function(x, max_samples) {
  if (!is.null(x$dominant)) x <- with_atoms(x)
  info <- attr(x, "dmil")
  atoms <- if (!is.null(info)) atom_columns(info$views) else grep("^(r|u_.*|s)$", names(x), value = TRUE)
  d <- as.data.frame(x)
  dom <- as.character(d$dominant)
  lev <- levels(d$dominant)
  own <- vapply(seq_len(nrow(d)), function(i) {
    j <- match(dom[i], lev)
    d[[atoms[j]]][i]
  }, numeric(1))
  ord <- order(match(dom, lev), -own)
  if (length(ord) > max_samples) ord <- ord[unique(round(seq(1, length(ord), length.out = max_samples)))]
  list(d = d[ord, ], atoms = atoms, unit = if (!is.null(info)) info$unit else "")
}

#' @rdname dmil-plots
#' @export
plot.dmil_interactions <- function(x, type = c("profile", "distribution"), max_samples = 500, ...) {
  type <- dm_arg_match(type)
  p <- profile_data(x, max_samples)
  cols <- atom_palette(length(p$atoms) - 2)
  vals <- as.matrix(p$d[p$atoms])
  if (type == "profile") {
    pos <- unname(t(pmax(vals, 0)))
    neg <- unname(t(pmin(vals, 0)))
    lim <- range(c(colSums(neg), colSums(pos)))
    old <- graphics::par(mar = legend_margin(p$atoms), xpd = FALSE)
    on.exit(graphics::par(old))
    graphics::barplot(pos, col = cols, border = NA, space = 0, ylim = lim, axisnames = FALSE,
                      xlab = "samples (grouped by dominant type)",
                      ylab = paste0("interaction (", p$unit, ")"), main = "Per-sample interaction profiles")
    graphics::barplot(neg, col = cols, border = NA, space = 0, add = TRUE, axes = FALSE)
    groups <- rle(as.character(p$d$dominant))
    edges <- cumsum(groups$lengths)
    graphics::abline(v = edges[-length(edges)], lty = 3)
    group_labels(groups$values, edges - groups$lengths / 2)
    legend_right(p$atoms, fill = cols)
  } else {
    old <- graphics::par(mfrow = grDevices::n2mfrow(length(p$atoms)), mar = c(4, 4, 2, 1))
    on.exit(graphics::par(old))
    all <- as.matrix(as.data.frame(x)[p$atoms])
    for (j in seq_along(p$atoms)) {
      graphics::hist(all[, j], breaks = 40, col = cols[j], border = "white",
                     main = p$atoms[j], xlab = paste0("interaction (", p$unit, ")"))
    }
  }
  invisible(x)
}

# Names of groups under a bar plot, centred at `at`, on two staggered lines:
# each name goes on the first line where it does not overlap the previous
# one; a name that fits on neither is left out rather than overprinted.
# Returns the line of each name (1 or 2; NA when left out).
group_labels <- function(labels, at, cex = 0.8) {
  half <- graphics::strwidth(labels, cex = cex) / 2 * 1.1
  right <- c(-Inf, -Inf)
  lines <- rep(NA_integer_, length(labels))
  for (i in seq_along(labels)) {
    line <- which(at[i] - half[i] >= right)[1]
    if (is.na(line)) next
    graphics::mtext(labels[i], side = 1, line = c(0.3, 1.2)[line], at = at[i], cex = cex)
    right[line] <- at[i] + half[i]
    lines[i] <- line
  }
  invisible(lines)
}

#' @rdname dmil-plots
#' @exportS3Method ggplot2::autoplot
autoplot.dmil_interactions <- function(object, type = c("profile", "distribution"),
                                       max_samples = 500, ...) {
  type <- dm_arg_match(type)
  p <- profile_data(object, max_samples)
  if (type == "profile") {
    long <- data.frame(
      position = rep(seq_len(nrow(p$d)), times = length(p$atoms)),
      dominant = rep(p$d$dominant, times = length(p$atoms)),
      atom = factor(rep(p$atoms, each = nrow(p$d)), levels = p$atoms),
      value = unlist(p$d[p$atoms], use.names = FALSE)
    )
    ggplot2::ggplot(long, ggplot2::aes(x = .data$position, y = .data$value, fill = .data$atom)) +
      ggplot2::geom_col(width = 1) +
      ggplot2::facet_grid(~dominant, scales = "free_x", space = "free_x") +
      ggplot2::scale_fill_manual(values = atom_palette(length(p$atoms) - 2)) +
      ggplot2::labs(x = "samples (grouped by dominant type)", y = paste0("interaction (", p$unit, ")"),
                    fill = NULL) +
      ggplot2::theme(axis.text.x = ggplot2::element_blank(), axis.ticks.x = ggplot2::element_blank())
  } else {
    all <- as.data.frame(object)
    long <- data.frame(atom = factor(rep(p$atoms, each = nrow(all)), levels = p$atoms),
                       value = unlist(all[p$atoms], use.names = FALSE))
    ggplot2::ggplot(long, ggplot2::aes(x = .data$value, fill = .data$atom)) +
      ggplot2::geom_histogram(bins = 40, show.legend = FALSE) +
      ggplot2::facet_wrap(~atom, scales = "free") +
      ggplot2::scale_fill_manual(values = atom_palette(length(p$atoms) - 2)) +
      ggplot2::labs(x = paste0("interaction (", p$unit, ")"), y = "samples")
  }
}

#' @rdname dmil-plots
#' @export
plot.dmil_comparison <- function(x, ...) {
  s <- comparison_summary(x)
  means <- stats::xtabs(mean ~ method + group, data = s)
  cols <- dm_palette(nrow(means))
  old <- graphics::par(mar = legend_margin(rownames(means)))
  on.exit(graphics::par(old))
  mids <- graphics::barplot(means, beside = TRUE, col = cols, ylim = c(0, 1.05), border = NA,
                            ylab = "accuracy", main = "Accuracy by group")
  legend_right(rownames(means), fill = cols, border = NA)
  lo <- stats::xtabs(lo ~ method + group, data = s)
  hi <- stats::xtabs(hi ~ method + group, data = s)
  many <- hi > lo
  if (any(many)) graphics::arrows(mids[many], lo[many], mids[many], hi[many], angle = 90, code = 3,
                                  length = 0.03)
  invisible(x)
}

#' @rdname dmil-plots
#' @exportS3Method ggplot2::autoplot
autoplot.dmil_comparison <- function(object, ...) {
  s <- comparison_summary(object)
  ggplot2::ggplot(s, ggplot2::aes(x = .data$group, y = .data$mean, fill = .data$method)) +
    ggplot2::geom_col(position = ggplot2::position_dodge(width = 0.85), width = 0.8) +
    ggplot2::geom_errorbar(ggplot2::aes(ymin = .data$lo, ymax = .data$hi),
                           data = s[s$hi > s$lo, , drop = FALSE],
                           position = ggplot2::position_dodge(width = 0.85), width = 0.25) +
    ggplot2::coord_cartesian(ylim = c(0, 1)) +
    ggplot2::scale_fill_manual(values = dm_palette(length(unique(s$method)))) +
    ggplot2::labs(x = NULL, y = "accuracy", fill = NULL)
}

#' @rdname dmil-plots
#' @param metric For [dmil_cv()] and [dmil_tune()] results: the metric
#'   drawn (one of its metric columns; by default `"accuracy"` for
#'   cross-validation and the selection metric for tuning).
#' @export
plot.dmil_cv <- function(x, metric = "accuracy", ...) {
  p <- cv_plot_data(x, metric)
  graphics::stripchart(value ~ method, data = p$splits, vertical = TRUE, method = "jitter",
                       pch = 1, col = "grey45", ylab = metric, main = "Cross-validation: each split, and the mean +/- SE")
  at <- seq_len(nrow(p$means))
  graphics::points(at, p$means$estimate, pch = 19, cex = 1.3)
  graphics::arrows(at, p$means$lo, at, p$means$hi, angle = 90, code = 3, length = 0.05)
  invisible(x)
}

#' @rdname dmil-plots
#' @exportS3Method ggplot2::autoplot
autoplot.dmil_cv <- function(object, metric = "accuracy", ...) {
  p <- cv_plot_data(object, metric)
  ggplot2::ggplot(p$splits, ggplot2::aes(x = .data$method, y = .data$value)) +
    ggplot2::geom_point(position = ggplot2::position_jitter(width = 0.1, height = 0, seed = 1),
                        colour = "grey45", shape = 1) +
    ggplot2::geom_pointrange(ggplot2::aes(y = .data$estimate, ymin = .data$lo, ymax = .data$hi),
                             data = p$means) +
    ggplot2::labs(x = NULL, y = metric)
}

# Per-split values of one metric and the weighted means +/- one standard
# error, methods in the order they were run.
cv_plot_data <- function(x, metric, call = rlang::caller_env()) {
  metric <- check_metric(metric, call = call)
  d <- as.data.frame(unclass(x))
  lev <- unique(d$method)
  td <- tidy(x)
  means <- td[td$metric == metric, ]
  means$method <- factor(means$method, levels = lev)
  means$lo <- means$estimate - means$std.error
  means$hi <- means$estimate + means$std.error
  list(splits = data.frame(method = factor(d$method, levels = lev), value = d[[metric]]),
       means = means)
}

#' @rdname dmil-plots
#' @export
plot.dmil_tune <- function(x, metric = x$metric, ...) {
  p <- tune_plot_data(x, metric)
  d <- p$data
  groups <- unique(d$group)
  cols <- dm_palette(length(groups))
  at <- if (p$discrete) as.integer(d$x) else d$x
  old <- graphics::par(mar = if (length(groups) > 1) legend_margin(groups) else c(4, 4, 2, 1))
  on.exit(graphics::par(old))
  graphics::plot(at, d$estimate, type = "n", ylim = range(d$lo, d$hi, na.rm = TRUE),
                 log = if (p$log) "x" else "", xaxt = if (p$discrete) "n" else "s",
                 xlab = p$xlab, ylab = p$metric,
                 main = "Tuning: mean over splits +/- SE (circled: selected)")
  if (p$discrete) graphics::axis(1, at = seq_along(levels(d$x)), labels = levels(d$x))
  for (g in seq_along(groups)) {
    in_g <- d$group == groups[g]
    o <- order(at[in_g])
    graphics::lines(at[in_g][o], d$estimate[in_g][o], col = cols[g])
    graphics::points(at[in_g], d$estimate[in_g], pch = 19, col = cols[g])
    graphics::arrows(at[in_g], d$lo[in_g], at[in_g], d$hi[in_g], angle = 90, code = 3,
                     length = 0.04, col = cols[g])
  }
  graphics::points(at[d$best], d$estimate[d$best], cex = 2.5, lwd = 2)
  if (length(groups) > 1) legend_right(groups, col = cols, pch = 19, lty = 1)
  invisible(x)
}

#' @rdname dmil-plots
#' @exportS3Method ggplot2::autoplot
autoplot.dmil_tune <- function(object, metric = object$metric, ...) {
  p <- tune_plot_data(object, metric)
  d <- p$data
  many <- length(unique(d$group)) > 1
  aes_line <- if (many) {
    ggplot2::aes(x = .data$x, y = .data$estimate, colour = .data$group, group = .data$group)
  } else {
    ggplot2::aes(x = .data$x, y = .data$estimate, group = .data$group)
  }
  g <- ggplot2::ggplot(d, aes_line) +
    ggplot2::geom_line() +
    ggplot2::geom_pointrange(ggplot2::aes(ymin = .data$lo, ymax = .data$hi)) +
    ggplot2::geom_point(data = d[d$best, , drop = FALSE], shape = 1, size = 6, colour = "black") +
    ggplot2::scale_colour_manual(values = dm_palette(length(unique(d$group)))) +
    ggplot2::labs(x = p$xlab, y = p$metric, colour = NULL)
  if (p$log) g <- g + ggplot2::scale_x_log10()
  g
}

# One metric of every candidate of a tuning (mean +/- one standard error)
# against the setting with the most distinct values (numeric ones first),
# one group per combination of the other settings that vary.
tune_plot_data <- function(x, metric, call = rlang::caller_env()) {
  metric <- check_metric(metric, call = call)
  td <- tidy(x)
  td <- td[td$metric == metric, ]
  settings <- setdiff(names(x$grid), ".config")
  label_of <- function(v) if (is.list(v)) vapply(v, paste, "", collapse = ", ") else v
  values <- lapply(x$grid[settings], label_of)
  distinct <- vapply(values, function(v) length(unique(v)), 1L)
  numeric <- vapply(values, is.numeric, TRUE)
  varying <- settings[distinct > 1]
  xvar <- if (!length(varying)) ".config" else varying[order(-numeric[varying], -distinct[varying])][1]
  rows <- match(td$.config, x$grid$.config)
  xs <- if (xvar == ".config") td$.config else values[[xvar]][rows]
  discrete <- !is.numeric(xs)
  if (discrete) xs <- factor(xs, levels = unique(xs))
  others <- setdiff(varying, xvar)
  group <- if (length(others)) {
    do.call(paste, c(lapply(others, function(s) paste(s, "=", values[[s]][rows])), sep = ", "))
  } else {
    "all"
  }
  data <- data.frame(x = xs, group = group, estimate = td$estimate,
                     lo = td$estimate - td$std.error, hi = td$estimate + td$std.error,
                     best = td$.config == x$best)
  list(data = data, metric = metric, xlab = if (xvar == ".config") "candidate" else xvar,
       discrete = discrete,
       log = !discrete && all(xs > 0) && max(xs) / min(xs) >= 20)
}

#' @rdname dmil-plots
#' @param top For [dmil_importance()] results: the number of features shown
#'   per term.
#' @export
plot.dmil_importance <- function(x, top = 10, ...) {
  d <- importance_plot_data(x, top)
  terms <- unique(d$term)
  old <- graphics::par(mfrow = grDevices::n2mfrow(length(terms)),
                       mar = c(4, max(4, 1 + max(nchar(d$label)) * 0.55), 2, 1))
  on.exit(graphics::par(old))
  for (t in as.character(terms)) {
    s <- d[d$term == t, ]
    s <- s[rev(seq_len(nrow(s))), ]
    hi <- s$estimate + ifelse(is.na(s$std.error), 0, s$std.error)
    mids <- graphics::barplot(s$estimate, horiz = TRUE, names.arg = as.character(s$label), las = 1,
                              col = dm_palette(length(terms))[match(t, terms)], border = NA,
                              main = t, xlab = "importance",
                              xlim = range(0, s$estimate, hi, na.rm = TRUE), cex.names = 0.8)
    ok <- !is.na(s$std.error) & s$std.error > 0
    if (any(ok)) graphics::arrows(s$estimate[ok] - s$std.error[ok], mids[ok], hi[ok], mids[ok],
                                  angle = 90, code = 3, length = 0.03)
  }
  invisible(x)
}

#' @rdname dmil-plots
#' @exportS3Method ggplot2::autoplot
autoplot.dmil_importance <- function(object, top = 10, ...) {
  d <- importance_plot_data(object, top)
  d$key <- factor(paste(d$term, d$label, sep = "\r"), levels = rev(unique(paste(d$term, d$label, sep = "\r"))))
  ggplot2::ggplot(d, ggplot2::aes(x = .data$estimate, y = .data$key, fill = .data$term)) +
    ggplot2::geom_col(show.legend = FALSE) +
    ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$estimate - .data$std.error,
                                         xmax = .data$estimate + .data$std.error),
                            data = d[!is.na(d$std.error), , drop = FALSE], height = 0.3) +
    ggplot2::facet_wrap(ggplot2::vars(.data$term), scales = "free") +
    ggplot2::scale_y_discrete(labels = function(k) sub("^.*\r", "", k)) +
    ggplot2::scale_fill_manual(values = dm_palette(length(unique(d$term)))) +
    ggplot2::labs(x = "importance", y = NULL)
}

# The `top` features of each term of an importance table, largest first,
# labelled view:feature.
importance_plot_data <- function(x, top, call = rlang::caller_env()) {
  top <- check_count(top, min = 1, call = call)
  d <- as.data.frame(unclass(x))
  d <- do.call(rbind, lapply(unique(d$term), function(t) {
    s <- d[d$term == t & !is.na(d$estimate), ]
    utils::head(s[order(-s$estimate), ], top)
  }))
  d$label <- paste0(d$view, ":", d$feature)
  d$term <- factor(d$term, levels = unique(d$term))
  d
}

#' @rdname dmil-plots
#' @export
plot.dmil_boot <- function(x, ...) {
  td <- tidy(x)
  boots <- x[x$replicate > 0, ]
  old <- graphics::par(mfrow = grDevices::n2mfrow(nrow(td)), mar = c(4, 4, 2, 1))
  on.exit(graphics::par(old))
  for (i in seq_len(nrow(td))) {
    v <- boots$estimate[boots$term == td$term[i]]
    graphics::hist(v, breaks = 20, col = dm_palette(1), border = "white", main = td$term[i],
                   xlab = "bootstrap estimate", xlim = range(v, td$estimate[i]))
    graphics::abline(v = td$estimate[i], lwd = 2)
    graphics::abline(v = c(td$conf.low[i], td$conf.high[i]), lty = 2)
  }
  invisible(x)
}

#' @rdname dmil-plots
#' @exportS3Method ggplot2::autoplot
autoplot.dmil_boot <- function(object, ...) {
  td <- tidy(object)
  boots <- object[object$replicate > 0, ]
  boots$term <- factor(boots$term, levels = td$term)
  td$term <- factor(td$term, levels = td$term)
  ggplot2::ggplot(as.data.frame(unclass(boots)), ggplot2::aes(x = .data$estimate)) +
    ggplot2::geom_histogram(bins = 20, fill = dm_palette(1)) +
    ggplot2::geom_vline(ggplot2::aes(xintercept = .data$estimate), data = td, linewidth = 0.8) +
    ggplot2::geom_vline(ggplot2::aes(xintercept = .data$conf.low), data = td, linetype = 2) +
    ggplot2::geom_vline(ggplot2::aes(xintercept = .data$conf.high), data = td, linetype = 2) +
    ggplot2::facet_wrap(~term, scales = "free") +
    ggplot2::labs(x = "bootstrap estimate (line: estimate on the data; dashed: interval)", y = "replicates")
}
