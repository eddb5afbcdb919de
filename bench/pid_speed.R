# Time of pid_discrete() per measure on random distributions of growing
# alphabets (one core: the exact measures run single-threaded). BROJA's
# targets (issue "The exact PID toolkit"): 10 x 10 x 5 under 0.3 s and
# 20 x 20 x 10 under 10 s. Run from the repository root:
#   Rscript bench/pid_speed.R [sizes=10x10x5,14x14x10,20x20x10] [measures=broja,ccs,imin,mmi,pm,sx,wedge,dep,proj,rdr]
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")
sizes <- strsplit(bench_opt("sizes", "4x4x2,10x10x5,14x14x10,20x20x10"), ",")[[1]]
measures <- strsplit(bench_opt("measures", "broja,ccs,imin,mmi,pm,sx,wedge,dep,proj,rdr"), ",")[[1]]
rows <- list()
for (sz in sizes) {
  d <- as.integer(strsplit(sz, "x")[[1]])
  set.seed(1)
  p <- array(stats::runif(prod(d)), d)
  p <- p / sum(p)
  for (m in measures) {
    t0 <- proc.time()[["elapsed"]]
    res <- withCallingHandlers(pid_discrete(p, measure = m, unit = "nats", progress = FALSE),
                               warning = function(w) invokeRestart("muffleWarning"))
    el <- proc.time()[["elapsed"]] - t0
    rows[[length(rows) + 1]] <- data.frame(
      alphabet = sz, measure = m, seconds = round(el, 3),
      gap = if (m == "broja") signif(attr(res, "broja_gap"), 2) else NA_real_,
      r = signif(res$r, 6))
    print(utils::tail(rows[[length(rows)]], 1), row.names = FALSE)
  }
}
cat("\n")
print(do.call(rbind, rows), row.names = FALSE)
