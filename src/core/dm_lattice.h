/* dm_lattice.h -- the redundancy lattice of Williams and Beer (2010) for
 * M = 1..DM_LATTICE_MAX_VIEWS sources, and its Moebius inversion.
 *
 * A source is a nonempty subset of the M views, written as a bit mask
 * 1 .. 2^M - 1 (view m is bit m). A node of the lattice is an antichain: a
 * nonempty collection of sources none of which contains another, such as
 * {1}{23} ("what view 1 shares with views 2 and 3 taken together"). The
 * order is alpha <= beta iff every source of beta contains a source of
 * alpha; the bottom is {1}{2}...{M} (shared by all views), the top the
 * source of all views. M = 2, 3, 4 give 4, 18 and 166 nodes.
 *
 * Given a redundancy r(alpha) for every node, the atoms are its Moebius
 * inversion, pi(alpha) = r(alpha) - sum_{beta < alpha} pi(beta), so that the
 * atoms at or below a node sum to its redundancy; in particular the atoms at
 * or below the source A sum to r({A}), the information of A. With the
 * pointwise minimum mutual information, r(alpha) = min_{A in alpha} i(A),
 * any values i of the sources -- negative ones included -- decompose
 * exactly.
 *
 * Nodes are numbered by height (the longest chain from the bottom), then by
 * their sources; each node's sources are listed by size, then mask. */
#ifndef DM_LATTICE_H
#define DM_LATTICE_H

#include "dm_common.h"

#define DM_LATTICE_MAX_VIEWS 4
#define DM_LATTICE_MAX_NODES 166 /* nodes of the lattice of 4 views */

typedef struct {
  int M, L;
  int *start;     /* L + 1 offsets into members */
  int *members;   /* the sources (masks) of every node */
  int *mu_start;  /* L + 1 offsets into mu_node / mu_val */
  int *mu_node;   /* nodes b <= a with mu(b, a) != 0, for each node a */
  int *mu_val;
} dm_lattice;

/* DM_ERR_ARG for M outside 1..DM_LATTICE_MAX_VIEWS. */
dm_status dm_lattice_create(dm_lattice *lat, int M);
void dm_lattice_destroy(dm_lattice *lat);

/* atoms[0..L-1] from redundancies r[0..L-1]. */
void dm_lattice_invert(const dm_lattice *lat, const double *r, double *atoms);

/* Pointwise minimum mutual information: i[A - 1] is the information of
 * source A (2^M - 1 values); writes the L atoms. */
void dm_lattice_pmmi(const dm_lattice *lat, const double *i, double *atoms);

#endif
