# Which of the axioms of the PID literature each measure of pid_discrete()
# satisfies, checked numerically (?pid_discrete, section "Properties"):
#  - non-negativity: every atom >= -1e-9 bits, on the gates of pid_gate() and
#    on random distributions (3 x 3 x 3 and 2 x 2 x 2, a third of cells 0);
#  - identity (Harder et al. 2013): with y = (x1, x2), R = I(X1; X2), on
#    random p(x1, x2) of 3 x 3 values;
#  - additivity: for two independent systems, the atoms of the combined
#    system ((x1, x1'), (x2, x2'), (y, y')) are the sums of their atoms, on
#    pairs of random 2 x 2 x 2 distributions.
# A property holds if it held on every case (to 1e-7 bits), else the count
# of cases that broke it is printed. Run from the repository root:
#   Rscript bench/pid_properties.R [cases=40]
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")
cases <- as.integer(bench_opt("cases", "40"))
measures <- c("broja", "imin", "mmi", "ccs", "pm", "lsmi", "pmmi", "sx", "wedge", "dep", "proj",
              "rdr")
atoms <- c("r", "u_x1", "u_x2", "s")
pid <- function(p) {
  withCallingHandlers(pid_discrete(p, measure = measures, progress = FALSE),
                      warning = function(w) invokeRestart("muffleWarning"))
}
random_p <- function(d, zeros = 1 / 3) {
  p <- array(stats::rexp(prod(d)) * (stats::runif(prod(d)) > zeros), d)
  if (sum(p) == 0) p[1] <- 1
  p / sum(p)
}
set.seed(1)
broken <- matrix(0L, length(measures), 3, dimnames = list(measures,
                 c("nonnegativity", "identity", "additivity")))
tried <- c(nonnegativity = 0, identity = 0, additivity = 0)

gates <- c(lapply(c("xor", "and", "or", "rdn", "unq1", "unq2", "copy", "sum", "reduced_or",
                    "rdn_xor", "pwu"), pid_gate),
           replicate(cases, random_p(c(3, 3, 3)), simplify = FALSE),
           replicate(cases, random_p(c(2, 2, 2)), simplify = FALSE))
for (p in gates) {
  res <- pid(p)
  broken[, 1] <- broken[, 1] + (apply(res[atoms], 1, min) < -1e-9)
  tried[1] <- tried[1] + 1
}

for (k in seq_len(cases)) {
  p12 <- random_p(c(3, 3), zeros = 0.2)
  p <- array(0, c(3, 3, 9))
  for (a in 1:3) for (b in 1:3) p[a, b, a + 3 * (b - 1)] <- p12[a, b]
  i12 <- sum(p12[p12 > 0] * log2(p12[p12 > 0] / outer(rowSums(p12), colSums(p12))[p12 > 0]))
  res <- pid(p)
  broken[, 2] <- broken[, 2] + (abs(res$r - i12) > 1e-7)
  tried[2] <- tried[2] + 1
}

for (k in seq_len(cases)) {
  p <- random_p(c(2, 2, 2), 0.25)
  q <- random_p(c(2, 2, 2), 0.25)
  # the product, each variable the pair of the two systems' values
  pq <- array(0, c(4, 4, 4))
  for (a in 1:2) for (b in 1:2) for (y in 1:2) for (a2 in 1:2) for (b2 in 1:2) for (y2 in 1:2)
    pq[a + 2 * (a2 - 1), b + 2 * (b2 - 1), y + 2 * (y2 - 1)] <- p[a, b, y] * q[a2, b2, y2]
  both <- as.matrix(pid(p)[atoms]) + as.matrix(pid(q)[atoms])
  broken[, 3] <- broken[, 3] + (apply(abs(as.matrix(pid(pq)[atoms]) - both), 1, max) > 1e-7)
  tried[3] <- tried[3] + 1
}

out <- as.data.frame(matrix(ifelse(broken == 0, "holds", sprintf("fails (%d of %d)", broken,
                                                              rep(tried, each = nrow(broken)))),
                            nrow(broken), dimnames = dimnames(broken)))
cat(sprintf("cases: %d for non-negativity, %d for identity, %d for additivity\n\n",
            tried[1], tried[2], tried[3]))
print(out)
