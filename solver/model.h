#pragma once
/* The finite-element model of the layered plate: DMPlex from the Gmsh mesh, a Q2 displacement field (the departure
   from the laminate-theory reference state, see elasticity-kernels.h), rigid-body constraints that exert no force,
   and the linear solve (iterative refinement around MUMPS LU by default, every KSP/PC option overridable under
   -fcclsim_).

   3D full plate: 3-2-1 point constraints at the bottom face, A = (0,0,0) all components, B = (Lx/2,0,0) y and z,
   C = (0,Ly/2,0) z. 3D quarter: symmetry planes x = 0 (u_x = 0) and y = 0 (u_y = 0), and u_z = 0 at A.
   2D full section: A both components, B = (Lx/2,0) z. 2D half section: u_x = 0 on x = 0, u_z = 0 at A.
   The reference field satisfies the symmetry conditions itself, so they constrain the departure without loss. */
#include <petscsnes.h> /* DMPlexSNESCompute*FEM: the pointwise assembly kept for -solver_stiffness pointwise */
#include <petscdmplex.h>
#include "plate-mesh.h"
#include "stack.h"
#include "laminate.h"
#include "precise-residual.h"

/* What one layer contributes to a solve: its stiffness and the strain at which it is stress-free (its eigenstrain,
   linear in z in plane; z from the mesh's z = 0). An inactive layer (not yet bonded, or etched) carries nothing. */
typedef struct {
  PetscReal E, nu;           /* Pa, - */
  PetscReal ex, gx, ey, gy;  /* eps*_x(z) = ex + gx z, eps*_y(z) = ey + gy z; in 2D y is the out-of-plane direction */
  PetscReal ez;              /* through-thickness eigenstrain (moves the layer's thickness only) */
  PetscBool active;
} LayerLoad;

/* Curvature of a surface, 1/m; kappa > 0: the +z face is convex (the bottom layer is on the concave side). */
typedef struct {
  PetscReal xx, yy, xy, k1, k2; /* k1: the principal curvature of larger magnitude */
} Curvature;

/* Where curvature is measured (block "Curl", read by CurlOptionsRead in curl.c): patch sizes, m; 0 = automatic */
typedef struct {
  PetscReal fit_radius; /* -curl_fit_radius_mm: half-width of the centre patch of the curvature fit */
  PetscReal map_radius; /* -curl_map_radius_mm: radius of each curl-map node's patch */
} CurlOptions;
PetscErrorCode CurlOptionsRead(MPI_Comm comm, CurlOptions *options);

typedef struct _n_Model *Model;
struct _n_Model {
  MPI_Comm    comm;
  PlateMesh   pm;
  Stack       stack;
  PetscInt    dim;
  DM          dm_base; /* the distributed mesh, read once */
  DM          dm;      /* its clone discretized for the current set of active layers (rebuilt when that changes) */
  PetscBool  *active;  /* per layer, as discretized */
  PetscReal   z_bottom, z_top; /* the active layers' extent, m */
  Vec         aux;   /* local DG0 layer index */
  KSP         ksp;       /* prefix fcclsim_; its factorization is kept while the stiffness stays the same */
  Mat         A;         /* stiffness, element-assembled (element-assembly.h) */
  Vec         b, r, d;   /* load, refinement residual and correction */
  PreciseResidual residual;
  Vec         u;     /* departure from the reference state */
  PetscInt    dofs;
  PetscScalar *constants;
  PetscInt    nconstants;
  /* reference state (laminate theory) and, in 2D, the out-of-plane strain solved for */
  PetscReal   kappa_x, kappa_y, eps_x, eps_y, eps_out;
  LaminateStrain unit; /* 2D: laminate theory of the unit out-of-plane strain, the reference of that problem */
  Vec         unit_u;  /* 2D: its departure, and its out-of-plane force (N/m); kept while the stiffness stays */
  PetscReal   unit_N;
  PetscBool   use_reference; /* see ModelOptions */
  PetscBool   stiffness_changed;
  PetscBool   element_stiffness; /* -solver_stiffness element|pointwise (element-assembly.h) */
  PetscBool   verify_stiffness;  /* -solver_stiffness_verify: compare with the pointwise assembly */
  PetscInt    degree;            /* of the displacement field */
  CurlOptions curl;
  /* counters for the summary */
  PetscInt    iterations;
  PetscLogDouble time_setup, time_assembly, time_solve;
};

/* The model's options (block "Finite-element model and solver", docs/cases.md):
   -model_degree (default 2, 1 to 4): polynomial degree of the displacement;
   -solver_laminate_reference (default true): solve for the departure from laminate theory; false solves for the plain
     displacement, which loses digits on strongly curled 100 mm samples but checks the reference's neutrality;
   -solver_stiffness element|pointwise (default element): how the stiffness matrix is assembled (element-assembly.h);
   -solver_stiffness_verify: also assemble by PETSc's pointwise path, the element matrix whenever it is assembled and
     the load at every solve, and stop if they differ;
   -solver_blas_threads N (default 1): BLAS threads per rank (model.c, SetBlasThreads, says why 1). */
typedef struct {
  PetscBool use_reference, element_stiffness, verify_stiffness;
  PetscInt  blas_threads, degree;
} ModelOptions;
PetscErrorCode ModelOptionsRead(MPI_Comm comm, ModelOptions *options);
PetscErrorCode ModelCreate(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char mesh_file[], const ModelOptions *options, const CurlOptions *curl, Model *model);
/* Layer stiffnesses and eigenstrains, and the laminate-theory reference of the active layers. When the set of active
   layers changes, the discretization is rebuilt: the dofs that only inactive cells touch are constrained to zero, and
   the rigid-body pins move to the bottom face of the active stack. */
PetscErrorCode ModelSetLoads(Model model, const LayerLoad loads[]);
PetscErrorCode ModelSolve(Model model);
/* Centre curvature of the mid-surface (mean of the bottom and top faces' fits), from patch fits of the total
   displacement; the fit is exact for a quadratic surface. */
PetscErrorCode ModelGetCenterCurvature(Model model, Curvature *mid, Curvature *bottom, Curvature *top);
/* The curl map: at every mid-surface node (mean of the bottom and top faces of the active stack), curvature from a
   quadratic fit of the nodes within -curl_map_radius_mm (default 3.5 largest elements). Held on rank 0 only (n = 0
   elsewhere); gathers the surface, not the volume. Columns, each of length n: x, y, w (total deflection of the
   mid-surface, m), kxx, kyy, kxy, k1, k2 (1/m), angle (of k1 from x, deg), R1, R2 (cm, INFINITY where flat). */
#define CURL_MAP_COLUMNS 11
typedef struct _n_CurlMap *CurlMap;
struct _n_CurlMap {
  PetscInt   n;
  PetscReal *data;
  union {
    PetscReal *column[CURL_MAP_COLUMNS];
    struct {
      PetscReal *x, *y, *w, *kxx, *kyy, *kxy, *k1, *k2, *angle, *R1, *R2;
    };
  };
};
PetscErrorCode ModelComputeCurlMap(Model model, CurlMap *map);
/* CSV on rank 0, written atomically */
PetscErrorCode CurlMapWriteCSV(CurlMap map, MPI_Comm comm, const char path[]);
PetscErrorCode CurlMapDestroy(CurlMap *map);
/* Largest |cell-averaged in-plane stress| (sigma_xx or sigma_yy; in 2D sigma_xx and the out-of-plane one) per layer, Pa */
PetscErrorCode ModelGetMaxInPlaneStress(Model model, PetscReal smax[]);
PetscErrorCode ModelDestroy(Model *model);
