#include <math.h>
#include "dm_rng.h"

/* Two different 64-bit finalisers: one for deriving keys, one for draws, so
 * a derived key never coincides with a draw of its parent stream. */
static uint64_t fmix_derive(uint64_t z) {
  z ^= z >> 33;
  z *= 0xff51afd7ed558ccdULL;
  z ^= z >> 33;
  z *= 0xc4ceb9fe1a85ec53ULL;
  z ^= z >> 33;
  return z;
}

static uint64_t fmix_draw(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t dm_rng_derive(uint64_t parent, uint64_t id) {
  return fmix_derive(fmix_derive(parent + 0x632be59bd9b4e019ULL) ^
                     (id * 0x9e3779b97f4a7c15ULL + 0x8cb92ba72f3d8dd7ULL));
}

void dm_rng_init(dm_rng *r, uint64_t key) {
  r->key = key;
  r->ctr = 0;
}

uint64_t dm_rng_u64(dm_rng *r) {
  uint64_t k = r->ctr++;
  return fmix_draw(r->key + k * 0x9e3779b97f4a7c15ULL);
}

double dm_rng_unif(dm_rng *r) {
  return (double)(dm_rng_u64(r) >> 11) * 0x1.0p-53;
}

double dm_rng_normal(dm_rng *r) {
  /* u1 in (0, 1] keeps the log finite. */
  double u1 = ((double)(dm_rng_u64(r) >> 11) + 1.0) * 0x1.0p-53;
  double u2 = dm_rng_unif(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Noise for reparameterised sampling needs float precision only, and it is
 * drawn for every code of every training row: one 64-bit draw gives both
 * 24-bit uniforms of a pair, and the float functions cost a fraction of the
 * double ones. u1 in (0, 1] keeps the log finite (|z| <= 5.8). */
void dm_rng_normals(dm_rng *r, float *out, int n) {
  for (int i = 0; i < n; i += 2) {
    const uint64_t u = dm_rng_u64(r);
    const float u1 = ((float)(u >> 40) + 1.0f) * 0x1.0p-24f;
    const float u2 = (float)((u >> 8) & 0xffffffu) * 0x1.0p-24f;
    const float rad = sqrtf(-2.0f * logf(u1)), ang = 6.2831853f * u2;
    out[i] = rad * cosf(ang);
    if (i + 1 < n) out[i + 1] = rad * sinf(ang);
  }
}

uint32_t dm_rng_below(dm_rng *r, uint32_t n) {
  /* Lemire's multiply-shift with rejection of the biased low range. */
  uint64_t m = (uint64_t)(uint32_t)(dm_rng_u64(r) >> 32) * n;
  uint32_t lo = (uint32_t)m;
  if (lo < n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    while (lo < threshold) {
      m = (uint64_t)(uint32_t)(dm_rng_u64(r) >> 32) * n;
      lo = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

void dm_rng_shuffle(dm_rng *r, int *a, int n) {
  for (int i = n - 1; i > 0; i--) {
    int j = (int)dm_rng_below(r, (uint32_t)(i + 1));
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
