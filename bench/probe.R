# Unimodal probes: how much each view's encoder has learned inside a fusion
# model, the quantity modality-imbalance methods (OGM-GE, UMT) exist to
# raise for the weaker view. MIX4 with K = 2 and 3 classes and a weaker
# second view (kappa = c(1, 0.6)), n = 3000 (2400 training, 600 held out),
# several seeds. Each method is fitted with its defaults; a linear head
# (multinomial logistic regression, nnet::multinom) is then fitted on the
# frozen encodings of one view on the training rows, and its accuracy is
# measured on the held-out rows, overall and on the samples whose
# information is unique to that view. Run from the repository root:
#   Rscript bench/probe.R [methods=late,ogm,joint,umt] [seeds=5] [nthreads=2]
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")
methods <- strsplit(bench_opt("methods", "late,ogm,joint,umt"), ",")[[1]]
seeds <- seq_len(as.integer(bench_opt("seeds", "5")))
nthreads <- as.integer(bench_opt("nthreads", "2"))

probe <- function(enc_train, y_train, enc_test) {
  d <- data.frame(y = y_train, enc_train)
  m <- nnet::multinom(y ~ ., data = d, trace = FALSE, MaxNWts = 1e5, maxit = 500, decay = 1e-3)
  stats::predict(m, newdata = data.frame(enc_test))
}

rows <- list()
for (K in 2:3) for (seed in seeds) {
  d <- weak_view_split(K, seed)
  for (m in methods) {
    fit <- dmil_fit(d$x_train, d$y_train, method = m, seed = seed, nthreads = nthreads,
                    progress = FALSE)
    acc <- mean(predict(fit, d$x_test)$.pred_class == d$y_test)
    e_tr <- dmil:::fit_encodings(fit, d$x_train)
    e_te <- dmil:::fit_encodings(fit, d$x_test)
    for (v in names(e_tr)) {
      pred <- probe(e_tr[[v]], d$y_train, e_te[[v]])
      ok <- pred == d$y_test
      uniq <- d$type_test == paste0("U_", v)
      rows[[length(rows) + 1]] <- data.frame(K = K, seed = seed, method = m, view = v,
                                             model_acc = acc, probe_acc = mean(ok),
                                             probe_acc_unique = mean(ok[uniq]))
    }
  }
}
res <- do.call(rbind, rows)
agg <- function(col) {
  a <- stats::aggregate(res[[col]], res[c("K", "view", "method")], function(v) c(mean(v), sd(v)))
  data.frame(a[1:3], mean = a$x[, 1], sd = a$x[, 2])
}
cat(sprintf("MIX4, weaker view x2 (kappa 0.6), %d seeds: mean (sd) over seeds\n\n", length(seeds)))
show <- function(col, title) {
  a <- agg(col)
  a$value <- sprintf("%.3f (%.3f)", a$mean, a$sd)
  cat(title, "\n")
  print(stats::reshape(a[c("K", "view", "method", "value")], idvar = c("K", "view"),
                       timevar = "method", direction = "wide"), row.names = FALSE)
  cat("\n")
}
show("probe_acc", "Probe accuracy of each view's encoder (all held-out samples)")
show("probe_acc_unique", "Probe accuracy on the samples whose information is unique to that view")
m <- stats::aggregate(model_acc ~ K + method, res[!duplicated(res[c("K", "seed", "method")]), ],
                      function(v) sprintf("%.3f (%.3f)", mean(v), sd(v)))
cat("Accuracy of the model itself\n")
print(m, row.names = FALSE)
