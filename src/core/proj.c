/* Harder, Salge and Polani's I_proj (dm_pid.h).
 *
 * PI(X1 -> X2) = sum_{x1,y} p(x1,y) log q_x1(y) / p(y), where q_x1 is the
 * I-projection of p(y | x1) onto the convex hull of the p(y | x2): the
 * mixture sum_j lam_j p(y | x2 = j) nearest to it in KL(p(y|x1) || .).
 * That is the maximum-likelihood problem for mixture weights, convex on the
 * simplex; it is solved by Newton steps on the weights that are free (an
 * active set), which reach the vertices and faces where the optimum often
 * lies exactly, instead of EM's slow approach to them. R is the smaller of
 * PI(X1 -> X2) and PI(X2 -> X1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_pid.h"

#define PROJ_MAX_ITER 500

/* f(lam) = -sum_z w_z log (A lam)_z over z with w_z > 0 (A: nz x J, column
 * major). */
static double proj_objective(int nz, int J, const double *A, const double *w, const double *lam) {
  double f = 0.0;
  for (int z = 0; z < nz; z++) {
    if (!(w[z] > 0)) continue;
    double q = 0.0;
    for (int j = 0; j < J; j++) q += A[z + (size_t)nz * j] * lam[j];
    if (!(q > 0)) return INFINITY;
    f -= w[z] * log(q);
  }
  return f;
}

/* Solves the n x n system K x = b in place by Gaussian elimination with
 * partial pivoting; 0 when singular. */
static int solve_dense(int n, double *K, double *b) {
  for (int c = 0; c < n; c++) {
    int piv = c;
    for (int r = c + 1; r < n; r++)
      if (fabs(K[r + n * c]) > fabs(K[piv + n * c])) piv = r;
    if (!(fabs(K[piv + n * c]) > 1e-300)) return 0;
    if (piv != c) {
      for (int k = 0; k < n; k++) {
        double t = K[c + n * k];
        K[c + n * k] = K[piv + n * k];
        K[piv + n * k] = t;
      }
      double t = b[c];
      b[c] = b[piv];
      b[piv] = t;
    }
    for (int r = c + 1; r < n; r++) {
      const double f = K[r + n * c] / K[c + n * c];
      if (f == 0.0) continue;
      for (int k = c; k < n; k++) K[r + n * k] -= f * K[c + n * k];
      b[r] -= f * b[c];
    }
  }
  for (int c = n - 1; c >= 0; c--) {
    double v = b[c];
    for (int k = c + 1; k < n; k++) v -= K[c + n * k] * b[k];
    b[c] = v / K[c + n * c];
  }
  return 1;
}

/* The mixture weights lam (J) minimising proj_objective; work holds
 * (J + 1)^2 + 4 J + nz + 2 doubles. Returns the largest violation of the
 * optimality conditions (g_j <= 1, = 1 where lam_j > 0, for
 * g_j = sum_z w_z A_zj / (A lam)_z). */
static double proj_weights(int nz, int J, const double *A, const double *w, double *lam,
                           double *work) {
  double *g = work, *d = g + J, *trial = d + J + 1, *q = trial + J, *K = q + nz;
  int *F = (int *)(K + (size_t)(J + 1) * (J + 1));  /* J ints fit in J doubles */
  for (int j = 0; j < J; j++) lam[j] = 1.0 / J;
  double f = proj_objective(nz, J, A, w, lam), viol = INFINITY;
  for (int it = 0; it < PROJ_MAX_ITER; it++) {
    for (int z = 0; z < nz; z++) {
      q[z] = 0.0;
      for (int j = 0; j < J; j++) q[z] += A[z + (size_t)nz * j] * lam[j];
    }
    viol = 0.0;
    for (int j = 0; j < J; j++) {
      g[j] = 0.0;
      for (int z = 0; z < nz; z++)
        if (w[z] > 0) g[j] += w[z] * A[z + (size_t)nz * j] / q[z];
      viol = fmax(viol, lam[j] > 0 ? fabs(g[j] - 1.0) : g[j] - 1.0);
    }
    if (viol < 1e-14) break;
    /* free weights: the positive ones and those whose gradient pulls them
     * in; a Newton step on the free weights within the simplex */
    int nf = 0;
    for (int j = 0; j < J; j++)
      if (lam[j] > 0 || g[j] > 1.0) F[nf++] = j;
    int solved = 0;
    while (nf > 0 && !solved) {
      const int n = nf + 1;
      double dmax = 0.0;
      for (int r = 0; r < nf; r++) {
        for (int c = 0; c < nf; c++) {
          double h = 0.0;
          for (int z = 0; z < nz; z++)
            if (w[z] > 0)
              h += w[z] * A[z + (size_t)nz * F[r]] * A[z + (size_t)nz * F[c]] / (q[z] * q[z]);
          K[r + n * c] = h;
        }
        dmax = fmax(dmax, K[r + n * r]);
        K[r + n * nf] = K[nf + n * r] = 1.0;
        d[r] = g[F[r]];
      }
      K[nf + n * nf] = 0.0;
      d[nf] = 0.0;
      /* duplicate mixture components make the Hessian singular */
      for (int r = 0; r < nf; r++) K[r + n * r] += 1e-13 * dmax;
      if (!solve_dense(n, K, d)) break;
      /* a weight at zero that the step would make negative stays out */
      int dropped = 0;
      for (int r = 0; r < nf && !dropped; r++)
        if (lam[F[r]] <= 0 && d[r] < 0) {
          F[r] = F[--nf];
          dropped = 1;
        }
      solved = !dropped;
    }
    if (!solved) break;
    double step = 1.0, slope = 0.0;
    for (int r = 0; r < nf; r++) {
      if (d[r] < 0) step = fmin(step, -lam[F[r]] / d[r]);
      slope -= g[F[r]] * d[r];
    }
    double ft = INFINITY;
    for (int half = 0; half < 80; half++, step *= 0.5) {
      memcpy(trial, lam, sizeof(double) * J);
      for (int r = 0; r < nf; r++) trial[F[r]] = fmax(0.0, lam[F[r]] + step * d[r]);
      ft = proj_objective(nz, J, A, w, trial);
      if (ft <= f + 1e-4 * step * slope) break;
    }
    if (!(ft <= f)) break;
    /* weights that the step brought to (numerically) zero leave, unless a
     * target value with positive probability needs them */
    double sum = 0.0;
    for (int j = 0; j < J; j++) {
      lam[j] = trial[j] < 1e-15 ? 0.0 : trial[j];
      sum += lam[j];
    }
    for (int j = 0; j < J; j++) lam[j] /= sum;
    f = proj_objective(nz, J, A, w, lam);
    if (!isfinite(f)) {
      memcpy(lam, trial, sizeof(double) * J);
      f = ft;
    }
  }
  return viol;
}

