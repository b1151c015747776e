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

/* The general state: plies at absolute heights (z from the bottom of the whole stack, gaps allowed where layers are
   etched away, though the plies passed must be contiguous) with eigenstrains that vary linearly through each ply and may
   differ between x and y: what a layer born on a curved stack, or on one flattened in a press, carries. */
typedef struct {
  PetscReal zlo, t;         /* bottom height and thickness (m) */
  PetscReal E, nu;          /* Pa, - */
  PetscReal ex, gx, ey, gy; /* eigenstrain eps*_x(z) = ex + gx z, eps*_y(z) = ey + gy z (gx, gy in 1/m) */
} LaminateLayer;

/* Total in-plane strain eps_x(z) = ex + kx z, eps_y(z) = ey + ky z (z absolute, curvatures in 1/m) */
typedef struct {
  PetscReal ex, kx, ey, ky;
} LaminateStrain;

typedef enum {
  LAMINATE_PLATE,         /* free plate, small deflection: N_x = N_y = M_x = M_y = 0 (the 3D model's reference) */
  LAMINATE_CYLINDER,      /* large-deflection limit: N_x = N_y = M_x = 0, k_y = 0 (the 2D model's reference) */
  LAMINATE_FLAT,          /* held flat, in-plane stretch free: N_x = N_y = 0, k_x = k_y = 0 (a press) */
  LAMINATE_CYLINDER_UNIT, /* no eigenstrain, eps_y = 1 imposed, k_y = 0: N_x = M_x = 0 (the 2D unit problem) */
  LAMINATE_FLAT_UNIT      /* no eigenstrain, eps_y = 1 imposed, k_x = k_y = 0: N_x = 0 (the same, held flat) */
} LaminateMode;

/* Plane-stress laminate theory (Q_i = E_i/(1 - nu_i^2)) for the given mode; exact for linear eigenstrains. */
PetscErrorCode LaminateSolveStrain(PetscInt n, const LaminateLayer layer[], LaminateMode mode, LaminateStrain *s);
/* In-plane stresses sigma_x, sigma_y (Pa) of layer i at height z for the total strain s */
PetscErrorCode LaminateLayerStress(const LaminateLayer *layer, const LaminateStrain *s, PetscReal z, PetscReal *sx, PetscReal *sy);

#endif
