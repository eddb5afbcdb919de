# Speed of dmil_interactions() with its default settings (5 folds, one
# repeat at these sizes, discriminators of 2 x 64 units, at most 30 epochs
# with patience 5 on an inner validation part, calibration) on MIX4 data
# with two views of 64 features. Each configuration runs in its own R
# process. Run from the repository root:  Rscript bench/interactions_speed.R
configs <- expand.grid(measure = c("pmmi", "lsmi"), n = c(10000L, 100000L), threads = c(1L, 2L),
                       stringsAsFactors = FALSE)
rows <- lapply(seq_len(nrow(configs)), function(i) {
  cf <- configs[i, ]
  out <- system2("Rscript", c("bench/interactions_one.R", cf$measure, cf$n, 64, cf$threads),
                 stdout = TRUE)
  res <- strsplit(grep("^RESULT", out, value = TRUE), " ")[[1]][-1]
  data.frame(measure = res[1], n = as.integer(res[2]), threads = as.integer(res[4]),
             seconds = as.numeric(res[5]), rows_per_s = as.integer(res[2]) / as.numeric(res[5]),
             peak_mb = as.numeric(res[6]), type_recovery = as.numeric(res[7]),
             data_mb = as.numeric(res[8]))
})
tab <- do.call(rbind, rows)
cat(sprintf("dmil %s, %s, %d cores; MIX4, two views of 64 features\n\n",
            utils::packageVersion("dmil"), R.version.string, parallel::detectCores()))
print(tab, row.names = FALSE, digits = 4)
