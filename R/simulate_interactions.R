#' Simulate multimodal data with known interactions
#'
#' Generates two-view classification data for which the way the views inform
#' the label is known, sample by sample where that is defined, together with
#' the exact ("oracle") per-sample interaction values computed from the true
#' distribution.
#'
#' @section Designs:
#' **`"mix4"`** (default). Each sample has a type drawn with probabilities
#' `pi`: redundant (`R`: both views show the label), unique to one view
#' (`U_x1`, `U_x2`: one view shows the label, the other an independent
#' nuisance class) or synergistic (`S`: the label is the sum modulo `K` of
#' the classes the two views show, XOR for `K = 2`). View `m` shows class `k`
#' as the prototype \eqn{\kappa_m W_m P_{t,k}} plus Gaussian noise of sd
#' `sigma`, with prototypes \eqn{P_{t,k} \sim N(0, I)} of dimension
#' `d_latent` (one bank per type when `tagged`, so the type is identifiable;
#' one shared bank otherwise) and mixing matrices
#' \eqn{W_m \sim N(0, 1/d_{latent})}. Parameters: `K = 2`,
#' `pi = rep(0.25, 4)` (R, U_x1, U_x2, S), `d_latent = 8`,
#' `dims = c(16, 16)`, `sigma = 0.5`, `kappa = c(1, 1)` (use
#' `kappa[2] < 1` for a weaker second view), `tagged = TRUE`,
#' `mixing = "dense"`, `design_seed` (seed of the prototypes and mixing
#' matrices; defaults to `seed`, so simulate once and split for train/test
#' data from one design). With `mixing = "blocks"` there are no mixing
#' matrices: each type's prototypes occupy a block of `d_latent` features of
#' every view of their own (features 1 to `d_latent` for `R`, the next for
#' `U_x1`, ...; the remaining features are noise), each feature centred and
#' scaled over the classes (with two classes the prototypes are -1 and +1 in
#' every feature of the block), so it is known which
#' features carry which kind of information (`features` in the result;
#' `dims` must be at least the number of types times `d_latent`).
#' The oracle is exact: the densities are Gaussian mixtures over at most
#' \eqn{4K^2} components.
#'
#' **`"mix3"`**. The three-view analogue of `"mix4"`, with a type for every
#' kind of atom of the redundancy lattice: `R` (all three views show the
#' label), `R_x1_x2`, `R_x1_x3`, `R_x2_x3` (two views show it, the third an
#' independent nuisance class), `U_x1`, `U_x2`, `U_x3` (one view shows it),
#' `S_x1_x2`, `S_x1_x3`, `S_x2_x3` (two views show classes whose sum modulo
#' `K` is the label; the third a nuisance class) and `S_x1_x2_x3` (the sum of
#' all three views' classes is the label). Parameters as for `"mix4"`, with
#' `pi` of length 11 (in the order above, default uniform) and `dims`,
#' `kappa` of length 3. The oracle is exact; in it, with small noise, each
#' type carries \eqn{\log_2 K} bits in its own atom: `r`, `r_x1_x2`, ...,
#' `u_x1`, ..., and for the synergistic types the lattice atoms
#' \{x1,x2\}, ..., \{x1,x2,x3\}, which the table sums into `s`
#' (`attr(oracle, "lattice")` holds all 18 atoms).
#'
#' **`"gates"`**. I.i.d. draws from a discrete distribution of [pid_gate()]
#' (`gate = "xor"`), each source one-hot encoded (`onehot = TRUE`, else its
#' code as one column) plus Gaussian jitter of sd `jitter` (default 0). The
#' oracle is the exact pointwise decomposition of the discrete distribution
#' at each sample's outcome (it ignores the jitter).
#'
#' **`"gauss"`**. The Gaussian generator of LSMI: \eqn{y} uniform on
#' `n_classes` classes, \eqn{x_1 = e_y + u},
#' \eqn{x_2 = e_y + \rho u + \sqrt{1-\rho^2} v} with
#' \eqn{u, v \sim N(0, \sigma^2 I)}. Parameters `n_classes = 2`, `rho = 0.5`,
#' `sigma = 0.5`. All posteriors and densities have closed forms, so the
#' oracle is exact.
#'
#' **`"pid"`**. The latent-concatenation generator of Liang et al. (2023):
#' latents \eqn{z_1, z_2, z_{12} \sim N(0, \text{feature\_sep} \cdot I)} of
#' dimension `d_latent = 5`; view \eqn{m} concatenates \eqn{z_A T_A} over the
#' latents \eqn{A} it contains, \eqn{T_A} uniform on \[0, 1\] of width
#' `d_out = 32`; the label cuts the sigmoid of the mean of the selected latent
#' coordinates (after dropout with rate `dropout = 0.2`) into `n_classes = 32`
#' equally frequent classes. `setting` selects the latents: `"redundancy"`
#' (\eqn{z_{12}}), `"uniqueness1"` (\eqn{z_1}), `"uniqueness2"`
#' (\eqn{z_2}), `"synergy"` (\eqn{z_1} and \eqn{z_2}), or `"mix"` with
#' `fractions` of each latent's coordinates (default `c(0.5, 0.5, 0.5)` for
#' \eqn{z_1, z_2, z_{12}}). No per-sample oracle exists for this design.
#'
#' @param n Number of samples.
#' @param design The generator; see Designs.
#' @param ... Parameters of the design (see Designs); unknown names are an
#'   error.
#' @param measure Pointwise measure of the oracle table: `"pmmi"` or
#'   `"lsmi"`, as in [dmil_interactions()].
#' @param unit `"bits"` or `"nats"`.
#' @param seed `NULL` (draw from R's random number generator) or a whole
#'   number; the simulation leaves R's random number state unchanged when a
#'   seed is given.
#'
#' @return A list of class `dmil_simulation` with
#' * `x`: a named list of matrices, views `x1`, `x2` (and `x3` for
#'   `"mix3"`);
#' * `y`: the labels, a factor;
#' * `type`: the true interaction type of each sample (`"R"`, `"U_x1"`,
#'   `"U_x2"`, `"S"`; for `"mix3"` the eleven types above) where the design
#'   defines one, else `NULL`;
#' * `oracle`: the exact per-sample values, in the columns of
#'   [dmil_interactions()] (`NULL` for `"pid"`);
#' * `features`: with `mixing = "blocks"`, one row per feature (`view`,
#'   `feature`, and the `type` whose block it belongs to, `NA` for noise):
#'   the features of the `R` blocks carry the redundant information, those
#'   of the `U_x1` block of view `x1` the information unique to it, those of
#'   the `S` blocks of both views the synergy (each alone says nothing), and
#'   the others nothing about the label; else `NULL`;
#' * `terms`: the exact quantities behind the oracle: log posteriors
#'   `log_post` (one n x classes matrix per nonempty subset of the views:
#'   `x1`, `x2`, `joint`; for `"mix3"` also `x1:x2`, `x3`, `x1:x3`,
#'   `x2:x3`), log densities `log_dens` (n x views) and the log prior
#'   `log_prior`;
#' * `design`, `params`, `seed`.
#' @examples
#' sim <- simulate_interactions(1000, "mix4", K = 2, seed = 1)
#' table(sim$type)
#' head(sim$oracle)
#' # oracle means by type: each type carries its own atom
#' aggregate(cbind(r, u_x1, u_x2, s) ~ sim$type, data = sim$oracle, FUN = mean)
#'
#' g <- simulate_interactions(2000, "gauss", rho = 0.5, measure = "lsmi",
#'                            unit = "nats", seed = 2)
#' colMeans(g$oracle[c("r", "u_x1", "u_x2", "s")])
#' @export
simulate_interactions <- function(n, design = c("mix4", "mix3", "gates", "gauss", "pid"), ...,
                                  measure = c("pmmi", "lsmi"), unit = c("bits", "nats"),
                                  seed = NULL) {
  n <- check_count(n, min = 2)
  design <- dm_arg_match(design)
  measure <- dm_arg_match(measure)
  unit <- dm_arg_match(unit)
  seed <- check_seed(seed)
  params <- design_params(design, list(...), seed)
  check_simulation_size(n, design, params)
  sim <- with_seed(seed, switch(design,
    mix4 = sim_typed(n, params, mix4_types),
    mix3 = sim_typed(n, params, mix3_types),
    gates = sim_gates(n, params),
    gauss = sim_gauss(n, params),
    pid = sim_pid(n, params)
  ))
  if (!is.null(sim$terms)) {
    sim$oracle <- oracle_table(sim$terms, sim$y, measure, unit)
  }
  sim$design <- design
  sim$params <- params
  sim$seed <- seed
  structure(sim[c("x", "y", "type", "oracle", "terms", "features", "design", "params", "seed")],
            class = "dmil_simulation")
}

