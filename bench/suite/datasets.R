# The data sets of the benchmark suite. Each builder returns
#   list(x = named list of views (samples in rows), y = factor,
#        type = per-sample interaction type or NULL,
#        bayes = per-sample Bayes prediction (factor) or NULL,
#        note = where the data come from)
# Simulated sets are drawn with fixed seeds; real sets are the package's own
# (nutrimouse, brca) and four taken from CRAN packages, installed into a
# private library (bench/out/suite-lib) by data-raw/install_source.R (they
# are sources of data, not dependencies of dmil):
#   hepatic       AppliedPredictiveModeling (GPL-2): drug-induced liver
#                 injury of 281 compounds (None / Mild / Severe); views:
#                 biological assays (184) and chemical fingerprints (192).
#   yeast         kohonen (GPL >= 2): 800 cell-cycle genes (5 phases);
#                 views: expression time courses of the alpha, cdc15, cdc28
#                 and elu synchronisation experiments (18, 24, 17, 14). Gaps
#                 (4.6% of values) are filled with the gene's mean over the
#                 rest of that experiment (label-free, per sample).
#   segmentation  AppliedPredictiveModeling (GPL-2): 2019 cells, well or
#                 poorly segmented; views: the image features of the
#                 fluorescence channels 1 (nucleus, 56), 3 (26) and 4 (26);
#                 channel 2 (6 features) and the status flags are left out.
#   satellite     mlbench (GPL-2; UCI Statlog Landsat): 6435 3x3 pixel
#                 neighbourhoods, 6 soil and crop classes; views: the two
#                 visible bands (18 values) and the two near-infrared bands
#                 (18 values) of the multispectral scanner.

source("data-raw/install_source.R")

suite_data <- function(name) {
  switch(name,
    mix4_k2 = sim_set(simulate_interactions(3000, "mix4", K = 2, sigma = 0.5,
                                            kappa = c(1, 0.6), seed = 11),
                      "MIX4 (?simulate_interactions), K = 2, kappa (1, 0.6), sigma 0.5, n 3000"),
    mix4_k3 = sim_set(simulate_interactions(3000, "mix4", K = 3, sigma = 0.5,
                                            kappa = c(1, 0.6), seed = 12),
                      "MIX4, K = 3, kappa (1, 0.6), sigma 0.5, n 3000"),
    mix3 = sim_set(simulate_interactions(3000, "mix3", K = 2, sigma = 0.5, seed = 13),
                   "MIX3: three views, 11 interaction types, K = 2, n 3000"),
    pid_mix = sim_set(simulate_interactions(3000, "pid", setting = "mix", n_classes = 4, seed = 14),
                      "Liang et al. generator (simulate_interactions(design = \"pid\")), setting mix, 4 classes, n 3000"),
    pid_synergy = sim_set(simulate_interactions(3000, "pid", setting = "synergy", n_classes = 4,
                                                seed = 15),
                          "Liang et al. generator, setting synergy, 4 classes, n 3000"),
    factorcl = factorcl_set(3000, seed = 16),
    nutrimouse_genotype = list(x = nutrimouse$x, y = nutrimouse$genotype,
                               note = "nutrimouse (shipped), genotype"),
    nutrimouse_diet = list(x = nutrimouse$x, y = nutrimouse$diet, note = "nutrimouse (shipped), diet"),
    brca = list(x = brca$x, y = brca$cluster, note = "brca (shipped), 3 clusters"),
    hepatic = hepatic_set(),
    yeast = yeast_set(),
    segmentation = segmentation_set(),
    satellite = satellite_set(),
    stop("unknown data set ", name)
  )
}

suite_names <- c("mix4_k2", "mix4_k3", "mix3", "pid_mix", "pid_synergy", "factorcl",
                 "nutrimouse_genotype", "nutrimouse_diet", "brca", "hepatic", "yeast",
                 "segmentation", "satellite")

sim_set <- function(sim, note) {
  bayes <- NULL
  if (!is.null(sim$terms)) {
    lp <- sim$terms$log_post$joint
    bayes <- factor(levels(sim$y)[max.col(lp, ties.method = "first")], levels = levels(sim$y))
  }
  list(x = sim$x, y = sim$y, type = sim$type, bayes = bayes, note = note)
}

