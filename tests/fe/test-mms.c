static const char help[] = "Manufactured solutions for fcclsim's thermo-elastic kernels with per-point state (solver/fe).\n"
                           "  test-mms -dim 3 -exact quadratic   exact in the Q2 space: reproduced to round-off\n"
                           "  test-mms -dim 2 -exact trig -levels 3   a smooth solution: the L2 error's convergence rate\n";

/* The body is [0,1]^dim, a transversely isotropic material (E 1, nu 0.3, E_z/E 0.5, nu_zp 0.2, G_z/E 0.3, so every
   entry of the stiffness matters), and a reference state (reference-state.h) with all of its terms non-zero. For an
   exact displacement u and a divergence-free stress s0, each quadrature point is given the eigenstrain
     eps* = eps(u) - C^-1 s0,
   so that u, with the stress s0, is in equilibrium without body force; the departure u_d = u - u_r is then the
   solution of the kernels' weak form (elasticity-kernels.h) with Dirichlet data u - u_r on the whole boundary.
   - quadratic: u quadratic in each coordinate and s0 linear (div s0 = 0): u - u_r lies in the Q2 space, so the
     discrete solution is exact; DMSNESCheck also asks that the residual at the exact solution vanish and that the
     Jacobian pass its Taylor test. The L2 error must be round-off: 1e-13 against a displacement of 1e-3 (a conditioning of up to 1e5 times
     double eps, 2e-11 relative, is 2e-14; measured 5e-19).
   - trig: u of sines and cosines, s0 = 0: the error converges at the Q2 rate, 3 in L2; the test requires the last
     observed rate to lie within 0.3 of 3 (the asymptotic regime at these sizes; the measured rates are printed). */
#include <petscdmplex.h>
#include <petscsnes.h>
#include <petscds.h>
#include "state-fields.h"
#include "elasticity-kernels.h"
#include "reference-state.h"
#include "material.h"
#include "element-assembly.h"

typedef enum { EXACT_QUADRATIC, EXACT_TRIG } ExactKind;
static const char *const ExactNames[] = {"quadratic", "trig", "ExactKind", "EXACT_", NULL};

typedef struct {
  PetscInt    dim;
  ExactKind   exact;
  PetscScalar ref[REFERENCE_SIZE(1)];
  PetscScalar C[STIFFNESS_N];
  PetscReal   S[6][6]; /* C^-1 (Voigt, engineering shear) */
} Problem;

static Problem problem;

/* -assembly element: the model's own residual and matrix (element-assembly.h), as the model drives them */
typedef struct {
  StateFields  sf;
  CellGeometry geo;
} ElementContext;