#' @export
print.dmil_simulation <- function(x, ...) {
  cat(sprintf("<dmil_simulation> design \"%s\": %d samples, views %s, %d classes\n",
              x$design, length(x$y),
              paste0(names(x$x), " (", vapply(x$x, ncol, integer(1)), ")", collapse = ", "),
              nlevels(x$y)))
  if (!is.null(x$type)) {
    tab <- table(x$type)
    cat("  types: ", paste0(names(tab), " ", tab, collapse = ", "), "\n", sep = "")
  }
  if (!is.null(x$oracle)) {
    m <- colMeans(x$oracle[atom_columns(names(x$x))])
    cat(sprintf("  oracle means (%s, %s): %s\n", attr(x$oracle, "measure"), attr(x$oracle, "unit"),
                paste(names(m), sprintf("%.3f", m), collapse = ", ")))
  }
  invisible(x)
}

# A simulation that would need more than `limit` bytes (an estimate from n
# and the design's sizes) is refused before anything is allocated.
check_simulation_size <- function(n, design, p, limit = 4 * 2^30, call = rlang::caller_env()) {
  per_sample <- switch(design,
    mix4 = , mix3 = {
      types <- if (design == "mix4") mix4_types else mix3_types
      configs <- length(types$labels) * p$K^(1 + types$nuisances)
      sum(p$dims) + configs * (length(p$dims) + 2)
    },
    gates = 16,
    gauss = 4 * p$n_classes,
    pid = 2 * 3 * p$d_out + p$n_classes
  )
  bytes <- 8 * as.numeric(n) * per_sample
  if (bytes > limit) {
    dm_abort(c("This simulation would need about {format_bytes(bytes)} of memory.",
               "i" = "Simulate fewer samples or smaller views (the limit is {format_bytes(limit)})."),
             class = "dmil_error_memory", call = call)
  }
  invisible()
}