# The FactorCL generator (Liang et al. 2023, FactorCL): latents per subset of views
# N(0, 0.5 I) of dimension 10; view m = (latents containing m) T_m with T_m
# uniform on [0, 1] of width 100, plus N(0, 0.5^2) noise; binary label
# 1[mean of the first 5 coordinates of the shared and of each unique latent
# >= 0].
factorcl_set <- function(n, seed) {
  withr::with_seed(seed, {
    d <- 10
    z <- lapply(1:3, function(a) matrix(rnorm(n * d, sd = sqrt(0.5)), n))
    Tm <- lapply(1:2, function(m) matrix(runif(2 * d * 100), 2 * d))
    x <- lapply(1:2, function(m) {
      v <- cbind(z[[3]], z[[m]]) %*% Tm[[m]] + matrix(rnorm(n * 100, sd = 0.5), n)
      colnames(v) <- paste0("x", m, "_", seq_len(100))
      v
    })
    score <- rowMeans(cbind(z[[3]][, 1:5], z[[1]][, 1:5], z[[2]][, 1:5]))
  })
  list(x = list(x1 = x[[1]], x2 = x[[2]]), y = factor(as.integer(score >= 0)),
       note = "FactorCL generator, shared + both unique latents, n 3000")
}

# the packages stay installed between runs of the suite
real_pkg <- function(pkg, what) {
  libs <- source_library(pkg, lib = file.path("bench", "out", "suite-lib"))
  env <- new.env()
  utils::data(list = what, package = pkg, lib.loc = libs, envir = env)
  env
}

hepatic_set <- function() {
  e <- real_pkg("AppliedPredictiveModeling", "hepatic")
  list(x = list(bio = as.matrix(e$bio), chem = as.matrix(e$chem)), y = factor(e$injury),
       note = "hepatic (AppliedPredictiveModeling): injury class; bio assays + chemical fingerprints")
}

yeast_set <- function() {
  e <- real_pkg("kohonen", "yeast")
  fill <- function(m) {
    mu <- rowMeans(m, na.rm = TRUE)
    mu[!is.finite(mu)] <- 0
    idx <- which(is.na(m), arr.ind = TRUE)
    m[idx] <- mu[idx[, 1]]
    m
  }
  vn <- c("alpha", "cdc15", "cdc28", "elu")
  list(x = stats::setNames(lapply(vn, function(v) fill(e$yeast[[v]])), vn), y = e$yeast$class,
       note = "yeast (kohonen): cell-cycle phase; 4 synchronisation experiments")
}

segmentation_set <- function() {
  e <- real_pkg("AppliedPredictiveModeling", "segmentationOriginal")
  s <- e$segmentationOriginal
  feat <- grep("Ch[0-9]$", names(s), value = TRUE)
  feat <- feat[!grepl("Status", feat)]
  ch <- sub(".*(Ch[0-9])$", "\\1", feat)
  views <- lapply(c(ch1 = "Ch1", ch3 = "Ch3", ch4 = "Ch4"), function(k) as.matrix(s[feat[ch == k]]))
  list(x = views, y = factor(s$Class),
       note = "segmentationOriginal (AppliedPredictiveModeling): segmentation quality; channels 1, 3, 4")
}

satellite_set <- function() {
  e <- real_pkg("mlbench", "Satellite")
  s <- e$Satellite
  band <- rep(1:4, 9)  # columns x.1 .. x.36: 9 pixels x 4 bands, band fastest
  m <- as.matrix(s[paste0("x.", 1:36)])
  list(x = list(visible = m[, band <= 2], infrared = m[, band >= 3]), y = droplevels(s$classes),
       note = "Satellite (mlbench): land cover; visible and near-infrared bands")
}

# The suite's folds of data set `name` in repeat `r`: stratified, sizes
# differing by at most one (the folds of dmil_cv()), fixed by the data set
# and the repeat, so every method and script sees the same ones.
suite_folds <- function(name, y, k, r) {
  withr::with_seed(7919L * r + sum(utf8ToInt(name)), dmil:::balanced_folds(y, k))
}
