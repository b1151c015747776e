#include "laminate.h"

/* Numerics: layers are ~1e-6 m thick and moduli ~1e11 Pa, so every sum is formed in scaled variables
   (zeta = z/h, moduli divided by the largest one, curvature as kappa*h). Two further exact rewritings keep
   round-off at the 1e-16 level:
   - moments are taken about the stiffness-weighted centroid zeta_c, so the coupling term B vanishes and A*D - B^2
     (a difference of nearly equal numbers) is never formed;
   - a uniform eigenstrain is stress-free, so the stiffness-weighted mean eigenstrain is removed before solving and
     added back after; the solve then sees only the mismatch, which can be 100x smaller than the strains. */

/* Scaled layer geometry: tau = t/h, bottom and top faces relative to the centroid, in units of h */
typedef struct {
  PetscReal tau, lo, hi;
} PlyGeometry;

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

/* Scaled stiffness w_i = (E_i/g_i) / max_j (E_j/g_j), with g_i = 1 - nu_i for the biaxial modulus M and
   g_i = 1 - nu_i^2 for the plane-stress modulus Q. */
static PetscErrorCode ScaledModuli(PetscInt n, const LaminatePly ply[], PetscBool biaxial, PetscReal w[], PetscReal *wmax)
{
  PetscFunctionBeginUser;
  *wmax = 0.0;
  for (PetscInt i = 0; i < n; i++) {
    w[i]  = ply[i].E / (biaxial ? 1.0 - ply[i].nu : 1.0 - ply[i].nu * ply[i].nu);
    *wmax = PetscMax(*wmax, w[i]);
  }
  for (PetscInt i = 0; i < n; i++) w[i] /= *wmax;
  PetscFunctionReturn(0);
}

/* Total thickness, scaled layer geometry about the w-weighted centroid, and the centroid zeta_c (units of h) */
static PetscErrorCode ScaledGeometry(PetscInt n, const LaminatePly ply[], const PetscReal w[], PetscReal *h, PlyGeometry g[], PetscReal *zetac)
{
  PetscReal z = 0.0, A = 0.0, F = 0.0;

  PetscFunctionBeginUser;
  *h = 0.0;
  for (PetscInt i = 0; i < n; i++) *h += ply[i].t;
  for (PetscInt i = 0; i < n; i++) {
    g[i].tau = ply[i].t / *h;
    g[i].lo  = z / *h;
    z += ply[i].t;
    g[i].hi = z / *h;
    A += w[i] * g[i].tau;
    F += w[i] * g[i].tau * 0.5 * (g[i].lo + g[i].hi);
  }
  *zetac = F / A;
  for (PetscInt i = 0; i < n; i++) {
    g[i].lo -= *zetac;
    g[i].hi -= *zetac;
  }
  PetscFunctionReturn(0);
}

/* Stiffness-weighted mean eigenstrain */
static PetscErrorCode MeanEigenstrain(PetscInt n, const LaminatePly ply[], const PetscReal w[], const PlyGeometry g[], PetscReal *mean)
{
  PetscReal A = 0.0, N = 0.0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    A += w[i] * g[i].tau;
    N += w[i] * g[i].tau * ply[i].eps;
  }
  *mean = N / A;
  PetscFunctionReturn(0);
}

/* First and second moments of a layer about the centroid: (hi^2 - lo^2)/2 and (hi^3 - lo^3)/3, written without
   the differences of powers */
