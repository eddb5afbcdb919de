#' Exact partial information decomposition of a discrete distribution
#'
#' Decomposes the information that two discrete sources `x1`, `x2` carry
#' about a target `y` into redundant (`r`), unique (`u_x1`, `u_x2`) and
#' synergistic (`s`) parts, under several definitions of redundancy; with
#' three sources, into the 18 atoms of the redundancy lattice. The columns
#' are named as everywhere in the package (see [dmil_vocabulary]), after the
#' sources' names when `p` gives them.
#'
#' @section Measures:
#' * `"broja"`: Bertschinger, Rauh, Olbrich, Jost and Ay (2014). The unique
#'   information is computed from the distribution `Q` that minimises
#'   \eqn{I_Q(X_1,X_2;Y)} among all distributions with the same
#'   \eqn{(x_1,y)} and \eqn{(x_2,y)} marginals. The convex problem is solved
#'   by a log-barrier interior-point Newton method on the free coordinates of
#'   that polytope; the returned attribute `broja_gap` bounds the distance of
#'   the minimum found from the exact minimum (below `1e-12` nats when the
#'   Newton steps converge; a warning of class `dmil_warning_convergence`
#'   gives the bound when it exceeds `1e-8` nats). All four atoms are
#'   non-negative. The solver takes up to 20000 free coordinates (about
#'   \eqn{(|X_1| - 1)(|X_2| - 1)|Y|}); on one core a 10 x 10 x 5 alphabet
#'   takes about 0.1 s, 20 x 20 x 10 about 6 s, 30 x 30 x 20 a few minutes
#'   (`bench/pid_speed.R`). Large problems show a progress bar and stop on
#'   Ctrl-C.
#' * `"imin"`: Williams and Beer (2010), redundancy
#'   \eqn{\sum_y p(y) \min_m I(X_m; Y = y)} from the specific informations.
#' * `"mmi"`: minimum mutual information, \eqn{\min_m I(X_m;Y)}.
#' * `"ccs"`: Ince (2017): the expected local co-information under the
#'   maximum-entropy distribution with the pairwise marginals of `p`,
#'   counted where it and the three local mutual informations share a sign.
#'   Atoms can be negative. The maximum-entropy distribution is fitted by
#'   iterative proportional fitting on its exact support, which linear
#'   programs find first (the cells that some distribution with those
#'   marginals makes positive) when at most 4000 cells may be positive:
#'   the cells that must vanish (AND, OR, SUM) are then exactly zero and the
#'   atoms exact to rounding. Past that size the fitting starts on every
#'   cell and approaches such zeros slowly: it stops after 10^6 sweeps with
#'   a warning of class `dmil_warning_convergence` that gives the error left
#'   in the marginals.
#' * `"pm"`: Finn and Lizier (2018), \eqn{I_\pm}: pointwise redundancy
#'   \eqn{\min_m h(x_m) - \min_m h(x_m \mid y)} averaged over outcomes. This is
#'   the redundancy of LSMI (Yang et al., ICML 2025) before its adjustment.
#' * `"lsmi"`: `"pm"` after LSMI's adjustment, one constant shift of all
#'   pointwise values that makes the mean redundancy and synergy (or else
#'   the mean unique informations) non-negative while keeping the consistency
#'   equations.
#' * `"pmmi"`: pointwise minimum mutual information,
#'   \eqn{r = \min_m i(x_m; y)} averaged over outcomes: the per-sample
#'   measure [dmil_interactions()] uses by default.
#' * `"sx"`: Makkeh, Gutknecht and Wibral (2021), \eqn{I_{sx}}: pointwise
#'   redundancy \eqn{\log p(y \mid x_1 \lor x_2) / p(y)}, the information
#'   in the event that \eqn{X_1 = x_1} or \eqn{X_2 = x_2} (shared
#'   exclusions), averaged over outcomes. Closed form; atoms can be negative.
#' * `"wedge"`: Griffith, Chong, James, Ellison and Crutchfield (2014),
#'   \eqn{I_\wedge}: \eqn{I(Q;Y)} for the Gacs-Koerner common part \eqn{Q}
#'   of the sources (the connected components of the values that occur
#'   together). Closed form; zero for sources whose joint distribution has
#'   no block structure, however correlated.
#' * `"dep"`: James, Emenheiser and Crutchfield (2018), \eqn{I_{dep}}: the
#'   unique information of a source is the least gain in
#'   \eqn{I(X_1,X_2;Y)} over the edges of the lattice of dependency
#'   constraints that add the source's constraint with the target; in closed
#'   form \eqn{R = \max(0, I_1 + I_2 - I_{CI}, I_1 + I_2 - I_{ME})}, with
#'   \eqn{I_{CI}} under \eqn{p(x_1,y)p(x_2,y)/p(y)} and \eqn{I_{ME}} under
#'   the maximum-entropy distribution of CCS (so the same convergence
#'   warning).
#' * `"proj"`: Harder, Salge and Polani (2013), \eqn{I_{proj}}: the
#'   smaller of the projected informations
#'   \eqn{\sum p(x_1,y) \log q_{x_1}(y)/p(y)} (and with the sources
#'   swapped), where \eqn{q_{x_1}} is the KL projection of
#'   \eqn{p(y \mid x_1)} onto the convex hull of the
#'   \eqn{p(y \mid x_2)}, found by active-set Newton steps (a warning of
#'   class `dmil_warning_convergence` if they stop short).
#' * `"rdr"`: Mages and Rohner (2024), \eqn{I_{RDR}}: for each target value
#'   \eqn{t}, every source is a binary channel for the event \eqn{Y = t}
#'   (its vectors \eqn{(p(s \mid t), p(s \mid \neg t))}); the redundancy
#'   is the information of the decision regions all sources reach, by
#'   inclusion-exclusion over the concave hulls of their ROC curves,
#'   averaged over \eqn{p(t)}. Closed form; non-negative atoms.
#'
#' `"imin"`, `"mmi"`, `"pmmi"`, `"pm"`, `"sx"`, `"wedge"` and `"rdr"` define a
#' redundancy for every node of the lattice and so decompose three sources
#' (by Moebius inversion); the others are defined for two.
#'
#' @section Properties:
#' Three axioms of the literature, checked numerically by
#' `bench/pid_properties.R` (40 cases each): non-negativity (every atom
#' \eqn{\ge 0}; on the gates and random 2 x 2 x 2 and 3 x 3 x 3
#' distributions), identity (with \eqn{y = (x_1, x_2)},
#' \eqn{R = I(X_1;X_2)}; Harder et al. 2013) and additivity (the atoms of
#' two independent systems taken together are the sums of theirs).
#' \tabular{llll}{
#'   measure \tab non-negative \tab identity \tab additive \cr
#'   broja \tab yes \tab yes \tab yes \cr
#'   imin \tab yes \tab no \tab no \cr
#'   mmi \tab yes \tab no \tab no \cr
#'   ccs \tab no \tab no \tab no \cr
#'   pm \tab no \tab no \tab no \cr
#'   lsmi \tab yes (its adjustment) \tab no \tab no \cr
#'   pmmi \tab no \tab no \tab no \cr
#'   sx \tab no \tab no \tab no \cr
#'   wedge \tab no \tab no \tab yes \cr
#'   dep \tab yes \tab yes \tab no \cr
#'   proj \tab yes \tab yes \tab no \cr
#'   rdr \tab yes \tab no \tab no
#' }
#' With three sources (60 random distributions), the atoms of `"imin"`,
#' `"mmi"` and `"rdr"` stayed non-negative and those of `"wedge"`, `"sx"`,
#' `"pm"` and `"pmmi"` did not. A constant third source leaves the two-source atoms and zeros
#' elsewhere for every lattice measure but `"pmmi"`, whose local
#' informations below zero make the constant source's 0 the minimum.
#'
#' Every measure satisfies the consistency equations
#' `u_x1 + r = i_x1`, `u_x2 + r = i_x2` and `u_x1 + u_x2 + r + s = i_joint`,
#' where `i_x1`, `i_x2` and `i_joint` are \eqn{I(X_1;Y)}, \eqn{I(X_2;Y)} and
#' \eqn{I(X_1,X_2;Y)}.
#'
#' @param p The joint distribution of `(x1, x2, y)` or `(x1, x2, x3, y)`: a
#'   three- or four-dimensional array or table of probabilities or counts
#'   with dimensions in that order (normalised to sum to one), or a data
#'   frame of samples with three or four discrete columns, the sources then
#'   the target (or more columns and `sources`, `target`), which are
#'   tabulated. Discrete columns are
#'   factors, character or logical vectors, or whole numbers with at most 20
#'   distinct values; others (e.g. measurements) are an error. Only the
#'   values that occur are tabulated, in at most 10^7 cells. The names of
#'   the array's dimnames, or of the data frame's columns, name the sources
#'   (when all are given and distinct, and none is `p`, `measure`, `unit`,
#'   `joint` or a name of the result's columns; else `x1`, `x2`, (`x3`),
#'   `y`).
#' @param measure One or more of the measures described below; by default
#'   all of them for two sources, the lattice measures for three.
#' @param unit `"bits"` (base-2 logarithms) or `"nats"`.
#' @param sources,target For a data frame of samples: the names of the two
#'   or three source columns and of the target column (by default its
#'   columns, the last the target).
#' @param progress Show a progress bar while BROJA or a maximum-entropy
#'   fitting (CCS, I_dep) runs (both stop on Ctrl-C).
#' @param pointwise Also return the values of the pointwise measures (`"pm"`,
#'   `"lsmi"`, `"pmmi"`, `"sx"`) at every outcome with positive
#'   probability.
#'
#' @return A data frame with one row per measure and the columns `measure`,
#'   `r`, `u_<source>` (two), `s`, `i_<source>` (two), `i_joint` and `unit`
#'   (`u_x1`, `u_x2`, `i_x1`, `i_x2` for unnamed sources). With `pointwise =
#'   TRUE`, a list of that data frame (`measures`) and a data frame
#'   `pointwise` with one row per outcome and measure: the outcome's values
#'   (columns named after the sources and the target), `p`, `measure`, and the
#'   same information columns, `unit`.
#'
#'   With three sources, one row per measure and node of the lattice:
#'   `measure`, `atom` (the node's antichain, e.g. `"{x1}{x2,x3}"`: what
#'   `x1` shares with `x2` and `x3` taken together), `value` (the atom),
#'   `redundancy` (the measure's redundancy of the node, the sum of the
#'   atoms at or below it), `summary` (the atom of [dmil_interactions()]'s
#'   tables it counts towards: `r`, `r_<a>_<b>`, `u_<source>` or `s`) and
#'   `unit`; with `pointwise = TRUE`, the `pointwise` table has one row per
#'   outcome, measure and atom.
#' @seealso [pid_gate()] for the classic example distributions.
#' @references
#' Bertschinger N, Rauh J, Olbrich E, Jost J, Ay N (2014). Quantifying unique
#' information. Entropy 16, 2161-2183.
#'
#' Williams PL, Beer RD (2010). Nonnegative decomposition of multivariate
#' information. arXiv:1004.2515.
#'
#' Ince RAA (2017). Measuring multivariate redundant information with
#' pointwise common change in surprisal. Entropy 19, 318.
#'
#' Finn C, Lizier JT (2018). Pointwise partial information decomposition
#' using the specificity and ambiguity lattices. Entropy 20, 297.
#'
#' Makkeh A, Gutknecht AJ, Wibral M (2021). Introducing a differentiable
#' measure of pointwise shared information. Physical Review E 103, 032149.
#'
#' Griffith V, Chong EKP, James RG, Ellison CJ, Crutchfield JP (2014).
#' Intersection information based on common randomness. Entropy 16,
#' 1985-2000.
#'
#' James RG, Emenheiser J, Crutchfield JP (2018). Unique information via
#' dependency constraints. Journal of Physics A 52, 014002.
#'
#' Harder M, Salge C, Polani D (2013). Bivariate measure of redundant
#' information. Physical Review E 87, 012130.
#'
#' Mages T, Rohner C (2024). The measure of reachable decision regions;
#' preprint arXiv:2407.04415.
#' @examples
#' # every measure
#' pid_discrete(pid_gate("and"))
#' pid_discrete(pid_gate("xor"), measure = c("broja", "pm"))
#'
#' # from data: tabulates the three columns, whose names name the atoms
#' set.seed(1)
#' d <- data.frame(smoker = rbinom(500, 1, 0.5), gene = rbinom(500, 1, 0.5))
#' d$disease <- d$smoker & d$gene
#' pid_discrete(d, measure = "broja")
#'
#' # per-outcome values of the pointwise measures
#' pid_discrete(pid_gate("and"), measure = "pm", pointwise = TRUE)$pointwise
#'
#' # three sources: x3 duplicates x1, y = x1 AND x2; the 18 lattice atoms
#' d3 <- transform(d, copy = smoker)[c("smoker", "gene", "copy", "disease")]
#' three <- pid_discrete(d3, measure = "imin")
#' three[abs(three$value) > 1e-12, ]
#' @export
pid_discrete <- function(p, measure = NULL, unit = c("bits", "nats"), pointwise = FALSE,
                         sources = NULL, target = NULL, progress = interactive()) {
  unit <- dm_arg_match(unit)
  pointwise <- check_flag(pointwise)
  progress <- check_flag(progress)
  p <- check_distribution(p, sources, target)
  M <- length(dim(p)) - 1L
  measure <- check_pid_measures(measure, M)
  if (M == 3) return(pid_three_sources(p, measure, unit, pointwise))
  dims <- dim(p)
  res <- .Call(C_dm_pid_discrete, as.vector(p), as.integer(dims), measure, ccs_tolerance,
               maxent_support_cells(), progress)
  if (res$status == "arg") {
    dm_abort(
      c("The alphabets of {.arg p} are too large for the exact BROJA solver.",
        "i" = "It handles up to {res$max_free} free coordinates, about (|x1| - 1)(|x2| - 1)|y|."),
      class = "dmil_error_arg")
  }
  check_status(res$status)
  fitted <- intersect(measure, c("ccs", "dep"))
  if (length(fitted) && res$maxent_error >= ccs_tolerance) {
    warn_convergence(c(
      "The iterative proportional fitting of {c(ccs = 'CCS', dep = 'I_dep')[fitted]} stopped before the maximum-entropy distribution met the marginals.",
      "i" = "The largest error of a pairwise marginal is {format(res$maxent_error, digits = 2)} (target {ccs_tolerance}); its atoms may be off by about as much.",
      "i" = "The fitting converges slowly where the maximum-entropy distribution must have zeros that no single marginal implies."))
  }
  if ("proj" %in% measure && res$proj_violation > 1e-10) {
    warn_convergence(c(
      "I_proj's projections stopped short of their optimality conditions.",
      "i" = "The largest violation is {format(res$proj_violation, digits = 2)}."))
  }
  if ("broja" %in% measure && res$gap > 1e-8) {
    warn_convergence(c(
      "BROJA's Newton steps stalled before reaching the exact minimum.",
      "i" = "Its atoms are within {format(res$gap, digits = 2)} nats of the exact ones (attribute {.field broja_gap})."))
  }
  k <- unit_factor(unit)
  src <- names(dimnames(p))[1:2]
  cols <- pid_columns(src)
  out <- data.frame(measure = measure, res$atoms * k,
                    matrix(res$mi * k, length(measure), 3, byrow = TRUE), unit = unit)
  names(out) <- c("measure", cols, "unit")
  if ("broja" %in% measure) attr(out, "broja_gap") <- res$gap * k
  if (!pointwise) return(out)

  pw_measures <- intersect(measure, pid_measure_sets$pointwise)
  if (length(pw_measures) == 0) pw_measures <- c("pm", "pmmi")
  grid <- expand.grid(dimnames(p), stringsAsFactors = FALSE, KEEP.OUT.ATTRS = FALSE)
  keep <- as.vector(p) > 0
  pw <- do.call(rbind, lapply(pw_measures, function(m) {
    v <- pid_pointwise_values(p, m)
    values <- vapply(v, function(a) a[keep] * k, numeric(sum(keep)))
    colnames(values) <- cols
    data.frame(grid[keep, ], p = as.vector(p)[keep], measure = m, values, unit = unit,
               check.names = FALSE)
  }))
  rownames(pw) <- NULL
  list(measures = out, pointwise = pw)
}