design_params <- function(design, dots, seed, call = rlang::caller_env()) {
  defaults <- switch(design,
    mix4 = list(K = 2, pi = rep(0.25, 4), d_latent = 8, dims = c(16, 16), sigma = 0.5,
                kappa = c(1, 1), tagged = TRUE, mixing = "dense", design_seed = seed),
    mix3 = list(K = 2, pi = rep(1 / 11, 11), d_latent = 8, dims = c(16, 16, 16), sigma = 0.5,
                kappa = c(1, 1, 1), tagged = TRUE, mixing = "dense", design_seed = seed),
    gates = list(gate = "xor", onehot = TRUE, jitter = 0),
    gauss = list(n_classes = 2, rho = 0.5, sigma = 0.5),
    pid = list(setting = "redundancy", fractions = c(0.5, 0.5, 0.5), d_latent = 5,
               d_out = 32, n_classes = 32, feature_sep = 1.5, dropout = 0.2,
               design_seed = seed)
  )
  unknown <- setdiff(names(dots), names(defaults))
  if (length(dots) && (is.null(names(dots)) || any(names(dots) == ""))) {
    dm_abort("Parameters of the design must be named.", class = "dmil_error_arg", call = call)
  }
  if (length(unknown)) {
    dm_abort(
      c("{cli::qty(length(unknown))}Unknown parameter{?s} {.val {unknown}} for design {.val {design}}.",
        "i" = "It takes {.val {names(defaults)}}."),
      class = "dmil_error_arg", call = call)
  }
  p <- utils::modifyList(defaults, dots)
  chk <- function(ok, what) {
    if (!isTRUE(ok)) dm_abort("Invalid {.arg {what}} for design {.val {design}}.",
                              class = "dmil_error_arg", call = call)
  }
  if (design %in% c("mix4", "mix3")) {
    types <- if (design == "mix4") mix4_types else mix3_types
    M <- if (design == "mix4") 2L else 3L
    p$K <- check_count(p$K, min = 2, arg = "K", call = call)
    chk(is.numeric(p$pi) && length(p$pi) == length(types$labels) && all(p$pi >= 0) &&
          sum(p$pi) > 0, "pi")
    p$pi <- p$pi / sum(p$pi)
    p$d_latent <- check_count(p$d_latent, arg = "d_latent", call = call)
    chk(is.numeric(p$dims) && length(p$dims) == M && all(is.finite(p$dims)) &&
          all(p$dims >= 1) && all(p$dims == round(p$dims)), "dims")
    p$dims <- as.integer(p$dims)
    # the exact oracle sums over every configuration (type, label, nuisance
    # classes) for every sample
    configs <- length(types$labels) * p$K^(1 + types$nuisances)
    if (configs > 1e5) {
      dm_abort(c("{.arg K} = {p$K} is too large for the exact oracle of design {.val {design}}.",
                 "x" = "It would sum over {big_number(configs)} configurations per sample.",
                 "i" = "Use at most {floor((1e5 / length(types$labels))^(1 / (1 + types$nuisances)))} classes."),
               class = "dmil_error_arg", call = call)
    }
    p$sigma <- check_number(p$sigma, min = 0, min_open = TRUE, arg = "sigma", call = call)
    chk(is.numeric(p$kappa) && length(p$kappa) == M && all(is.finite(p$kappa)), "kappa")
    p$tagged <- check_flag(p$tagged, arg = "tagged", call = call)
    chk(is.character(p$mixing) && length(p$mixing) == 1 && p$mixing %in% c("dense", "blocks"),
        "mixing")
    if (p$mixing == "blocks") {
      need <- length(types$labels) * p$d_latent
      if (!p$tagged || any(p$dims < need)) {
        dm_abort(c("{.code mixing = \"blocks\"} needs {.code tagged = TRUE} and at least {need} features per view ({length(types$labels)} types x {.arg d_latent} = {p$d_latent}).",
                   "x" = "{.arg dims} is {p$dims}{if (!p$tagged) ' and tagged is FALSE' else ''}."),
                 class = "dmil_error_arg", call = call)
      }
    }
    p$design_seed <- check_seed(p$design_seed, arg = "design_seed", call = call)
  } else if (design == "gates") {
    chk(is.character(p$gate) && length(p$gate) == 1, "gate")
    p$onehot <- check_flag(p$onehot, arg = "onehot", call = call)
    p$jitter <- check_number(p$jitter, min = 0, arg = "jitter", call = call)
  } else if (design == "gauss") {
    p$n_classes <- check_count(p$n_classes, min = 2, arg = "n_classes", call = call)
    p$rho <- check_number(p$rho, min = 0, max = 1, max_open = TRUE, arg = "rho", call = call)
    p$sigma <- check_number(p$sigma, min = 0, min_open = TRUE, arg = "sigma", call = call)
  } else {
    chk(is.character(p$setting) && length(p$setting) == 1 &&
          p$setting %in% c("redundancy", "uniqueness1", "uniqueness2", "synergy", "mix"), "setting")
    chk(is.numeric(p$fractions) && length(p$fractions) == 3 && all(p$fractions >= 0 & p$fractions <= 1), "fractions")
    p$n_classes <- check_count(p$n_classes, min = 2, arg = "n_classes", call = call)
    p$d_latent <- check_count(p$d_latent, arg = "d_latent", call = call)
    p$d_out <- check_count(p$d_out, arg = "d_out", call = call)
    p$feature_sep <- check_number(p$feature_sep, min = 0, min_open = TRUE, arg = "feature_sep", call = call)
    p$dropout <- check_number(p$dropout, min = 0, max = 1, max_open = TRUE, arg = "dropout", call = call)
    p$design_seed <- check_seed(p$design_seed, arg = "design_seed", call = call)
  }
  p
}

