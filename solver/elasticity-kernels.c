#include <math.h>
#include "elasticity-kernels.h"

static inline const PetscScalar *LayerConstants(const PetscScalar a[], const PetscInt aOff[], const PetscScalar constants[])
{
  const PetscInt layer = (PetscInt)(PetscRealPart(a[aOff[0]]) + 0.5);
  return &constants[CONST_LAYER0 + LAYER_NUM_CONSTANTS * layer];
}

/* Mechanical strain m (3x3, row-major) at a point; for dim = 2 the section's (x, z) are indices (0, 1) and the
   out-of-plane direction is index 2. An inactive (etched) layer carries no stress: m = 0. */
static inline void MechanicalStrain(PetscInt dim, const PetscScalar u_x[], const PetscReal x[], const PetscScalar c[], const PetscScalar *L, PetscScalar m[9])
{
  const PetscScalar s = c[CONST_LOAD_SCALE], z = x[dim - 1];
  const PetscScalar nz = L[LAYER_LAMBDA] / (L[LAYER_LAMBDA] + 2 * L[LAYER_MU]);
  const PetscScalar mx = c[CONST_EPS_X] + c[CONST_KAPPA_X] * z - s * (L[LAYER_EX0] + L[LAYER_EX1] * z);

  for (PetscInt k = 0; k < 9; k++) m[k] = 0;
  for (PetscInt i = 0; i < dim; i++)
    for (PetscInt j = 0; j < dim; j++) m[i * 3 + j] = 0.5 * (u_x[i * dim + j] + u_x[j * dim + i]);
  if (PetscRealPart(L[LAYER_ACTIVE]) < 0.5) return; /* an inactive layer: no reference, no eigenstrain */
  if (dim == 3) {
    const PetscScalar my = c[CONST_EPS_Y] + c[CONST_KAPPA_Y] * z - s * (L[LAYER_EY0] + L[LAYER_EY1] * z);
    m[0] += mx;
    m[4] += my;
    m[8] -= nz * (mx + my);
  } else {
    m[0] += mx;
    m[8] = c[CONST_EPS_OUT] - s * (L[LAYER_EY0] + L[LAYER_EY1] * z);
    m[4] -= nz * (mx + m[8]);
  }
}

static inline void Stress(const PetscScalar *L, const PetscScalar m[9], PetscScalar sigma[9])
{
  const PetscScalar tr = m[0] + m[4] + m[8];

  for (PetscInt k = 0; k < 9; k++) sigma[k] = 2 * L[LAYER_MU] * m[k];
  for (PetscInt k = 0; k < 3; k++) sigma[k * 4] += L[LAYER_LAMBDA] * tr;
}

void ThermoelasticStress(PetscInt dim, const PetscScalar u_x[], const PetscReal x[], const PetscScalar a[], const PetscInt aOff[], const PetscScalar constants[], PetscScalar sigma[9])
{
  const PetscScalar *L = LayerConstants(a, aOff, constants);
  PetscScalar        m[9];

  MechanicalStrain(dim, u_x, x, constants, L, m);
  Stress(L, m, sigma);
}

void f1_thermoelastic_3d(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar f1[])
{
  PetscScalar sigma[9];

  ThermoelasticStress(3, u_x, x, a, aOff, constants, sigma);
  for (PetscInt k = 0; k < 9; k++) f1[k] = sigma[k];
}

void f1_thermoelastic_2d(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar f1[])
{
  PetscScalar sigma[9];

  ThermoelasticStress(2, u_x, x, a, aOff, constants, sigma);
  f1[0] = sigma[0];
  f1[1] = sigma[1];
  f1[2] = sigma[3];
  f1[3] = sigma[4];
}

void g3_thermoelastic(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal u_tShift, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar g3[])
{
  const PetscScalar *L = LayerConstants(a, aOff, constants);

  /* PetscDS orders g3 as [test component i][trial component k][test derivative j][trial derivative l] */
  for (PetscInt i = 0; i < dim; i++) {
    for (PetscInt j = 0; j < dim; j++) {
      g3[((i * dim + j) * dim + i) * dim + j] += L[LAYER_LAMBDA]; /* lambda d_ij d_kl */
      g3[((i * dim + i) * dim + j) * dim + j] += L[LAYER_MU];     /* mu d_ik d_jl */
      g3[((i * dim + j) * dim + j) * dim + i] += L[LAYER_MU];     /* mu d_il d_jk */
    }
  }
}

void obj_sigma_xx(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar obj[])
{
  PetscScalar sigma[9];

  ThermoelasticStress(dim, u_x, x, a, aOff, constants, sigma);
  obj[0] = sigma[0];
}

/* In 3D sigma_yy is the in-plane y stress; in 2D it is the out-of-plane stress (index 2), whose resultant must vanish. */
void obj_sigma_yy(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar obj[])
{
  PetscScalar sigma[9];

  ThermoelasticStress(dim, u_x, x, a, aOff, constants, sigma);
  obj[0] = dim == 3 ? sigma[4] : sigma[8];
}
