#pragma once
/* The stiffness matrix and the load vector of the layered plate, assembled cell by cell, the same on any number of
   ranks.

   Why not PETSc's generic path (DMPlexSNESComputeJacobianFEM, kept for the matrix as -solver_stiffness pointwise;
   DMPlexSNESComputeResidualFEM, used by -solver_stiffness_verify):
   - speed: PETSc 3.18 builds a Jacobian from the pointwise g3 kernel by a general [component][component][derivative]
     [derivative] contraction that costs about 20 ms per vector Q2 hexahedron (a 5-layer 100 mm plate at nx = 6 spent
     23 s in it). Here the element matrix is written for isotropic elasticity alone,
       K[a][b] = sum_q w_q |J_q| ( lambda d_c(a) phi_a d_c(b) phi_b + mu d_c(b) phi_a d_c(a) phi_b
                                   + mu [c(a) = c(b)] grad phi_a . grad phi_b ),
     c(a) being the component basis function a acts on, with the PetscFE's own tabulation, quadrature and closure order
     (the same matrix to round-off: -solver_stiffness_verify compares them entry by entry); 20-30x faster.
   - reproducibility: an entry of the global matrix or load sums the contributions of up to 8 cells, in an order that
     depends on the partition, and on a 100 mm plate with um layers the bending response amplifies that last-bit
     difference by (element length / layer thickness)^2 ~ 1e7 (1e-8 in the centre curvature between 1, 2 and 4 ranks).
     So every contribution v is split into v_hi, a multiple of a quantum q = 2^-40 of the largest contribution (whose
     sums of up to 2^13 terms are exact in double, hence independent of order), and v_lo = v - v_hi (exact, at most
     q/2, so its sums err by ~1e-16 q). The result is rounded once, from hi + lo: the same bits on any partition
     except where the lo sums' round-off (~1e-27 of the largest entry) meets a rounding boundary, and except entries
     no larger than q (inactive cells' 1e-12 stiffness, cancelled interior loads), which are plain sums at that scale.
   Both work for any Lagrange degree and dimension of a vector field whose basis functions each act on one component. */
#include <petscdmplex.h>
#include <petscfe.h>

/* Assemble A (zeroed here, assembled on return): dm carries the vector field 0; cell_layer is a local vector of a DG0
   field on a clone of dm holding each cell's layer index; lambda[] and mu[] (Pa) are indexed by layer. */
PetscErrorCode ElementAssemblyStiffness(DM dm, Vec cell_layer, const PetscReal lambda[], const PetscReal mu[], Mat A);
/* b = -F(0), the load at zero departure: F is the residual of the DS's field-0 f1 kernel, with its constants and
   cell_layer as the auxiliary field. */
PetscErrorCode ElementAssemblyLoad(DM dm, Vec cell_layer, Vec b);
