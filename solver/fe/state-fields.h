#pragma once
/* The state the finite-element model carries at every point of every layer, as fields on the mesh:
     per quadrature point: the eigenstrain (6 tensor components, Voigt order, elasticity-kernels.h) and the temperature;
     per cell:             the stiffness (the 21 numbers of the 6x6 Voigt matrix in the mesh's axes) and the cell's
                           layer, activity (1: part of the laminate; 0: not bonded yet, or etched) and the modulus E its
                           stiffness was made with (a material's moduli are in proportion to E).
   Quadrature-point data is held as a discontinuous Lagrange field of the displacement's degree whose nodes are the
   Gauss points of the displacement's quadrature (Gauss-Jacobi nodes), so a node's value is the value at its
   quadrature point and nothing is interpolated: PETSc's kernels read it as auxiliary fields, and the model's own cell
   loops read and write it point by point through StateFieldsNodeOf. One local vector holds all of it; it is the
   auxiliary vector of the model's DMs, and a copy of it is a snapshot of the state (branches, checkpoints). */
#include <petscdmplex.h>
#include <petscfe.h>
#include "elasticity-kernels.h"

typedef struct _n_StateFields *StateFields;

/* The state of one cell: pointers into the local vector's array */
typedef struct {
  PetscScalar *eigenstrain; /* [node][VOIGT_N] */
  PetscScalar *temperature; /* [node], K */
  PetscScalar *stiffness;   /* [STIFFNESS_N], Pa */
  PetscScalar *cell;        /* [CELL_NUM]: layer index, active (0/1), the modulus E of its stiffness (Pa), the fraction
                               a patterned etch kept */
} CellState;

/* Collective. dm: the model's mesh (a clone of it holds the fields), disp: the displacement's element (its quadrature
   is the state's points). The layer of each cell comes from the mesh's "Cell Sets" label (layer i has tag i + 1).
   Every cell starts inactive, with zero eigenstrain and temperature. */
PetscErrorCode StateFieldsCreate(DM dm, PetscFE disp, StateFields *sf);
PetscErrorCode StateFieldsDestroy(StateFields *sf);
DM             StateFieldsDM(StateFields sf);
Vec            StateFieldsVec(StateFields sf); /* local */
PetscInt       StateFieldsNumPoints(StateFields sf);
/* The node (of the quadrature-point fields) that holds quadrature point q */
PetscInt       StateFieldsNodeOf(StateFields sf, PetscInt q);
/* Cell c's state inside the array of StateFieldsVec */
PetscErrorCode StateFieldsCell(StateFields sf, PetscScalar array[], PetscInt c, CellState *cs);
