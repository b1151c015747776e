#pragma once
/* The one bridge from Gmsh's C API errors to PETSc errors. Write the Gmsh call with `gmsh_ierr` as its error argument:
     PetscCallGmsh(tag = gmshModelGeoAddPoint(x, y, z, 0, -1, &gmsh_ierr));
   A failed call raises PETSC_ERR_LIB with Gmsh's own last message. */
#include <petscsys.h>
#include <gmshc.h>

PetscErrorCode GmshRaiseLastError(int gmsh_ierr, const char call[]);

#define PetscCallGmsh(...) \
  do { \
    int gmsh_ierr = 0; \
    __VA_ARGS__; \
    if (PetscUnlikely(gmsh_ierr)) PetscCall(GmshRaiseLastError(gmsh_ierr, #__VA_ARGS__)); \
  } while (0)