# The measures of pid_discrete(): those of two sources, the redundancies on
# the lattice (any number of sources up to three; dm_pid_redundancies() in
# src/core/dm_pid.h) and the pointwise ones.
pid_measure_sets <- list(
  two = c("broja", "imin", "mmi", "ccs", "pm", "lsmi", "pmmi", "sx", "wedge", "dep", "proj",
          "rdr"),
  lattice = c("imin", "mmi", "pmmi", "pm", "sx", "wedge", "rdr"),
  pointwise = c("pm", "lsmi", "pmmi", "sx")
)

check_pid_measures <- function(measure, M, call = rlang::caller_env()) {
  allowed <- if (M == 2) pid_measure_sets$two else pid_measure_sets$lattice
  if (is.null(measure)) return(allowed)
  measure <- check_choices(measure, pid_measure_sets$two, arg = "measure", call = call)
  beyond <- setdiff(measure, allowed)
  if (length(beyond)) {
    dm_abort(
      c("{cli::qty(length(beyond))}Measure{?s} {.val {beyond}} {?is/are} defined for two sources only.",
        "i" = "For three sources: {.val {allowed}}."),
      class = "dmil_error_arg", call = call)
  }
  measure
}

# Per-cell values of a pointwise measure of two sources: r, u1, u2, s and the
# local informations i1, i2, i12 (nats; NaN where p is 0).
pid_pointwise_values <- function(p, m) {
  if (m != "sx") {
    return(.Call(C_dm_pid_pointwise, as.vector(p), as.integer(dim(p)), m))
  }
  v <- .Call(C_dm_pid_lattice, as.vector(p), as.integer(dim(p)), m, TRUE)
  check_status(v$status)
  # lattice order {1}{2}, {1}, {2}, {12}: atoms r, u1, u2, s; the nodes
  # above the bottom are the sources' own informations
  c(stats::setNames(lapply(1:4, function(j) v$atom_cells[, j]), c("r", "u1", "u2", "s")),
    stats::setNames(lapply(2:4, function(j) v$red_cells[, j]), c("i1", "i2", "i12")))
}

