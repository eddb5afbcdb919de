#include "dm_common.h"

const char *dm_status_string(dm_status s) {
  switch (s) {
  case DM_OK: return "ok";
  case DM_ERR_NOMEM: return "out of memory";
  case DM_ERR_ARG: return "invalid argument to the core";
  case DM_ERR_INTERRUPT: return "interrupted";
  case DM_ERR_NONFINITE: return "training loss is not finite";
  default: return "unknown error";
  }
}
