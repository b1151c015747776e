#pragma once
/* The finite-element model of the layered plate: DMPlex from the Gmsh mesh, a Q2 displacement field (the departure
   from the laminate-theory reference state, see elasticity-kernels.h), rigid-body constraints that exert no force,
   and the linear solve (SNES ksponly; LU by MUMPS by default, every option overridable under -fcclsim_).

   3D full plate: 3-2-1 point constraints at the bottom face, A = (0,0,0) all components, B = (Lx/2,0,0) y and z,
   C = (0,Ly/2,0) z. 3D quarter: symmetry planes x = 0 (u_x = 0) and y = 0 (u_y = 0), and u_z = 0 at A.
   2D full section: A both components, B = (Lx/2,0) z. 2D half section: u_x = 0 on x = 0, u_z = 0 at A.
   The reference field satisfies the symmetry conditions itself, so they constrain the departure without loss. */
#include <petscsnes.h>
#include <petscdmplex.h>
#include "plate-mesh.h"
#include "stack.h"
#include "laminate.h"

/* What one layer contributes to a solve. */
typedef struct {
  PetscReal E, nu;          /* Pa, - */
  PetscReal eps_in, eps_z;  /* free (eigen)strain from the layer's stress-free state, in plane and through thickness */
  PetscBool active;         /* an etched layer carries nothing */
} LayerLoad;

/* Curvature of a surface, 1/m; kappa > 0: the +z face is convex (the bottom layer is on the concave side). */
typedef struct {
  PetscReal xx, yy, xy, k1, k2; /* k1: the principal curvature of larger magnitude */
} Curvature;

typedef struct _n_Model *Model;
struct _n_Model {
  MPI_Comm    comm;
  PlateMesh   pm;
  Stack       stack;
  PetscInt    dim;
  DM          dm;
  Vec         aux;   /* local DG0 layer index */
  SNES        snes;
  Vec         u;     /* departure from the reference state */
  PetscInt    dofs;
  PetscScalar *constants;
  PetscInt    nconstants;
  /* reference state (laminate theory) and, in 2D, the out-of-plane strain solved for */
  PetscReal   kappa_x, kappa_y, eps_x, eps_y, eps_out;
  PetscBool   use_reference; /* -solver_laminate_reference (default true); false solves for the plain displacement */
  PetscBool   stiffness_changed;
  /* counters for the summary */
  PetscInt    iterations;
  PetscLogDouble time_setup, time_assembly, time_solve;
};

/* use_reference: solve for the departure from laminate theory (the default, -solver_laminate_reference); false solves
   for the plain displacement, which loses digits on strongly curled 100 mm samples but checks the reference's neutrality */
PetscErrorCode ModelCreate(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char mesh_file[], PetscBool use_reference, Model *model);
PetscErrorCode ModelSetLoads(Model model, const LayerLoad loads[]);
/* The active layers as laminate plies (bottom first) and the height z_bottom of the lowest; free *ply. */
PetscErrorCode StackActivePlies(Stack stack, const LayerLoad loads[], PetscInt *n, LaminatePly **ply, PetscReal *z_bottom);
PetscErrorCode ModelSolve(Model model);
/* Centre curvature of the mid-surface (mean of the bottom and top faces' fits), from patch fits of the total
   displacement; the fit is exact for a quadratic surface. */
PetscErrorCode ModelGetCenterCurvature(Model model, Curvature *mid, Curvature *bottom, Curvature *top);
/* The curl map: at every mid-surface node (mean of the bottom and top faces), curvature from a quadratic fit of the
   nodes within -curl_map_radius_mm; CSV on rank 0, written atomically. Gathers the surface (not the volume) on rank 0. */
PetscErrorCode ModelWriteCurlMap(Model model, const char path[]);
/* Largest |cell-averaged in-plane stress| (sigma_xx or sigma_yy; in 2D sigma_xx and the out-of-plane one) per layer, Pa */
PetscErrorCode ModelGetMaxInPlaneStress(Model model, PetscReal smax[]);
PetscErrorCode ModelDestroy(Model *model);
