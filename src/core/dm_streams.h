/* dm_streams.h -- the ids of the random streams (dm_rng.h), each naming a
 * purpose under its parent key. Derivations by an index (row, epoch, view,
 * shard, parameter block) use the index itself and are not listed. Changing
 * a value changes every result drawn from that stream. */
#ifndef DM_STREAMS_H
#define DM_STREAMS_H

enum {
  /* Under the master seed of a dmil_fit() call (the glue). */
  DM_STREAM_SPLIT = 1,   /* the validation rows, shared by every method */
  DM_STREAM_NETS = 100,  /* + j: network j of a baseline fit */
  DM_STREAM_DMIL = 300,  /* the DMIL network */

  /* Under a network's key: baseline nets (glue_fit.c), the scoring nets
   * and densities of interact.c. */
  DM_STREAM_INIT = 1,
  DM_STREAM_TRAIN = 2,

  /* Under the DMIL network's key: its initialisation, then stage s of its
   * training at DM_STREAM_STAGES + s. */
  DM_STREAM_DMIL_INIT = 0,
  DM_STREAM_STAGES = 1,

  /* Under a training key (train.c). */
  DM_STREAM_SHUFFLE = 1, /* + epoch below: the batch order */
  DM_STREAM_BATCH = 2,   /* + epoch, batch below: the batch's own key */

  /* Under a DMIL batch key (dmil.c). */
  DM_STREAM_SAMPLE = 1,  /* + row: the variational noise */
  DM_STREAM_ANOVA = 2,   /* + row: the ANOVA partners */

  /* Under the key of dm_interactions_fit (interact.c). */
  DM_STREAM_REPEAT = 1000, /* + repeat */
  /* under a repeat's key */
  DM_STREAM_FOLDS = 1,     /* the fold assignment */
  DM_STREAM_FOLD = 10,     /* + fold */
  /* under a fold's key */
  DM_STREAM_INNER = 1,     /* the inner validation split */
  DM_STREAM_SCORE_NETS = 100, /* + net */
  DM_STREAM_KNIFE = 200    /* + view: the density models */
};

#endif
