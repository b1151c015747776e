#pragma once
/* The laminate's layer stack: where a layer is declared (name, material, thickness) and where its z-range follows.
   One description feeds both fcclsim-mesh and the solver. Options (YAML case files give them as a list):
     -layers NAME,NAME,...               layer names from the bottom (z = 0) to the top
     -layers_NAME_thickness_um  T        thickness in micrometres, > 0
     -layers_NAME_material      M        material name, looked up in the materials database (solver only)
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
struct _n_Stack {
  char       source[PETSC_MAX_PATH_LEN]; /* where the options came from, for messages */
  PetscInt   n;
  Layer     *layer; /* layer[0] is the bottom one */
  PetscReal *z;     /* n+1 interface heights, z[0] = 0, m */
};

PetscErrorCode StackCreateFromOptions(MPI_Comm comm, const char source[], Stack *stack);
PetscErrorCode StackLoadMaterials(MPI_Comm comm, Stack stack, const char materials_dir[]);
PetscErrorCode StackFindLayer(Stack stack, const char name[], PetscInt *index);
PetscErrorCode StackView(Stack stack, PetscViewer viewer);
PetscErrorCode StackDestroy(Stack *stack);