# log N(x_i; mu_j, sigma^2 I) for every row of x and column of mu.
log_gauss <- function(x, mu, sigma) {
  d <- ncol(x)
  sq <- outer(rowSums(x^2), colSums(mu^2), "+") - 2 * x %*% mu
  -0.5 * d * log(2 * pi * sigma^2) - sq / (2 * sigma^2)
}

# Typed designs: for each type, the classes the views show given the label
# y and independent nuisance classes nu (n x `nuisances`), modulo K.
mix4_types <- list(
  labels = c("R", "U_x1", "U_x2", "S"),
  nuisances = 1L,
  shown = list(
    R = function(y, nu, K) cbind(y, y),
    U_x1 = function(y, nu, K) cbind(y, nu[, 1]),
    U_x2 = function(y, nu, K) cbind(nu[, 1], y),
    S = function(y, nu, K) cbind(nu[, 1], (y - nu[, 1]) %% K)
  )
)
mix3_types <- list(
  labels = c("R", "R_x1_x2", "R_x1_x3", "R_x2_x3", "U_x1", "U_x2", "U_x3",
             "S_x1_x2", "S_x1_x3", "S_x2_x3", "S_x1_x2_x3"),
  nuisances = 2L,
  shown = list(
    R = function(y, nu, K) cbind(y, y, y),
    R_x1_x2 = function(y, nu, K) cbind(y, y, nu[, 1]),
    R_x1_x3 = function(y, nu, K) cbind(y, nu[, 1], y),
    R_x2_x3 = function(y, nu, K) cbind(nu[, 1], y, y),
    U_x1 = function(y, nu, K) cbind(y, nu[, 1], nu[, 2]),
    U_x2 = function(y, nu, K) cbind(nu[, 1], y, nu[, 2]),
    U_x3 = function(y, nu, K) cbind(nu[, 1], nu[, 2], y),
    S_x1_x2 = function(y, nu, K) cbind(nu[, 1], (y - nu[, 1]) %% K, nu[, 2]),
    S_x1_x3 = function(y, nu, K) cbind(nu[, 1], nu[, 2], (y - nu[, 1]) %% K),
    S_x2_x3 = function(y, nu, K) cbind(nu[, 2], nu[, 1], (y - nu[, 1]) %% K),
    S_x1_x2_x3 = function(y, nu, K) cbind(nu[, 1], nu[, 2], (y - nu[, 1] - nu[, 2]) %% K)
  )
)

