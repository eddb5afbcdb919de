/* Progress bar and interrupt checks for long core computations. Everything
 * here runs on the main thread, between units of work, never inside a
 * parallel region. */
#include "glue.h" /* R headers first: cli's header uses their types */
#include <cli/progress.h>

static void check_interrupt(void *unused) {
  (void)unused;
  R_CheckUserInterrupt();
}

/* R_CheckUserInterrupt() would longjmp over the core's cleanup; run it at
 * top level and turn a pending interrupt into a return value instead. */
static int interrupt_pending(void) {
  return !R_ToplevelExec(check_interrupt, NULL);
}

void glue_progress_start(glue_progress *p, int show, double total,
                         const char *name) {
  p->calls = 0;
  p->bar = R_NilValue;
  if (show) {
    p->bar = cli_progress_bar(total, R_NilValue);
    cli_progress_set_name(p->bar, name);
  }
}

int glue_progress_tick(void *ctx, double done, double total) {
  glue_progress *p = ctx;
  (void)total;
  p->calls++;
  if (!Rf_isNull(p->bar)) {
    if (CLI_SHOULD_TICK) {
      if (interrupt_pending()) return 1;
      cli_progress_set(p->bar, done);
    }
    return 0;
  }
  /* Without a bar there is no timer: look every 16 units of work. */
  if (p->calls % 16 == 0 && interrupt_pending()) return 1;
  return 0;
}

void glue_progress_done(glue_progress *p) {
  if (!Rf_isNull(p->bar)) cli_progress_done(p->bar);
}
