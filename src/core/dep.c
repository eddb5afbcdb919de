/* James, Emenheiser and Crutchfield's I_dep (dm_pid.h).
 *
 * On the dependency lattice of (x1, x2, y), the unique information of x1 is
 * the least gain in I(X1,X2; Y) over the four edges that add the
 * constraint (x1, y), each gain computed under the maximum-entropy
 * distributions of the edge's two ends:
 *   [x1][x2][y]      -> [x1 y][x2]            gain I(X1;Y)
 *   [x1 x2][y]       -> [x1 x2][x1 y]         gain I(X1;Y)
 *   [x1][x2 y]       -> [x1 y][x2 y]          gain I_CI - I(X2;Y)
 *   [x1 x2][x2 y]    -> [x1 x2][x1 y][x2 y]   gain I_ME - I(X2;Y)
 * with I_CI under p(x1,y) p(x2,y) / p(y) and I_ME under the pairwise
 * maximum-entropy distribution. Hence R = I1 - U1 =
 * max(0, I1 + I2 - I_CI, I1 + I2 - I_ME), symmetric in the sources. */
#include <math.h>
#include <stdlib.h>
#include "dm_pid.h"

dm_status dm_pid_dep(int n1, int n2, int ny, const double *p, double tol, int support_max,
                     double *achieved, double *atoms, dm_tick_fn tick, void *tick_ctx) {
  const size_t N = (size_t)n1 * n2 * ny;
  for (int k = 0; k < 4; k++) atoms[k] = NAN;
  double *q = malloc(sizeof(double) * (N + (size_t)(n1 + n2 + 1) * ny + 1));
  if (!q) return DM_ERR_NOMEM;
  double *p1y = q + N, *p2y = p1y + (size_t)n1 * ny, *py = p2y + (size_t)n2 * ny;
  double mi[3], mi_q[3];
  dm_pid_mis(n1, n2, ny, p, mi);

  /* the conditionally independent distribution */
  for (size_t k = 0; k < (size_t)(n1 + n2 + 1) * ny; k++) p1y[k] = 0.0;
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) {
        p1y[a + (size_t)n1 * y] += p[k];
        p2y[b + (size_t)n2 * y] += p[k];
        py[y] += p[k];
      }
  k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++)
        q[k] = py[y] > 0 ? p1y[a + (size_t)n1 * y] * p2y[b + (size_t)n2 * y] / py[y] : 0.0;
  dm_pid_mis(n1, n2, ny, q, mi_q);
  double red = fmax(0.0, mi[0] + mi[1] - mi_q[2]);

  dm_status st = dm_pid_maxent(n1, n2, ny, p, tol, support_max, q, achieved, tick, tick_ctx);
  if (st == DM_OK) {
    dm_pid_mis(n1, n2, ny, q, mi_q);
    red = fmax(red, mi[0] + mi[1] - mi_q[2]);
    dm_pid_atoms(red, mi, atoms);
  }
  free(q);
  return st;
}
