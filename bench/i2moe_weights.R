# Do I2MoE's expert weights say which interaction a sample carries? MIX4
# with K = 2 and 3 classes and a weaker second view (kappa = c(1, 0.6)),
# whose samples have a known type (R, U_x1, U_x2, S); n = 3000 (2400
# training, 600 held out), several seeds. For each fit with the defaults
# (and with other interaction-loss weights): the mean weight of each expert
# on the held-out samples of each true type, and how often the dominant
# expert is the sample's type. Run from the repository root:
#   Rscript bench/i2moe_weights.R [lambdas=0,0.1,0.5] [seeds=5] [nthreads=2]
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")
lambdas <- as.numeric(strsplit(bench_opt("lambdas", "0,0.1,0.5"), ",")[[1]])
seeds <- seq_len(as.integer(bench_opt("seeds", "5")))
nthreads <- as.integer(bench_opt("nthreads", "2"))

rows <- list()
for (K in 2:3) for (seed in seeds) {
  d <- weak_view_split(K, seed)
  for (lambda in lambdas) {
    fit <- dmil_fit(d$x_train, d$y_train, method = "i2moe",
                    control = i2moe_control(lambda = lambda),
                    seed = seed, nthreads = nthreads, progress = FALSE)
    a <- augment(fit, d$x_test)
    type <- as.character(d$type_test)
    w <- a[c(".weight_r", ".weight_u_x1", ".weight_u_x2", ".weight_s")]
    rows[[length(rows) + 1]] <- data.frame(
      K = K, lambda = lambda, seed = seed, type = c("R", "U_x1", "U_x2", "S"),
      do.call(rbind, lapply(c("R", "U_x1", "U_x2", "S"), function(t) colMeans(w[type == t, ]))),
      agree = mean(as.character(a$.dominant) == type),
      accuracy = mean(a$.pred_class == d$y_test))
  }
}
res <- do.call(rbind, rows)
names(res) <- sub("^\\.weight_", "w_", names(res))
cat(sprintf("I2MoE expert weights on held-out MIX4 samples, by true type (means over %d seeds)\n",
            length(seeds)))
tab <- stats::aggregate(cbind(w_r, w_u_x1, w_u_x2, w_s) ~ K + lambda + type, res, mean)
print(tab[order(tab$K, tab$lambda, match(tab$type, c("R", "U_x1", "U_x2", "S"))), ], digits = 2,
      row.names = FALSE)
cat("\nDominant expert = true type (share of held-out samples) and accuracy, mean (sd) over seeds\n")
per_fit <- unique(res[c("K", "lambda", "seed", "agree", "accuracy")])
summ <- stats::aggregate(cbind(agree, accuracy) ~ K + lambda, per_fit,
                         function(v) sprintf("%.3f (%.3f)", mean(v), stats::sd(v)))
print(summ, row.names = FALSE)
