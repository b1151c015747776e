#pragma once
/* The thermo-elastic physics of the layered plate, point by point: the one place the constitutive law is written.
   The inline functions below are used by the element assembly (element-assembly.c), the state updates and the output
   (model.c); the pointwise kernels wrap them for PETSc's generic assembly (-solver_stiffness pointwise, and the check
   -solver_stiffness_verify). Pure arithmetic: no PETSc calls.

   The unknown is the departure u_d from the reference state u_r (reference-state.h). Every point carries its state
   (state-fields.h): its eigenstrain eps* (the strain at which it is stress-free: the strain it was born with plus the
   thermal strain since, and the stress carried through changes of modulus), its stiffness C, whether its cell is
   active, and its layer. Weak form: find u_d with  int grad v : sigma dV = 0  for all v, where
     sigma = C : m,   m = eps(u_d) + eps(u_r) - s eps*     in an active cell,
     sigma = C : eps(u_d)                                  in an inactive one (not bonded yet, or etched),
   s = REF_LOAD_SCALE (1, or 0 for the 2D unit out-of-plane problem). An inactive cell has the stiffness of a void,
   1e-12 of the stiffest material's (state-fields.h): it follows the reference and the departure of its neighbours
   without stress, and what it adds to the active stack is a 1e-12 relative force. A layer born into such cells is
   therefore born on the configuration the stack has at that moment.
   Geometry nonlinear (-geometry nonlinear, 3D; model.h): total Lagrangian with the St Venant-Kirchhoff law, the
   reference zero and the unknown the whole displacement u: find u with  int grad v : (F S) dV = 0,  F = I + grad u,
   S = C : (E - eps*), E the Green-Lagrange strain (DisplacementStrain). The strains stay below 1 %, the rotations do
   not: the linear law on E is then as good as the small-strain one, and a rigid rotation makes no stress.
   In 2D (generalized plane strain, the section's (x, z) as mesh indices (0, 1)) the out-of-plane strain is the
   uniform REF_EOUT, mesh index 2 of the 3x3 strain.

   Tensors are 3x3 arrays in the mesh's axes. The stiffness is a symmetric 6x6 matrix in Voigt order (00, 11, 22, 12,
   02, 01) acting on engineering shear strains, kept as its upper triangle (21 numbers, row by row), so that
   C_ijkl = C6[V(ij)][V(kl)] and sigma_V(ij) = sum_J C6[V(ij)][Q] gamma_J; the eigenstrain is kept as the six tensor
   components in the same order. PetscDS stores g3 as [i][k][j][l] (test component, trial component, test derivative,
   trial derivative): g3 = C_ijkl. */
#include <petscsys.h>
#include "reference-state.h"

#define VOIGT_N 6
#define STIFFNESS_N 21

static inline PetscInt Voigt(PetscInt i, PetscInt j)
{
  static const PetscInt v[3][3] = {
    {0, 5, 4},
    {5, 1, 3},
    {4, 3, 2}
  };
  return v[i][j];
}

/* C6[P][Q] from the upper triangle */
static inline PetscScalar StiffnessEntry(const PetscScalar C[], PetscInt P, PetscInt Q)
{
  const PetscInt i = PetscMin(P, Q), j = PetscMax(P, Q);
  return C[i * VOIGT_N - i * (i - 1) / 2 + (j - i)];
}

/* What a point carries (its cell's and its own state fields) */
typedef struct {
  const PetscScalar *eigenstrain; /* 6, Voigt order, tensor components */
  const PetscScalar *stiffness;   /* 21 */
  PetscInt           layer;
  PetscBool          active;
} PointState;

/* Point arithmetic: the strain and stress of a point, and the element residual summed from them, are carried in long
   double (a 64-bit significand on x86-64, 11 bits more than double). A plain displacement on a curled plate is
   1e2-1e4 times the strain it makes times the element size, so its gradient loses that many digits to cancellation,
   and the element residuals cancel again between neighbours; the residual that iterative refinement drives to zero
   must keep those digits, or the answer moves with the order of the sums (element-assembly.h). The stiffness
   matrix, only a preconditioner of the refinement, stays in double. */
typedef long double PointReal;

/* The strain of a displacement gradient H (dim x dim) as a 3x3 array: geometry linear, the small strain sym(H);
   nonlinear (green), the Green-Lagrange strain E = sym(H) + H^T H / 2 = (F^T F - I) / 2 with F = I + H, which a rigid
   rotation leaves at zero however large it is */