/* PI(X_a -> X_b) from the joint of (a, b, y) given as pab[a + na*(b + nb*y)]. */
static dm_status projected_information(int na, int nb, int ny, const double *pab, double *out,
                                       double *worst) {
  double *block = calloc((size_t)na + nb + ny + (size_t)(na + nb) * ny + (size_t)ny * nb + nb +
                             (size_t)(nb + 1) * (nb + 1) + 4 * (size_t)nb + ny + 2 + ny,
                         sizeof(double));
  if (!block) return DM_ERR_NOMEM;
  double *pa = block, *pb = pa + na, *py = pb + nb, *pay = py + ny, *pby = pay + (size_t)na * ny;
  double *A = pby + (size_t)nb * ny, *lam = A + (size_t)ny * nb, *work = lam + nb;
  double *w = work + (size_t)(nb + 1) * (nb + 1) + 4 * (size_t)nb + ny + 2;
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < nb; b++)
      for (int a = 0; a < na; a++, k++) {
        pa[a] += pab[k];
        pb[b] += pab[k];
        py[y] += pab[k];
        pay[a + (size_t)na * y] += pab[k];
        pby[b + (size_t)nb * y] += pab[k];
      }
  /* the mixture components p(y | b), for the b that occur */
  int J = 0;
  for (int b = 0; b < nb; b++) {
    if (!(pb[b] > 0)) continue;
    for (int y = 0; y < ny; y++) A[y + (size_t)ny * J] = pby[b + (size_t)nb * y] / pb[b];
    J++;
  }
  double total = 0.0;
  for (int a = 0; a < na; a++) {
    if (!(pa[a] > 0)) continue;
    for (int y = 0; y < ny; y++) w[y] = pay[a + (size_t)na * y] / pa[a];
    *worst = fmax(*worst, proj_weights(ny, J, A, w, lam, work));
    for (int y = 0; y < ny; y++) {
      if (!(w[y] > 0)) continue;
      double q = 0.0;
      for (int j = 0; j < J; j++) q += A[y + (size_t)ny * j] * lam[j];
      total += pay[a + (size_t)na * y] * log(q / py[y]);
    }
  }
  *out = total;
  free(block);
  return DM_OK;
}

dm_status dm_pid_proj(int n1, int n2, int ny, const double *p, double *atoms, double *violation) {
  const size_t N = (size_t)n1 * n2 * ny;
  for (int k = 0; k < 4; k++) atoms[k] = NAN;
  double *swapped = malloc(sizeof(double) * (N + 1));
  if (!swapped) return DM_ERR_NOMEM;
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) swapped[b + (size_t)n2 * (a + (size_t)n1 * y)] = p[k];
  double pi12 = 0.0, pi21 = 0.0;
  *violation = 0.0;
  dm_status st = projected_information(n1, n2, ny, p, &pi12, violation);
  if (st == DM_OK) st = projected_information(n2, n1, ny, swapped, &pi21, violation);
  free(swapped);
  if (st != DM_OK) return st;
  double mi[3];
  dm_pid_mis(n1, n2, ny, p, mi);
  dm_pid_atoms(fmin(pi12, pi21), mi, atoms);
  return DM_OK;
}
