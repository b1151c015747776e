#pragma once
/* What every cell loop needs of the mesh that does not change while a history runs, computed once: per cell, the
   quadrature points' coordinates, det J, and the physical gradients of the displacement's basis functions at every
   point; and where each closure value of a cell sits in a local vector.

   Why a cache: the history visits every cell many times (each refinement round's residual, each temperature
   increment's state update, each assembly), and recomputing the geometry and the gradients (invJ^T grad_xi phi, 6561
   products per Q2 hexahedron) on every visit took 27 % of a 3D history on the 100 mm plate (perf, bench/plate-3d.py
   at nx 8). The price is memory: 8 (Nq dim Nb + Nq (dim + 1)) + 4 Nb bytes per cell (32-bit PetscInt), 18.7 kB for
   a Q2 hexahedron, 3-4 % of a direct solve's peak.

   The closure offsets are read off DMPlexVecGetClosure of a local vector holding its own indices, once per local
   layout: if a closure is not a plain gather (an orientation flip) or a DM's layout differs, the loops fall back to
   PETSc's closure calls (CellGeometryClosureOffsets gives NULL). */
#include <petscdmplex.h>
#include <petscfe.h>

typedef struct _n_CellGeometry *CellGeometry;

/* Collective. dm: the model's mesh with the displacement element fe as field 0; every DM the loops later see is a
   clone of it with the same field, so the same local layout (checked where it is used). An inverted cell is a user
   error naming the cell. */
PetscErrorCode   CellGeometryCreate(DM dm, PetscFE fe, CellGeometry *geo);
PetscErrorCode   CellGeometryDestroy(CellGeometry *geo);
/* The component each basis function acts on ([Nb]; one per function, else CellGeometryCreate fails), and Nb */
const PetscInt  *CellGeometryComponents(CellGeometry geo);
PetscInt         CellGeometryNumBasis(CellGeometry geo);
/* Cell c's quadrature points [Nq][dim], det J [Nq] and gradients G [Nq][Nb][dim] (of basis function b's component) */
void             CellGeometryCell(CellGeometry geo, PetscInt c, const PetscReal **x, const PetscReal **detJ, const PetscReal **G);
/* The closure offsets of every cell of dm in its local vectors, [c - cStart][Nb], or NULL: use the closure calls. dm is
   the mesh the geometry was made on or a DM with the same cells and field; its local section is checked once against
   the offsets' (the constraints of a solve's DM do not move local offsets). */
PetscErrorCode   CellGeometryClosureOffsets(CellGeometry geo, DM dm, const PetscInt **offsets);