# Three sources: one row per measure and node of the redundancy lattice
# (named by its antichain, "{x1}{x2,x3}"), with the node's atom, its
# redundancy and the summary atom it counts towards in the package's
# vocabulary (lattice_info()).
pid_three_sources <- function(p, measure, unit, pointwise) {
  k <- unit_factor(unit)
  info <- lattice_info(names(dimnames(p))[1:3])
  res <- lapply(measure, function(m) {
    v <- .Call(C_dm_pid_lattice, as.vector(p), as.integer(dim(p)), m,
               pointwise && m %in% pid_measure_sets$pointwise)
    check_status(v$status)
    v
  })
  out <- data.frame(measure = rep(measure, each = length(info$names)),
                    atom = rep(info$names, length(measure)),
                    value = unlist(lapply(res, `[[`, "atoms")) * k,
                    redundancy = unlist(lapply(res, `[[`, "red")) * k,
                    summary = rep(info$summary, length(measure)), unit = unit)
  if (!pointwise) return(out)
  pw_measures <- intersect(measure, pid_measure_sets$pointwise)
  grid <- expand.grid(dimnames(p), stringsAsFactors = FALSE, KEEP.OUT.ATTRS = FALSE)
  keep <- which(as.vector(p) > 0)
  pw <- do.call(rbind, lapply(pw_measures, function(m) {
    cells <- res[[match(m, measure)]]$atom_cells
    data.frame(grid[rep(keep, length(info$names)), ], p = rep(as.vector(p)[keep], length(info$names)),
               measure = m, atom = rep(info$names, each = length(keep)),
               value = as.vector(cells[keep, ]) * k, unit = unit, check.names = FALSE)
  }))
  rownames(pw) <- NULL
  list(measures = out, pointwise = pw)
}

