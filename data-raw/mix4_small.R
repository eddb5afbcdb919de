# data/mix4_small.rda: a small simulated MIX4 data set (see
# ?simulate_interactions) for examples that must run fast: 600 samples, two
# views of 16 features, K = 2, the second view weaker (kappa 0.6). Run from
# the repository root after installing dmil:
#   Rscript data-raw/mix4_small.R
library(dmil)
sim <- simulate_interactions(600, "mix4", K = 2, sigma = 0.5, kappa = c(1, 0.6), seed = 2026)
mix4_small <- list(x = sim$x, y = sim$y, type = sim$type, oracle = sim$oracle)
save(mix4_small, file = "data/mix4_small.rda", compress = "xz")
