#pragma once
/* Pointwise kernels of the thermo-elastic layered plate (PetscDS conventions; pure arithmetic, no PETSc calls).

   The unknown is the departure u_d from a smooth reference state u_r that laminate theory supplies, u = u_r + u_d.
   At L = 100 mm with centimetre curl the displacements are 1e3-1e5 times the layer thickness and a plain solve loses
   digits to cancellation in grad u; the reference's strain is known in closed form, so it enters the kernels exactly:
     3D:  u_r = ((e_x + k_x z) x, (e_y + k_y z) y, -(k_x x^2 + k_y y^2)/2)  =>  eps(u_r) = diag(e_x + k_x z, e_y + k_y z, 0)
     2D:  u_r = ((e_x + k_x z) x, -k_x x^2/2) in the (x, z) section          =>  eps(u_r) = diag(e_x + k_x z, 0)
   The 2D model is generalized plane strain: the out-of-plane strain eps_yy is one uniform number (CONST_EPS_OUT).

   Weak form: find u_d with  int grad v : sigma dV = 0  for all v, where
     sigma = lambda tr(m) I + 2 mu m,   m = eps(u_d) + s (eps(u_r) - eps_th),   eps_th = diag(eps_in, eps_in, eps_z),
   with lambda, mu, eps_in, eps_z of the layer the point lies in (aux field 0 = layer index) and s = CONST_LOAD_SCALE
   (1 for the thermal problem; 0 for the unit out-of-plane strain problem of the 2D model).
   f1[i][j] = sigma_ij;  d sigma_ij / d (grad u_d)_kl = lambda d_ij d_kl + mu (d_ik d_jl + d_il d_jk), which PetscDS
   stores in g3 as [i][k][j][l] (test component, trial component, test derivative, trial derivative). */
#include <petscsys.h> /* types and PetscRealPart only: the kernels call no PETSc function */

enum {
  CONST_KAPPA_X,   /* reference curvature k_x, 1/m (kappa > 0: top face convex) */
  CONST_KAPPA_Y,   /* reference curvature k_y (3D only) */
  CONST_EPS_X,     /* reference strain e_x at z = 0 */
  CONST_EPS_Y,     /* reference strain e_y at z = 0 (3D only) */
  CONST_EPS_OUT,   /* 2D: total out-of-plane strain eps_yy */
  CONST_LOAD_SCALE,
  CONST_NUM_LAYERS,
  CONST_LAYER0     /* then per layer: lambda, mu (Pa), eps_in, eps_z, active (1/0) */
};
enum { LAYER_LAMBDA, LAYER_MU, LAYER_EPS_IN, LAYER_EPS_Z, LAYER_ACTIVE, LAYER_NUM_CONSTANTS };

void f1_thermoelastic_3d(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void f1_thermoelastic_2d(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void g3_thermoelastic(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
/* Objectives for cell averages and resultants: sigma_xx, sigma_yy (the out-of-plane stress in 2D) */
void obj_sigma_xx(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
void obj_sigma_yy(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