# The columns of a two-source decomposition, in the package's vocabulary
# (?dmil_vocabulary): the atoms r, u_<source> and s, then the mutual
# informations i_<source> and i_joint.
pid_columns <- function(sources) {
  c("r", paste0("u_", sources), "s", paste0("i_", sources), "i_joint")
}

# A joint distribution of (x1, x2, y) as a normalised 3-d array with
# dimnames, from an array/table of probabilities or counts or a data frame.
check_distribution <- function(p, sources = NULL, target = NULL, arg = rlang::caller_arg(p),
                               call = rlang::caller_env()) {
  if (is.data.frame(p)) {
    cols <- sample_columns(p, sources, target, arg, call)
    # only the values that occur: unused factor levels carry no probability
    cols[] <- lapply(cols, function(v) if (is.factor(v)) droplevels(v) else v)
    sizes <- vapply(cols, function(v) length(unique(v)), 1)
    if (prod(sizes) > pid_max_cells) {
      dm_abort(
        c("The columns of {.arg {arg}} have too many distinct values for a joint table.",
          "x" = "{.val {names(cols)}} have {sizes} distinct values: {big_number(prod(sizes))} cells, more than {big_number(pid_max_cells)}.",
          "i" = "With {nrow(p)} samples most cells would be empty, and plug-in informations badly biased. Merge rare values, or estimate per-sample interactions with {.fn dmil_interactions}."),
        class = "dmil_error_values", call = call)
    }
    p <- table(cols)
  } else if (!is.null(sources) || !is.null(target)) {
    dm_abort("{.arg sources} and {.arg target} pick columns of a data frame of samples; {.arg {arg}} is a distribution.",
             class = "dmil_error_arg", call = call)
  }
  if (!is.numeric(p) || is.null(dim(p)) || !length(dim(p)) %in% 3:4) {
    dm_abort(
      c("{.arg {arg}} must be a 3- or 4-dimensional array of probabilities or counts, dimensions (x1, x2, y) or (x1, x2, x3, y), or a data frame of three or four discrete columns.",
        "x" = if (is.numeric(p) && !is.null(dim(p))) "It has {length(dim(p))} dimension{?s}." else "It is {obj_type(p)}."),
      class = "dmil_error_dims", call = call)
  }
  if (any(dim(p) < 1)) {
    dm_abort("{.arg {arg}} has an empty dimension.", class = "dmil_error_dims", call = call)
  }
  if (anyNA(p) || any(!is.finite(p))) {
    dm_abort("{.arg {arg}} must not contain missing or infinite values.",
             class = "dmil_error_values", call = call)
  }
  if (any(p < 0)) {
    dm_abort(
      c("{.arg {arg}} must not contain negative probabilities or counts.",
        "x" = "It has {sum(p < 0)} negative entr{?y/ies}, e.g. {.val {p[p < 0][1]}}."),
      class = "dmil_error_values", call = call)
  }
  total <- sum(p)
  if (!(total > 0)) {
    dm_abort("{.arg {arg}} is all zero: there is no distribution to decompose.",
             class = "dmil_error_values", call = call)
  }
  dn <- dimnames(p)
  dims <- dim(p)
  D <- length(dims)
  if (is.null(dn)) dn <- vector("list", D)
  for (j in seq_len(D)) if (is.null(dn[[j]])) dn[[j]] <- as.character(seq_len(dims[j]) - 1L)
  # the names of the sources and target, where given all, distinct, and
  # apart from the names of the result's other columns
  given <- names(dn)
  if (is.null(given) || anyNA(given) || any(!nzchar(given)) || anyDuplicated(given) ||
      any(given %in% c("p", "measure", "unit", "joint", "atom", "value", "redundancy", "summary")) ||
      any(given %in% pid_columns(given[-D]))) {
    given <- c(paste0("x", seq_len(D - 1)), "y")
  }
  names(dn) <- given
  array(as.double(p) / total, dim = dims, dimnames = dn)
}