static PetscErrorCode ElementFunction(SNES snes, Vec X, Vec F, void *ptr)
{
  DM dm;

  PetscFunctionBeginUser;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(ElementAssemblyResidual(dm, ((ElementContext *)ptr)->geo, ((ElementContext *)ptr)->sf, PETSC_FALSE, problem.ref, X, F, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode ElementJacobian(SNES snes, Vec X, Mat J, Mat P, void *ptr)
{
  DM dm;

  PetscFunctionBeginUser;
  PetscCall(SNESGetDM(snes, &dm));
  PetscCall(ElementAssemblyStiffness(dm, ((ElementContext *)ptr)->geo, ((ElementContext *)ptr)->sf, P));
  PetscFunctionReturn(0);
}

static void ExactDisplacement(PetscInt dim, const PetscReal x[], PetscScalar u[])
{
  const PetscReal X = x[0], Y = x[1], Z = dim == 3 ? x[2] : 0;
  if (problem.exact == EXACT_QUADRATIC) {
    u[0] = 1e-3 * (X * X + 0.5 * X * Y - Y * Y * Z + 0.3 * Z * Z);
    u[1] = 1e-3 * (0.7 * X * Y - 0.2 * Y * Y + X * Z);
    if (dim == 3) u[2] = 1e-3 * (0.4 * X * X - Y * Z + 0.6 * Z * Z * X);
  } else {
    u[0] = 1e-3 * PetscSinReal(PETSC_PI * X) * PetscCosReal(0.5 * PETSC_PI * Y) * (1 + Z);
    u[1] = 1e-3 * PetscCosReal(PETSC_PI * X * Y) * PetscSinReal(PETSC_PI * (Y + Z));
    if (dim == 3) u[2] = 1e-3 * PetscSinReal(PETSC_PI * (X + Y)) * PetscCosReal(PETSC_PI * Z);
  }
}

/* grad u (dim x dim, [i][j] = du_i/dx_j), by hand from ExactDisplacement */
static void ExactGradient(PetscInt dim, const PetscReal x[], PetscScalar g[])
{
  const PetscReal X = x[0], Y = x[1], Z = dim == 3 ? x[2] : 0, pi = PETSC_PI;
  PetscScalar     G[3][3] = {{0}};

  if (problem.exact == EXACT_QUADRATIC) {
    G[0][0] = 2 * X + 0.5 * Y, G[0][1] = 0.5 * X - 2 * Y * Z, G[0][2] = -Y * Y + 0.6 * Z;
    G[1][0] = 0.7 * Y + Z, G[1][1] = 0.7 * X - 0.4 * Y, G[1][2] = X;
    G[2][0] = 0.8 * X + 0.6 * Z * Z, G[2][1] = -Z, G[2][2] = -Y + 1.2 * Z * X;
  } else {
    G[0][0] = pi * PetscCosReal(pi * X) * PetscCosReal(0.5 * pi * Y) * (1 + Z);
    G[0][1] = -0.5 * pi * PetscSinReal(pi * X) * PetscSinReal(0.5 * pi * Y) * (1 + Z);
    G[0][2] = PetscSinReal(pi * X) * PetscCosReal(0.5 * pi * Y);
    G[1][0] = -pi * Y * PetscSinReal(pi * X * Y) * PetscSinReal(pi * (Y + Z));
    G[1][1] = -pi * X * PetscSinReal(pi * X * Y) * PetscSinReal(pi * (Y + Z)) + pi * PetscCosReal(pi * X * Y) * PetscCosReal(pi * (Y + Z));
    G[1][2] = pi * PetscCosReal(pi * X * Y) * PetscCosReal(pi * (Y + Z));
    G[2][0] = pi * PetscCosReal(pi * (X + Y)) * PetscCosReal(pi * Z);
    G[2][1] = G[2][0];
    G[2][2] = -pi * PetscSinReal(pi * (X + Y)) * PetscSinReal(pi * Z);
  }
  for (PetscInt i = 0; i < dim; i++)
    for (PetscInt j = 0; j < dim; j++) g[i * dim + j] = 1e-3 * G[i][j];
}

/* s0, Voigt order: each component depends only on coordinates it is not differentiated by in div s0, so div s0 = 0
   (quadratic case; zero for trig) */
static void BackgroundStress(PetscInt dim, const PetscReal x[], PetscReal s[6])
{
  for (PetscInt k = 0; k < 6; k++) s[k] = 0;
  if (problem.exact != EXACT_QUADRATIC) return;
  s[0] = 1e-3 * x[1];
  s[1] = 1e-3 * x[0] + (dim == 3 ? 1e-3 * x[2] : 0);
  s[2] = dim == 3 ? 1e-3 * (x[0] + x[1]) : 0;
  s[5] = 5e-4;
  if (dim == 3) {
    s[3] = 2e-4 * x[0]; /* yz */
    s[4] = 3e-4 * x[1]; /* xz */
  }
}

/* The exact departure u - u_r, for the Dirichlet data and the error */
static PetscErrorCode ExactDeparture(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  PetscScalar ur[3];
  ExactDisplacement(dim, x, u);
  ReferenceDisplacement(dim, problem.ref, x, ur);
  for (PetscInt c = 0; c < dim; c++) u[c] -= ur[c];
  return 0;
}

static PetscErrorCode InvertStiffness(void)
{
  PetscReal A[6][12];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 6; i++)
    for (PetscInt j = 0; j < 12; j++) A[i][j] = j < 6 ? PetscRealPart(StiffnessEntry(problem.C, i, j)) : (j - 6 == i);
  for (PetscInt k = 0; k < 6; k++) {
    PetscReal p = A[k][k];
    PetscCheck(PetscAbsReal(p) > 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "singular stiffness");
    for (PetscInt j = 0; j < 12; j++) A[k][j] /= p;
    for (PetscInt i = 0; i < 6; i++)
      if (i != k) {
        const PetscReal f = A[i][k];
        for (PetscInt j = 0; j < 12; j++) A[i][j] -= f * A[k][j];
      }
  }
  for (PetscInt i = 0; i < 6; i++)
    for (PetscInt j = 0; j < 6; j++) problem.S[i][j] = A[i][6 + j];
  PetscFunctionReturn(0);
}

/* Stiffness, activity and the eigenstrain at every quadrature point */
static PetscErrorCode FillState(DM dm, PetscFE fe, StateFields sf)
{
  PetscQuadrature  quad;
  PetscInt         dim, Nq, cStart, cEnd;
  PetscReal       *x, *J, *invJ, *detJ;
  PetscScalar     *a;

  PetscFunctionBeginUser;
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(PetscQuadratureGetData(quad, NULL, NULL, &Nq, NULL, NULL));
  PetscCall(PetscMalloc4(Nq * dim, &x, Nq * dim * dim, &J, Nq * dim * dim, &invJ, Nq, &detJ));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(VecGetArray(StateFieldsVec(sf), &a));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState cs;
    PetscCall(StateFieldsCell(sf, a, c, &cs));
    PetscCall(DMPlexComputeCellGeometryFEM(dm, c, quad, x, J, invJ, detJ));
    for (PetscInt k = 0; k < STIFFNESS_N; k++) cs.stiffness[k] = problem.C[k];
    cs.cell[CELL_LAYER]  = 0;
    cs.cell[CELL_ACTIVE] = 1;
    for (PetscInt q = 0; q < Nq; q++) {
      PetscScalar *eig = &cs.eigenstrain[VOIGT_N * StateFieldsNodeOf(sf, q)], g[9], e[9] = {0};
      PetscReal    s0[6], es[6];
      ExactGradient(dim, &x[q * dim], g);
      for (PetscInt i = 0; i < dim; i++)
        for (PetscInt j = 0; j < dim; j++) e[i * 3 + j] = 0.5 * (g[i * dim + j] + g[j * dim + i]);
      if (dim == 2) e[8] = problem.ref[REF_EOUT]; /* generalized plane strain: the out-of-plane strain is the reference's */
      BackgroundStress(dim, &x[q * dim], s0);
      for (PetscInt i = 0; i < 6; i++) {
        es[i] = 0;
        for (PetscInt j = 0; j < 6; j++) es[i] += problem.S[i][j] * s0[j]; /* engineering strains */
      }
      for (PetscInt i = 0; i < 3; i++)
        for (PetscInt j = i; j < 3; j++) eig[Voigt(i, j)] = e[i * 3 + j] - (i == j ? es[Voigt(i, j)] : 0.5 * es[Voigt(i, j)]);
      cs.temperature[StateFieldsNodeOf(sf, q)] = 300;
    }
  }
  PetscCall(VecRestoreArray(StateFieldsVec(sf), &a));
  PetscCall(PetscFree4(x, J, invJ, detJ));
  PetscFunctionReturn(0);
}

static PetscErrorCode Solve(MPI_Comm comm, PetscInt n, PetscBool element, PetscReal *error)
{
  const PetscInt dim = problem.dim;
  PetscInt       faces[3] = {n, n, n};
  DM             dm;
  DMLabel        cells, marker;
  PetscFE        fe;
  PetscDS        ds;
  StateFields    sf;
  SNES           snes;
  Vec            u;
  ElementContext ectx;
  PetscInt       one = 1, comps[3] = {0, 1, 2}, cStart, cEnd;
  PetscErrorCode (*exact[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {ExactDeparture};

  PetscFunctionBeginUser;
  PetscCall(DMPlexCreateBoxMesh(comm, dim, PETSC_FALSE, faces, NULL, NULL, NULL, PETSC_TRUE, &dm));
  {
    DM dist = NULL;
    PetscCall(DMPlexDistribute(dm, 0, NULL, &dist)); /* on several ranks: the state and assembly run in parallel */
    if (dist) {
      PetscCall(DMDestroy(&dm));
      dm = dist;
    }
  }
  PetscCall(DMCreateLabel(dm, "Cell Sets"));
  PetscCall(DMGetLabel(dm, "Cell Sets", &cells));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  for (PetscInt c = cStart; c < cEnd; c++) PetscCall(DMLabelSetValue(cells, c, 1));
  PetscCall(PetscFECreateLagrange(comm, dim, dim, PETSC_FALSE, 2, PETSC_DETERMINE, &fe));
  PetscCall(StateFieldsCreate(dm, fe, &sf));
  PetscCall(FillState(dm, fe, sf));
  PetscCall(DMSetField(dm, 0, NULL, (PetscObject)fe));
  PetscCall(DMCreateDS(dm));
  PetscCall(DMGetDS(dm, &ds));
  PetscCall(PetscDSSetResidual(ds, 0, NULL, f1_thermoelastic));
  PetscCall(PetscDSSetJacobian(ds, 0, 0, NULL, NULL, NULL, g3_thermoelastic));
  PetscCall(PetscDSSetConstants(ds, REFERENCE_SIZE(1), problem.ref));
  PetscCall(PetscDSSetExactSolution(ds, 0, ExactDeparture, NULL));
  PetscCall(DMGetLabel(dm, "marker", &marker));
  PetscCall(DMAddBoundary(dm, DM_BC_ESSENTIAL, "wall", marker, 1, &one, 0, dim, comps, (void (*)(void))ExactDeparture, NULL, NULL, NULL));
  PetscCall(DMSetAuxiliaryVec(dm, NULL, 0, 0, StateFieldsVec(sf)));
  ectx.sf = sf;
  PetscCall(CellGeometryCreate(dm, fe, &ectx.geo));
  if (element) {
    PetscCall(DMSNESSetFunction(dm, ElementFunction, &ectx));
    PetscCall(DMSNESSetJacobian(dm, ElementJacobian, &ectx));
  } else PetscCall(DMPlexSetSNESLocalFEM(dm, NULL, NULL, NULL));
  PetscCall(SNESCreate(comm, &snes));
  PetscCall(SNESSetDM(snes, dm));
  PetscCall(SNESSetType(snes, SNESKSPONLY));
  {
    KSP ksp;
    PC  pc;
    PetscCall(SNESGetKSP(snes, &ksp));
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCLU));
    PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  }
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(DMCreateGlobalVector(dm, &u));
  PetscCall(VecZeroEntries(u));
  PetscCall(DMSNESCheckFromOptions(snes, u));
  PetscCall(VecZeroEntries(u));
  PetscCall(SNESSolve(snes, NULL, u));
  PetscCall(DMComputeL2Diff(dm, 0.0, exact, NULL, u, error));
  PetscCall(VecDestroy(&u));
  PetscCall(SNESDestroy(&snes));
  PetscCall(StateFieldsDestroy(&sf));
  PetscCall(CellGeometryDestroy(&ectx.geo));
  PetscCall(PetscFEDestroy(&fe));
  PetscCall(DMDestroy(&dm));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  MPI_Comm  comm;
  PetscInt  levels = 1, n0 = 2, exact = EXACT_QUADRATIC;
  PetscBool element = PETSC_TRUE;
  PetscReal err[8], tol = 1e-13, expected = 3, slack = 0.3;
  struct _n_Material mat;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  comm        = PETSC_COMM_WORLD;
  problem.dim = 3;
  PetscOptionsBegin(comm, NULL, "MMS test", NULL);
  PetscCall(PetscOptionsRangeInt("-dim", "2 or 3", NULL, problem.dim, &problem.dim, NULL, 2, 3));
  PetscCall(PetscOptionsEList("-exact", "quadratic or trig", NULL, ExactNames, 2, ExactNames[exact], &exact, NULL));
  PetscCall(PetscOptionsRangeInt("-levels", "meshes, n0 * 2^k cells per side", NULL, levels, &levels, NULL, 1, 6));
  PetscCall(PetscOptionsRangeInt("-n0", "cells per side of the coarsest mesh", NULL, n0, &n0, NULL, 1, 64));
  PetscCall(PetscOptionsBool("-element", "the model's element residual and matrix (false: PETSc's pointwise assembly of the same kernels)", NULL, element, &element, NULL));
  PetscOptionsEnd();
  problem.exact = (ExactKind)exact;
  /* the material: transversely isotropic about z */
  PetscCall(PetscMemzero(&mat, sizeof(mat)));
  mat.nu        = 0.3;
  mat.E_z_ratio = 0.5;
  mat.nu_zp     = 0.2;
  mat.G_z_ratio = 0.3;
  {
    PetscReal C[6][6];
    MaterialStiffness(&mat, 1.0, C);
    for (PetscInt i = 0, k = 0; i < 6; i++)
      for (PetscInt j = i; j < 6; j++) problem.C[k++] = C[i][j];
  }
  PetscCall(InvertStiffness());
  /* a reference with every term: curvatures, stretches, a thickness strain a + b z, and the 2D out-of-plane strain */
  problem.ref[REF_KX] = 2e-3;
  problem.ref[REF_KY] = problem.dim == 3 ? -1e-3 : 0;
  problem.ref[REF_EX] = 5e-4;
  problem.ref[REF_EY] = problem.dim == 3 ? 3e-4 : 0;
  problem.ref[REF_EOUT] = problem.dim == 2 ? 2e-4 : 0;
  problem.ref[REF_LOAD_SCALE] = 1;
  problem.ref[REF_NLAYERS]    = 1;
  problem.ref[REF_LAYER0 + REF_A] = 4e-4;
  problem.ref[REF_LAYER0 + REF_B] = -1e-3;
  for (PetscInt k = 0; k < levels; k++) {
    PetscCall(Solve(comm, n0 << k, element, &err[k]));
    PetscCall(PetscPrintf(comm, "%" PetscInt_FMT " cells per side: L2 error %.3e", n0 << k, (double)err[k]));
    if (k) PetscCall(PetscPrintf(comm, ", rate %.2f", (double)PetscLog2Real(err[k - 1] / err[k])));
    PetscCall(PetscPrintf(comm, "\n"));
  }
  if (problem.exact == EXACT_QUADRATIC) PetscCheck(err[levels - 1] <= tol, comm, PETSC_ERR_PLIB, "a solution in the Q2 space is not reproduced: L2 error %g > %g", (double)err[levels - 1], (double)tol);
  else {
    PetscReal rate;
    PetscCheck(levels >= 2, comm, PETSC_ERR_USER_INPUT, "a rate needs -levels 2 or more");
    rate = PetscLog2Real(err[levels - 2] / err[levels - 1]);
    PetscCheck(PetscAbsReal(rate - expected) <= slack, comm, PETSC_ERR_PLIB, "the L2 convergence rate is %.2f, not %g +- %g", (double)rate, (double)expected, (double)slack);
  }
  PetscCall(PetscPrintf(comm, "PASS\n"));
  PetscCall(PetscFinalize());
  return 0;
}