static PetscErrorCode PlyMoments(const PlyGeometry *g, PetscReal *first, PetscReal *second)
{
  PetscFunctionBeginUser;
  *first  = g->tau * 0.5 * (g->lo + g->hi);
  *second = g->tau * (g->lo * g->lo + g->lo * g->hi + g->hi * g->hi) / 3.0;
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateSolveSphere(PetscInt n, const LaminatePly ply[], LaminateSphere *s)
{
  PlyGeometry g[LAMINATE_MAX_PLIES];
  PetscReal   m[LAMINATE_MAX_PLIES];
  PetscReal   mmax, h, zetac, mean, A = 0.0, D = 0.0, Nst = 0.0, Mst = 0.0;

  PetscFunctionBeginUser;
  PetscCall(LaminateCheckPlies(n, ply));
  PetscCheck(s, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "laminate.c: LaminateSolveSphere needs an output");
  PetscCall(ScaledModuli(n, ply, PETSC_TRUE, m, &mmax));
  PetscCall(ScaledGeometry(n, ply, m, &h, g, &zetac));
  PetscCall(MeanEigenstrain(n, ply, m, g, &mean));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal S, Sz2;

    PetscCall(PlyMoments(&g[i], &S, &Sz2));
    A += m[i] * g[i].tau;
    D += m[i] * Sz2;
    Nst += m[i] * g[i].tau * (ply[i].eps - mean);
    Mst += m[i] * S * (ply[i].eps - mean);
  }
  /* About the centroid B = 0, so physics.md 2.3 reduces to kappa = Mst/D and centroid strain = Nst/A */
  PetscCheck(D > 0 && A > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: the bending stiffness is not positive (A = %.6g, D = %.6g, scaled); the layer moduli span too many decades", (double)A, (double)D);
  s->kappa = Mst / D / h;
  s->eps0  = mean + Nst / A - (Mst / D) * zetac;
  PetscFunctionReturn(0);
}

/* Gaussian elimination with partial pivoting for the (well-scaled) 3x3 systems; overwrites a and b */
static PetscErrorCode Solve3(PetscReal a[3][3], PetscReal b[3], PetscReal x[3])
{
  PetscReal amax = 0.0;

  PetscFunctionBeginUser;
  for (PetscInt r = 0; r < 3; r++)
    for (PetscInt c = 0; c < 3; c++) amax = PetscMax(amax, PetscAbsReal(a[r][c]));
  for (PetscInt k = 0; k < 3; k++) {
    PetscInt p = k;

    for (PetscInt r = k + 1; r < 3; r++)
      if (PetscAbsReal(a[r][k]) > PetscAbsReal(a[p][k])) p = r;
    /* Relative threshold: the entries are O(1) after scaling, so a pivot at round-off level means no solution */
    PetscCheck(PetscAbsReal(a[p][k]) > 1e-13 * amax, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "laminate.c: the laminate equations are singular (pivot %.6g of %.6g at column %" PetscInt_FMT "); check the layer moduli and Poisson ratios", (double)a[p][k], (double)amax, k);
    for (PetscInt c = 0; c < 3; c++) {
      const PetscReal tmp = a[k][c];
      a[k][c]             = a[p][c];
      a[p][c]             = tmp;
    }
    {
      const PetscReal tmp = b[k];
      b[k]                = b[p];
      b[p]                = tmp;
    }
    for (PetscInt r = k + 1; r < 3; r++) {
      const PetscReal l = a[r][k] / a[k][k];

      for (PetscInt c = k; c < 3; c++) a[r][c] -= l * a[k][c];
      b[r] -= l * b[k];
    }
  }
  for (PetscInt k = 2; k >= 0; k--) {
    PetscReal sum = b[k];

    for (PetscInt c = k + 1; c < 3; c++) sum -= a[k][c] * x[c];
    x[k] = sum / a[k][k];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateSolveCylinder(PetscInt n, const LaminatePly ply[], LaminateCylinder *c)
{
  PlyGeometry g[LAMINATE_MAX_PLIES];
  PetscReal   q[LAMINATE_MAX_PLIES];
  PetscReal   qmax, h, zetac, mean, x[3];
  PetscReal   a[3][3] = {{0}}, b[3] = {0};

  PetscFunctionBeginUser;
  PetscCall(LaminateCheckPlies(n, ply));
  PetscCheck(c, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "laminate.c: LaminateSolveCylinder needs an output");
  PetscCall(ScaledModuli(n, ply, PETSC_FALSE, q, &qmax));
  PetscCall(ScaledGeometry(n, ply, q, &h, g, &zetac));
  PetscCall(MeanEigenstrain(n, ply, q, g, &mean));
  /* physics.md 2.4, rows N_x = 0, N_y = 0, M_x = 0, unknowns (eps_x, eps_y, kappa_x h) at the centroid */
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal nu = ply[i].nu, de = (1.0 + nu) * (ply[i].eps - mean);
    PetscReal       S, Sz2;

    PetscCall(PlyMoments(&g[i], &S, &Sz2));
    a[0][0] += q[i] * g[i].tau;
    a[0][1] += q[i] * nu * g[i].tau;
    a[0][2] += q[i] * S;
    a[1][0] += q[i] * nu * g[i].tau;
    a[1][1] += q[i] * g[i].tau;
    a[1][2] += q[i] * nu * S;
    a[2][0] += q[i] * S;
    a[2][1] += q[i] * nu * S;
    a[2][2] += q[i] * Sz2;
    b[0] += q[i] * de * g[i].tau;
    b[1] += q[i] * de * g[i].tau;
    b[2] += q[i] * de * S;
  }
  PetscCall(Solve3(a, b, x));
  c->kappa = x[2] / h;
  c->epsx0 = mean + x[0] - x[2] * zetac;
  c->epsy0 = mean + x[1];
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