static inline void DisplacementStrain(PetscInt dim, PetscBool green, const PointReal H[], PointReal e[9])
{
  for (PetscInt k = 0; k < 9; k++) e[k] = 0;
  for (PetscInt i = 0; i < dim; i++)
    for (PetscInt j = 0; j < dim; j++) {
      PointReal hh = 0;
      if (green)
        for (PetscInt k = 0; k < dim; k++) hh += H[k * dim + i] * H[k * dim + j];
      e[i * 3 + j] = 0.5L * (H[i * dim + j] + H[j * dim + i] + hh);
    }
}

/* The mechanical strain m (3x3) at x from the departure's gradient u_x (dim x dim); green: of the Green-Lagrange
   strain (geometry nonlinear: then the reference is zero and u_x is the whole displacement's gradient, model.h) */
static inline void MechanicalStrain(PetscInt dim, PetscBool green, const PointReal u_x[], const PetscReal x[], const PetscScalar ref[], const PointState *ps, PointReal m[9])
{
  DisplacementStrain(dim, green, u_x, m);
  if (!ps->active) return;
  {
    const PointReal s = PetscRealPart(ref[REF_LOAD_SCALE]);
    PetscScalar     e[9];

    ReferenceStrain(dim, ref, ps->layer, x, e);
    for (PetscInt i = 0; i < 3; i++)
      for (PetscInt j = 0; j < 3; j++) m[i * 3 + j] += (PointReal)PetscRealPart(e[i * 3 + j]) - s * PetscRealPart(ps->eigenstrain[Voigt(i, j)]);
  }
}

/* sigma = C : m */
static inline void Stress(const PetscScalar C[], const PointReal m[9], PointReal sigma[9])
{
  PointReal g[VOIGT_N], s[VOIGT_N];

  g[0] = m[0];
  g[1] = m[4];
  g[2] = m[8];
  g[3] = m[5] + m[7];
  g[4] = m[2] + m[6];
  g[5] = m[1] + m[3];
  for (PetscInt P = 0; P < VOIGT_N; P++) {
    s[P] = 0;
    for (PetscInt Q = 0; Q < VOIGT_N; Q++) s[P] += (PointReal)PetscRealPart(StiffnessEntry(C, P, Q)) * g[Q];
  }
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt j = 0; j < 3; j++) sigma[i * 3 + j] = s[Voigt(i, j)];
}

/* Geometry nonlinear: the first Piola-Kirchhoff stress P = F S (3x3) of the second, S = C : m, with F = I + H (the
   displacement gradient, dim x dim, completed by F = 1 out of the mesh's plane). The weak form in the reference
   configuration: int grad v : P dV = 0, whose virtual work is delta E : S (delta E = sym(F^T grad v)). */
static inline void FirstPiolaStress(PetscInt dim, const PointReal H[], const PointReal S[9], PointReal P[9])
{
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt j = 0; j < 3; j++) {
      PointReal p = S[i * 3 + j];
      if (i < dim)
        for (PetscInt k = 0; k < dim; k++) p += H[i * dim + k] * S[k * 3 + j];
      P[i * 3 + j] = p;
    }
}

/* The aux fields of the kernels (state-fields.h), in this order */
enum { AUX_EIGENSTRAIN, AUX_TEMPERATURE, AUX_STIFFNESS, AUX_CELL, AUX_NUM_FIELDS };
/* CELL_MODULUS: the E (Pa) its stiffness was made with; CELL_KEPT: the fraction of the cell's material a patterned etch
   left (1: whole, 0: a void), by which its stiffness is scaled */
enum { CELL_LAYER, CELL_ACTIVE, CELL_MODULUS, CELL_KEPT, CELL_NUM };

/* The PointState of a kernel's aux values */
static inline void PointStateFromAux(const PetscScalar a[], const PetscInt aOff[], PointState *ps)
{
  ps->eigenstrain = &a[aOff[AUX_EIGENSTRAIN]];
  ps->stiffness   = &a[aOff[AUX_STIFFNESS]];
  ps->layer       = (PetscInt)(PetscRealPart(a[aOff[AUX_CELL] + CELL_LAYER]) + 0.5);
  ps->active      = (PetscBool)(PetscRealPart(a[aOff[AUX_CELL] + CELL_ACTIVE]) > 0.5);
}

/* Pointwise kernels: the residual's f1 (the stress) and the Jacobian's g3 (the stiffness), with the reference array as
   the PetscDS constants */
void f1_thermoelastic(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void g3_thermoelastic(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
