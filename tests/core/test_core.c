/* Stand-alone tests of the R-free core: built and run by `make core-test`
 * (part of `make test`) with the plain C compiler, no R involved. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dm_adam.h"
#include "dm_data.h"
#include "dm_gemm.h"
#include "dm_gradcheck.h"
#include "dm_net.h"
#include "dm_rng.h"
#include "dm_threads.h"
#include "dm_train.h"

static int failures = 0;

#define CHECK(cond, ...)                     \
  do {                                       \
    if (!(cond)) {                           \
      failures++;                            \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                   \
      printf("\n");                          \
    }                                        \
  } while (0)

static void test_gradients(void) {
  for (int k = 0; dm_gradcheck_cases[k]; k++) {
    const char *name = dm_gradcheck_cases[k];
    for (uint64_t seed = 1; seed <= 3; seed++) {
      double err;
      dm_status st = dm_gradcheck_case(name, seed, &err);
      CHECK(st == DM_OK, "gradcheck %s: status %d", name, (int)st);
      if (strcmp(name, "broken_dense") == 0)
        CHECK(err > 0.05, "checker missed the broken gradient (err %g)", err);
      else
        CHECK(err < 1e-2, "gradcheck %s seed %d: relative error %g", name,
              (int)seed, err);
      printf("  gradcheck %-20s seed %d  rel.err %.2e\n", name, (int)seed, err);
    }
  }
}

static void test_gemm(void) {
  /* Every transpose combination against a naive triple loop, with sizes
   * that are not multiples of the block sizes. */
  const int M = 37, N = 141, K = 133;
  dm_rng r;
  dm_rng_init(&r, 7);
  float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
  float *C1 = malloc(sizeof(float) * M * N), *C2 = malloc(sizeof(float) * M * N);
  for (int i = 0; i < M * K; i++) A[i] = (float)dm_rng_normal(&r);
  for (int i = 0; i < K * N; i++) B[i] = (float)dm_rng_normal(&r);
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++) {
      int lda = ta ? M : K, ldb = tb ? K : N;
      for (int i = 0; i < M * N; i++) C1[i] = C2[i] = 1.0f;
      dm_gemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 2.0f, C1, N);
      double maxerr = 0;
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
          double s = 0;
          for (int k = 0; k < K; k++) {
            double a = ta ? A[k * lda + i] : A[i * lda + k];
            double b = tb ? B[j * ldb + k] : B[k * ldb + j];
            s += a * b;
          }
          double ref = 0.5 * s + 2.0;
          maxerr = fmax(maxerr, fabs(ref - C1[i * N + j]));
        }
      CHECK(maxerr < 1e-3, "gemm trans %d%d: max error %g", ta, tb, maxerr);
      dm_gemm_builtin(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 2.0f, C2, N);
      double d = 0;
      for (int i = 0; i < M * N; i++) d = fmax(d, fabs(C1[i] - C2[i]));
      CHECK(d < 1e-3, "built-in gemm differs from dm_gemm by %g", d);
    }
  free(A); free(B); free(C1); free(C2);
}

static void test_rng(void) {
  dm_rng a, b;
  dm_rng_init(&a, dm_rng_derive(42, 1));
  dm_rng_init(&b, dm_rng_derive(42, 1));
  int same = 1;
  for (int i = 0; i < 1000; i++) same &= dm_rng_u64(&a) == dm_rng_u64(&b);
  CHECK(same, "same key gives different draws");
  dm_rng_init(&b, dm_rng_derive(42, 2));
  dm_rng_init(&a, dm_rng_derive(42, 1));
  CHECK(dm_rng_u64(&a) != dm_rng_u64(&b), "different streams coincide");
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; i++) {
    double z = dm_rng_normal(&a);
    s += z;
    s2 += z * z;
  }
  CHECK(fabs(s / n) < 0.01 && fabs(s2 / n - 1) < 0.02,
        "normal draws: mean %g, variance %g", s / n, s2 / n);
  int counts[7] = {0};
  for (int i = 0; i < 70000; i++) counts[dm_rng_below(&a, 7)]++;
  for (int k = 0; k < 7; k++)
    CHECK(abs(counts[k] - 10000) < 500, "dm_rng_below(7): count %d", counts[k]);
}

