/* glue.h -- helpers shared by the .Call entry points (R side of the core).
 *
 * Entry points follow one pattern: read and check every argument with the
 * R API first (errors there longjmp before anything is malloc'ed), allocate
 * every R result, then run the core, which reports a dm_status and never
 * calls R except through the progress callback on this (the main) thread. */
#ifndef DMIL_GLUE_H
#define DMIL_GLUE_H

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>

#include "dm_common.h"
#include "dm_data.h"
#include "dm_net.h"
#include "dm_ogm.h"
#include "dm_train.h"

/* Named element of a list; an R error if absent (argument parsing only). */
SEXP glue_elt(SEXP list, const char *name);
/* The element, or R_NilValue when the list has none of that name. */
SEXP glue_elt_or_null(SEXP list, const char *name);
int glue_int(SEXP list, const char *name);
/* The first n values of the double vector x as floats into out (weights
 * and per-row values handed to the core). */
void glue_floats(SEXP x, size_t n, float *out);
double glue_dbl(SEXP list, const char *name);

/* Training settings from list elements <prefix>epochs, batch_size,
 * patience, lr and weight_decay; Adam's other constants at their defaults,
 * no learning-rate multipliers. */
dm_train_cfg glue_train_cfg(SEXP list, const char *prefix, dm_select select);

/* Architecture of one network from its R description (a list with
 * enc_views, enc_layers, enc_width, head_layers, head_width, and for a
 * mixture of heads `heads` and `gate`). Arrays are R_alloc'ed. */
void glue_net_spec(SEXP net, int K, dm_net_spec *spec);

/* The gradient modulation of a network description (element `modulation`:
 * NULL, or list(alpha, start, end, ge) with 0-based epochs); 1 if there is
 * one. */
int glue_modulation(SEXP net, dm_ogm_cfg *cfg);

/* The views argument of the entry points: list(views, cols, center, scale)
 * (R's core_views()), with views a list of double matrices or sparse
 * matrices in compressed rows, list(p, j, x, dim) (0-based row pointers and
 * column indices, values, and the matrix's dimensions), cols the 0-based
 * columns each model uses, and their centring and scaling; optionally
 * `present`, an n x V logical matrix of the views each row has (absent:
 * every row has every view). */
typedef struct {
  SEXP views, cols, center, scale, present;
  int V;       /* views */
  int n;       /* rows */
  int *dims;   /* columns used per view, R_alloc'ed */
  int *sparse; /* whether each view is sparse, R_alloc'ed */
} glue_views;

/* Parses and checks it -- every view a double matrix of n rows (n < 0: as
 * many as the first), column indices in range, center/scale of matching
 * lengths -- with an R error otherwise. */
glue_views glue_parse_views(SEXP arg, int n);

/* A sparse view (list(p, j, x, dim)): dimension k (0 rows, 1 columns), and
 * whether its parts are consistent (types, lengths, pointers increasing
 * from 0, column indices in range). */
int glue_sparse_dim(SEXP x, int k);
int glue_sparse_ok(SEXP x);

/* Their standardised float copy of rows[0..n_rows-1] (rows NULL: all n, in
 * order), without labels. Makes no R allocation. */
dm_status glue_build_data(const glue_views *g, const int *rows, int n_rows, dm_data *out);

/* The data argument of the entry points: either views, copied and
 * standardised for the call (core_views() in R), or rows of the copy a fit
 * makes once and shares between its calls (fit_data() in R: list(handle,
 * start, n), the rows start..start+n-1 of a handle of C_dm_data_new). */
#define GLUE_DATA_TAG "dmil_data" /* the external pointer's tag */
typedef struct {
  dm_data data;     /* the rows the call uses; x is set by glue_data_load */
  glue_views views; /* the views, when copied */
  int copied;       /* whether data owns its arrays */
  const dm_data *shared;
  int start;
  dm_sparse *sparse_windows; /* the shared sparse views' rows from start on */
} glue_data;

/* Parses and checks it (R errors only here): n rows (n < 0: any), and
 * labels y (0-based integers of length n, or R_NilValue). Sets data.n,
 * data.n_views and data.dims. */
void glue_data_parse(SEXP arg, int n, SEXP y, int K, glue_data *gd);
/* Makes the rows available: copies views, or points into the shared copy.
 * Labels are read in place. Makes no R allocation and raises no R error. */
dm_status glue_data_load(glue_data *gd);
void glue_data_release(glue_data *gd);

/* 0-based row indices (R_alloc'ed) from R's 1-based integer vector rows,
 * each checked to be below n; R_NilValue gives 0..n-1. */
const int *glue_rows(SEXP rows, int n);

/* Progress and interrupts (glue_progress.c). */
typedef struct {
  SEXP bar;   /* cli progress bar or R_NilValue */
  long calls;
} glue_progress;

/* Creates the bar when show is TRUE; the caller must PROTECT p->bar. */
void glue_progress_start(glue_progress *p, int show, double total,
                         const char *name);
/* dm_tick_fn: updates the bar and returns 1 if the user interrupted. */
int glue_progress_tick(void *ctx, double done, double total);
void glue_progress_done(glue_progress *p);

#endif
