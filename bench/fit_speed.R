# Training speed and peak memory of dmil_fit() on simulated two-view data.
# Each configuration runs in its own R process. Run from the repository root:
#   Rscript bench/fit_speed.R            (or: make bench)
# Columns: samples/s = training samples processed per second (epochs x
# training rows / elapsed); rss_before = resident memory with the data loaded;
# peak = the process's peak resident memory; data = the input as R doubles.
configs <- expand.grid(
  method = c("joint", "ensemble", "early"),
  n = c(2000L, 20000L, 200000L),
  threads = c(1L, 2L),
  stringsAsFactors = FALSE
)
p <- 16L
hidden <- 64L
batch <- 64L
epochs_for <- function(n) if (n <= 2000) 20L else if (n <= 20000) 5L else 2L

rows <- lapply(seq_len(nrow(configs)), function(i) {
  cf <- configs[i, ]
  out <- system2("Rscript", c("bench/fit_one.R", cf$method, cf$n, p, epochs_for(cf$n),
                              cf$threads, batch, hidden), stdout = TRUE)
  res <- strsplit(grep("^RESULT", out, value = TRUE), " ")[[1]][-1]
  data.frame(method = res[1], n = as.integer(res[2]), threads = as.integer(res[5]),
             epochs = as.integer(res[4]), seconds = as.numeric(res[6]),
             samples_per_s = as.numeric(res[7]), rss_before_mb = as.numeric(res[8]),
             peak_mb = as.numeric(res[9]), data_mb = as.numeric(res[10]))
})
tab <- do.call(rbind, rows)
cat(sprintf("dmil %s, %s, %d cores; two views of %d features, hidden %d, batch %d\n\n",
            utils::packageVersion("dmil"), R.version.string, parallel::detectCores(), p, hidden, batch))
print(tab, row.names = FALSE, digits = 4)