/* XOR across two views: the joint net must learn it, with identical
 * parameters for 1 and 2 threads. */
static void test_train_xor(void) {
  enum { N = 2000, V = 2 };
  const int dims[V] = {2, 2};
  dm_data data;
  CHECK(dm_data_alloc(&data, N, V, dims, 2, 1, NULL) == DM_OK, "alloc");
  dm_rng r;
  dm_rng_init(&r, 3);
  for (int i = 0; i < N; i++) {
    int a = (int)dm_rng_below(&r, 2), b = (int)dm_rng_below(&r, 2);
    data.y[i] = a ^ b;
    for (int j = 0; j < 2; j++) {
      data.x[0][i * 2 + j] = (float)((2 * a - 1) + 0.3 * dm_rng_normal(&r));
      data.x[1][i * 2 + j] = (float)((2 * b - 1) + 0.3 * dm_rng_normal(&r));
    }
  }
  int enc_n_views[2] = {1, 1}, enc_views[2] = {0, 1}, layers[2] = {2, 2},
      width[2] = {16, 16};
  dm_net_spec spec = {.n_enc = 2, .enc_n_views = enc_n_views, .enc_views = enc_views,
                      .enc_layers = layers, .enc_width = width, .head_layers = 2,
                      .head_width = 16, .K = 2};
  float *theta[2];
  double acc[2];
  for (int t = 0; t < 2; t++) {
    dm_net net;
    CHECK(dm_net_create(&net, &spec, dims, V, 64, t + 1) == DM_OK, "create");
    theta[t] = malloc(sizeof(float) * net.n_params);
    dm_net_init(&net, theta[t], 11);
    int *train = malloc(sizeof(int) * N), *val = malloc(sizeof(int) * N);
    int nv = dm_split_validation(data.y, N, 2, 0.2, 5, val, train);
    dm_train_cfg cfg = {20, 64, 0, DM_SELECT_ACCURACY, 1e-2f, dm_adam_defaults(), NULL};
    double tl[20], vl[20], va[20], done = 0;
    dm_history h = {tl, vl, va, 0, 0};
    dm_model m = dm_net_model(&net);
    dm_status st = dm_train(&m, theta[t], &data, train, N - nv, val, nv, &cfg,
                            77, t + 1, NULL, NULL, &done, 0, &h);
    CHECK(st == DM_OK, "train status %d", (int)st);
    double loss;
    dm_evaluate(&m, theta[t], &data, val, nv, t + 1, &loss, &acc[t]);
    if (t == 1)
      CHECK(memcmp(theta[0], theta[1], sizeof(float) * net.n_params) == 0,
            "1 and 2 threads give different parameters");
    free(train);
    free(val);
    dm_net_destroy(&net);
  }
  CHECK(acc[0] > 0.95, "joint net on XOR: validation accuracy %g", acc[0]);
  printf("  XOR validation accuracy %.3f (1 thread), %.3f (2 threads)\n", acc[0], acc[1]);
  free(theta[0]);
  free(theta[1]);
  dm_data_free(&data);
}

/* Workspaces are sized by dm_shard_cap(); every batch up to that size must
 * fit, although the plan is not monotone in the batch size. */
/* dm_adam_update against the update written out plainly, element by
 * element: vector and scalar paths, multipliers 0 (frozen, moments too),
 * 0.1 and 1, and 1 vs 2 threads must all give the same bits. */
