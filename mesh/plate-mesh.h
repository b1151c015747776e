#pragma once
/* Structured meshes of the layered plate, built with the Gmsh C API and written as .msh 4.1.

   3D: the sample [-Lx/2, Lx/2] x [-Ly/2, Ly/2] (full) or its quarter [0, Lx/2] x [0, Ly/2] (symmetry planes x = 0 and
   y = 0), z from 0 at the bottom of the first layer. Hexahedra: transfinite in plane, one Gmsh volume per layer.
   2D: the x-z cross-section [-Lx/2, Lx/2] or [0, Lx/2] in x; Gmsh's (and PETSc's) second coordinate is z. Quadrilaterals.

   Options (block "Plate and mesh"; ranges in `fcclsim -help`):
     -model 3d|2d|laminate         which model (laminate needs no mesh)
     -plate_lx_mm, -plate_ly_mm    sample size in mm (default 100 x 100)
     -plate_symmetry full|quarter  default quarter; full when an etch has a pattern (a pattern has no symmetry in
                                   general)
     -mesh_nx, -mesh_ny            elements from the centre to the free edge along x and y (default 16)
     -mesh_edge_ratio R            size of the element at the free edge / size at the centre (default 1, uniform;
                                   R < 1 refines toward the free edges, where the bending boundary layer sits)
     -mesh_max_dofs N              the largest mesh allowed (default 2e7 DOFs), checked before meshing
     -mesh_file FILE               a mesh from fcclsim-mesh to use instead; -mesh_gmsh_verbose: Gmsh's messages
   Physical groups: layer i (0 = bottom) is volume (2D: surface) group i+1 named after the layer; faces (2D: curves)
   carry the tags of PlateFace. */
#include <petscsys.h>
#include "stack.h"

typedef enum { PLATE_FULL, PLATE_QUARTER } PlateSymmetry;
typedef enum { MODEL_3D, MODEL_2D, MODEL_LAMINATE } ModelKind;
extern const char *const PlateSymmetryNames[];
extern const char *const ModelKindNames[];

typedef enum {
  PLATE_FACE_BOTTOM     = 101,
  PLATE_FACE_TOP        = 102,
  PLATE_FACE_EDGE_XMIN  = 103,
  PLATE_FACE_EDGE_XMAX  = 104,
  PLATE_FACE_EDGE_YMIN  = 105,
  PLATE_FACE_EDGE_YMAX  = 106,
  PLATE_FACE_SYMMETRY_X = 107, /* the plane x = 0 of a quarter model */
  PLATE_FACE_SYMMETRY_Y = 108  /* the plane y = 0 of a quarter model */
} PlateFace;

typedef struct {
  ModelKind     model;
  PlateSymmetry symmetry;
  PetscReal     lx, ly; /* m */
  PetscInt      nx, ny;
  PetscReal     edge_ratio;
  char          file[PETSC_MAX_PATH_LEN]; /* -mesh_file, or empty */
  PetscBool     gmsh_verbose;
} PlateMesh;

/* Collective. elements_through: the elements through the whole stack, for the size check; patterned: an etch has a
   pattern (the default symmetry is then full) */
PetscErrorCode PlateMeshFromOptions(MPI_Comm comm, PetscInt elements_through, PetscBool patterned, PlateMesh *pm);
/* Builds the mesh on rank 0 of comm (Gmsh is serial) and writes it atomically: a temporary file renamed when complete.
   Collective: every rank returns the error if rank 0 fails. */
PetscErrorCode PlateMeshWrite(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char filename[]);
PetscErrorCode PlateMeshView(const PlateMesh *pm, PetscViewer viewer);
