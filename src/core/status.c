#include "dm_common.h"

const char *dm_status_name(dm_status s) {
  switch (s) {
  case DM_OK: return "ok";
  case DM_ERR_NOMEM: return "nomem";
  case DM_ERR_ARG: return "arg";
  case DM_ERR_INTERRUPT: return "interrupt";
  case DM_ERR_NONFINITE: return "nonfinite";
  default: return "unknown";
  }
}
