#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "dm_standardize.h"
#include "glue.h"

static R_xlen_t elt_index(SEXP list, const char *name) {
  SEXP names = Rf_getAttrib(list, R_NamesSymbol);
  if (TYPEOF(names) != STRSXP) return -1;
  for (R_xlen_t i = 0; i < Rf_xlength(list); i++)
    if (strcmp(CHAR(STRING_ELT(names, i)), name) == 0) return i;
  return -1;
}

SEXP glue_elt_or_null(SEXP list, const char *name) {
  R_xlen_t i = elt_index(list, name);
  return i < 0 ? R_NilValue : VECTOR_ELT(list, i);
}

SEXP glue_elt(SEXP list, const char *name) {
  R_xlen_t i = elt_index(list, name);
  if (i < 0) Rf_error("internal error: element '%s' missing", name);
  return VECTOR_ELT(list, i);
}

void glue_floats(SEXP x, size_t n, float *out) {
  const double *v = REAL(x);
  for (size_t k = 0; k < n; k++) out[k] = (float)v[k];
}

int glue_int(SEXP list, const char *name) {
  return Rf_asInteger(glue_elt(list, name));
}

double glue_dbl(SEXP list, const char *name) {
  return Rf_asReal(glue_elt(list, name));
}

int glue_modulation(SEXP net, dm_ogm_cfg *cfg) {
  SEXP m = glue_elt(net, "modulation");
  if (Rf_isNull(m)) return 0;
  cfg->alpha = (float)glue_dbl(m, "alpha");
  cfg->start = glue_int(m, "start");
  cfg->end = glue_int(m, "end");
  cfg->ge = glue_int(m, "ge");
  return 1;
}

void glue_net_spec(SEXP net, int K, dm_net_spec *spec) {
  SEXP ev = glue_elt(net, "enc_views");
  SEXP el = glue_elt(net, "enc_layers");
  SEXP ew = glue_elt(net, "enc_width");
  int E = (int)Rf_xlength(ev);
  if (E < 1 || Rf_xlength(el) != E || Rf_xlength(ew) != E ||
      TYPEOF(el) != INTSXP || TYPEOF(ew) != INTSXP)
    Rf_error("internal error: malformed network description");
  int total = 0;
  for (int e = 0; e < E; e++) {
    if (TYPEOF(VECTOR_ELT(ev, e)) != INTSXP)
      Rf_error("internal error: enc_views must be integer");
    total += (int)Rf_xlength(VECTOR_ELT(ev, e));
  }
  int *n_views = (int *)R_alloc(E, sizeof(int));
  int *views = (int *)R_alloc(total + 1, sizeof(int));
  int k = 0;
  for (int e = 0; e < E; e++) {
    SEXP v = VECTOR_ELT(ev, e);
    n_views[e] = (int)Rf_xlength(v);
    for (int j = 0; j < n_views[e]; j++) views[k++] = INTEGER(v)[j];
  }
  spec->n_enc = E;
  spec->enc_n_views = n_views;
  spec->enc_views = views;
  spec->enc_layers = INTEGER(el);
  spec->enc_width = INTEGER(ew);
  spec->head_layers = glue_int(net, "head_layers");
  spec->head_width = glue_int(net, "head_width");
  spec->K = K;
  /* A mixture of heads: `heads` >= 2 and `gate = list(layers, width,
   * temperature)`; absent (fits saved before mixtures) means one head. */
  SEXP heads = glue_elt_or_null(net, "heads");
  spec->n_heads = Rf_isNull(heads) ? 1 : Rf_asInteger(heads);
  spec->gate_layers = spec->gate_width = 0;
  spec->gate_temperature = 0.0f;
  if (spec->n_heads > 1) {
    SEXP gate = glue_elt(net, "gate");
    spec->gate_layers = glue_int(gate, "layers");
    spec->gate_width = glue_int(gate, "width");
    spec->gate_temperature = (float)glue_dbl(gate, "temperature");
  }
}

int glue_sparse_dim(SEXP x, int k) {
  SEXP dim = VECTOR_ELT(x, 3);
  return TYPEOF(dim) == INTSXP && Rf_xlength(dim) == 2 ? INTEGER(dim)[k] : -1;
}

