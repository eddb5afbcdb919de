/* dm_train.h -- the training loop shared by every model: mini-batch Adam,
 * a held-out validation part with best-epoch selection, optional early
 * stopping, progress and interruption through a callback.
 *
 * Determinism: a batch is split into shards by a rule that depends only on
 * the batch size (dm_shard_plan), each shard is computed by one thread with
 * its own buffers and random stream, and shard gradients are summed in shard
 * order. The result is therefore the same for any number of threads. */
#ifndef DM_TRAIN_H
#define DM_TRAIN_H

#include "dm_adam.h"
#include "dm_common.h"
#include "dm_data.h"

#define DM_MAX_SHARDS 4
#define DM_SHARD_MIN_ROWS 32
#define DM_SHARD_FULL_ROWS 256

/* Splits nb rows into n shards (returned) of near-equal size:
 * shard s covers rows starts[s] .. starts[s+1]-1; starts needs
 * DM_MAX_SHARDS + 1 entries. The plan depends on nb only, never on the
 * thread count, so that results do not either: two shards of at least
 * DM_SHARD_MIN_ROWS rows, more only while each keeps DM_SHARD_FULL_ROWS
 * (GEMMs on fewer rows run well below the BLAS peak). */
int dm_shard_plan(int nb, int *starts);

/* The most rows any shard has for any batch of at most max_rows rows (the
 * plan is not monotone in nb): what per-shard workspaces must hold. */
int dm_shard_cap(int max_rows);

/* out[i] = parts[0][i] + parts[1][i] + ... in that order. */
void dm_reduce_shards(float *out, float *const *parts, int n_parts, size_t n,
                      int nthreads);

/* grad <- gradient of the mean loss over the batch rows[0..nb-1];
 * *loss_sum <- sum of per-sample losses. `key` seeds any randomness of this
 * batch. */
typedef dm_status (*dm_batch_grad_fn)(void *self, const float *theta, const dm_data *data,
                                      const int *rows, int nb, float *grad,
                                      double *loss_sum, uint64_t key, int nthreads);

/* What the trainer needs from a model. */
typedef struct {
  void *self;
  size_t n_params;
  int K;
  dm_batch_grad_fn batch_grad;
  /* Logits (n x K, row-major) of rows[0..n-1] at evaluation mode; NULL
   * for models that are not classifiers. */
  void (*logits)(void *self, const float *theta, const dm_data *data,
                 const int *rows, int n, float *out, int nthreads);
  /* Mean loss and accuracy (NaN when it does not apply) on rows[0..n-1];
   * NULL means cross-entropy and accuracy of `logits`. */
  dm_status (*evaluate)(void *self, const float *theta, const dm_data *data,
                        const int *rows, int n, int nthreads, double *loss,
                        double *acc);
  /* Called before each epoch (0-based), e.g. for warm-up schedules; may be
   * NULL. */
  void (*epoch_begin)(void *self, int epoch);
} dm_model;

/* How the kept epoch is chosen on the validation rows. */
typedef enum {
  DM_SELECT_ACCURACY = 0, /* highest accuracy, ties to the lower loss */
  DM_SELECT_LOSS = 1      /* lowest loss */
} dm_select;

typedef struct {
  int epochs;
  int batch_size;
  int patience; /* stop after this many epochs without improvement; 0 = never */
  dm_select select;
  float lr;
  dm_adam_cfg adam;
  const float *lr_mult; /* per-parameter learning-rate factors, or NULL */
} dm_train_cfg;

/* Per-epoch record, arrays of length cfg.epochs owned by the caller.
 * best_epoch is 1-based. Without validation rows val_log_loss and val_accuracy are
 * NaN and the last epoch is kept. */
typedef struct {
  double *train_loss;
  double *val_log_loss;
  double *val_accuracy;
  int epochs_run;
  int best_epoch;
} dm_history;

/* Trains theta in place (initialised by the caller) and leaves the best
 * epoch's parameters in it. *done is advanced by one per batch and passed
 * with `total` to tick (if not NULL) after every batch. hist may be NULL,
 * or have NULL arrays, when the record is not wanted. */
dm_status dm_train(const dm_model *model, float *theta, const dm_data *data,
                   const int *train_rows, int n_train, const int *val_rows,
                   int n_val, const dm_train_cfg *cfg, uint64_t key,
                   int nthreads, dm_tick_fn tick, void *tick_ctx,
                   double *done, double total, dm_history *hist);

/* Mean loss and accuracy of the model on rows[0..n-1] (its `evaluate`, or
 * cross-entropy and accuracy of its logits). */
dm_status dm_evaluate(const dm_model *model, const float *theta,
                      const dm_data *data, const int *rows, int n,
                      int nthreads, double *loss, double *acc);

/* Stratified random split of 0..n-1 into validation (about frac of each
 * class, at least one in total when frac > 0 and n > 1) and training rows.
 * Both outputs are in increasing order; returns the number of validation
 * rows, or -1 when memory runs out. */
int dm_split_validation(const int *y, int n, int K, double frac, uint64_t key,
                        int *val_rows, int *train_rows);

#endif
