#include "laminate.h"

/* Numerics: layers are ~1e-6 m thick and moduli ~1e11 Pa, so every sum is formed in scaled variables
   (zeta = z/h, moduli divided by the largest one, curvature as kappa*h). Two further exact rewritings keep
   round-off at the 1e-16 level:
   - moments are taken about the stiffness-weighted centroid, so the membrane-bending coupling is small and the small
     systems solved (Gaussian elimination with partial pivoting) stay well conditioned;
   - a uniform eigenstrain is stress-free, so the stiffness-weighted mean eigenstrain is removed before solving and
     added back after; the solve then sees only the mismatch, which can be 100x smaller than the strains. */

/* Largest number of layers the solvers accept; keeps the scaled geometry in a stack array. */
#define LAMINATE_MAX_PLIES 1024

static PetscErrorCode LaminateCheckPlies(PetscInt n, const LaminatePly ply[])
{
  PetscFunctionBeginUser;
  PetscCheck(n > 0 && n <= LAMINATE_MAX_PLIES, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: the stack has %" PetscInt_FMT " layers; 1 to %d are allowed", n, LAMINATE_MAX_PLIES);
  PetscCheck(ply, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "laminate.c: the layer array is NULL");
  for (PetscInt i = 0; i < n; i++) {
    PetscCheck(ply[i].t > 0 && !PetscIsInfOrNanReal(ply[i].t), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: layer %" PetscInt_FMT " has thickness t = %.6g m; it must be finite and > 0", i, (double)ply[i].t);
    PetscCheck(ply[i].E > 0 && !PetscIsInfOrNanReal(ply[i].E), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: layer %" PetscInt_FMT " has E = %.6g Pa; it must be finite and > 0", i, (double)ply[i].E);
    PetscCheck(ply[i].nu > -1.0 && ply[i].nu < 0.5, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: layer %" PetscInt_FMT " has nu = %.6g; it must lie in (-1, 0.5)", i, (double)ply[i].nu);
    PetscCheck(!PetscIsInfOrNanReal(ply[i].eps), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: layer %" PetscInt_FMT " has eigenstrain eps = %.6g; it must be finite", i, (double)ply[i].eps);
  }
  PetscFunctionReturn(0);
}

/* The uniform-eigenstrain plies as general layers stacked from z = 0 */
static PetscErrorCode PliesAsLayers(PetscInt n, const LaminatePly ply[], LaminateLayer **layer)
{
  PetscReal z = 0.0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, layer));
  for (PetscInt i = 0; i < n; i++) {
    (*layer)[i] = (LaminateLayer){z, ply[i].t, ply[i].E, ply[i].nu, ply[i].eps, 0.0, ply[i].eps, 0.0};
    z += ply[i].t;
  }
  PetscFunctionReturn(0);
}

/* Plies stacked from z = 0, solved by the general solver in the given mode */
static PetscErrorCode SolvePlies(PetscInt n, const LaminatePly ply[], LaminateMode mode, LaminateStrain *st)
{
  LaminateLayer *layer;

  PetscFunctionBeginUser;
  PetscCall(LaminateCheckPlies(n, ply));
  PetscCall(PliesAsLayers(n, ply, &layer));
  PetscCall(LaminateSolveStrain(n, layer, mode, st));
  PetscCall(PetscFree(layer));
  PetscFunctionReturn(0);
}

/* The sphere is the plate mode of the general solver with isotropic eigenstrains (N = M = 0 in both directions with
   Q_i (1 + nu_i) = M_i); the cylinder is its cylinder mode. */
PetscErrorCode LaminateSolveSphere(PetscInt n, const LaminatePly ply[], LaminateSphere *s)
{
  LaminateStrain st;

  PetscFunctionBeginUser;
  PetscCheck(s, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "laminate.c: LaminateSolveSphere needs an output");
  PetscCall(SolvePlies(n, ply, LAMINATE_PLATE, &st));
  s->eps0  = st.ex;
  s->kappa = st.kx;
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateSolveCylinder(PetscInt n, const LaminatePly ply[], LaminateCylinder *c)
{
  LaminateStrain st;

  PetscFunctionBeginUser;
  PetscCheck(c, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "laminate.c: LaminateSolveCylinder needs an output");
  PetscCall(SolvePlies(n, ply, LAMINATE_CYLINDER, &st));
  c->epsx0 = st.ex;
  c->epsy0 = st.ey;
  c->kappa = st.kx;
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateSphereStress(PetscInt n, const LaminatePly ply[], const LaminateSphere *s, PetscInt i, PetscReal z, PetscReal *sigma)
{
  PetscReal zlo = 0.0, h = 0.0, slack;

  PetscFunctionBeginUser;
  PetscCall(LaminateCheckPlies(n, ply));
  PetscCheck(s && sigma, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "laminate.c: LaminateSphereStress needs a solution and an output");
  PetscCheck(i >= 0 && i < n, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "laminate.c: layer index %" PetscInt_FMT " is outside 0..%" PetscInt_FMT, i, n - 1);
  for (PetscInt k = 0; k < n; k++) h += ply[k].t;
  for (PetscInt k = 0; k < i; k++) zlo += ply[k].t;
  slack = 1e-12 * h; /* the caller's face coordinates may carry round-off from their own summation */
  PetscCheck(z >= zlo - slack && z <= zlo + ply[i].t + slack, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "laminate.c: z = %.6g m is outside layer %" PetscInt_FMT " (%.6g..%.6g m)", (double)z, i, (double)zlo, (double)(zlo + ply[i].t));
  *sigma = ply[i].E / (1.0 - ply[i].nu) * (s->eps0 + s->kappa * z - ply[i].eps);
  PetscFunctionReturn(0);
}

/* The general solver. Unknowns X = (E_x, K_x, E_y, K_y) with eps_x = E_x + K_x zeta, zeta = (z - z_c)/h about the
   Q-weighted centroid z_c; resultants are divided by max Q and h, so every entry is O(1). Each free unknown pairs with
   its conjugate resultant (E_x: N_x, K_x: M_x, E_y: N_y, K_y: M_y), which must vanish; the others are imposed. */
typedef struct {
  PetscReal q, nu, i0, i1, i2;       /* scaled stiffness and moments of the ply about z_c */
  PetscReal ax, gx, ay, gy;          /* scaled eigenstrain: eps* = a + g zeta */
} ScaledLayer;

static PetscErrorCode ScaleLayers(PetscInt n, const LaminateLayer layer[], ScaledLayer sl[], PetscReal *h, PetscReal *zc)
{
  PetscReal qmax = 0, A = 0, F = 0, zmin = PETSC_MAX_REAL, zmax = -PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    PetscCheck(layer[i].t > 0 && layer[i].E > 0 && layer[i].nu > -1 && layer[i].nu < 0.5, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: layer %" PetscInt_FMT " has t = %g m, E = %g Pa, nu = %g; t > 0, E > 0 and -1 < nu < 0.5 are required", i, (double)layer[i].t, (double)layer[i].E, (double)layer[i].nu);
    qmax = PetscMax(qmax, layer[i].E / (1 - layer[i].nu * layer[i].nu));
    zmin = PetscMin(zmin, layer[i].zlo);
    zmax = PetscMax(zmax, layer[i].zlo + layer[i].t);
  }
  *h = zmax - zmin;
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal q = layer[i].E / (1 - layer[i].nu * layer[i].nu) / qmax, mid = layer[i].zlo + 0.5 * layer[i].t - zmin;
    A += q * layer[i].t;
    F += q * layer[i].t * mid;
  }
  *zc = zmin + F / A;
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal lo = (layer[i].zlo - *zc) / *h, tau = layer[i].t / *h, hi = lo + tau;
    sl[i].q  = layer[i].E / (1 - layer[i].nu * layer[i].nu) / qmax;
    sl[i].nu = layer[i].nu;
    sl[i].i0 = tau;
    sl[i].i1 = tau * 0.5 * (lo + hi);
    sl[i].i2 = tau * (lo * lo + lo * hi + hi * hi) / 3;
    sl[i].ax = layer[i].ex + layer[i].gx * *zc;
    sl[i].gx = layer[i].gx * *h;
    sl[i].ay = layer[i].ey + layer[i].gy * *zc;
    sl[i].gy = layer[i].gy * *h;
  }
  PetscFunctionReturn(0);
}

/* Resultant rows: K[r][c] X_c = b_r for r = N_x, M_x, N_y, M_y */
static void AssembleResultants(PetscInt n, const ScaledLayer sl[], PetscBool with_eigenstrain, PetscReal K[4][4], PetscReal b[4])
{
  for (PetscInt r = 0; r < 4; r++) {
    b[r] = 0;
    for (PetscInt c = 0; c < 4; c++) K[r][c] = 0;
  }
  for (PetscInt i = 0; i < n; i++) {
    const ScaledLayer *l = &sl[i];
    const PetscReal    mom[3] = {l->i0, l->i1, l->i2};
    for (PetscInt d = 0; d < 2; d++) {     /* d = 0: x rows, d = 1: y rows */
      for (PetscInt m = 0; m < 2; m++) {   /* m = 0: N (weight 1), m = 1: M (weight zeta) */
        const PetscInt r = 2 * d + m;
        const PetscReal cx = d == 0 ? 1 : l->nu, cy = d == 0 ? l->nu : 1;
        K[r][0] += l->q * cx * mom[m];
        K[r][1] += l->q * cx * mom[m + 1];
        K[r][2] += l->q * cy * mom[m];
        K[r][3] += l->q * cy * mom[m + 1];
        if (with_eigenstrain) b[r] += l->q * ((cx * l->ax + cy * l->ay) * mom[m] + (cx * l->gx + cy * l->gy) * mom[m + 1]);
      }
    }
  }
}

PetscErrorCode LaminateSolveStrain(PetscInt n, const LaminateLayer layer[], LaminateMode mode, LaminateStrain *s)
{
  ScaledLayer    *sl;
  PetscReal       h, zc, K[4][4], b[4], X[4] = {0, 0, 0, 0}, mean[2] = {0, 0};
  PetscBool       is_free[4] = {PETSC_TRUE, PETSC_TRUE, PETSC_TRUE, PETSC_TRUE};
  PetscInt        map[4], nf = 0;
  const PetscBool unit = (PetscBool)(mode == LAMINATE_CYLINDER_UNIT || mode == LAMINATE_FLAT_UNIT);

  PetscFunctionBeginUser;
  PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: no layer to solve for");
  PetscCall(PetscMalloc1(n, &sl));
  PetscCall(ScaleLayers(n, layer, sl, &h, &zc));
  if (mode == LAMINATE_CYLINDER) is_free[3] = PETSC_FALSE;
  if (mode == LAMINATE_FLAT || mode == LAMINATE_FLAT_UNIT) is_free[1] = is_free[3] = PETSC_FALSE;
  if (unit) {
    is_free[2] = is_free[3] = PETSC_FALSE;
    X[2]       = 1;
  } else {
    /* a uniform eigenstrain is stress-free with zero curvature in every mode here: solve for the mismatch only */
    PetscReal A = 0;
    for (PetscInt i = 0; i < n; i++) {
      A += sl[i].q * sl[i].i0;
      mean[0] += sl[i].q * sl[i].i0 * sl[i].ax;
      mean[1] += sl[i].q * sl[i].i0 * sl[i].ay;
    }
    mean[0] /= A;
    mean[1] /= A;
    for (PetscInt i = 0; i < n; i++) {
      sl[i].ax -= mean[0];
      sl[i].ay -= mean[1];
    }
  }
  AssembleResultants(n, sl, (PetscBool)!unit, K, b);
  for (PetscInt c = 0; c < 4; c++)
    if (is_free[c]) map[nf++] = c;
  {
    PetscReal A[4][5];
    for (PetscInt r = 0; r < nf; r++) {
      for (PetscInt c = 0; c < nf; c++) A[r][c] = K[map[r]][map[c]];
      A[r][nf] = b[map[r]];
      for (PetscInt c = 0; c < 4; c++)
        if (!is_free[c]) A[r][nf] -= K[map[r]][c] * X[c];
    }
    for (PetscInt k = 0; k < nf; k++) {
      PetscInt p = k;
      for (PetscInt r = k + 1; r < nf; r++)
        if (PetscAbsReal(A[r][k]) > PetscAbsReal(A[p][k])) p = r;
      PetscCheck(PetscAbsReal(A[p][k]) > 1e-14, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: the laminate's stiffness matrix is singular (scaled pivot %g)", (double)A[p][k]);
      for (PetscInt c = 0; c <= nf; c++) {
        const PetscReal t = A[k][c];
        A[k][c]           = A[p][c];
        A[p][c]           = t;
      }
      for (PetscInt r = k + 1; r < nf; r++) {
        const PetscReal f = A[r][k] / A[k][k];
        for (PetscInt c = k; c <= nf; c++) A[r][c] -= f * A[k][c];
      }
    }
    for (PetscInt k = nf - 1; k >= 0; k--) {
      PetscReal v = A[k][nf];
      for (PetscInt c = k + 1; c < nf; c++) v -= A[k][c] * X[map[c]];
      X[map[k]] = v / A[k][k];
    }
  }
  X[0] += mean[0];
  X[2] += mean[1];
  s->kx = X[1] / h;
  s->ky = X[3] / h;
  s->ex = X[0] - s->kx * zc;
  s->ey = X[2] - s->ky * zc;
  PetscCall(PetscFree(sl));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateLayerStress(const LaminateLayer *l, const LaminateStrain *s, PetscReal z, PetscReal *sx, PetscReal *sy)
{
  const PetscReal Q = l->E / (1 - l->nu * l->nu), mx = s->ex + s->kx * z - (l->ex + l->gx * z), my = s->ey + s->ky * z - (l->ey + l->gy * z);

  PetscFunctionBeginUser;
  *sx = Q * (mx + l->nu * my);
  *sy = Q * (my + l->nu * mx);
  PetscFunctionReturn(0);
}