int glue_sparse_ok(SEXP x) {
  if (Rf_xlength(x) != 4) return 0;
  SEXP p = VECTOR_ELT(x, 0), j = VECTOR_ELT(x, 1), v = VECTOR_ELT(x, 2);
  const int n = glue_sparse_dim(x, 0), ncol = glue_sparse_dim(x, 1);
  if (n < 0 || ncol < 0 || TYPEOF(p) != INTSXP || TYPEOF(j) != INTSXP || TYPEOF(v) != REALSXP ||
      Rf_xlength(p) != (R_xlen_t)n + 1 || Rf_xlength(j) != Rf_xlength(v) || INTEGER(p)[0] != 0 ||
      INTEGER(p)[n] != Rf_xlength(j))
    return 0;
  for (int i = 0; i < n; i++)
    if (INTEGER(p)[i + 1] < INTEGER(p)[i]) return 0;
  for (R_xlen_t k = 0; k < Rf_xlength(j); k++)
    if (INTEGER(j)[k] < 0 || INTEGER(j)[k] >= ncol) return 0;
  return 1;
}

glue_views glue_parse_views(SEXP arg, int n) {
  glue_views g;
  g.views = glue_elt(arg, "views");
  g.cols = glue_elt(arg, "cols");
  g.center = glue_elt(arg, "center");
  g.scale = glue_elt(arg, "scale");
  g.present = glue_elt_or_null(arg, "present");
  const R_xlen_t V = Rf_xlength(g.views);
  if (TYPEOF(g.views) != VECSXP || V < 1 || TYPEOF(g.cols) != VECSXP ||
      Rf_xlength(g.cols) != V || TYPEOF(g.center) != VECSXP || Rf_xlength(g.center) != V ||
      TYPEOF(g.scale) != VECSXP || Rf_xlength(g.scale) != V)
    Rf_error("internal error: malformed views");
  if (n < 0) {
    SEXP x0 = VECTOR_ELT(g.views, 0);
    n = TYPEOF(x0) == VECSXP ? glue_sparse_dim(x0, 0) : Rf_nrows(x0);
  }
  g.V = (int)V;
  g.n = n;
  g.dims = (int *)R_alloc(V, sizeof(int));
  g.sparse = (int *)R_alloc(V, sizeof(int));
  for (R_xlen_t v = 0; v < V; v++) {
    SEXP x = VECTOR_ELT(g.views, v), c = VECTOR_ELT(g.cols, v);
    g.sparse[v] = TYPEOF(x) == VECSXP;
    if (g.sparse[v] && !glue_sparse_ok(x))
      Rf_error("internal error: malformed sparse view %d", (int)v + 1);
    const int rows = g.sparse[v] ? glue_sparse_dim(x, 0) : Rf_nrows(x);
    if ((!g.sparse[v] && (TYPEOF(x) != REALSXP || !Rf_isMatrix(x))) || rows != n ||
        TYPEOF(c) != INTSXP ||
        TYPEOF(VECTOR_ELT(g.center, v)) != REALSXP || TYPEOF(VECTOR_ELT(g.scale, v)) != REALSXP ||
        Rf_xlength(VECTOR_ELT(g.center, v)) != Rf_xlength(c) ||
        Rf_xlength(VECTOR_ELT(g.scale, v)) != Rf_xlength(c))
      Rf_error("internal error: malformed view %d", (int)v + 1);
    const int p = g.sparse[v] ? glue_sparse_dim(x, 1) : Rf_ncols(x);
    for (R_xlen_t j = 0; j < Rf_xlength(c); j++)
      if (INTEGER(c)[j] < 0 || INTEGER(c)[j] >= p)
        Rf_error("internal error: column index out of range in view %d", (int)v + 1);
    g.dims[v] = (int)Rf_xlength(c);
  }
  if (!Rf_isNull(g.present) &&
      (TYPEOF(g.present) != LGLSXP || !Rf_isMatrix(g.present) || Rf_nrows(g.present) != n ||
       Rf_ncols(g.present) != g.V))
    Rf_error("internal error: malformed presence matrix");
  return g;
}

