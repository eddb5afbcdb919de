#include "dm_mlp.h"

dm_status dm_mlp_setup(dm_mlp *m, int in, int width, int n_layers, int out,
                       dm_act act_last, size_t offset) {
  if (in < 1 || width < 1 || out < 1 || n_layers < 1 ||
      n_layers > DM_MLP_MAX_LAYERS)
    return DM_ERR_ARG;
  m->n_layers = n_layers;
  m->dims[0] = in;
  for (int l = 1; l < n_layers; l++) m->dims[l] = width;
  m->dims[n_layers] = out;
  m->act_last = act_last;
  m->offset = offset;
  m->n_params = 0;
  for (int l = 0; l < n_layers; l++)
    m->n_params += (size_t)m->dims[l + 1] * (m->dims[l] + 1);
  return DM_OK;
}

int dm_mlp_in(const dm_mlp *m) { return m->dims[0]; }
int dm_mlp_out(const dm_mlp *m) { return m->dims[m->n_layers]; }

int dm_mlp_max_dim(const dm_mlp *m) {
  int mx = 0;
  for (int l = 0; l <= m->n_layers; l++) mx = DM_MAX(mx, m->dims[l]);
  return mx;
}

size_t dm_mlp_act_floats(const dm_mlp *m, int B) {
  size_t s = 0;
  for (int l = 1; l < m->n_layers; l++) s += (size_t)B * m->dims[l];
  return s;
}

static dm_act layer_act(const dm_mlp *m, int l) {
  return l == m->n_layers - 1 ? m->act_last : DM_ACT_RELU;
}

void dm_mlp_init(const dm_mlp *m, float *theta, dm_rng *r) {
  float *p = theta + m->offset;
  for (int l = 0; l < m->n_layers; l++) {
    int in = m->dims[l], out = m->dims[l + 1];
    dm_dense_init(in, out, p, p + (size_t)out * in, layer_act(m, l), r);
    p += (size_t)out * (in + 1);
  }
}

void dm_mlp_forward(const dm_mlp *m, const float *theta, int B,
                    const float *X, int ldx, float *acts, float *Y, int ldy) {
  const float *p = theta + m->offset;
  const float *in_buf = X;
  int in_ld = ldx;
  float *a = acts;
  for (int l = 0; l < m->n_layers; l++) {
    int in = m->dims[l], out = m->dims[l + 1];
    int last = l == m->n_layers - 1;
    float *out_buf = last ? Y : a;
    int out_ld = last ? ldy : out;
    dm_dense_forward(B, in, out, in_buf, in_ld, p, p + (size_t)out * in,
                     out_buf, out_ld, layer_act(m, l));
    p += (size_t)out * (in + 1);
    in_buf = out_buf;
    in_ld = out_ld;
    if (!last) a += (size_t)B * out;
  }
}

void dm_mlp_backward(const dm_mlp *m, const float *theta, int B,
                     const float *X, int ldx, const float *acts,
                     const float *Y, int ldy, float *dY, int lddy,
                     float *grad, float *dX, int lddx, float *scratch) {
  const int L = m->n_layers;
  const float *layer_in[DM_MLP_MAX_LAYERS];
  size_t param_off[DM_MLP_MAX_LAYERS];
  const float *a = acts;
  size_t off = m->offset;
  for (int l = 0; l < L; l++) {
    layer_in[l] = l == 0 ? X : a;
    if (l > 0) a += (size_t)B * m->dims[l];
    param_off[l] = off;
    off += (size_t)m->dims[l + 1] * (m->dims[l] + 1);
  }
  const size_t half = (size_t)B * dm_mlp_max_dim(m);
  float *g_out = dY;
  int g_out_ld = lddy;
  for (int l = L - 1; l >= 0; l--) {
    int in = m->dims[l], out = m->dims[l + 1];
    const float *W = theta + param_off[l];
    float *dW = grad + param_off[l];
    const float *y = l == L - 1 ? Y : layer_in[l + 1];
    int y_ld = l == L - 1 ? ldy : out;
    int in_ld = l == 0 ? ldx : in;
    float *g_in;
    int g_in_ld;
    if (l == 0) {
      g_in = dX;
      g_in_ld = lddx;
    } else {
      /* Alternate between the two scratch halves. */
      g_in = scratch + ((L - 1 - l) % 2) * half;
      g_in_ld = in;
    }
    dm_dense_backward(B, in, out, layer_in[l], in_ld, W, y, y_ld, g_out,
                      g_out_ld, dW, dW + (size_t)out * in, g_in, g_in_ld, 1,
                      layer_act(m, l));
    g_out = g_in;
    g_out_ld = g_in_ld;
  }
}