# The source and target columns of a data frame of samples: `sources` and
# `target` by name, or a data frame of three or four columns (sources
# first). Each must be discrete: a factor, character or logical column, or
# whole numbers with at most `max_levels` distinct values (a factor is
# taken as discrete whatever its number of levels).
sample_columns <- function(d, sources, target, arg, call, max_levels = 20) {
  if (is.null(sources) && is.null(target)) {
    if (!ncol(d) %in% 3:4) {
      dm_abort(c("A data frame {.arg {arg}} of samples must have three or four columns (two or three sources, then the target), or name them.",
                 "x" = "It has {ncol(d)} column{?s}: {.val {names(d)}}.",
                 "i" = "Name the columns to use with {.arg sources} and {.arg target}."),
               class = "dmil_error_dims", call = call)
    }
    sources <- names(d)[-ncol(d)]
    target <- names(d)[ncol(d)]
  }
  if (!is.character(sources) || !length(sources) %in% 2:3 || !is.character(target) ||
      length(target) != 1 || anyDuplicated(c(sources, target))) {
    dm_abort("{.arg sources} must name two or three columns and {.arg target} another one.",
             class = "dmil_error_arg", call = call)
  }
  lacking <- setdiff(c(sources, target), names(d))
  if (length(lacking)) {
    dm_abort("{.arg {arg}} has no column{?s} {.val {lacking}}.", class = "dmil_error_arg",
             call = call)
  }
  cols <- d[c(sources, target)]
  if (anyNA(cols)) {
    dm_abort("The columns of {.arg {arg}} must not contain missing values.",
             class = "dmil_error_values", call = call)
  }
  for (nm in names(cols)) {
    v <- cols[[nm]]
    if (is.factor(v) || is.character(v) || is.logical(v)) next
    distinct <- length(unique(v))
    if (!is.numeric(v) || any(v != round(v)) || distinct > max_levels) {
      dm_abort(c("Column {.val {nm}} of {.arg {arg}} is not discrete: {.fn pid_discrete} would count every distinct value as an outcome.",
                 "x" = if (is.numeric(v)) "It has {distinct} distinct value{?s}{if (any(v != round(v))) ', not all whole numbers' else ''}." else "It is {obj_type(v)}.",
                 "i" = "Discretise it first (e.g. with {.fn cut}), make it a factor if its values are categories, or estimate per-sample interactions of continuous data with {.fn dmil_interactions}."),
               class = "dmil_error_values", call = call)
    }
  }
  cols
}