/* Rows rows[0..n_rows-1] (NULL: all) of sparse view x (list(p, j, x,
 * dim), see glue_views) into s, whose per-column arrays are allocated:
 * stored columns mapped to the model's columns `cols` (d of them, -1 for
 * the others), centring and scaling as dm_standardize() applies them. */
static dm_status build_sparse(SEXP x, const int *cols, int d, const double *center,
                              const double *scale, const int *rows, int n_rows, dm_sparse *s) {
  const int *p = INTEGER(VECTOR_ELT(x, 0)), *j = INTEGER(VECTOR_ELT(x, 1));
  const double *val = REAL(VECTOR_ELT(x, 2));
  const int ncol = glue_sparse_dim(x, 1);
  int *map = malloc(sizeof(int) * ((size_t)ncol + 1));
  s->ptr = malloc(sizeof(int) * ((size_t)n_rows + 1));
  if (!map || !s->ptr) {
    free(map);
    return DM_ERR_NOMEM;
  }
  for (int k = 0; k < ncol; k++) map[k] = -1;
  for (int k = 0; k < d; k++) map[cols[k]] = k;
  size_t nnz = 0;
  s->ptr[0] = 0;
  for (int i = 0; i < n_rows; i++) {
    const int r = rows ? rows[i] : i;
    nnz += (size_t)(p[r + 1] - p[r]);
    if (nnz > (size_t)INT_MAX) {
      free(map);
      return DM_ERR_NOMEM;
    }
    s->ptr[i + 1] = (int)nnz;
  }
  s->col = malloc(sizeof(int) * (nnz + 1));
  s->val = malloc(sizeof(double) * (nnz + 1));
  if (!s->col || !s->val) {
    free(map);
    return DM_ERR_NOMEM;
  }
  for (int i = 0; i < n_rows; i++) {
    const int r = rows ? rows[i] : i;
    int e = s->ptr[i];
    for (int k = p[r]; k < p[r + 1]; k++, e++) {
      s->col[e] = map[j[k]];
      s->val[e] = val[k];
    }
  }
  for (int k = 0; k < d; k++) {
    s->center[k] = center[k];
    s->inv_scale[k] = 1.0 / scale[k];
    s->zero[k] = dm_standardize_one(0.0, s->center[k], s->inv_scale[k]);
  }
  free(map);
  return DM_OK;
}

dm_status glue_build_data(const glue_views *g, const int *rows, int n_rows, dm_data *out) {
  if (!rows) n_rows = g->n;
  dm_status st = dm_data_alloc(out, n_rows, g->V, g->dims, 0, 0, g->sparse);
  if (st != DM_OK) return st;
  for (int v = 0; v < g->V; v++) {
    SEXP x = VECTOR_ELT(g->views, v);
    const int *cols = INTEGER(VECTOR_ELT(g->cols, v));
    const double *center = REAL(VECTOR_ELT(g->center, v)), *scale = REAL(VECTOR_ELT(g->scale, v));
    if (g->sparse[v]) {
      st = build_sparse(x, cols, g->dims[v], center, scale, rows, n_rows, out->sp[v]);
      if (st != DM_OK) {
        dm_data_free(out);
        return st;
      }
    } else {
      dm_standardize(REAL(x), g->n, n_rows, rows, g->dims[v], cols, center, scale, out->x[v],
                     g->dims[v]);
    }
  }
  if (!Rf_isNull(g->present)) {
    out->present = malloc((size_t)n_rows * g->V + 1);
    if (!out->present) {
      dm_data_free(out);
      return DM_ERR_NOMEM;
    }
    const int *pr = LOGICAL(g->present);
    for (int i = 0; i < n_rows; i++) {
      const int r = rows ? rows[i] : i;
      for (int v = 0; v < g->V; v++)
        out->present[(size_t)i * g->V + v] = pr[(size_t)v * g->n + r] == TRUE;
    }
  }
  return DM_OK;
}

