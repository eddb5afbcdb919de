#include <math.h>
#include "dm_loss.h"

static double row_logsumexp(int K, const float *z) {
  float mx = z[0];
  for (int k = 1; k < K; k++) mx = z[k] > mx ? z[k] : mx;
  double s = 0.0;
  for (int k = 0; k < K; k++) s += exp((double)z[k] - mx);
  return mx + log(s);
}

double dm_softmax_ce(int B, int K, const float *Z, int ldz, const int *y,
                     const float *w, float scale, float *dZ, int lddz,
                     int accumulate) {
  double total = 0.0;
  for (int i = 0; i < B; i++) {
    const float *z = Z + (size_t)i * ldz;
    double lse = row_logsumexp(K, z);
    double wi = w ? (double)w[i] : 1.0;
    total += wi * (lse - z[y[i]]);
    if (dZ) {
      float *g = dZ + (size_t)i * lddz;
      double c = scale * wi;
      for (int k = 0; k < K; k++) {
        double gk = c * (exp((double)z[k] - lse) - (k == y[i] ? 1.0 : 0.0));
        g[k] = accumulate ? g[k] + (float)gk : (float)gk;
      }
    }
  }
  return total;
}

void dm_log_softmax(int B, int K, const float *Z, int ldz, float *out,
                    int ldo) {
  for (int i = 0; i < B; i++) {
    const float *z = Z + (size_t)i * ldz;
    double lse = row_logsumexp(K, z);
    float *o = out + (size_t)i * ldo;
    for (int k = 0; k < K; k++) o[k] = (float)((double)z[k] - lse);
  }
}

void dm_argmax_rows(int B, int K, const float *Z, int ldz, int *out) {
  for (int i = 0; i < B; i++) {
    const float *z = Z + (size_t)i * ldz;
    int best = 0;
    for (int k = 1; k < K; k++)
      if (z[k] > z[best]) best = k;
    out[i] = best;
  }
}

double dm_log_add(double a, double b) {
  const double m = a > b ? a : b;
  if (m == -INFINITY) return m;
  return m + log(exp(a - m) + exp(b - m));
}
