#pragma once
/* The stiffness matrix and the residual of the layered plate, assembled cell by cell, the same on any number of
   ranks; and the cell loop that the model's other point-by-point work (state updates, cell averages) shares.

   Why not PETSc's generic path (DMPlexSNESComputeJacobianFEM, kept for the matrix as -solver_stiffness pointwise;
   DMPlexSNESComputeResidualFEM, used by -solver_stiffness_verify):
   - speed: PETSc 3.18 builds a Jacobian from the pointwise g3 kernel by a general [component][component][derivative]
     [derivative] contraction that costs about 20 ms per vector Q2 hexahedron. Here the element matrix is
       K[a][b] = sum_q w_q |J_q| B_a^T C B_b,
     with B_a the Voigt strain of basis function a (its gradient, placed by the component it acts on) and C the cell's
     stiffness (state-fields.h), using the PetscFE's own tabulation, quadrature and closure order (the same matrix to
     round-off: -solver_stiffness_verify compares them entry by entry).
   - precision: the residual is the iterative refinement's, and in double its round-off (1e-16 of the element terms,
     which cancel to a far smaller sum) would decide the answer of a plain-displacement solve on a thin plate; each
     element residual is formed in long double (PointReal) and summed as below, so the plain and the split solves
     agree to 5e-10 in the curl map at L = 10 mm (tests/fe).
   - reproducibility: an entry of the global matrix or residual sums the contributions of up to 8 cells, in an order that
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
#include "cell-geometry.h"
#include "state-fields.h"

/* What every cell loop needs: the displacement's quadrature, the current cell's geometry and physical gradients of
   its basis functions at every quadrature point (cell-geometry.h, computed once), and the cell's state */
typedef struct {
  PetscInt         dim, Nb, Nq, c, cStart;
  const PetscReal *weights;
  const PetscInt  *comp;     /* the component each basis function acts on */
  const PetscReal *x, *detJ; /* per quadrature point, of cell c */
  const PetscReal *G;        /* [q][b][d]: the gradient of basis function b's component at point q */
  const PetscInt  *offsets;  /* closure offsets in local vectors (cell-geometry.h), or NULL */
  CellGeometry     geo;
  StateFields      sf;
  PetscScalar     *state;    /* the state's local array */
  CellState        cs;       /* of the current cell */
  PetscBool        green;    /* geometry nonlinear: strains are Green-Lagrange (elasticity-kernels.h); false here,
                                set by the caller */
} CellLoop;

PetscErrorCode CellLoopBegin(DM dm, CellGeometry geo, StateFields sf, CellLoop *cl);
PetscErrorCode CellLoopEnd(CellLoop *cl);
/* Geometry, gradients and state of cell c */
PetscErrorCode CellLoopSetCell(DM dm, PetscInt c, CellLoop *cl);
/* The current cell's closure values of the local vector loc (its array a) into closure[Nb]; adds values[Nb] to them */
PetscErrorCode CellLoopGetClosure(DM dm, const CellLoop *cl, Vec loc, const PetscScalar a[], PetscScalar closure[]);
PetscErrorCode CellLoopAddClosure(DM dm, const CellLoop *cl, Vec loc, PetscScalar a[], const PetscScalar values[]);
/* The departure's gradient (dim x dim) at point q from the cell's closure values, in point arithmetic */
void           CellLoopGradient(const CellLoop *cl, PetscInt q, const PetscScalar closure[], PointReal u_x[]);
/* The state of point q of the current cell */
void           CellLoopPointState(const CellLoop *cl, PetscInt q, PointState *ps);
/* Point q's mechanical strain m (3x3) and stress s (geometry linear: sigma; nonlinear: the second Piola-Kirchhoff S)
   from the cell's closure values, with the reference ref; u_x (or NULL) receives the gradient */
void           CellLoopStress(const CellLoop *cl, PetscInt q, const PetscScalar closure[], const PetscScalar ref[], PointReal u_x[], PointReal m[9], PointReal s[9]);

/* Assemble A (zeroed here, assembled on return): dm carries the displacement as field 0 */
PetscErrorCode ElementAssemblyStiffness(DM dm, CellGeometry geo, StateFields sf, Mat A);
/* Geometry nonlinear: A = the tangent dF/du of the Green-Lagrange residual at the displacement u (global), with the
   reference ref; the element matrix K_ab = sum_q w (B_a . C B_b + delta(c_a, c_b) g_a . S g_b), where B_b is the
   Voigt form of sym(F^T grad phi_b) (its virtual Green-Lagrange strain) and S the point's second Piola-Kirchhoff
   stress (the geometric stiffness). Symmetric; at u = 0 with no stress, the linear stiffness. Summed split as above. */
PetscErrorCode ElementAssemblyTangent(DM dm, CellGeometry geo, StateFields sf, const PetscScalar ref[], Vec u, Mat A);
/* F = F(u), the residual of the weak form (elasticity-kernels.h) at the departure u (global; the constrained values
   from the DM's essential boundary conditions), with the reference array ref (reference-state.h): each element's
   residual in point arithmetic (long double), summed split, rounded once. terms_max (or NULL): the largest sum of the
   magnitudes of the terms of an element residual entry, the scale of the round-off of a residual summed in double.
   green: geometry nonlinear, the residual of int grad v : (F S) dV (elasticity-kernels.h). */
PetscErrorCode ElementAssemblyResidual(DM dm, CellGeometry geo, StateFields sf, PetscBool green, const PetscScalar ref[], Vec u, Vec F, PetscReal *terms_max);