void glue_data_parse(SEXP arg, int n, SEXP y, int K, glue_data *gd) {
  memset(gd, 0, sizeof(*gd));
  SEXP h = glue_elt_or_null(arg, "handle");
  if (Rf_isNull(h)) {
    gd->views = glue_parse_views(arg, n);
    gd->data.n = gd->views.n;
    gd->data.n_views = gd->views.V;
    gd->data.dims = gd->views.dims;
  } else {
    const dm_data *base = TYPEOF(h) == EXTPTRSXP && R_ExternalPtrTag(h) == Rf_install(GLUE_DATA_TAG)
                              ? R_ExternalPtrAddr(h) : NULL;
    if (!base) Rf_error("internal error: the fit's data were released");
    const int start = glue_int(arg, "start"), cnt = glue_int(arg, "n");
    if (start < 0 || cnt < 0 || start > base->n - cnt || (n >= 0 && cnt != n))
      Rf_error("internal error: rows outside the fit's data");
    gd->shared = base;
    gd->start = start;
    gd->data = *base;
    gd->data.n = cnt;
    gd->data.present = base->present ? base->present + (size_t)start * base->n_views : NULL;
    gd->data.x = (float **)R_alloc(base->n_views, sizeof(float *));
    if (base->sp) {
      gd->data.sp = (dm_sparse **)R_alloc(base->n_views, sizeof(dm_sparse *));
      gd->sparse_windows = (dm_sparse *)R_alloc(base->n_views, sizeof(dm_sparse));
      for (int v = 0; v < base->n_views; v++) gd->data.sp[v] = NULL;
    }
  }
  gd->data.K = K;
  gd->data.y = NULL;
  if (!Rf_isNull(y)) {
    if (TYPEOF(y) != INTSXP || Rf_xlength(y) != gd->data.n)
      Rf_error("internal error: labels do not match the rows");
    for (R_xlen_t i = 0; i < Rf_xlength(y); i++)
      if (INTEGER(y)[i] < 0 || INTEGER(y)[i] >= K) Rf_error("internal error: label out of range");
    gd->data.y = INTEGER(y);
  }
}

dm_status glue_data_load(glue_data *gd) {
  if (gd->shared) {
    for (int v = 0; v < gd->data.n_views; v++) {
      if (gd->shared->sp && gd->shared->sp[v]) {
        /* the window's rows: the shared row pointers from `start` on */
        gd->data.sp[v] = &gd->sparse_windows[v];
        gd->sparse_windows[v] = *gd->shared->sp[v];
        gd->sparse_windows[v].ptr = gd->shared->sp[v]->ptr + gd->start;
        gd->data.x[v] = NULL;
      } else {
        gd->data.x[v] = gd->shared->x[v] + (size_t)gd->start * gd->data.dims[v];
      }
    }
    return DM_OK;
  }
  const int K = gd->data.K;
  int *y = gd->data.y;
  dm_status st = glue_build_data(&gd->views, NULL, 0, &gd->data);
  gd->copied = st == DM_OK;
  gd->data.K = K;
  gd->data.y = y;
  return st;
}

void glue_data_release(glue_data *gd) {
  if (!gd->copied) return;
  gd->data.y = NULL; /* R's labels */
  dm_data_free(&gd->data);
  gd->copied = 0;
}

dm_train_cfg glue_train_cfg(SEXP list, const char *prefix, dm_select select) {
  char key[64];
  dm_train_cfg c;
#define FIELD(name) (snprintf(key, sizeof key, "%s%s", prefix, name), key)
  c.epochs = glue_int(list, FIELD("epochs"));
  c.batch_size = glue_int(list, FIELD("batch_size"));
  c.patience = glue_int(list, FIELD("patience"));
  c.lr = (float)glue_dbl(list, FIELD("lr"));
  c.adam = dm_adam_defaults();
  c.adam.weight_decay = (float)glue_dbl(list, FIELD("weight_decay"));
#undef FIELD
  c.select = select;
  c.lr_mult = NULL;
  return c;
}

const int *glue_rows(SEXP rows, int n) {
  if (!Rf_isNull(rows) && TYPEOF(rows) != INTSXP) Rf_error("internal error: rows must be integer");
  const R_xlen_t len = Rf_isNull(rows) ? n : Rf_xlength(rows);
  int *out = (int *)R_alloc(len + 1, sizeof(int));
  for (R_xlen_t i = 0; i < len; i++) {
    const int r = Rf_isNull(rows) ? (int)i + 1 : INTEGER(rows)[i];
    if (r == NA_INTEGER || r < 1 || r > n) Rf_error("internal error: row out of range");
    out[i] = r - 1;
  }
  return out;
}
