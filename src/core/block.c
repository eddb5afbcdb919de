#include <stdlib.h>
#include "dm_block.h"

float *dm_carve(const dm_slot *slots, int n_slots) {
  size_t total = 0;
  for (int k = 0; k < n_slots; k++) total += slots[k].n;
  float *block = malloc(sizeof(float) * (total + 1));
  if (!block) return NULL;
  float *p = block;
  for (int k = 0; k < n_slots; k++) {
    *slots[k].slot = p;
    p += slots[k].n;
  }
  return block;
}
