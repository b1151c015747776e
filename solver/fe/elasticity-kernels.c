#include "elasticity-kernels.h"

void f1_thermoelastic(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar f1[])
{
  PointState ps;
  PointReal  g[9], m[9], sigma[9];

  PointStateFromAux(a, aOff, &ps);
  for (PetscInt k = 0; k < dim * dim; k++) g[k] = PetscRealPart(u_x[k]);
  MechanicalStrain(dim, PETSC_FALSE, g, x, constants, &ps, m); /* the pointwise path is geometry linear's only */
  Stress(ps.stiffness, m, sigma);
  for (PetscInt i = 0; i < dim; i++)
    for (PetscInt j = 0; j < dim; j++) f1[i * dim + j] = (PetscReal)sigma[i * 3 + j];
}

void g3_thermoelastic(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal u_tShift, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar g3[])
{
  PointState ps;

  PointStateFromAux(a, aOff, &ps);
  for (PetscInt i = 0; i < dim; i++)
    for (PetscInt k = 0; k < dim; k++)
      for (PetscInt j = 0; j < dim; j++)
        for (PetscInt l = 0; l < dim; l++) g3[((i * dim + k) * dim + j) * dim + l] += StiffnessEntry(ps.stiffness, Voigt(i, j), Voigt(k, l));
}
