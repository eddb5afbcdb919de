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

glue_views glue_parse_views(SEXP arg, int n) {
  glue_views g;
  g.views = glue_elt(arg, "views");
  g.cols = glue_elt(arg, "cols");
  g.center = glue_elt(arg, "center");
  g.scale = glue_elt(arg, "scale");
  const R_xlen_t V = Rf_xlength(g.views);
  if (TYPEOF(g.views) != VECSXP || V < 1 || TYPEOF(g.cols) != VECSXP ||
      Rf_xlength(g.cols) != V || TYPEOF(g.center) != VECSXP || Rf_xlength(g.center) != V ||
      TYPEOF(g.scale) != VECSXP || Rf_xlength(g.scale) != V)
    Rf_error("internal error: malformed views");
  if (n < 0) n = Rf_nrows(VECTOR_ELT(g.views, 0));
  g.V = (int)V;
  g.n = n;
  g.dims = (int *)R_alloc(V, sizeof(int));
  for (R_xlen_t v = 0; v < V; v++) {
    SEXP x = VECTOR_ELT(g.views, v), c = VECTOR_ELT(g.cols, v);
    if (TYPEOF(x) != REALSXP || !Rf_isMatrix(x) || Rf_nrows(x) != n || TYPEOF(c) != INTSXP ||
        TYPEOF(VECTOR_ELT(g.center, v)) != REALSXP || TYPEOF(VECTOR_ELT(g.scale, v)) != REALSXP ||
        Rf_xlength(VECTOR_ELT(g.center, v)) != Rf_xlength(c) ||
        Rf_xlength(VECTOR_ELT(g.scale, v)) != Rf_xlength(c))
      Rf_error("internal error: malformed view %d", (int)v + 1);
    const int p = Rf_ncols(x);
    for (R_xlen_t j = 0; j < Rf_xlength(c); j++)
      if (INTEGER(c)[j] < 0 || INTEGER(c)[j] >= p)
        Rf_error("internal error: column index out of range in view %d", (int)v + 1);
    g.dims[v] = (int)Rf_xlength(c);
  }
  return g;
}

dm_status glue_build_data(const glue_views *g, const int *rows, int n_rows, dm_data *out) {
  if (!rows) n_rows = g->n;
  dm_status st = dm_data_alloc(out, n_rows, g->V, g->dims, 0, 0);
  if (st != DM_OK) return st;
  for (int v = 0; v < g->V; v++)
    dm_standardize(REAL(VECTOR_ELT(g->views, v)), g->n, n_rows, rows, g->dims[v],
                   INTEGER(VECTOR_ELT(g->cols, v)), REAL(VECTOR_ELT(g->center, v)),
                   REAL(VECTOR_ELT(g->scale, v)), out->x[v], g->dims[v]);
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
    gd->data.x = (float **)R_alloc(base->n_views, sizeof(float *));
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
    for (int v = 0; v < gd->data.n_views; v++)
      gd->data.x[v] = gd->shared->x[v] + (size_t)gd->start * gd->data.dims[v];
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
