# Sets of views and the redundancy lattice (src/core/dm_lattice.h), named
# for the outputs. Everything that names an atom or a subset of views in a
# table comes from here.

# The most views the lattice (and so dmil_interactions()) handles.
lattice_max_views <- 4L

# Nonempty subsets of the views in the core's order (bit mask 1 .. 2^M - 1,
# view m being bit m): their views, the name of their discriminator ("x1",
# "x1:x2", "joint" for all views) and of their pointwise information column
# ("i_x1", "i_x1_x2", "i_joint").
view_subsets <- function(vn) {
  M <- length(vn)
  masks <- seq_len(2^M - 1)
  views <- lapply(masks, function(a) vn[bitwAnd(a, bitwShiftL(1L, seq_len(M) - 1L)) > 0])
  full <- lengths(views) == M
  data.frame(
    mask = masks,
    net = ifelse(full, "joint", vapply(views, paste, "", collapse = ":")),
    col = paste0("i_", ifelse(full, "joint", vapply(views, paste, "", collapse = "_"))),
    views = I(views)
  )
}

lattice_cache <- new.env(parent = emptyenv())

# The lattice of the views vn: node names ("{x1}{x2,x3}"), the summary atom
# each node belongs to, and the 0/1 matrix (nodes x summary atoms) that sums
# the nodes into the summary atoms:
#   r          the bottom node, {x1}{x2}...: redundant across all views;
#   r_<views>  {a}{b}, {a}{b}{c}, ...: shared by exactly these views (three
#              or more views);
#   u_<view>   {a}: unique to one view;
#   s          every node with a source of two or more views: synergy.
lattice_info <- function(vn) {
  key <- paste(vn, collapse = "\r")
  if (!is.null(lattice_cache[[key]])) return(lattice_cache[[key]])
  M <- length(vn)
  members <- .Call(C_dm_lattice, M)
  views_of <- function(a) vn[bitwAnd(a, bitwShiftL(1L, seq_len(M) - 1L)) > 0]
  single <- bitwShiftL(1L, seq_len(M) - 1L)
  node_names <- vapply(members, function(mem) {
    paste0("{", vapply(mem, function(a) paste(views_of(a), collapse = ","), ""), "}", collapse = "")
  }, "")
  summary <- vapply(members, function(mem) {
    if (!all(mem %in% single)) return("s")
    v <- vn[match(mem, single)]
    if (length(v) == M) "r" else if (length(v) == 1) paste0("u_", v) else paste0("r_", paste(v, collapse = "_"))
  }, "")
  shared <- unique(summary[grepl("^r_", summary)])
  cols <- c("r", shared, paste0("u_", vn), "s")
  to_summary <- outer(summary, cols, `==`) * 1
  dimnames(to_summary) <- list(node_names, cols)
  out <- list(names = node_names, summary = summary, columns = cols,
              to_summary = to_summary)
  lattice_cache[[key]] <- out
  out
}

# The summary atoms of the interaction table for views vn: their columns and
# labels ("r" -> "R", "u_x1" -> "U_x1"); the dominant atom of each row of a
# matrix of atoms (columns `cols`, by default the atoms').
atom_columns <- function(vn) lattice_info(vn)$columns
column_labels <- function(cols) paste0(toupper(substr(cols, 1, 1)), substr(cols, 2, nchar(cols)))
atom_labels <- function(vn) column_labels(atom_columns(vn))
dominant_atom <- function(atoms, vn, cols = atom_columns(vn)) {
  labels <- column_labels(cols)
  factor(labels[max.col(atoms, ties.method = "first")], levels = labels)
}

# Multiplier from nats to the unit asked for.
unit_factor <- function(unit) if (unit == "bits") 1 / log(2) else 1
