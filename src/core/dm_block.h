/* dm_block.h -- a workspace as one allocation carved into named buffers.
 *
 * Workspaces (per shard or thread, allocated once per fit) hold many float
 * buffers whose sizes depend on the architecture; keeping each size next to
 * the buffer it sizes is what this type is for. */
#ifndef DM_BLOCK_H
#define DM_BLOCK_H

#include <stddef.h>

typedef struct {
  float **slot; /* where to store the buffer's address */
  size_t n;     /* its length in floats */
} dm_slot;

/* Allocates one block for every slot's floats and points the slots at
 * consecutive parts of it, in order. Returns the block (the caller frees
 * it), or NULL when out of memory, leaving the slots untouched. */
float *dm_carve(const dm_slot *slots, int n_slots);

#endif
