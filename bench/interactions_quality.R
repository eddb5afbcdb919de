# How far the per-sample interaction table can be trusted: stability over
# seeds, consistency, magnitudes, and on MIX4 agreement with the exact
# oracle. dmil_interactions() runs with its default settings and 10 seeds on
# each data set; the data are fixed (MIX4: one draw of seed 1).
# Run from the repository root:
#   Rscript bench/interactions_quality.R            # all data sets
#   SEEDS=3 DATASETS="mix4_200 brca" Rscript bench/interactions_quality.R
# EXTRA="list(batch_size = 32)" passes further arguments to every call.
# The raw tables are saved to $OUT (default: a file in tempdir()).
suppressPackageStartupMessages(library(dmil))
seeds <- seq_len(as.integer(Sys.getenv("SEEDS", "10")))
which_sets <- strsplit(Sys.getenv("DATASETS", "nutrimouse_genotype nutrimouse_diet brca mix4_200 mix4_4000"),
                       " ")[[1]]
extra <- eval(parse(text = Sys.getenv("EXTRA", "list()")))
out_file <- Sys.getenv("OUT", file.path(tempdir(), "interactions_quality.rds"))
nthreads <- as.integer(Sys.getenv("THREADS", "2"))

mix4 <- function(n) simulate_interactions(n, "mix4", seed = 1)
sets <- list(
  nutrimouse_genotype = function() list(x = nutrimouse$x, y = nutrimouse$genotype),
  nutrimouse_diet = function() list(x = nutrimouse$x, y = nutrimouse$diet),
  brca = function() list(x = brca$x, y = brca$cluster),
  mix4_200 = function() mix4(200),
  mix4_4000 = function() mix4(4000)
)[which_sets]

# The atoms of a table: r, the pair-shared r_<a>_<b> (three or more views),
# u_<view> and s; pointwise informations are i_<...>.
atom_cols <- function(tab) {
  nm <- names(tab)[vapply(tab, is.double, logical(1))]
  nm[grepl("^(r|s|u_.+|r_.+)$", nm)]
}
info_cols <- function(tab) {
  nm <- names(tab)[vapply(tab, is.double, logical(1))]
  nm[grepl("^i_", nm)]
}

results <- list()
rows <- list()
for (ds in names(sets)) {
  d <- sets[[ds]]()
  vn <- names(d$x)
  bound <- -log2(min(table(d$y)) / length(d$y))
  t0 <- Sys.time()
  tabs <- lapply(seeds, function(s) {
    do.call(dmil_interactions, c(list(d$x, d$y, seed = s, nthreads = nthreads, progress = FALSE),
                                 extra))
  })
  secs <- as.numeric(difftime(Sys.time(), t0, units = "secs")) / length(seeds)
  results[[ds]] <- lapply(tabs, as.data.frame)
  cols <- c(atom_cols(tabs[[1]]), info_cols(tabs[[1]]))
  means <- t(vapply(tabs, function(t) colMeans(as.data.frame(t)[cols]), numeric(length(cols))))
  per_sample_sd <- vapply(cols, function(cc) {
    stats::median(apply(vapply(tabs, function(t) t[[cc]], numeric(nrow(tabs[[1]]))), 1, stats::sd))
  }, numeric(1))
  gap <- vapply(tabs, function(t) mean(t$i_joint) - max(colMeans(as.data.frame(t)[paste0("i_", vn)])),
                numeric(1))
  atoms <- atom_cols(tabs[[1]])
  share_big <- vapply(tabs, function(t) mean(abs(as.matrix(as.data.frame(t)[atoms])) > bound),
                      numeric(1))
  row <- data.frame(dataset = ds, n = length(d$y), views = length(vn), seconds = secs,
                    max_seed_sd_of_mean = max(apply(means, 2, stats::sd)),
                    worst_column = cols[which.max(apply(means, 2, stats::sd))],
                    gap_joint_minus_best_view = mean(gap), worst_gap = min(gap),
                    share_atoms_beyond_bound = mean(share_big), bound_bits = bound)
  cat(sprintf("\n== %s (n = %d, %d views, %.1f s per run; bound %.2f bits)\n", ds, length(d$y),
              length(vn), secs, bound))
  tab <- data.frame(column = cols, mean = colMeans(means), seed_sd_of_mean = apply(means, 2, stats::sd),
                    median_per_sample_seed_sd = per_sample_sd)
  if (!is.null(d$oracle)) {
    ocols <- intersect(c("r", "u_x1", "u_x2", "s", "i_x1", "i_x2", "i_joint"), cols)
    tab$oracle_mean <- NA_real_
    tab$mae <- NA_real_
    tab$pearson <- NA_real_
    for (cc in ocols) {
      k <- match(cc, tab$column)
      tab$oracle_mean[k] <- mean(d$oracle[[cc]])
      tab$mae[k] <- mean(vapply(tabs, function(t) mean(abs(t[[cc]] - d$oracle[[cc]])), numeric(1)))
      tab$pearson[k] <- mean(vapply(tabs, function(t) stats::cor(t[[cc]], d$oracle[[cc]]), numeric(1)))
    }
    rec <- vapply(tabs, function(t) mean(as.character(t$dominant) == as.character(d$type)), numeric(1))
    oracle_rec <- mean(as.character(d$oracle$dominant) == as.character(d$type))
    row$type_recovery <- mean(rec)
    row$oracle_type_recovery <- oracle_rec
    row$recovery_ratio <- mean(rec) / oracle_rec
  }
  print(tab, row.names = FALSE, digits = 3)
  rows[[ds]] <- row
}
cat("\n== Summary\n")
all_cols <- unique(unlist(lapply(rows, names)))
summary_tab <- do.call(rbind, lapply(rows, function(r) {
  r[setdiff(all_cols, names(r))] <- NA
  r[all_cols]
}))
print(summary_tab, row.names = FALSE, digits = 3)
saveRDS(list(results = results, summary = summary_tab), out_file)
cat("\nraw tables saved to", out_file, "\n")