# View m of a sample of type t showing class k is kappa_m W_m P_{t,k} plus
# noise; the oracle enumerates every configuration (type, label, nuisance
# classes) with its probability and sums the Gaussian likelihoods.
sim_typed <- function(n, p, types) {
  K <- p$K
  M <- length(p$dims)
  n_types <- length(types$labels)
  n_banks <- if (p$tagged) n_types else 1L
  fixed <- with_seed(p$design_seed, list(
    P = array(stats::rnorm(n_banks * K * p$d_latent), c(p$d_latent, K, n_banks)),
    W = lapply(p$dims, function(d) matrix(stats::rnorm(d * p$d_latent, sd = sqrt(1 / p$d_latent)), d))
  ))
  if (p$mixing == "blocks") {
    # every planted feature separates the classes alike: each coordinate of
    # a type's prototypes centred and scaled to unit spread over the classes
    for (tt in seq_len(n_banks)) {
      P <- fixed$P[, , tt, drop = FALSE][, , 1]
      P <- matrix(P, p$d_latent)
      P <- P - rowMeans(P)
      fixed$P[, , tt] <- P / sqrt(rowMeans(P^2))
    }
  }
  bank <- function(t) if (p$tagged) t else 1L
  block <- function(t) (t - 1L) * p$d_latent + seq_len(p$d_latent)
  # Prototype of view m for type t and class k (0..K-1): a column; with
  # mixing = "blocks" the type's own features of the view, zero elsewhere.
  proto <- function(m, t, k) {
    if (p$mixing == "blocks") {
      v <- numeric(p$dims[m])
      v[block(t)] <- fixed$P[, k + 1L, t]
      p$kappa[m] * v
    } else {
      p$kappa[m] * fixed$W[[m]] %*% fixed$P[, k + 1L, bank(t)]
    }
  }
  shown_of <- function(t, y, nu) {
    out <- matrix(0L, length(t), M)
    for (tt in unique(t)) {
      sel <- t == tt
      out[sel, ] <- types$shown[[tt]](y[sel], nu[sel, , drop = FALSE], K)
    }
    out
  }

  t <- sample.int(n_types, n, replace = TRUE, prob = p$pi)
  y <- sample.int(K, n, replace = TRUE) - 1L
  nu <- vapply(seq_len(types$nuisances), function(j) sample.int(K, n, replace = TRUE) - 1L, integer(n))
  nu <- matrix(nu, n)
  k <- shown_of(t, y, nu)
  x <- lapply(seq_len(M), function(m) {
    mu <- matrix(0, n, p$dims[m])
    for (tt in seq_len(n_types)) for (kk in 0:(K - 1)) {
      sel <- t == tt & k[, m] == kk
      if (any(sel)) mu[sel, ] <- matrix(proto(m, tt, kk), sum(sel), p$dims[m], byrow = TRUE)
    }
    mu + matrix(stats::rnorm(n * p$dims[m], sd = p$sigma), n)
  })

  # Exact terms: every configuration (type, label, nuisance classes).
  grid <- as.matrix(expand.grid(c(list(t = seq_len(n_types), y = 0:(K - 1)),
                                  rep(list(0:(K - 1)), types$nuisances))))
  cfg_k <- shown_of(grid[, 1], grid[, 2], grid[, -(1:2), drop = FALSE])
  q <- p$pi[grid[, 1]] / K^(1 + types$nuisances)
  keep <- q > 0
  grid <- grid[keep, , drop = FALSE]
  cfg_k <- cfg_k[keep, , drop = FALSE]
  lq <- matrix(log(q[keep]), n, nrow(grid), byrow = TRUE)
  # log phi_m(x | t, k) for every configuration's prototype.
  lphi <- lapply(seq_len(M), function(m) {
    mu <- vapply(seq_len(nrow(grid)), function(j) proto(m, grid[j, 1], cfg_k[j, m]), numeric(p$dims[m]))
    log_gauss(x[[m]], matrix(mu, p$dims[m]), p$sigma)
  })
  by_class <- function(terms) {
    vapply(0:(K - 1), function(kk) logsumexp_rows(terms[, grid[, 2] == kk, drop = FALSE]), numeric(n))
  }
  sets <- view_subsets(paste0("x", seq_len(M)))
  log_post <- lapply(seq_len(nrow(sets)), function(j) {
    l <- by_class(lq + Reduce(`+`, lphi[match(sets$views[[j]], paste0("x", seq_len(M)))]))
    l - logsumexp_rows(l)
  })
  names(log_post) <- sets$net
  terms <- list(
    log_post = log_post,
    log_dens = vapply(seq_len(M), function(m) logsumexp_rows(lq + lphi[[m]]), numeric(n)),
    log_prior = rep(-log(K), K)
  )
  colnames(terms$log_dens) <- paste0("x", seq_len(M))
  x <- name_views(x)
  features <- if (p$mixing == "blocks") {
    do.call(rbind, lapply(seq_len(M), function(m) {
      owner <- rep(NA_character_, p$dims[m])
      for (tt in seq_len(n_types)) owner[block(tt)] <- types$labels[tt]
      data.frame(view = names(x)[m], feature = colnames(x[[m]]),
                 type = factor(owner, levels = types$labels))
    }))
  }
  list(x = x, y = factor(y, levels = 0:(K - 1)),
       type = factor(types$labels[t], levels = types$labels), terms = terms, features = features)
}

