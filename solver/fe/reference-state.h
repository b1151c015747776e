#pragma once
/* The smooth reference state u_r that the finite-element models solve their departure from: u = u_r + u_d.

   Why: at L = 100 mm with centimetre curl the displacements are 1e3-1e5 times the layer thickness, and a plain solve
   loses digits to cancellation in grad u. The reference is laminate theory's state of the stack (the process history
   the model runs in step with, laminate-history.h), known in closed form, so its strain enters the kernels exactly and
   the departure only carries what laminate theory does not: the free-edge boundary layers, and every state that is
   not uniform in plane. The answer does not depend on the reference (-solver_laminate_reference false sets it to
   zero and solves for the plain displacement), only its accuracy does.

   With z measured from the mesh's z = 0 (the bottom of the whole stack, bonded or not), (x, y) from the centre:
     3D:  u_r = ((e_x + k_x z) x, (e_y + k_y z) y, -(k_x x^2 + k_y y^2)/2 + W(z))
          eps(u_r) = diag(e_x + k_x z, e_y + k_y z, W'(z))
     2D:  the (x, z) section: u_r = ((e_x + k_x z) x, -k_x x^2/2 + W(z)), eps(u_r) = diag(e_x + k_x z, W'(z)), and the
          out-of-plane strain of generalized plane strain, one number e_out (mesh index 2 in the 3x3 strain)
   W'(z) = a_i + b_i z in layer i is the plane-stress thickness strain of the laminate layer (its sigma_zz vanishes),
   0 in a layer that is not part of the laminate; W is continuous, W(0) = 0. So the reference stress has no z
   components and is in equilibrium inside the plate: the right-hand side holds no large, nearly cancelling
   through-thickness terms.

   This header is the one place the reference is written: the kernels, the element assembly, the curl fit and the
   field output all evaluate it from the same packed array of constants (layout below), which the model fills from
   the laminate history at solve time (model.c). */
#include <petscsys.h>

enum {
  REF_KX,         /* k_x, 1/m (kappa > 0: the top face convex) */
  REF_KY,         /* k_y (3D) */
  REF_EX,         /* e_x at z = 0 */
  REF_EY,         /* e_y at z = 0 (3D) */
  REF_EOUT,       /* 2D: the out-of-plane strain */
  REF_LOAD_SCALE, /* 1: the eigenstrain loads the model; 0: the 2D unit out-of-plane problem, which has none */
  REF_NLAYERS,
  REF_LAYER0      /* then per layer: */
};
enum { REF_ZLO, REF_A, REF_B, REF_W0, REF_LAYER_SIZE }; /* bottom height, W' = a + b z, W at the bottom */
#define REFERENCE_SIZE(nlayers) (REF_LAYER0 + REF_LAYER_SIZE * (nlayers))

static inline const PetscScalar *ReferenceLayer(const PetscScalar ref[], PetscInt layer)
{
  return &ref[REF_LAYER0 + REF_LAYER_SIZE * layer];
}

/* The layer whose z-range holds z (the bottom one for z at an interface: W is continuous there) */
static inline PetscInt ReferenceLayerAt(const PetscScalar ref[], PetscReal z)
{
  const PetscInt n = (PetscInt)PetscRealPart(ref[REF_NLAYERS]);
  PetscInt       i = 0;

  while (i + 1 < n && z > PetscRealPart(ReferenceLayer(ref, i + 1)[REF_ZLO])) i++;
  return i;
}

/* eps(u_r) at x in layer `layer`, as a 3x3 array in the mesh's axes (2D: (x, z), then the out-of-plane direction) */
static inline void ReferenceStrain(PetscInt dim, const PetscScalar ref[], PetscInt layer, const PetscReal x[], PetscScalar e[9])
{
  const PetscScalar *L = ReferenceLayer(ref, layer);
  const PetscReal    z = x[dim - 1];

  for (PetscInt k = 0; k < 9; k++) e[k] = 0;
  e[0] = ref[REF_EX] + ref[REF_KX] * z;
  if (dim == 3) {
    e[4] = ref[REF_EY] + ref[REF_KY] * z;
    e[8] = L[REF_A] + L[REF_B] * z;
  } else {
    e[4] = L[REF_A] + L[REF_B] * z;
    e[8] = ref[REF_EOUT];
  }
}

/* u_r at x (dim components) */
static inline void ReferenceDisplacement(PetscInt dim, const PetscScalar ref[], const PetscReal x[], PetscScalar u[])
{
  const PetscReal    z = x[dim - 1];
  const PetscScalar *L = ReferenceLayer(ref, ReferenceLayerAt(ref, z));
  const PetscReal    dz = z - PetscRealPart(L[REF_ZLO]);
  const PetscScalar  W  = L[REF_W0] + L[REF_A] * dz + 0.5 * L[REF_B] * (z * z - PetscRealPart(L[REF_ZLO]) * PetscRealPart(L[REF_ZLO]));

  u[0] = (ref[REF_EX] + ref[REF_KX] * z) * x[0];
  if (dim == 3) {
    u[1] = (ref[REF_EY] + ref[REF_KY] * z) * x[1];
    u[2] = -0.5 * (ref[REF_KX] * x[0] * x[0] + ref[REF_KY] * x[1] * x[1]) + W;
  } else u[1] = -0.5 * ref[REF_KX] * x[0] * x[0] + W;
}
