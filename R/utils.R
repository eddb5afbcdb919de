# Small helpers shared across the package.

# Evaluates `code` with R's RNG seeded. The generator is fixed (R's
# defaults), so a seed means the same numbers whatever RNGkind() the user
# has chosen; the user's kind and state are restored afterwards.
with_seed <- function(seed, code) {
  restore <- rng_snapshot()
  on.exit(restore())
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  code
}

# A function that puts R's RNG (kind and state) back as it is now.
rng_snapshot <- function() {
  kind <- RNGkind()
  seed <- get0(".Random.seed", envir = globalenv(), inherits = FALSE)
  function() {
    suppressWarnings(RNGkind(kind[1], kind[2], kind[3]))  # "Rounding" warns
    if (is.null(seed)) {
      if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) rm(".Random.seed", envir = globalenv())
    } else {
      assign(".Random.seed", seed, envir = globalenv())
    }
  }
}

# log(sum(exp(.))) of every row of a matrix; the row maxima by a loop over
# the (few) columns, vectorised over the rows.
logsumexp_rows <- function(m) {
  mx <- m[, 1]
  for (j in seq_len(ncol(m))[-1]) mx <- pmax(mx, m[, j])
  mx + log(rowSums(exp(m - mx)))
}

# Row-wise log-softmax and softmax of a matrix of logits.
log_softmax <- function(z) z - logsumexp_rows(z)
softmax_rows <- function(z) {
  p <- exp(z - apply(z, 1, max))
  p / rowSums(p)
}

# A count for a message, with thousands separated: 27,000,000.
big_number <- function(x) format(x, big.mark = ",", scientific = FALSE)