static void test_adam(void) {
  const size_t n = 20011;  /* above the parallel threshold, not a multiple of 4 */
  float *buf = malloc(sizeof(float) * n * 11);
  float *g = buf, *mult = buf + n, *p[3], *m[3], *v[3];
  for (int k = 0; k < 3; k++) {
    p[k] = buf + (2 + 3 * k) * n;
    m[k] = p[k] + n;
    v[k] = m[k] + n;
  }
  dm_rng r;
  dm_rng_init(&r, 7);
  for (size_t i = 0; i < n; i++) {
    g[i] = (float)dm_rng_normal(&r);
    mult[i] = i % 3 == 0 ? 0.0f : i % 3 == 1 ? 0.1f : 1.0f;
    for (int k = 0; k < 3; k++) {
      p[k][i] = (float)(i % 17) * 0.1f - 0.8f;
      m[k][i] = 0.01f * (float)(i % 5);
      v[k][i] = 0.001f * (float)(i % 7);
    }
  }
  dm_adam_cfg cfg = dm_adam_defaults();
  cfg.weight_decay = 0.01f;
  const long step = 3;
  const float lr = 1e-2f;
  for (int use_mult = 0; use_mult < 2; use_mult++) {
    const float *mu = use_mult ? mult : NULL;
    dm_adam_update(n, p[0], g, m[0], v[0], step, lr, &cfg, mu, 1);
    dm_adam_update(n, p[1], g, m[1], v[1], step, lr, &cfg, mu, 2);
    const float ss = lr / (float)(1.0 - pow(cfg.beta1, (double)step));
    const float isb = (float)(1.0 / sqrt(1.0 - pow(cfg.beta2, (double)step)));
    const float decay = lr * cfg.weight_decay;
    int same = 1;
    for (size_t i = 0; i < n; i++) {
      const float f = mu ? mu[i] : 1.0f;
      if (f == 0.0f) continue;
      const float mi = cfg.beta1 * m[2][i] + (1.0f - cfg.beta1) * g[i];
      const float vi = cfg.beta2 * v[2][i] + (1.0f - cfg.beta2) * g[i] * g[i];
      m[2][i] = mi;
      v[2][i] = vi;
      p[2][i] -= f * (ss * mi / (sqrtf(vi) * isb + cfg.eps) + decay * p[2][i]);
    }
    for (int k = 0; k < 2; k++)
      same &= memcmp(p[k], p[2], sizeof(float) * n) == 0 && memcmp(m[k], m[2], sizeof(float) * n) == 0 &&
              memcmp(v[k], v[2], sizeof(float) * n) == 0;
    CHECK(same, "Adam update (multipliers: %s) differs from the plain one", use_mult ? "yes" : "no");
  }
  free(buf);
}

static void test_shards(void) {
  int starts[DM_MAX_SHARDS + 1];
  for (int max_rows = 1; max_rows <= 1500; max_rows += 7) {
    const int cap = dm_shard_cap(max_rows);
    for (int nb = 1; nb <= max_rows; nb++) {
      const int ns = dm_shard_plan(nb, starts);
      CHECK(ns >= 1 && ns <= DM_MAX_SHARDS && starts[0] == 0 && starts[ns] == nb,
            "shard plan of %d rows", nb);
      for (int s = 0; s < ns; s++)
        CHECK(starts[s + 1] > starts[s] && starts[s + 1] - starts[s] <= cap,
              "shard %d of a batch of %d has %d rows; cap for %d is %d", s, nb,
              starts[s + 1] - starts[s], max_rows, cap);
    }
  }
  /* the last batch of 700 after batches of 1024 needs more than 1024 / 4 */
  CHECK(dm_shard_cap(1024) >= 350, "dm_shard_cap(1024) = %d", dm_shard_cap(1024));
}

int main(void) {
  int prev = dm_blas_enter();
  printf("dmil core tests (BLAS: %s)\n", dm_blas_name());
  test_gemm();
  test_rng();
  test_shards();
  test_adam();
  test_gradients();
  test_train_xor();
  dm_blas_leave(prev);
  if (failures) {
    printf("%d check(s) FAILED\n", failures);
    return 1;
  }
  printf("all core checks passed\n");
  return 0;
}
