#pragma once
/* The finite-element model of the layered plate: DMPlex from the Gmsh mesh, a Q2 displacement field (the departure
   from the laminate-theory reference state, reference-state.h), the state every point of every layer carries
   (state-fields.h), rigid-body constraints that exert no force, and the solve (SNES Newton as iterative refinement
   with a long-double residual around MUMPS LU by default; every SNES/KSP/PC option overridable under -fcclsim_).

   The model takes the manufacturing history point by point, in step with the laminate-theory history of the same
   process (ModelProcessHooks, process.h), which supplies the reference:
   - a bond makes the cells of the bonding layers active, stress-free in the configuration the model has at that
     moment: free, the solved state of the stack, edge boundary layers included (the new cells, void until then,
     have followed it); pressed, the state the stack takes with its bottom face held flat (solved with that
     constraint). Their eigenstrain is the total strain they have in that configuration;
   - a temperature increment updates every active point: the stress it carries is kept while the modulus changes
     (eps* <- eps - (E/E') (eps - eps*), the strain eps of the solved state), and the exact thermal strain of the
     point's own temperature change is added (temperature may vary in plane);
   - an etch makes cells void (the stiffness of a void, elasticity-kernels.h); the rest re-equilibrates.
   The state a step leaves is the model's own, so a layer born on a stack that is not uniform inherits it.

   Constraints. 3D full plate: 3-2-1 point constraints at the lowest active vertices of three columns, A = (0,0) all
   components, B = (Lx/2,0) y and z, C = (0,Ly/2) z. 3D quarter: symmetry planes x = 0 (u_x = 0) and y = 0 (u_y = 0),
   and u_z = 0 at A. 2D full section: A both components, B z. 2D half section: u_x = 0 on x = 0, u_z = 0 at A. The
   pins follow the active stack: each sits on the lowest vertex of its column that belongs to an active cell. While
   a press holds the stack, its bottom face is held at u_z = 0 instead of the z pins. The reference satisfies the
   symmetry conditions itself, so they constrain the departure without loss. */
#include <petscsnes.h>
#include <petscdmplex.h>
#include "plate-mesh.h"
#include "process.h"

typedef struct _n_Model *Model;

/* The model's options (block "Finite-element model and solver", docs/cases.md):
   -model_degree (default 2, 1 to 4): polynomial degree of the displacement;
   -solver_laminate_reference (default true): solve for the departure from laminate theory; false solves for the plain
     displacement, which loses digits on strongly curled 100 mm samples but checks the reference's neutrality;
   -solver_stiffness element|pointwise (default element): how the stiffness matrix is assembled (element-assembly.h);
   -solver_stiffness_verify: also assemble by PETSc's pointwise path, the element matrix whenever it is assembled and
     the load at every solve, and stop if they differ;
   -solver_refactor_rounds N (default 3): when the stiffness changes a little (a temperature increment with E(T)),
     the last matrix and its factorization are kept as the preconditioner, and not reassembled, until a solve needs
     more than N refinement rounds beyond the last solve with fresh factors (or its refinement stalls or passes 12
     rounds: then it assembles, factors and solves again);
   -solver_refinement_rtol R (default 1e-10): the refinement stops when the corrections still to come, extrapolated
     from the rate of the last two rounds (of the corrections, or of the residuals if slower), fall below R of the
     solution (model.c, RefinementConverged);
   -solver_blas_threads N (default 1): BLAS threads per rank (model.c, SetBlasThreads, says why 1);
   -geometry linear|nonlinear (default linear): nonlinear is total Lagrangian with large rotations (elasticity-
     kernels.h), 3D only: the unknown is the plain displacement, every temperature increment a load step solved by
     SNES Newton with a backtracking line search on the element-assembled tangent (element-assembly.h);
   -solver_tangent_verify: geometry nonlinear, a Taylor test of every tangent (model.c, VerifyTangent);
   -geometry_imperfection D (default 1e-3 with geometry nonlinear, else 0; 3D only): every thermal strain increment
     is (1 + D) times the material's along x and (1 - D) along y, the small in-plane anisotropy that picks the branch
     past the sphere-to-cylinder bifurcation (D > 0: the curl is about y, its major curvature along x). */
typedef struct {
  PetscBool use_reference, element_stiffness, verify_stiffness, nonlinear, verify_tangent;
  PetscInt  blas_threads, degree, refactor_rounds;
  PetscReal refinement_rtol;
  PetscReal imperfection;     /* D above */
  PetscBool imperfection_set; /* the case or the command line set it */
} ModelOptions;
PetscErrorCode ModelOptionsRead(MPI_Comm comm, ModelOptions *options);
PetscErrorCode ModelCreate(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char mesh_file[], const ModelOptions *options, Model *model);
PetscErrorCode ModelDestroy(Model *model);