sim_gates <- function(n, p) {
  pr <- pid_gate(p$gate)
  dims <- dim(pr)
  cell <- sample.int(length(pr), n, replace = TRUE, prob = as.vector(pr))
  idx <- arrayInd(cell, dims)
  enc <- function(v, levels) {
    m <- if (p$onehot) diag(levels)[v, , drop = FALSE] else matrix(v - 1, ncol = 1)
    m + matrix(stats::rnorm(length(m), sd = p$jitter), nrow(m))
  }
  x <- list(enc(idx[, 1], dims[1]), enc(idx[, 2], dims[2]))
  # Exact discrete terms at each sample's outcome.
  p1y <- apply(pr, c(1, 3), sum)
  p2y <- apply(pr, c(2, 3), sum)
  p12y <- pr
  post <- function(pxy, v) {
    joint <- pxy[v, , drop = FALSE]
    log(joint) - log(rowSums(joint))
  }
  p12 <- apply(pr, c(1, 2), sum)
  joint_post <- t(vapply(seq_len(n), function(i) p12y[idx[i, 1], idx[i, 2], ], numeric(dims[3])))
  if (dims[3] == 1) joint_post <- matrix(joint_post, ncol = 1)
  terms <- list(
    log_post = list(x1 = post(p1y, idx[, 1]), x2 = post(p2y, idx[, 2]),
                    joint = log(joint_post) - log(p12[idx[, 1:2, drop = FALSE]])),
    log_dens = cbind(x1 = log(rowSums(p1y))[idx[, 1]], x2 = log(rowSums(p2y))[idx[, 2]]),
    log_prior = log(apply(pr, 3, sum))
  )
  ylev <- dimnames(pr)$y
  list(x = name_views(x), y = factor(ylev[idx[, 3]], levels = ylev), type = NULL, terms = terms)
}

