#pragma once
/* The laminate's layer stack: where a layer is declared (name, material, thickness) and where its z-range follows.
   One description feeds both fcclsim-mesh and the solver. Options (YAML case files give them as a list; ranges in
   `fcclsim -help`):
     -layers NAME,NAME,...               layer names from the bottom (z = 0) to the top, at most 64
     -layers_NAME_thickness_um  T        thickness in micrometres, 0.001 to 10000
     -layers_NAME_material      M        material name, looked up in the case and the materials database (solver only)
     -layers_NAME_elements      N        elements through the layer (default -mesh_elements_per_layer, 1)
*/
#include <petscsys.h>
#include "material.h"

#define STACK_MAX_NAME 64

typedef struct {
  char      name[STACK_MAX_NAME];
  char      material_name[STACK_MAX_NAME];
  Material  material;  /* NULL until StackLoadMaterials() */
  PetscReal thickness; /* m */
  PetscInt  elements;  /* elements through the thickness */
} Layer;

typedef struct _n_Stack *Stack;

/* Collective. Options blocks "Stack" and "Layer NAME"; under -help without a case, one layer called NAME. */
PetscErrorCode StackCreateFromOptions(MPI_Comm comm, Stack *stack);
/* Collective. Each layer's material (material.h) from the case's keys and MATERIALS_DIR/NAME.yaml */
PetscErrorCode StackLoadMaterials(Stack stack);
PetscInt       StackSize(Stack stack);                   /* the number of layers */
const Layer   *StackLayer(Stack stack, PetscInt i);      /* layer i, 0 = the bottom one */
PetscReal      StackZ(Stack stack, PetscInt i);          /* the height of interface i (0 = the bottom face), m */
MPI_Comm       StackComm(Stack stack);
/* Elements through the whole stack */
PetscInt       StackElementsThrough(Stack stack);
PetscErrorCode StackFindLayer(Stack stack, const char name[], PetscInt *index);
PetscErrorCode StackView(Stack stack, PetscViewer viewer);
PetscErrorCode StackDestroy(Stack *stack);