/* What the process tells the model (process.h); the context is the model. h: the laminate-theory history in the
   model's mode (LAMINATE_PLATE in 3D, LAMINATE_CYLINDER in 2D), run in step. */
extern const ProcessHooks ModelProcessHooks;
/* Collective. Checks that a conforming pattern of etch step st cuts no cell of its layers (a no-op for other steps),
   so that a mesh that does not resolve a pattern stops the run before any solve */
PetscErrorCode ModelCheckPattern(Model model, const ProcessStep *st);
/* Solves the current state if it is not solved yet (a step's end) */
PetscErrorCode ModelSolve(Model model);

/* A copy of the model's whole state (fields, departure, reference), for a later step that starts from it */
typedef struct _n_ModelState *ModelState;
PetscErrorCode ModelStateSave(Model model, ModelState *state);
PetscErrorCode ModelStateRestore(Model model, ModelState state);
PetscErrorCode ModelStateDestroy(ModelState *state);
/* Collective. A state into the checkpoint's current HDF5 group (state-file.h), and back: only a model of the same
   mesh on the same ranks reads it (the checkpoint checks that first) */
PetscErrorCode ModelStateWrite(Model model, ModelState state, PetscViewer viewer);
PetscErrorCode ModelStateRead(Model model, PetscViewer viewer, ModelState *state);
/* Collective. What the solver carries between steps (the kept factorization, of the state it was made from, the
   refinement's counts, the 2D unit problem), into the checkpoint at a step's end and back after ModelStateRestore of
   its state, so that a restarted run continues as the uninterrupted one (model.c) */
PetscErrorCode ModelSolverWrite(Model model, PetscViewer viewer);
PetscErrorCode ModelSolverRead(Model model, PetscViewer viewer);

/* What the report needs (curl.h, field-output.h, summary.h) */
MPI_Comm           ModelComm(Model model);
PetscInt           ModelDim(Model model);
const PlateMesh   *ModelPlate(Model model);
Stack              ModelStack(Model model);
DM                 ModelDM(Model model);        /* the mesh with the displacement field (of the free constraints) */
const PetscScalar *ModelReference(Model model); /* the current reference array, reference-state.h */
/* Bottom and top of the continuous active stack: the layers all of whose cells are active (m) */
PetscErrorCode     ModelGetActiveRange(Model model, PetscReal *z_bottom, PetscReal *z_top);
/* This rank's owned vertices on the plane z = zs: x, y and the departure's thickness-direction displacement, 3 per
   vertex (the caller frees *xyw) */
PetscErrorCode     ModelGetFaceNodes(Model model, PetscReal zs, PetscInt *n, PetscReal **xyw);
/* The total displacement (reference + departure) at the vertices, into a vector of dm_v (a clone of ModelDM with one
   3-component field on the vertices; the third component is 0 in 2D) */
PetscErrorCode     ModelGetVertexDisplacement(Model model, DM dm_v, Vec uv);

/* Cell averages of the solved state, per local cell, in laminate axes (z through the thickness): */
enum { AVG_LAYER, AVG_ACTIVE, AVG_KEPT, AVG_TEMPERATURE, AVG_SXX, AVG_SYY, AVG_SZZ, AVG_SYZ, AVG_SXZ, AVG_SXY, AVG_EXX, AVG_EYY, AVG_EZZ, AVG_EYZ, AVG_EXZ, AVG_EXY, AVG_NUM };
/* avg[(c - cStart) * AVG_NUM + k] for the local cells cStart..cEnd of ModelDM: stresses (Pa) and eigenstrains (-) */
PetscErrorCode ModelGetCellAverages(Model model, PetscInt *cStart, PetscInt *cEnd, PetscReal **avg);
/* Largest |cell-averaged in-plane stress| (sigma_xx or sigma_yy; in 2D sigma_xx and the out-of-plane one) per layer,
   Pa; NaN for a layer with no active cell */
PetscErrorCode     ModelGetMaxInPlaneStress(Model model, PetscReal smax[]);

typedef struct {
  PetscInt       dofs, iterations; /* iterations: Krylov iterations so far */
  PetscInt       newton_steps;     /* geometry nonlinear: Newton steps so far */
  PetscInt       negative_pivots;  /* geometry nonlinear: negative pivots of the last state's tangent (its LDL^T by
                                      MUMPS): > 0, the state is not stable (a branch past a bifurcation that the
                                      sample leaves); -1: not known (another factorization) */
  PetscLogDouble time_setup, time_assembly, time_solve; /* s so far; time_solve includes time_assembly */
} ModelStatistics;
void ModelGetStatistics(Model model, ModelStatistics *stats);