sim_gauss <- function(n, p) {
  C <- p$n_classes
  y <- sample.int(C, n, replace = TRUE)
  e <- diag(C)[y, , drop = FALSE]
  u <- matrix(stats::rnorm(n * C, sd = p$sigma), n)
  v <- matrix(stats::rnorm(n * C, sd = p$sigma), n)
  x1 <- e + u
  x2 <- e + p$rho * u + sqrt(1 - p$rho^2) * v
  ld <- function(x) logsumexp_rows(log_gauss(x, diag(C), p$sigma)) - log(C)
  terms <- list(
    log_post = list(x1 = log_softmax(x1 / p$sigma^2), x2 = log_softmax(x2 / p$sigma^2),
                    joint = log_softmax((x1 + x2) / (p$sigma^2 * (1 + p$rho)))),
    log_dens = cbind(x1 = ld(x1), x2 = ld(x2)),
    log_prior = rep(-log(C), C)
  )
  list(x = name_views(list(x1, x2)), y = factor(y - 1L, levels = 0:(C - 1)), type = NULL,
       terms = terms)
}

sim_pid <- function(n, p) {
  dl <- p$d_latent
  Tm <- with_seed(p$design_seed, lapply(1:3, function(a) matrix(stats::runif(dl * p$d_out), dl)))
  z <- lapply(1:3, function(a) matrix(stats::rnorm(n * dl, sd = sqrt(p$feature_sep)), n))
  x1 <- cbind(z[[1]] %*% Tm[[1]], z[[3]] %*% Tm[[3]])
  x2 <- cbind(z[[2]] %*% Tm[[2]], z[[3]] %*% Tm[[3]])
  frac <- switch(p$setting,
    redundancy = c(0, 0, 1), uniqueness1 = c(1, 0, 0), uniqueness2 = c(0, 1, 0),
    synergy = c(1, 1, 0), mix = p$fractions)
  used <- lapply(1:3, function(a) seq_len(round(frac[a] * dl)))
  lab <- do.call(cbind, lapply(1:3, function(a) z[[a]][, used[[a]], drop = FALSE]))
  if (ncol(lab) == 0) {
    dm_abort("The chosen {.arg fractions} select no latent coordinates for the label.",
             class = "dmil_error_arg")
  }
  keep <- matrix(stats::runif(length(lab)) >= p$dropout, nrow(lab)) / (1 - p$dropout)
  score <- stats::plogis(rowMeans(lab * keep))
  y <- cut(rank(score, ties.method = "first"), breaks = p$n_classes, labels = FALSE) - 1L
  type <- switch(p$setting, redundancy = "R", uniqueness1 = "U_x1", uniqueness2 = "U_x2",
                 synergy = "S", mix = NA_character_)
  list(x = name_views(list(x1, x2)), y = factor(y, levels = 0:(p$n_classes - 1)),
       type = if (is.na(type)) NULL else factor(rep(type, n), levels = mix4_types$labels),
       terms = NULL)
}

name_views <- function(x) {
  for (m in seq_along(x)) colnames(x[[m]]) <- paste0("x", m, "_", seq_len(ncol(x[[m]])))
  names(x) <- paste0("x", seq_along(x))
  x
}

