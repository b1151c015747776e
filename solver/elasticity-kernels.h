#pragma once
/* Pointwise kernels of the thermo-elastic layered plate (PetscDS conventions; pure arithmetic, no PETSc calls).

   The unknown is the departure u_d from a smooth reference state u_r that laminate theory supplies, u = u_r + u_d.
   At L = 100 mm with centimetre curl the displacements are 1e3-1e5 times the layer thickness and a plain solve loses
   digits to cancellation in grad u; the reference's strain is known in closed form, so it enters the kernels exactly.
   With z measured from the mesh's z = 0 (the bottom of the whole stack, etched or not):
     3D:  eps(u_r) = diag(e_x + k_x z, e_y + k_y z, eps_zz^r(z)),  u_r,z = -(k_x x^2 + k_y y^2)/2 + W(z)
     2D:  eps(u_r) = diag(e_x + k_x z, eps_zz^r(z)) in the (x, z) section, u_r,z = -k_x x^2/2 + W(z)
   where eps_zz^r makes the reference plane stress in every layer (sigma_zz = 0): eps_zz^r - eps*_zz =
   -lambda/(lambda + 2 mu) (m_xx + m_yy). The reference stress then depends on z alone and has no z components, so it is
   in equilibrium inside the plate: the departure only carries the free-edge boundary layer, and the right-hand side
   holds no large, nearly cancelling through-thickness terms (which cost 1e-8 in rank-to-rank agreement).
   The 2D model is generalized plane strain: the out-of-plane strain eps_yy is one uniform number (CONST_EPS_OUT).

   Each layer carries an eigenstrain (the strain at which it is stress-free): in plane, linear in z,
     eps*_x(z) = ex0 + ex1 z,  eps*_y(z) = ey0 + ey1 z   (the strain it was born with plus its thermal strain since),
   and eps*_zz, which only moves the layer's thickness (W) and never enters the stress.
   An inactive layer (not bonded yet, or etched) has no reference strain and no eigenstrain, and a stiffness 1e-12
   times the stiffest active layer's: its dofs are held at zero by an essential condition except those inside its cells,
   which PETSc's label conditions do not reach (they act on faces, edges and vertices), and this keeps them regular
   while adding nothing measurable (a 1e-12 relative force on the active stack).

   Weak form: find u_d with  int grad v : sigma dV = 0  for all v, where
     sigma = lambda tr(m) I + 2 mu m,   m = eps(u_d) + eps(u_r) - s eps*,
   with lambda, mu and eps* of the layer the point lies in (aux field 0 = layer index) and s = CONST_LOAD_SCALE (1 for
   the thermal problem; 0 for the unit out-of-plane strain problem of the 2D model, which has a reference of its own).
   f1[i][j] = sigma_ij;  d sigma_ij / d (grad u_d)_kl = lambda d_ij d_kl + mu (d_ik d_jl + d_il d_jk), which PetscDS
   stores in g3 as [i][k][j][l] (test component, trial component, test derivative, trial derivative). */
#include <petscsys.h> /* types and PetscRealPart only: the kernels call no PETSc function */

enum {
  CONST_KAPPA_X,   /* reference curvature k_x, 1/m (kappa > 0: top face convex) */
  CONST_KAPPA_Y,   /* reference curvature k_y (3D only) */
  CONST_EPS_X,     /* reference strain e_x at z = 0 (the mesh's bottom) */
  CONST_EPS_Y,     /* reference strain e_y at z = 0 (3D only) */
  CONST_EPS_OUT,   /* 2D: total out-of-plane strain eps_yy */
  CONST_LOAD_SCALE,
  CONST_NUM_LAYERS,
  CONST_LAYER0     /* then per layer: lambda, mu (Pa), eigenstrain lines ex0, ex1 (1/m), ey0, ey1, eps*_zz, active (1/0) */
};
enum { LAYER_LAMBDA, LAYER_MU, LAYER_EX0, LAYER_EX1, LAYER_EY0, LAYER_EY1, LAYER_EZ, LAYER_ACTIVE, LAYER_NUM_CONSTANTS };

/* The full 3x3 stress (Pa) at a point, from the departure's gradient u_x; for dim = 2 the section's (x, z) are indices
   (0, 1) and index 2 is the out-of-plane direction. Negligible (1e-12 scale) in an inactive layer. */
void ThermoelasticStress(PetscInt dim, const PetscScalar u_x[], const PetscReal x[], const PetscScalar a[], const PetscInt aOff[], const PetscScalar constants[], PetscScalar sigma[9]);

void f1_thermoelastic_3d(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void f1_thermoelastic_2d(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void g3_thermoelastic(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
/* Objectives for cell averages and resultants: sigma_xx, sigma_yy (the out-of-plane stress in 2D) */
void obj_sigma_xx(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void obj_sigma_yy(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
