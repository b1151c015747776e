#ifndef FCCLSIM_LAMINATE_H
#define FCCLSIM_LAMINATE_H

/* Classical (geometrically linear) laminate theory for a free stack of isotropic layers with isotropic in-plane
   eigenstrains: the code's built-in reference solution (physics.md 2.3 and 2.4).

   Layers are numbered from the bottom; z runs from 0 at the bottom face to h = sum t_i at the top face.
   Sign convention: total in-plane strain eps(z) = eps0 + kappa z; kappa > 0 <=> the top (+z) face is convex.
   SI units: t in m, E in Pa, curvature in 1/m, stress in Pa. */

#include <petscsys.h>

typedef struct {
  PetscReal t;   /* thickness (m) */
  PetscReal E;   /* Young's modulus (Pa) */
  PetscReal nu;  /* Poisson ratio */
  PetscReal eps; /* isotropic in-plane free strain (eigenstrain) */
} LaminatePly;

typedef struct {
  PetscReal eps0;  /* in-plane strain at z = 0 */
  PetscReal kappa; /* equibiaxial curvature (1/m) */
} LaminateSphere;

typedef struct {
  PetscReal epsx0, epsy0; /* in-plane strains at z = 0 */
  PetscReal kappa;        /* kappa_x (1/m); kappa_y = 0 */
} LaminateCylinder;

/* Small-deflection (spherical) state: N = M = 0 with biaxial moduli M_i = E_i/(1 - nu_i) */
PetscErrorCode LaminateSolveSphere(PetscInt n, const LaminatePly ply[], LaminateSphere *s);
/* Large-deflection (cylindrical) limit: N_x = N_y = 0, M_x = 0, kappa_y = 0, with Q_i = E_i/(1 - nu_i^2) */
PetscErrorCode LaminateSolveCylinder(PetscInt n, const LaminatePly ply[], LaminateCylinder *c);
/* Equibiaxial stress M_i (eps0 + kappa z - eps_i) in layer i (0-based) at height z (m) in that layer */
PetscErrorCode LaminateSphereStress(PetscInt n, const LaminatePly ply[], const LaminateSphere *s, PetscInt i, PetscReal z, PetscReal *sigma);

#endif