# The oracle table: the pointwise decomposition computed here in R, apart
# from the package's C decomposition (src/core/dm_lattice.h, pid.c), from
# exact terms. Columns as in dmil_interactions(); the lattice atoms ("pmmi")
# in attr(, "lattice").
oracle_table <- function(terms, y, measure, unit) {
  yi <- as.integer(y)
  n <- length(yi)
  vn <- colnames(terms$log_dens)
  M <- length(vn)
  sets <- view_subsets(vn)
  lprior <- terms$log_prior[yi]
  i <- vapply(terms$log_post[sets$net], function(lp) lp[cbind(seq_len(n), yi)] - lprior, numeric(n))
  i <- matrix(unname(i), n)
  shift <- 0
  if (measure == "pmmi") {
    lat <- oracle_lattice(M)
    # redundancy of a node: the smallest information of its sources
    red <- vapply(lat$sets, function(a) do.call(pmin, lapply(a, function(A) i[, A])), numeric(n))
    nodes <- matrix(red, n) %*% t(lat$mobius)
    colnames(nodes) <- lat$names(vn)
    atoms <- nodes %*% lat$to_summary(vn)
  } else {
    h <- -terms$log_dens
    r <- pmin(h[, 1], h[, 2]) - pmin(h[, 1] - i[, 1], h[, 2] - i[, 2])
    atoms <- cbind(r = r, u1 = i[, 1] - r, u2 = i[, 2] - r, s = i[, 3] - i[, 1] - i[, 2] + r)
    m <- colMeans(atoms)
    shift <- if (m[1] < 0 || m[4] < 0) -min(m[1], m[4]) else if (min(m[2:3]) < 0) min(m[2:3]) else 0
    atoms <- atoms + matrix(c(shift, -shift, -shift, shift), n, 4, byrow = TRUE)
    colnames(atoms) <- atom_columns(vn)
  }
  k <- unit_factor(unit)
  rownames(atoms) <- NULL
  out <- data.frame(sample = seq_len(n), label = y)
  out <- cbind(out, as.data.frame(atoms * k))
  for (j in seq_len(nrow(sets))) out[[sets$col[j]]] <- i[, j] * k
  if (measure == "lsmi") {
    for (m in seq_len(M)) out[[paste0("h_", vn[m])]] <- -terms$log_dens[, m] * k
  }
  out$dominant <- dominant_atom(atoms, vn)
  attr(out, "measure") <- measure
  attr(out, "unit") <- unit
  attr(out, "shift") <- shift * k
  if (measure == "pmmi") attr(out, "lattice") <- nodes * k
  out
}

# The redundancy lattice of M sources built by brute force in R, for the
# oracle: antichains of subsets (bit masks), the order, the Moebius matrix,
# node names and the summary atoms (see lattice_info()).
oracle_lattice <- function(M) {
  S <- 2^M - 1
  sub <- function(a, b) bitwAnd(a, b) == a
  sets <- list()
  for (code in seq_len(2^S - 1)) {
    mem <- which(bitwAnd(code, bitwShiftL(1L, seq_len(S) - 1L)) > 0)
    ok <- all(vapply(mem, function(a) !any(vapply(setdiff(mem, a), function(b) sub(a, b), TRUE)), TRUE))
    if (ok) sets[[length(sets) + 1]] <- mem
  }
  leq <- outer(seq_along(sets), seq_along(sets), Vectorize(function(b, a) {
    all(vapply(sets[[a]], function(B) any(vapply(sets[[b]], function(A) sub(A, B), TRUE)), TRUE))
  }))
  # r = t(leq) %*% atoms, so atoms = solve(t(leq)) %*% r
  mobius <- round(solve(t(leq) * 1))
  single <- bitwShiftL(1L, seq_len(M) - 1L)
  views_of <- function(a, vn) vn[bitwAnd(a, single) > 0]
  list(
    sets = sets, mobius = mobius,
    # sources listed by size, then mask (as the package names them)
    names = function(vn) vapply(sets, function(a) {
      a <- a[order(vapply(a, function(A) sum(bitwAnd(A, single) > 0), 1), a)]
      paste0("{", vapply(a, function(A) paste(views_of(A, vn), collapse = ","), ""), "}", collapse = "")
    }, ""),
    to_summary = function(vn) {
      summary <- vapply(sets, function(a) {
        if (!all(a %in% single)) return("s")
        v <- vn[match(a, single)]
        if (length(v) == M) "r" else if (length(v) == 1) paste0("u_", v) else paste0("r_", paste(v, collapse = "_"))
      }, "")
      cols <- atom_columns(vn)
      `colnames<-`(outer(summary, cols, `==`) * 1, cols)
    }
  )
}