#' Classic discrete distributions for partial information decomposition
#'
#' Joint distributions of two sources and a target used throughout the PID
#' literature, as arrays for [pid_discrete()]. Outcomes are equally likely
#' unless stated.
#'
#' * `"xor"`: \eqn{y = x_1 \oplus x_2} (pure synergy);
#' * `"and"`, `"or"`: \eqn{y = x_1 \wedge x_2}, \eqn{y = x_1 \vee x_2};
#' * `"rdn"`: \eqn{x_1 = x_2 = y} (pure redundancy);
#' * `"unq1"`, `"unq2"`: \eqn{y = x_1} (resp. \eqn{x_2}), the other source
#'   an independent bit (pure unique information);
#' * `"copy"`: \eqn{y = (x_1, x_2)}, coded \eqn{2x_1 + x_2};
#' * `"sum"`: \eqn{y = x_1 + x_2};
#' * `"reduced_or"`: outcomes `000` (probability 1/2), `011` and `101`
#'   (1/4 each);
#' * `"rdn_xor"`: Griffith's redundant XOR, \eqn{x_1 = (r, a)},
#'   \eqn{x_2 = (r, b)}, \eqn{y = (r, a \oplus b)} with independent bits,
#'   coded \eqn{2r + \cdot};
#' * `"pwu"`: outcomes `011`, `101`, `022`, `202` (pointwise unique).
#'
#' @param name The distribution; see the list above.
#' @return A 3-dimensional array of probabilities with dimensions and
#'   dimnames `x1`, `x2`, `y`.
#' @examples
#' pid_gate("and")
#' pid_discrete(pid_gate("rdn_xor"), measure = "broja")
#' @export
pid_gate <- function(name = c("xor", "and", "or", "rdn", "unq1", "unq2", "copy", "sum",
                              "reduced_or", "rdn_xor", "pwu")) {
  name <- dm_arg_match(name)
  bits <- expand.grid(x1 = 0:1, x2 = 0:1)
  out <- switch(name,
    xor = cbind(bits, y = bitwXor(bits$x1, bits$x2), p = 1),
    and = cbind(bits, y = bits$x1 & bits$x2, p = 1),
    or = cbind(bits, y = bits$x1 | bits$x2, p = 1),
    rdn = data.frame(x1 = 0:1, x2 = 0:1, y = 0:1, p = 1),
    unq1 = cbind(bits, y = bits$x1, p = 1),
    unq2 = cbind(bits, y = bits$x2, p = 1),
    copy = cbind(bits, y = 2 * bits$x1 + bits$x2, p = 1),
    sum = cbind(bits, y = bits$x1 + bits$x2, p = 1),
    reduced_or = data.frame(x1 = c(0, 0, 1), x2 = c(0, 1, 0), y = c(0, 1, 1), p = c(2, 1, 1)),
    rdn_xor = {
      g <- expand.grid(r = 0:1, a = 0:1, b = 0:1)
      data.frame(x1 = 2 * g$r + g$a, x2 = 2 * g$r + g$b, y = 2 * g$r + bitwXor(g$a, g$b), p = 1)
    },
    pwu = data.frame(x1 = c(0, 1, 0, 2), x2 = c(1, 0, 2, 0), y = c(1, 1, 2, 2), p = 1)
  )
  out$y <- as.integer(out$y)
  lev <- lapply(out[c("x1", "x2", "y")], function(v) sort(unique(v)))
  arr <- array(0, dim = lengths(lev), dimnames = lapply(lev, as.character))
  for (i in seq_len(nrow(out))) {
    idx <- cbind(match(out$x1[i], lev$x1), match(out$x2[i], lev$x2), match(out$y[i], lev$y))
    arr[idx] <- arr[idx] + out$p[i]
  }
  arr / sum(arr)
}

# The most cells of a joint table that pid_discrete() tabulates from samples.
pid_max_cells <- 1e7

# The most cells that may be positive for which the maximum-entropy fitting
# (CCS, I_dep) finds the exact support by linear programs first; a function
# so that tests can take the fitting's path without it.
maxent_support_cells <- function() 4000L

# The largest error of a pairwise marginal at which CCS's fitting stops.
ccs_tolerance <- 1e-15

# An iterative solver that stopped short of its tolerance says so.
warn_convergence <- function(message, .envir = parent.frame()) {
  cli::cli_warn(message, class = c("dmil_warning_convergence", "dmil_warning"), .envir = .envir)
}
