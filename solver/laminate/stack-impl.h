#pragma once
/* The stack's insides, for stack.c alone */
#include "stack.h"

struct _n_Stack {
  MPI_Comm   comm;
  PetscInt   n;
  Layer     *layer; /* layer[0] is the bottom one */
  PetscReal *z;     /* n+1 interface heights, z[0] = 0, m */
};
