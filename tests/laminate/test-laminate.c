/* Unit tests for solver/laminate.c (classical laminate theory, physics.md 2.2-2.4).
   Silent except for one summary line; each failed check prints what it compared. Exit status 1 on any failure. */
#include <petscsys.h>
#include "laminate.h"

/* Free strains for cooling 350 -> 25 C with typical CTEs (physics.md 1.1-1.2); the exact values do not matter,
   only that they differ between layers and are of realistic size. */
#define DT      (-325.0)
#define EPS(a)  ((a) * 1e-6 * DT)

typedef struct {
  PetscInt nchecks, nfail;
} Tally;

static PetscErrorCode Expect(Tally *t, PetscBool ok, const char what[])
{
  PetscFunctionBeginUser;
  t->nchecks++;
  if (!ok) {
    t->nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-laminate FAILED: %s\n", what));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpectSmall(Tally *t, PetscReal value, PetscReal bound, const char what[])
{
  PetscFunctionBeginUser;
  t->nchecks++;
  if (!(PetscAbsReal(value) <= bound)) {
    t->nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-laminate FAILED: %s: |%.17g| > %.3g\n", what, (double)value, (double)bound));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpectClose(Tally *t, PetscReal got, PetscReal want, PetscReal rtol, const char what[])
{
  const PetscReal err = PetscAbsReal(got - want) / PetscAbsReal(want);

  PetscFunctionBeginUser;
  t->nchecks++;
  if (!(err <= rtol)) {
    t->nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-laminate FAILED: %s: got %.17g, want %.17g, relative error %.3g > %.3g\n", what, (double)got, (double)want, (double)err, (double)rtol));
  }
  PetscFunctionReturn(0);
}

/* Timoshenko (1925), physics.md 2.2, written out independently of the library: layer 1 at the bottom, layer 2 on
   top, m = t1/t2, n = M1/M2 with biaxial moduli M = E/(1-nu), h = t1 + t2, deps = eps2 - eps1:
   kappa = 6 deps (1+m)^2 / (h [3(1+m)^2 + (1+mn)(m^2 + 1/(mn))]). A larger free strain in the top layer makes the
   top convex, which is kappa > 0 in the library's convention. */
static PetscErrorCode TimoshenkoCurvature(const LaminatePly *bot, const LaminatePly *top, PetscReal *kappa)
{
  const PetscReal m = bot->t / top->t, n = (bot->E / (1.0 - bot->nu)) / (top->E / (1.0 - top->nu));
  const PetscReal h = bot->t + top->t, deps = top->eps - bot->eps;

  PetscFunctionBeginUser;
  *kappa = 6.0 * deps * (1.0 + m) * (1.0 + m) / (h * (3.0 * (1.0 + m) * (1.0 + m) + (1.0 + m * n) * (m * m + 1.0 / (m * n))));
  PetscFunctionReturn(0);
}

/* (a) Cu 12 um / PI 25 um, equal nu, against Timoshenko in both stacking orders. With equal nu, Timoshenko's beam
   formula with M in place of E is the exact CLT result, so only round-off separates the two: tolerance 1e-12. */
static PetscErrorCode TestBimetal(Tally *t)
{
  const LaminatePly cu = {12e-6, 120e9, 0.34, EPS(17.0)}, pi = {25e-6, 5e9, 0.34, EPS(21.0)};
  LaminatePly       stack[2];
  LaminateSphere    s;
  PetscReal         kref;

  PetscFunctionBeginUser;
  stack[0] = cu;
  stack[1] = pi;
  PetscCall(LaminateSolveSphere(2, stack, &s));
  PetscCall(TimoshenkoCurvature(&cu, &pi, &kref));
  PetscCall(ExpectClose(t, s.kappa, kref, 1e-12, "(a) Cu/PI (PI on top) curvature vs Timoshenko"));
  PetscCall(Expect(t, s.kappa < 0 ? PETSC_TRUE : PETSC_FALSE, "(a) PI on top shrinks more on cooling: top face concave, kappa < 0"));
  stack[0] = pi;
  stack[1] = cu;
  PetscCall(LaminateSolveSphere(2, stack, &s));
  PetscCall(TimoshenkoCurvature(&pi, &cu, &kref));
  PetscCall(ExpectClose(t, s.kappa, kref, 1e-12, "(a) PI/Cu (Cu on top) curvature vs Timoshenko"));
  PetscFunctionReturn(0);
}

/* (b) One material in three unequal layers with one eigenstrain: exactly stress-free, kappa = 0 and eps0 = eps.
   Tolerances: round-off in sums of O(1) scaled terms, a few 1e-16, bounded by 1e-14 (kappa as kappa*h/|eps|). */
static PetscErrorCode TestHomogeneous(Tally *t)
{
  const PetscReal   eps      = EPS(17.0), h = 49e-6;
  const LaminatePly stack[3] = {
    {12e-6, 120e9, 0.34, eps},
    {30e-6, 120e9, 0.34, eps},
    {7e-6,  120e9, 0.34, eps}
  };
  LaminateSphere   s;
  LaminateCylinder c;

  PetscFunctionBeginUser;
  PetscCall(LaminateSolveSphere(3, stack, &s));
  PetscCall(ExpectSmall(t, s.kappa * h / eps, 1e-14, "(b) homogeneous plate, sphere: kappa h / eps"));
  PetscCall(ExpectClose(t, s.eps0, eps, 1e-14, "(b) homogeneous plate, sphere: eps0 = eps"));
  PetscCall(LaminateSolveCylinder(3, stack, &c));
  PetscCall(ExpectSmall(t, c.kappa * h / eps, 1e-14, "(b) homogeneous plate, cylinder: kappa h / eps"));
  PetscCall(ExpectClose(t, c.epsx0, eps, 1e-14, "(b) homogeneous plate, cylinder: epsx0 = eps"));
  PetscCall(ExpectClose(t, c.epsy0, eps, 1e-14, "(b) homogeneous plate, cylinder: epsy0 = eps"));
  PetscFunctionReturn(0);
}

/* (c) Cu 12 / PI 25 / Cu 12 is mirror-symmetric, so kappa = 0 by symmetry. The natural scale of kappa is the
   mismatch over the thickness, |deps|/h; round-off leaves ~1e-16 of it, bound 1e-13. */
static PetscErrorCode TestSymmetric(Tally *t)
{
  const LaminatePly stack[3] = {
    {12e-6, 120e9, 0.34, EPS(17.0)},
    {25e-6, 5e9,   0.30, EPS(21.0)},
    {12e-6, 120e9, 0.34, EPS(17.0)}
  };
  const PetscReal  scale = PetscAbsReal(EPS(21.0) - EPS(17.0)) / 49e-6;
  LaminateSphere   s;
  LaminateCylinder c;

  PetscFunctionBeginUser;
  PetscCall(LaminateSolveSphere(3, stack, &s));
  PetscCall(ExpectSmall(t, s.kappa / scale, 1e-13, "(c) symmetric Cu/PI/Cu, sphere: kappa h / deps"));
  PetscCall(LaminateSolveCylinder(3, stack, &c));
  PetscCall(ExpectSmall(t, c.kappa / scale, 1e-13, "(c) symmetric Cu/PI/Cu, cylinder: kappa h / deps"));
  PetscFunctionReturn(0);
}

/* The 5-layer stack of the brief: Cu 12 / adhesion PI 2 / PI 20 / TPI 3 / Cu 12 um; nu as given, or all 0.34 */
static PetscErrorCode FiveLayerStack(PetscBool equal_nu, LaminatePly stack[5])
{
  const PetscReal t[5] = {12e-6, 2e-6, 20e-6, 3e-6, 12e-6}, E[5] = {120e9, 3e9, 7e9, 3.2e9, 120e9};
  const PetscReal nu[5] = {0.34, 0.35, 0.30, 0.36, 0.34}, alpha[5] = {17.0, 35.0, 12.0, 56.0, 17.5};

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 5; i++) {
    stack[i].t   = t[i];
    stack[i].E   = E[i];
    stack[i].nu  = equal_nu ? 0.34 : nu[i];
    stack[i].eps = EPS(alpha[i]);
  }
  PetscFunctionReturn(0);
}

/* (d) With one nu for all layers, physics.md 2.4 gives kappa_cyl = (1 + nu) kappa_sph exactly; the two solutions
   come from different algorithms (closed form vs 3x3 elimination), so the tolerance 1e-12 leaves room for
   round-off only. Checked on the Cu/PI bilayer and the 5-layer stack. */
static PetscErrorCode TestCylinderRatio(Tally *t)
{
  const LaminatePly bilayer[2] = {
    {12e-6, 120e9, 0.34, EPS(17.0)},
    {25e-6, 5e9,   0.34, EPS(21.0)}
  };
  LaminatePly      five[5];
  LaminateSphere   s;
  LaminateCylinder c;

  PetscFunctionBeginUser;
  PetscCall(LaminateSolveSphere(2, bilayer, &s));
  PetscCall(LaminateSolveCylinder(2, bilayer, &c));
  PetscCall(ExpectClose(t, c.kappa / s.kappa, 1.34, 1e-12, "(d) bilayer kappa_cyl / kappa_sph = 1 + nu"));
  PetscCall(FiveLayerStack(PETSC_TRUE, five));
  PetscCall(LaminateSolveSphere(5, five, &s));
  PetscCall(LaminateSolveCylinder(5, five, &c));
  PetscCall(ExpectClose(t, c.kappa / s.kappa, 1.34, 1e-12, "(d) 5-layer kappa_cyl / kappa_sph = 1 + nu"));
  PetscFunctionReturn(0);
}

/* Exact integrals of a stress linear in z over [a, b] with end values sa, sb:
   int s dz = (b - a)(sa + sb)/2 and int s z dz = (b - a)(sa (2a + b) + sb (a + 2b))/6 (Simpson, exact for quadratics) */
static PetscErrorCode LinearMoments(PetscReal a, PetscReal b, PetscReal sa, PetscReal sb, PetscReal *N, PetscReal *M, PetscReal *size)
{
  PetscFunctionBeginUser;
  *N    = 0.5 * (b - a) * (sa + sb);
  *M    = (b - a) * (sa * (2.0 * a + b) + sb * (a + 2.0 * b)) / 6.0;
  *size = (b - a) * PetscMax(PetscAbsReal(sa), PetscAbsReal(sb));
  PetscFunctionReturn(0);
}

/* (e) Equilibrium of the 5-layer stack with unequal nu: the resultants of the layer stresses must vanish.
   Sphere: N = M = 0 with sigma from LaminateSphereStress. Cylinder: N_x = N_y = M_x = 0 with the stresses of
   physics.md 2.4 written out here. Tolerance 1e-10 relative to sum |sigma| t (times h for moments), as the brief
   asks; the expected residual is round-off, ~1e-15. */
static PetscErrorCode TestEquilibrium(Tally *t)
{
  LaminatePly      ply[5];
  LaminateSphere   s;
  LaminateCylinder c;
  PetscReal        z = 0.0, h = 0.0, N = 0.0, M = 0.0, size = 0.0, Nx = 0.0, Ny = 0.0, Mx = 0.0, sizex = 0.0, sizey = 0.0;

  PetscFunctionBeginUser;
  PetscCall(FiveLayerStack(PETSC_FALSE, ply));
  PetscCall(LaminateSolveSphere(5, ply, &s));
  PetscCall(LaminateSolveCylinder(5, ply, &c));
  for (PetscInt i = 0; i < 5; i++) h += ply[i].t;
  for (PetscInt i = 0; i < 5; i++) {
    const PetscReal a = z, b = z + ply[i].t, Q = ply[i].E / (1.0 - ply[i].nu * ply[i].nu), nu = ply[i].nu;
    const PetscReal ex[2] = {c.epsx0 + c.kappa * a, c.epsx0 + c.kappa * b}, free = (1.0 + nu) * ply[i].eps;
    PetscReal       sa, sb, dN, dM, dsize;

    PetscCall(LaminateSphereStress(5, ply, &s, i, a, &sa));
    PetscCall(LaminateSphereStress(5, ply, &s, i, b, &sb));
    PetscCall(LinearMoments(a, b, sa, sb, &dN, &dM, &dsize));
    N += dN;
    M += dM;
    size += dsize;
    PetscCall(LinearMoments(a, b, Q * (ex[0] + nu * c.epsy0 - free), Q * (ex[1] + nu * c.epsy0 - free), &dN, &dM, &dsize));
    Nx += dN;
    Mx += dM;
    sizex += dsize;
    PetscCall(LinearMoments(a, b, Q * (c.epsy0 + nu * ex[0] - free), Q * (c.epsy0 + nu * ex[1] - free), &dN, &dM, &dsize));
    Ny += dN;
    sizey += dsize;
    z = b;
  }
  PetscCall(ExpectSmall(t, N / size, 1e-10, "(e) 5-layer sphere: N / sum |sigma| t"));
  PetscCall(ExpectSmall(t, M / (size * h), 1e-10, "(e) 5-layer sphere: M / (sum |sigma| t h)"));
  PetscCall(ExpectSmall(t, Nx / sizex, 1e-10, "(e) 5-layer cylinder: N_x / sum |sigma_x| t"));
  PetscCall(ExpectSmall(t, Ny / sizey, 1e-10, "(e) 5-layer cylinder: N_y / sum |sigma_y| t"));
  PetscCall(ExpectSmall(t, Mx / (sizex * h), 1e-10, "(e) 5-layer cylinder: M_x / (sum |sigma_x| t h)"));
  PetscFunctionReturn(0);
}

/* Invalid stacks are user-input errors */
static PetscErrorCode TestBadInput(Tally *t)
{
  const LaminatePly bad[2] = {
    {12e-6, 120e9, 0.34, 0.0},
    {0.0,   5e9,   0.34, 0.0}
  };
  LaminateSphere s;
  PetscErrorCode ierr[2];

  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr[0] = LaminateSolveSphere(0, bad, &s);
  ierr[1] = LaminateSolveSphere(2, bad, &s);
  PetscCall(PetscPopErrorHandler());
  PetscCall(Expect(t, ierr[0] == PETSC_ERR_USER_INPUT ? PETSC_TRUE : PETSC_FALSE, "empty stack gives PETSC_ERR_USER_INPUT"));
  PetscCall(Expect(t, ierr[1] == PETSC_ERR_USER_INPUT ? PETSC_TRUE : PETSC_FALSE, "zero thickness gives PETSC_ERR_USER_INPUT"));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Tally t = {0, 0};

  PetscCall(PetscInitialize(&argc, &argv, NULL, "Unit tests for laminate.c"));
  PetscCall(TestBimetal(&t));
  PetscCall(TestHomogeneous(&t));
  PetscCall(TestSymmetric(&t));
  PetscCall(TestCylinderRatio(&t));
  PetscCall(TestEquilibrium(&t));
  PetscCall(TestBadInput(&t));
  if (t.nfail) PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-laminate: %" PetscInt_FMT " of %" PetscInt_FMT " checks FAILED\n", t.nfail, t.nchecks));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "test-laminate: all %" PetscInt_FMT " checks passed\n", t.nchecks));
  PetscCall(PetscFinalize());
  return t.nfail ? 1 : 0;
}
