/* dm_rng.h -- deterministic, counter-based random numbers.
 *
 * A generator is a 64-bit key plus a 64-bit counter; draw k of a stream is a
 * pure function of (key, k). Keys are derived hierarchically from one master
 * seed (drawn from R's RNG by the R code) and small integer ids naming the
 * purpose ("initialisation", "shuffling", "member 2", "batch 17 shard 3"...).
 * Parallel code gives each unit of work its own derived key, so results never
 * depend on which thread ran the unit or on the number of threads.
 */
#ifndef DM_RNG_H
#define DM_RNG_H

#include "dm_common.h"

typedef struct {
  uint64_t key;
  uint64_t ctr;
} dm_rng;

/* Key of the child stream `id` of `parent` (parent may be a raw seed). */
uint64_t dm_rng_derive(uint64_t parent, uint64_t id);

/* Generator positioned at draw 0 of stream `key`. */
void dm_rng_init(dm_rng *r, uint64_t key);

uint64_t dm_rng_u64(dm_rng *r);
/* Uniform on [0, 1) with 53 random bits. */
double dm_rng_unif(dm_rng *r);
/* Standard normal (Box-Muller; consumes two draws). */
double dm_rng_normal(dm_rng *r);
/* n standard normals as float (Box-Muller in float, both outputs of one
 * 64-bit draw), for filling noise buffers quickly. */
void dm_rng_normals(dm_rng *r, float *out, int n);
/* Uniform integer on {0, ..., n - 1}, n >= 1, without modulo bias. */
uint32_t dm_rng_below(dm_rng *r, uint32_t n);
/* Uniformly random permutation of a[0..n-1] in place (Fisher-Yates). */
void dm_rng_shuffle(dm_rng *r, int *a, int n);

#endif
