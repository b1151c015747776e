#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <petscds.h>
#include "model.h"
#include "option-read.h"
#include "case.h"
#include "state-fields.h"
#include "element-assembly.h"
#include "state-file.h"

/* The constraints a solve runs under: the free stack (pins or symmetry), or the stack held flat by a press */
typedef enum { CONSTRAINTS_FREE, CONSTRAINTS_PRESSED } Constraints;

/* One set of constraints: its DM (a clone of the mesh with the displacement field and the constraints), matrix and
   SNES. The factorization is kept while the stiffness stays, and reused as the preconditioner of a slightly changed
   one (model.h, -solver_refactor_rounds). */
typedef struct {
  Constraints     kind;
  DM              dm;
  Mat             A;
  SNES            snes;
  Vec             u;
  PetscReal       pins_z[3];             /* where the pins sit (m) */
  PetscBool       factored, must_refactor;
  PetscBool       reusing;               /* the factors are of an earlier stiffness (a preconditioner only) */
  PetscInt        decided_gen;           /* the stiffness generation last assembled, or kept out (reusing); -1: none */
  PetscInt        last_rounds;           /* refinement rounds of the last solve */
  PetscInt        fresh_rounds;          /* and of the last solve with fresh factors */
  PetscScalar    *factored_C;            /* the cells' stiffness the factors were made from, STIFFNESS_N per local cell
                                            (a checkpoint needs it: ModelSolverWrite) */
  PetscScalar    *ref;                   /* the reference of the solve in progress */
  /* the refinement's convergence test */
  PetscReal       norm_b, last_f, last_y;
  PetscReal       terms_max; /* of the last residual: the largest element term, the scale of its round-off */
  PetscBool       take_back;
  /* geometry nonlinear: A holds (and the PC has factored) the tangent of the last solved state of this stiffness
     generation, the predictor of the next load step */
  PetscBool       have_tangent;
  /* 2D: the unit out-of-plane problem, its departure and out-of-plane force, valid for one stiffness */
  Vec             unit_u;
  PetscReal       unit_N;
  PetscInt        unit_gen;
} SolveContext;

struct _n_Model {
  MPI_Comm     comm;
  PlateMesh    pm;
  Stack        stack;
  ModelOptions opt;
  PetscInt     dim, nlayers, nref;
  DM           dm_base;  /* the distributed mesh, read once */
  DM           dm;       /* its clone with the displacement field and no constraints: the cell loops' */
  PetscFE      fe;       /* the displacement's element */
  StateFields  sf;
  CellGeometry geo;          /* of m->dm's cells, shared by every clone's loops */
  PetscBool   *layer_active; /* per layer: its cells are part of the laminate */
  PetscReal   *nz;           /* per layer: C_zx / C_zz of its material, the plane-stress thickness-strain ratio */
  PetscReal    E_void;       /* the modulus of a void cell, Pa */
  /* the current state's configuration: its reference, the 2D unit problem's, and the solved departure */
  PetscScalar *ref, *ref_unit;
  Vec          ud;       /* local, of dm (every context's DM has the same local layout) */
  Vec          solved_state; /* geometry nonlinear: the state fields of the last state solved, where a
                                continuation to a changed state starts (SolveNonlinear) */
  PetscBool    solved;
  PetscInt     stiffness_gen;
  SolveContext free, pressed;
  /* statistics */
  PetscInt       iterations, newton_steps, negative_pivots;
  PetscLogDouble time_setup, time_assembly, time_solve;
};

struct _n_ModelState {
  Vec          state, ud;
  PetscScalar *ref, *ref_unit;
  PetscBool   *layer_active, solved;
};

MPI_Comm           ModelComm(Model m) { return m->comm; }
PetscInt           ModelDim(Model m) { return m->dim; }
const PlateMesh   *ModelPlate(Model m) { return &m->pm; }
Stack              ModelStack(Model m) { return m->stack; }
DM                 ModelDM(Model m) { return m->dm; }
const PetscScalar *ModelReference(Model m) { return m->ref; }

void ModelGetStatistics(Model m, ModelStatistics *s)
{
  PetscInt n = 0;

  if (m->free.u) (void)VecGetSize(m->free.u, &n);
  s->dofs          = n;
  s->iterations    = m->iterations;
  s->newton_steps  = m->newton_steps;
  s->negative_pivots = m->opt.nonlinear ? m->negative_pivots : -1;
  s->time_setup    = m->time_setup;
  s->time_assembly = m->time_assembly;
  s->time_solve    = m->time_solve;
}

PetscErrorCode ModelOptionsRead(MPI_Comm comm, ModelOptions *options)
{
  static const char *const kinds[]      = {"pointwise", "element", NULL};
  static const char *const geometries[] = {"linear", "nonlinear", NULL};
  PetscInt                 kind = 1, geometry = 0;
  PetscBool                reference_set;
  char                     where[PETSC_MAX_PATH_LEN + 320];

  PetscFunctionBeginUser;
  options->use_reference       = PETSC_TRUE;
  options->verify_stiffness    = PETSC_FALSE;
  options->blas_threads        = 1;
  options->degree              = 2;
  options->refactor_rounds     = 3;
  options->refinement_rtol     = 1e-10;
  options->verify_tangent      = PETSC_FALSE;
  options->imperfection        = 0;
  options->imperfection_set    = PETSC_FALSE;
  PetscOptionsBegin(comm, NULL, "Finite-element model and solver (docs/cases.md)", "fcclsim");
  PetscCall(OptionInt(PetscOptionsObject, "-model_degree", "polynomial degree of the displacement (1 locks in bending)", options->degree, 1, 4, &options->degree, NULL));
  PetscCall(OptionChoice(PetscOptionsObject, "-geometry", "linear: small displacements; nonlinear: large rotations (Green-Lagrange strain, Newton per temperature increment; 3D)", geometries, geometry, &geometry, NULL));
  /* 1e-3: the size of imperfection the literature uses to leave the symmetric branch (docs/cases.md), far below any
     real film's MD/TD difference, so that it picks the branch and moves the curvatures by about 1e-3 only */
  options->imperfection = geometry == 1 ? 1e-3 : 0;
  PetscCall(OptionBool(PetscOptionsObject, "-solver_laminate_reference", "solve for the departure from laminate theory (false: the plain displacement, which loses digits on curled 100 mm samples; geometry nonlinear: always false)", options->use_reference, &options->use_reference, &reference_set));
  PetscCall(OptionReal(PetscOptionsObject, "-geometry_imperfection", "in-plane anisotropy D of every thermal strain increment, (1 + D) along x and (1 - D) along y, that picks the branch past the sphere-to-cylinder bifurcation (default 1e-3 with geometry nonlinear, else 0)", options->imperfection, -0.5, 0.5, &options->imperfection, &options->imperfection_set));
  PetscCall(OptionBool(PetscOptionsObject, "-solver_tangent_verify", "geometry nonlinear: check every Newton step's tangent against the residual by a Taylor test, and stop unless the remainder falls at the second-order rate", options->verify_tangent, &options->verify_tangent, NULL));
  PetscCall(OptionChoice(PetscOptionsObject, "-solver_stiffness", "element: assembled cell by cell, summed so that the partition does not change it; pointwise: PETSc's generic assembly", kinds, kind, &kind, NULL));
  PetscCall(OptionBool(PetscOptionsObject, "-solver_stiffness_verify", "also assemble by the pointwise path and stop unless the matrices agree to 1e-12 and the loads to 1e-10", options->verify_stiffness, &options->verify_stiffness, NULL));
  PetscCall(OptionInt(PetscOptionsObject, "-solver_refactor_rounds", "keep the last stiffness and its factorization as the preconditioner of a changed stiffness until a solve needs more refinement rounds than this beyond the last solve with fresh factors", options->refactor_rounds, 0, 1000, &options->refactor_rounds, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-solver_refinement_rtol", "the refinement stops when the corrections still to come (extrapolated from the last two) are below this fraction of the solution", options->refinement_rtol, 1e-15, 1e-3, &options->refinement_rtol, NULL));
  PetscCall(OptionInt(PetscOptionsObject, "-solver_blas_threads", "BLAS threads per rank (more than 1 makes results depend on the thread count)", options->blas_threads, 1, 1024, &options->blas_threads, NULL));
  PetscOptionsEnd();
  options->element_stiffness = kind == 1 ? PETSC_TRUE : PETSC_FALSE;
  options->nonlinear         = geometry == 1 ? PETSC_TRUE : PETSC_FALSE;
  if (options->nonlinear) {
    /* laminate theory's reference is the linear state: under large rotations it is no nearer the answer than zero */
    OptionWhere("-solver_laminate_reference", where, sizeof(where));
    PetscCheck(!(reference_set && options->use_reference), comm, PETSC_ERR_USER_INPUT, "%s = true: geometry = nonlinear solves for the plain displacement (the laminate-theory reference is a linear state); remove the key", where);
    OptionWhere("-solver_stiffness", where, sizeof(where));
    PetscCheck(options->element_stiffness && !options->verify_stiffness, comm, PETSC_ERR_USER_INPUT, "%s: geometry = nonlinear assembles its tangent by elements only; remove solver_stiffness pointwise and solver_stiffness_verify (use solver_tangent_verify)", where);
    options->use_reference = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* BLAS threads per rank (-solver_blas_threads, default 1). Ranks are the parallelism; and OpenBLAS sums in an order
   that depends on its thread count, which reaches PETSc's Q2 basis functions (built with LAPACK) and the factorization:
   left to choose for itself, it picks a count from the cores it sees, and runs on 1, 2 and 4 ranks differed by 1e-8
   in the centre curvature for that reason alone. The library is asked by name, so any BLAS links; one without such a
   call (reference BLAS) is single-threaded anyway. */
static PetscErrorCode SetBlasThreads(PetscInt n)
{
  const char *const setters[] = {"openblas_set_num_threads", "bli_thread_set_num_threads", "MKL_Set_Num_Threads", NULL};

  PetscFunctionBeginUser;
  for (const char *const *name = setters; *name; name++) {
    void *f = dlsym(RTLD_DEFAULT, *name);
    if (!f) continue;
    if (*name == setters[1]) ((void (*)(long))f)((long)n);
    else ((void (*)(int))f)((int)n);
    PetscCall(PetscInfo(NULL, "%s(%" PetscInt_FMT ")\n", *name, n));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ZeroDisplacement(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  for (PetscInt c = 0; c < Nc; c++) u[c] = 0;
  return 0;
}

static PetscErrorCode LoadMesh(Model m, const char mesh_file[])
{
  DM      dist = NULL;
  DMLabel faces;

  PetscFunctionBeginUser;
  PetscCall(DMPlexCreateFromFile(m->comm, mesh_file, "fcclsim", PETSC_TRUE, &m->dm_base));
  PetscCall(PetscObjectSetName((PetscObject)m->dm_base, "plate"));
  PetscCall(DMPlexDistribute(m->dm_base, 0, NULL, &dist));
  if (dist) {
    PetscCall(DMDestroy(&m->dm_base));
    m->dm_base = dist;
  }
  PetscCall(DMGetDimension(m->dm_base, &m->dim));
  PetscCall(DMGetLabel(m->dm_base, "Face Sets", &faces));
  PetscCheck(faces, m->comm, PETSC_ERR_USER_INPUT, "the mesh has no Face Sets: make it with fcclsim-mesh");
  PetscCall(DMPlexLabelComplete(m->dm_base, faces));
  PetscCall(DMViewFromOptions(m->dm_base, NULL, "-fcclsim_dm_view"));
  PetscFunctionReturn(0);
}

/* Smallest element height through the stack, for coordinate tolerances */
static PetscReal SmallestElementHeight(Stack stack)
{
  PetscReal h = PETSC_MAX_REAL;

  for (PetscInt i = 0; i < StackSize(stack); i++) h = PetscMin(h, StackLayer(stack, i)->thickness / StackLayer(stack, i)->elements);
  return h;
}

/* The material stiffness in the mesh's axes (2D: mesh (0, 1, 2) = laminate (x, z, y)), as the 21 numbers of the
   kernels; kept: the fraction of the material a patterned etch left in the cell (Voigt's rule: a trace-mapped cell is
   that much of the material, with the material's eigenstrain) */
static void MeshStiffness(PetscInt dim, Material mat, PetscReal E, PetscReal kept, PetscScalar C21[])
{
  static const PetscInt lam_of_mesh[2][6] = {
    {0, 2, 1, 3, 5, 4}, /* 2D: mesh Voigt (00, 11, 22, 12, 02, 01) = laminate (xx, zz, yy, zy, xy, xz) */
    {0, 1, 2, 3, 4, 5}  /* 3D */
  };
  const PetscInt *p = lam_of_mesh[dim == 3];
  PetscReal       C[6][6];

  MaterialStiffness(mat, E, C);
  for (PetscInt i = 0, k = 0; i < 6; i++)
    for (PetscInt j = i; j < 6; j++) C21[k++] = kept * C[p[i]][p[j]];
}

/* The stiffness of a void (a cell not bonded yet, or etched): E_void against through-thickness normal and shear strains,
   VOID_IN_PLANE of that against in-plane ones. A void follows its neighbours without stress and, among the ways it
   could, it takes the one without thickness change or transverse shear: Kirchhoff's normal extension of the surface
   it sits on (to VOID_IN_PLANE). That is how a layer born into void cells lies on the stack, with its nominal
   thickness along the surface's normal; an isotropic void would instead give it the stack's edge boundary layer
   smeared through its thickness, a placement that depends on how the displacement is split (reference or not). */
#define VOID_IN_PLANE 1e-6
static void VoidStiffness(PetscInt dim, PetscReal E, PetscScalar C21[])
{
  /* laminate axes (xx, yy, zz, yz, xz, xy); in 2D the mesh's Voigt order is (xx, zz, yy, zy, xy, xz) */
  const PetscReal lam[6] = {VOID_IN_PLANE * E, VOID_IN_PLANE * E, E, E, E, VOID_IN_PLANE * E};
  const PetscInt  mesh_of[2][6] = {
    {0, 2, 1, 3, 5, 4},
    {0, 1, 2, 3, 4, 5}
  };

  for (PetscInt k = 0; k < STIFFNESS_N; k++) C21[k] = 0;
  for (PetscInt i = 0; i < 6; i++) C21[i * VOIGT_N - i * (i - 1) / 2] = lam[mesh_of[dim == 3][i]];
}

PetscErrorCode ModelCreate(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char mesh_file[], const ModelOptions *options, Model *model)
{
  Model          m;
  PetscLogDouble t0, t1;
  PetscInt       cStart, cEnd;
  PetscScalar   *a;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(PetscNew(&m));
  m->comm    = comm;
  m->pm      = *pm;
  m->stack   = stack;
  m->opt     = *options;
  m->nlayers = StackSize(stack);
  m->nref    = REFERENCE_SIZE(m->nlayers);
  PetscCall(SetBlasThreads(options->blas_threads)); /* before the first PetscFE is built */
  PetscCall(LoadMesh(m, mesh_file));
  PetscCheck(!options->nonlinear || m->dim == 3, comm, PETSC_ERR_PLIB, "geometry nonlinear is 3D only (fcclsim.c checks the case)");
  PetscCall(PetscFECreateLagrange(comm, m->dim, m->dim, PETSC_FALSE, options->degree, PETSC_DETERMINE, &m->fe));
  PetscCall(PetscObjectSetName((PetscObject)m->fe, "displacement"));
  PetscCall(StateFieldsCreate(m->dm_base, m->fe, &m->sf));
  PetscCall(DMClone(m->dm_base, &m->dm));
  PetscCall(PetscObjectSetName((PetscObject)m->dm, "plate"));
  PetscCall(DMSetField(m->dm, 0, NULL, (PetscObject)m->fe));
  PetscCall(DMCreateDS(m->dm));
  PetscCall(CellGeometryCreate(m->dm, m->fe, &m->geo));
  PetscCall(DMCreateLocalVector(m->dm, &m->ud));
  PetscCall(VecZeroEntries(m->ud));
  PetscCall(PetscCalloc2(m->nlayers, &m->layer_active, m->nlayers, &m->nz));
  PetscCall(PetscCalloc2(m->nref, &m->ref, m->nref, &m->ref_unit));
  for (PetscInt i = 0; i < m->nlayers; i++) {
    const Material mat = StackLayer(stack, i)->material;
    PetscReal      C[6][6], Emax = 0;
    MaterialStiffness(mat, 1, C);
    m->nz[i] = C[2][0] / C[2][2];
    for (PetscInt k = 0; k < mat->E.n; k++) Emax = PetscMax(Emax, mat->E.v[k]);
    m->E_void = PetscMax(m->E_void, 1e-12 * Emax);
  }
  /* every cell starts as a void */
  PetscCall(DMPlexGetHeightStratum(m->dm_base, 0, &cStart, &cEnd));
  PetscCall(VecGetArray(StateFieldsVec(m->sf), &a));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState cs;
    PetscCall(StateFieldsCell(m->sf, a, c, &cs));
    VoidStiffness(m->dim, m->E_void, cs.stiffness);
  }
  PetscCall(VecRestoreArray(StateFieldsVec(m->sf), &a));
  m->free.kind    = CONSTRAINTS_FREE;
  m->pressed.kind = CONSTRAINTS_PRESSED;
  m->stiffness_gen = 0;
  PetscCall(PetscTime(&t1));
  m->time_setup = t1 - t0;
  *model = m;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   The reference (reference-state.h) of a configuration: laminate theory's strain s of the active layers, with the
   eigenstrains the laminate history h gives them; unit: the 2D unit out-of-plane problem (no eigenstrain, e_out = 1).
   Which layers are active is the model's own knowledge (layer_active), so that a bond's pressed configuration is the
   stack before the new layers. */
static void FillReference(Model m, LaminateHistory h, const LaminateStrain *s, PetscBool unit, PetscScalar ref[])
{
  PetscReal W = 0;

  for (PetscInt k = 0; k < m->nref; k++) ref[k] = 0;
  ref[REF_NLAYERS]    = m->nlayers;
  ref[REF_LOAD_SCALE] = unit ? 0 : 1;
  if (unit && m->dim == 2) ref[REF_EOUT] = 1; /* the unit problem's load, not a reference */
  for (PetscInt i = 0; i < m->nlayers; i++) ((PetscScalar *)ReferenceLayer(ref, i))[REF_ZLO] = StackZ(m->stack, i);
  if (!m->opt.use_reference) return;
  ref[REF_KX] = s->kx;
  ref[REF_EX] = s->ex;
  if (m->dim == 3) {
    ref[REF_KY] = s->ky;
    ref[REF_EY] = s->ey;
  } else ref[REF_EOUT] = unit ? 1 : s->ey;
  for (PetscInt i = 0; i < m->nlayers; i++) {
    PetscScalar    *L  = (PetscScalar *)ReferenceLayer(ref, i);
    const PetscReal z0 = StackZ(m->stack, i), z1 = StackZ(m->stack, i + 1);
    PetscReal       a = 0, b = 0;

    if (m->layer_active[i]) {
      const LayerState *ls  = LaminateHistoryLayer(h, i);
      const PetscReal   ex  = unit ? 0 : ls->ex, gx = unit ? 0 : ls->gx, ey = unit ? 0 : ls->ey, gy = unit ? 0 : ls->gy;
      const PetscReal   my1 = (m->dim == 3 ? s->ky : 0) - gy;
      a = (unit ? 0 : ls->ez) - m->nz[i] * ((s->ex - ex) + (s->ey - ey));
      b = -m->nz[i] * ((s->kx - gx) + my1);
    }
    L[REF_A]  = a;
    L[REF_B]  = b;
    L[REF_W0] = W;
    W += a * (z1 - z0) + 0.5 * b * (z1 * z1 - z0 * z0);
  }
}

/* The free configuration's reference (and the 2D unit one) from the laminate history */
static PetscErrorCode SetReference(Model m, LaminateHistory h)
{
  PetscFunctionBeginUser;
  FillReference(m, h, LaminateHistoryStrain(h), PETSC_FALSE, m->ref);
  if (m->dim == 2) {
    LaminateLayer *layer;
    LaminateStrain unit = {0, 0, 0, 0};
    PetscInt       n;
    PetscCall(LaminateHistoryActiveLayers(h, &n, &layer));
    if (n) PetscCall(LaminateSolveStrain(n, layer, LAMINATE_CYLINDER_UNIT, &unit));
    PetscCall(PetscFree(layer));
    FillReference(m, h, &unit, PETSC_TRUE, m->ref_unit);
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   Constraints */

/* A fresh label of this name on dm (clones of one base mesh may share their labels) */
static PetscErrorCode FreshLabel(DM dm, const char name[], DMLabel *label)
{
  PetscBool has;

  PetscFunctionBeginUser;
  PetscCall(DMHasLabel(dm, name, &has));
  if (has) PetscCall(DMRemoveLabel(dm, name, NULL));
  PetscCall(DMCreateLabel(dm, name));
  PetscCall(DMGetLabel(dm, name, label));
  PetscFunctionReturn(0);
}

/* Marks (1) the local vertices in the closure of an active cell */
static PetscErrorCode ActiveVertices(Model m, DM dm, PetscInt vStart, PetscInt vEnd, PetscBool mark[])
{
  PetscInt     cStart, cEnd;
  PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(mark, vEnd - vStart));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(VecGetArray(StateFieldsVec(m->sf), &a));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState cs;
    PetscInt *closure = NULL, nc;
    PetscCall(StateFieldsCell(m->sf, a, c, &cs));
    if (PetscRealPart(cs.cell[CELL_ACTIVE]) < 0.5) continue;
    PetscCall(DMPlexGetTransitiveClosure(dm, c, PETSC_TRUE, &nc, &closure));
    for (PetscInt k = 0; k < nc; k++)
      if (closure[2 * k] >= vStart && closure[2 * k] < vEnd) mark[closure[2 * k] - vStart] = PETSC_TRUE;
    PetscCall(DMPlexRestoreTransitiveClosure(dm, c, PETSC_TRUE, &nc, &closure));
  }
  PetscCall(VecRestoreArray(StateFieldsVec(m->sf), &a));
  PetscFunctionReturn(0);
}

/* Is the vertex at x on the column of pin p: A = (0,0), B = (Lx/2,0), C = (0,Ly/2) (2D: A and B, at x only)? */
static PetscBool OnPinColumn(Model m, const PetscScalar x[], PetscInt p)
{
  const PetscReal col[3][2] = {
    {0,            0           },
    {m->pm.lx / 2, 0           },
    {0,            m->pm.ly / 2}
  };
  const PetscReal tol = 1e-3 * SmallestElementHeight(m->stack);

  return (PetscBool)(PetscAbsReal(PetscRealPart(x[0]) - col[p][0]) < tol && (m->dim == 2 || PetscAbsReal(PetscRealPart(x[1]) - col[p][1]) < tol));
}

/* Where the pins sit: the lowest vertex of each pin's column that belongs to an active cell (a pattern, or an etched
   bottom layer, may leave the bottom face bare) */
static PetscErrorCode FindPins(Model m, PetscReal pin_z[3])
{
  const PetscInt     dim = m->dim;
  PetscInt           vStart, vEnd;
  PetscBool         *mark;
  Vec                coords;
  PetscSection       csec;
  const PetscScalar *x;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetDepthStratum(m->dm_base, 0, &vStart, &vEnd));
  PetscCall(PetscMalloc1(vEnd - vStart, &mark));
  PetscCall(ActiveVertices(m, m->dm_base, vStart, vEnd, mark));
  PetscCall(DMGetCoordinatesLocal(m->dm_base, &coords));
  PetscCall(DMGetCoordinateSection(m->dm_base, &csec));
  PetscCall(VecGetArrayRead(coords, &x));
  for (PetscInt p = 0; p < 3; p++) pin_z[p] = PETSC_MAX_REAL;
  for (PetscInt v = vStart; v < vEnd; v++) {
    PetscInt off;
    if (!mark[v - vStart]) continue;
    PetscCall(PetscSectionGetOffset(csec, v, &off));
    for (PetscInt p = 0; p < dim; p++) /* 2D: A and B only */
      if (OnPinColumn(m, &x[off], p)) pin_z[p] = PetscMin(pin_z[p], PetscRealPart(x[off + dim - 1]));
  }
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscCall(PetscFree(mark));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, pin_z, 3, MPIU_REAL, MPI_MIN, m->comm));
  PetscFunctionReturn(0);
}

/* Label `name` (values 1-3) on the pin vertices */
static PetscErrorCode LabelPins(Model m, DM dm, const char name[], const PetscReal pin_z[3])
{
  const PetscInt     dim = m->dim;
  const PetscReal    tol = 1e-3 * SmallestElementHeight(m->stack);
  DMLabel            label;
  Vec                coords;
  PetscSection       csec;
  const PetscScalar *x;
  PetscInt           vStart, vEnd;

  PetscFunctionBeginUser;
  PetscCall(FreshLabel(dm, name, &label));
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMGetCoordinateSection(dm, &csec));
  PetscCall(VecGetArrayRead(coords, &x));
  for (PetscInt v = vStart; v < vEnd; v++) {
    PetscInt off;
    PetscCall(PetscSectionGetOffset(csec, v, &off));
    for (PetscInt p = 0; p < dim; p++)
      if (OnPinColumn(m, &x[off], p) && PetscAbsReal(PetscRealPart(x[off + dim - 1]) - pin_z[p]) < tol) PetscCall(DMLabelSetValue(label, v, p + 1));
  }
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscFunctionReturn(0);
}

/* Label `name` (value 1) on the faces of the plane z = zs and their closure */
static PetscErrorCode LabelPlane(Model m, DM dm, const char name[], PetscReal zs)
{
  const PetscReal    tol = 1e-3 * SmallestElementHeight(m->stack);
  DMLabel            label;
  Vec                coords;
  PetscSection       csec;
  const PetscScalar *x;
  PetscInt           fStart, fEnd, vStart, vEnd;

  PetscFunctionBeginUser;
  PetscCall(FreshLabel(dm, name, &label));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMGetCoordinateSection(dm, &csec));
  PetscCall(VecGetArrayRead(coords, &x));
  for (PetscInt f = fStart; f < fEnd; f++) {
    PetscInt *closure = NULL, nc;
    PetscBool on = PETSC_TRUE;
    PetscCall(DMPlexGetTransitiveClosure(dm, f, PETSC_TRUE, &nc, &closure));
    for (PetscInt k = 0; k < nc && on; k++) {
      PetscInt off;
      if (closure[2 * k] < vStart || closure[2 * k] >= vEnd) continue;
      PetscCall(PetscSectionGetOffset(csec, closure[2 * k], &off));
      on = (PetscBool)(PetscAbsReal(PetscRealPart(x[off + m->dim - 1]) - zs) < tol);
    }
    PetscCall(DMPlexRestoreTransitiveClosure(dm, f, PETSC_TRUE, &nc, &closure));
    if (on) PetscCall(DMLabelSetValue(label, f, 1));
  }
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscCall(DMPlexLabelComplete(dm, label));
  PetscFunctionReturn(0);
}

static PetscErrorCode AddConstraint(DM dm, const char name[], const char label_name[], PetscInt value, PetscInt ncomp, const PetscInt comps[])
{
  DMLabel label;

  PetscFunctionBeginUser;
  PetscCall(DMGetLabel(dm, label_name, &label));
  PetscCall(DMAddBoundary(dm, DM_BC_ESSENTIAL, name, label, 1, &value, 0, ncomp, comps, (void (*)(void))ZeroDisplacement, NULL, NULL, NULL));
  PetscFunctionReturn(0);
}

/* The constraints of the context: the rigid-body motion removed without reaction forces (model.h), or, pressed, the
   bottom face of the active stack held at u_z = 0 with the in-plane motion removed as before */
static PetscErrorCode AddConstraints(Model m, SolveContext *ctx)
{
  const PetscInt x = 0, y = 1, z = m->dim - 1, xy[2] = {0, 1}, xyz[3] = {0, 1, 2}, yz[2] = {1, 2};
  const char    *pins = ctx->kind == CONSTRAINTS_FREE ? "pins_free" : "pins_pressed";

  PetscFunctionBeginUser;
  PetscCall(LabelPins(m, ctx->dm, pins, ctx->pins_z));
  if (m->pm.symmetry == PLATE_QUARTER) {
    PetscCall(AddConstraint(ctx->dm, "symmetry_x", "Face Sets", PLATE_FACE_SYMMETRY_X, 1, &x));
    if (m->dim == 3) PetscCall(AddConstraint(ctx->dm, "symmetry_y", "Face Sets", PLATE_FACE_SYMMETRY_Y, 1, &y));
    if (ctx->kind == CONSTRAINTS_FREE) PetscCall(AddConstraint(ctx->dm, "pin_centre", pins, 1, 1, &z));
  } else if (m->dim == 3) {
    PetscCall(AddConstraint(ctx->dm, "pin_centre", pins, 1, ctx->kind == CONSTRAINTS_FREE ? 3 : 2, ctx->kind == CONSTRAINTS_FREE ? xyz : xy));
    PetscCall(AddConstraint(ctx->dm, "pin_x", pins, 2, ctx->kind == CONSTRAINTS_FREE ? 2 : 1, ctx->kind == CONSTRAINTS_FREE ? yz : &y));
    if (ctx->kind == CONSTRAINTS_FREE) PetscCall(AddConstraint(ctx->dm, "pin_y", pins, 3, 1, &z));
  } else {
    PetscCall(AddConstraint(ctx->dm, "pin_centre", pins, 1, ctx->kind == CONSTRAINTS_FREE ? 2 : 1, ctx->kind == CONSTRAINTS_FREE ? xyz : &x));
    if (ctx->kind == CONSTRAINTS_FREE) PetscCall(AddConstraint(ctx->dm, "pin_x", pins, 2, 1, &z));
  }
  if (ctx->kind == CONSTRAINTS_PRESSED) {
    PetscReal zb, zt;
    PetscCall(ModelGetActiveRange(m, &zb, &zt));
    PetscCall(LabelPlane(m, ctx->dm, "pressed_face", zb));
    PetscCall(AddConstraint(ctx->dm, "press", "pressed_face", 1, 1, &z));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ContextDestroy(SolveContext *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(SNESDestroy(&ctx->snes));
  PetscCall(MatDestroy(&ctx->A));
  PetscCall(VecDestroy(&ctx->u));
  PetscCall(VecDestroy(&ctx->unit_u));
  PetscCall(PetscFree(ctx->factored_C));
  PetscCall(DMDestroy(&ctx->dm));
  PetscFunctionReturn(0);
}

static PetscErrorCode FormFunction(SNES snes, Vec X, Vec F, void *ptr);
static PetscErrorCode FormJacobian(SNES snes, Vec X, Mat J, Mat P, void *ptr);
static PetscErrorCode RefinementConverged(SNES snes, PetscInt it, PetscReal xnorm, PetscReal snorm, PetscReal fnorm, SNESConvergedReason *reason, void *ptr);
static PetscErrorCode NewtonConverged(SNES snes, PetscInt it, PetscReal xnorm, PetscReal snorm, PetscReal fnorm, SNESConvergedReason *reason, void *ptr);

/* Defaults that work at aspect ratios of 1e3-1e5: a direct solver (AMG stalls on thin-plate bending), the matrix
   assembled and factored once and reused while the stiffness stays the same; SNES Newton on the linear problem is
   the iterative refinement, its residual summed in long double. The stiffness is SPD (pins remove the rigid-body
   modes, voids keep a small positive stiffness), so MUMPS factors it as LDL^T without pivoting (MAT_SPD: without it
   MUMPS pivots for symmetric indefinite matrices and stalls on the voids' tiny pivots); measured on the 100 mm plate
   at 35k DOFs, 2.9 s against LU's 5.1 s for two factorizations and 554 against 706 MB peak (bench/plate-3d.py). The inner
   GMRES needs only 1e-2: a round's gain is capped near 1e-2 by the matrix's rounding in bending anyway
   (RefinementConverged), so tighter inner solves spend solves with the factors on digits the next residual discards.
   A 2D section on one rank is factored by PETSc's own Cholesky in nested-dissection order instead: its matrices are
   small and banded, and MUMPS's fixed cost per call (about 80 us a back-solve, mostly its job dispatch) is most of
   each of the thousands of back-solves of an E(T) history. Measured on cases/patent/example-01.yaml, 377 solves:
   back-solves 0.59 against 0.05 s at 296 DOFs, 1.95 against 0.42 s at 2312, 7.3 against 1.8 s at 9224, the
   factorizations faster too and the curvatures the same to 12 digits. In 3D MUMPS stays: the native factorization
   fills more (five-layer plate: 69 against 28 ms at 2474 DOFs, 1.26 against 0.25 s at 9162). Every option under
   the prefix fcclsim_ (-fcclsim_pc_factor_mat_solver_type mumps restores MUMPS). */
static PetscErrorCode SetupSolver(Model m, SolveContext *ctx)
{
  SNESLineSearch ls;
  KSP            ksp;
  PC             pc;
  PetscDS        ds;
  PetscMPIInt    size;
  PetscBool      factor;

  PetscFunctionBeginUser;
  PetscCall(DMClone(m->dm_base, &ctx->dm));
  PetscCall(PetscObjectSetName((PetscObject)ctx->dm, "plate"));
  PetscCall(DMSetField(ctx->dm, 0, NULL, (PetscObject)m->fe));
  PetscCall(DMCreateDS(ctx->dm));
  PetscCall(DMGetDS(ctx->dm, &ds));
  PetscCall(PetscDSSetResidual(ds, 0, NULL, f1_thermoelastic));
  PetscCall(PetscDSSetJacobian(ds, 0, 0, NULL, NULL, NULL, g3_thermoelastic));
  PetscCall(AddConstraints(m, ctx));
  PetscCall(DMSetAuxiliaryVec(ctx->dm, NULL, 0, 0, StateFieldsVec(m->sf)));
  PetscCall(DMCreateMatrix(ctx->dm, &ctx->A));
  PetscCall(MatSetOption(ctx->A, MAT_SYMMETRIC, PETSC_TRUE));
  /* a nonlinear tangent is symmetric but not always definite: past a bifurcation, on the branch it leaves, it has
     negative pivots, so MUMPS factors it as a symmetric indefinite LDL^T */
  PetscCall(MatSetOption(ctx->A, MAT_SPD, m->opt.nonlinear ? PETSC_FALSE : PETSC_TRUE));
  if (m->opt.nonlinear) PetscCall(MatSetOption(ctx->A, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  PetscCall(DMCreateGlobalVector(ctx->dm, &ctx->u));
  PetscCall(PetscObjectSetName((PetscObject)ctx->u, "displacement_departure"));
  PetscCall(DMSNESSetFunction(ctx->dm, FormFunction, m));
  PetscCall(DMSNESSetJacobian(ctx->dm, FormJacobian, m));
  PetscCall(SNESCreate(m->comm, &ctx->snes));
  PetscCall(SNESSetOptionsPrefix(ctx->snes, "fcclsim_"));
  PetscCall(SNESSetDM(ctx->snes, ctx->dm));
  PetscCall(SNESSetJacobian(ctx->snes, ctx->A, ctx->A, NULL, NULL));
  PetscCall(SNESSetType(ctx->snes, SNESNEWTONLS));
  PetscCall(SNESGetLineSearch(ctx->snes, &ls));
  if (m->opt.nonlinear) {
    /* Newton with every step's tangent fresh, from the predictor (SolveOnce), full steps. Measured on the 10 mm Cu/PI
       plate cooled 325 K in 5 K increments (2 x 2 elements): full steps 4.2 per increment; bt stalls at its smallest
       step (the residual's norm is ruled by the stiff through-thickness entries, and grows along the right step);
       l2 6.1 per increment; cp stops short at small loads (1e-5 from the answer). -fcclsim_snes_linesearch_type
       overrides it. */
    PetscCall(SNESLineSearchSetType(ls, SNESLINESEARCHBASIC));
    PetscCall(SNESSetConvergenceTest(ctx->snes, NewtonConverged, m, NULL));
    PetscCall(SNESSetTolerances(ctx->snes, 0, 0, 0, 50, PETSC_DEFAULT));
  } else {
    PetscCall(SNESLineSearchSetType(ls, SNESLINESEARCHBASIC));
    PetscCall(SNESSetConvergenceTest(ctx->snes, RefinementConverged, m, NULL));
    PetscCall(SNESSetTolerances(ctx->snes, 0, 0, 0, 40, PETSC_DEFAULT));
  }
  PetscCall(SNESGetKSP(ctx->snes, &ksp));
  PetscCall(KSPSetType(ksp, KSPGMRES));
  PetscCall(KSPSetTolerances(ksp, 1e-2, PETSC_DEFAULT, PETSC_DEFAULT, 500));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCCHOLESKY));
  PetscCallMPI(MPI_Comm_size(m->comm, &size));
  if (size == 1 && m->dim == 2) {
    PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERPETSC));
    PetscCall(PCFactorSetMatOrderingType(pc, MATORDERINGND));
  } else PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  PetscCall(SNESSetFromOptions(ctx->snes));
  /* A preconditioner other than a factorization (-fcclsim_pc_type gamg, say) gets the rigid-body modes as the near null
     space: the pins remove them from the operator (model.h), not from what coarse spaces must represent. A
     factorization has no use for them, and they cost memory. */
  PetscCall(PetscObjectTypeCompareAny((PetscObject)pc, &factor, PCCHOLESKY, PCLU, ""));
  if (!factor) {
    MatNullSpace rigid;
    PetscCall(DMPlexCreateRigidBody(ctx->dm, 0, &rigid));
    PetscCall(MatSetNearNullSpace(ctx->A, rigid));
    PetscCall(MatNullSpaceDestroy(&rigid));
  }
  PetscCall(DMViewFromOptions(ctx->dm, NULL, "-fcclsim_model_dm_view"));
  ctx->decided_gen   = -1;
  ctx->unit_gen      = -1;
  ctx->factored      = PETSC_FALSE;
  ctx->have_tangent  = PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode StartFromState(Model m);

/* The free context, rebuilt when the pins have moved */
static PetscErrorCode EnsureFreeContext(Model m)
{
  PetscReal pins[3];

  PetscFunctionBeginUser;
  PetscCall(FindPins(m, pins));
  for (PetscInt p = 0; p < m->dim; p++) PetscCheck(pins[p] < PETSC_MAX_REAL, m->comm, PETSC_ERR_USER_INPUT, "no active material under pin %c of the rigid-body constraints (model.h): the column at x = %g mm, y = %g mm is etched through", (char)('A' + p), p == 1 ? (double)(m->pm.lx / 2 * 1e3) : 0.0, p == 2 ? (double)(m->pm.ly / 2 * 1e3) : 0.0);
  if (m->free.dm && pins[0] == m->free.pins_z[0] && pins[1] == m->free.pins_z[1] && (m->dim == 2 || pins[2] == m->free.pins_z[2])) PetscFunctionReturn(0);
  PetscCall(ContextDestroy(&m->free));
  PetscCall(PetscArraycpy(m->free.pins_z, pins, 3));
  PetscCall(SetupSolver(m, &m->free));
  /* geometry nonlinear: Newton goes on from the shape the stack has, not from flat, where it can find another
     equilibrium (measured: tests/fe/edge-inheritance.yaml, after the etch of the bottom foil moved the pins, -5.7
     against +18.8 1/m of the linear model, from flat) */
  if (m->opt.nonlinear) PetscCall(StartFromState(m));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   Assembly and solve */

/* -solver_stiffness_verify: PETSc's pointwise assembly (DMPlexSNESComputeJacobianFEM from g3_thermoelastic,
   DMPlexSNESComputeResidualFEM from f1) of the same matrix and load, compared entry by entry. The matrices sum the
   same products in other orders: measured 1e-15 to 3e-15 of each row's largest entry; 1e-12 leaves room for that. The
   loads differ by more than their sums' order: the pointwise path interpolates the eigenstrain at the quadrature
   points from its nodes (round-off ~1e-16 of eps*) and rounds each point's stress to double, where the reference
   cancels eps* to 1e-4 or less of itself; measured 1e-14 to 8e-12 of the largest element load term (ElementAssembly-
   Residual's scale), so 1e-10. A wrong kernel or assembly differs by O(1). */
static PetscErrorCode MatRowRelativeDifference(Mat A, Mat B, PetscReal *diff)
{
  PetscInt rStart, rEnd;
  MPI_Comm comm = PetscObjectComm((PetscObject)A);

  PetscFunctionBeginUser;
  *diff = 0;
  PetscCall(MatGetOwnershipRange(A, &rStart, &rEnd));
  for (PetscInt r = rStart; r < rEnd; r++) {
    const PetscInt    *ca, *cb;
    const PetscScalar *va, *vb;
    PetscInt           na, nb;
    PetscReal          rowmax = 0, d = 0;
    PetscCall(MatGetRow(A, r, &na, &ca, &va));
    PetscCall(MatGetRow(B, r, &nb, &cb, &vb));
    for (PetscInt i = 0; i < na; i++) rowmax = PetscMax(rowmax, PetscAbsScalar(va[i]));
    for (PetscInt i = 0, j = 0; i < na || j < nb;) { /* a merge of the sorted rows; PetscMax evaluates twice */
      PetscReal e;
      if (j >= nb || (i < na && ca[i] < cb[j])) e = PetscAbsScalar(va[i++]);
      else if (i >= na || cb[j] < ca[i]) e = PetscAbsScalar(vb[j++]);
      else {
        e = PetscAbsScalar(va[i] - vb[j]);
        i++, j++;
      }
      d = PetscMax(d, e);
    }
    PetscCall(MatRestoreRow(B, r, &nb, &cb, &vb));
    PetscCall(MatRestoreRow(A, r, &na, &ca, &va));
    if (rowmax > 0) *diff = PetscMax(*diff, d / rowmax);
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, diff, 1, MPIU_REAL, MPIU_MAX, comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode VerifyStiffness(Model m, SolveContext *ctx)
{
  Mat       P;
  Vec       X;
  PetscReal diff;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(ctx->dm, &X));
  PetscCall(VecZeroEntries(X));
  PetscCall(MatDuplicate(ctx->A, MAT_DO_NOT_COPY_VALUES, &P));
  PetscCall(DMPlexSNESComputeJacobianFEM(ctx->dm, X, P, P, NULL));
  PetscCall(MatRowRelativeDifference(ctx->A, P, &diff));
  PetscCall(MatDestroy(&P));
  PetscCall(DMRestoreLocalVector(ctx->dm, &X));
  PetscCall(PetscPrintf(m->comm, "verify: stiffness, element vs pointwise assembly, largest difference relative to its row: %.3e\n", (double)diff));
  PetscCheck(diff <= 1e-12, m->comm, PETSC_ERR_PLIB, "the element stiffness differs from PETSc's pointwise assembly by %g (relative to the row): a bug in solver/fe/element-assembly.c", (double)diff);
  PetscFunctionReturn(0);
}

static PetscErrorCode VerifyLoad(Model m, SolveContext *ctx)
{
  Vec       X, F, Fg, Fe, zero;
  PetscReal diff, emax;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(ctx->dm, &X));
  PetscCall(DMGetLocalVector(ctx->dm, &F));
  PetscCall(DMGetGlobalVector(ctx->dm, &Fg));
  PetscCall(DMGetGlobalVector(ctx->dm, &Fe));
  PetscCall(VecZeroEntries(X));
  PetscCall(VecZeroEntries(F));
  PetscCall(DMPlexSNESComputeResidualFEM(ctx->dm, X, F, NULL));
  PetscCall(VecZeroEntries(Fg));
  PetscCall(DMLocalToGlobal(ctx->dm, F, ADD_VALUES, Fg));
  PetscCall(DMGetGlobalVector(ctx->dm, &zero));
  PetscCall(VecZeroEntries(zero));
  PetscCall(ElementAssemblyResidual(ctx->dm, m->geo, m->sf, PETSC_FALSE, ctx->ref, zero, Fe, &emax));
  PetscCall(DMRestoreGlobalVector(ctx->dm, &zero));
  PetscCall(VecAXPY(Fg, -1, Fe));
  PetscCall(VecNorm(Fg, NORM_INFINITY, &diff));
  diff = emax > 0 ? diff / emax : diff;
  PetscCall(DMRestoreGlobalVector(ctx->dm, &Fe));
  PetscCall(DMRestoreGlobalVector(ctx->dm, &Fg));
  PetscCall(DMRestoreLocalVector(ctx->dm, &F));
  PetscCall(DMRestoreLocalVector(ctx->dm, &X));
  PetscCall(PetscPrintf(m->comm, "verify: load, element vs pointwise assembly, largest difference relative to the largest element load term: %.3e\n", (double)diff));
  PetscCheck(diff <= 1e-10, m->comm, PETSC_ERR_PLIB, "the element load differs from PETSc's pointwise assembly by %g: a bug in solver/fe/element-assembly.c", (double)diff);
  PetscFunctionReturn(0);
}

/* The cells' stiffness (all the matrix depends on) out of the state fields into *C (allocated if NULL), or, with
   into_state, from *C into them */
static PetscErrorCode CopyCellStiffness(Model m, PetscBool into_state, PetscScalar **C)
{
  PetscScalar *a;
  PetscInt     cStart, cEnd;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(m->dm_base, 0, &cStart, &cEnd));
  if (!*C) PetscCall(PetscMalloc1((cEnd - cStart) * STIFFNESS_N, C));
  PetscCall(VecGetArray(StateFieldsVec(m->sf), &a));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState    cs;
    PetscScalar *kept = &(*C)[(c - cStart) * STIFFNESS_N];
    PetscCall(StateFieldsCell(m->sf, a, c, &cs));
    if (into_state) PetscCall(PetscArraycpy(cs.stiffness, kept, STIFFNESS_N));
    else PetscCall(PetscArraycpy(kept, cs.stiffness, STIFFNESS_N));
  }
  PetscCall(VecRestoreArray(StateFieldsVec(m->sf), &a));
  PetscFunctionReturn(0);
}

/* The stiffness of the state in the model's state fields into the context's matrix (factored at the next solve) */
static PetscErrorCode AssembleStiffness(Model m, SolveContext *ctx)
{
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  if (m->opt.element_stiffness) {
    PetscCall(ElementAssemblyStiffness(ctx->dm, m->geo, m->sf, ctx->A));
    if (m->opt.verify_stiffness) PetscCall(VerifyStiffness(m, ctx));
  } else {
    Vec X;
    PetscCall(DMGetLocalVector(ctx->dm, &X));
    PetscCall(VecZeroEntries(X));
    PetscCall(DMPlexSNESComputeJacobianFEM(ctx->dm, X, ctx->A, ctx->A, NULL));
    PetscCall(DMRestoreLocalVector(ctx->dm, &X));
  }
  PetscCall(PetscTime(&t1));
  m->time_assembly += t1 - t0;
  PetscFunctionReturn(0);
}

/* The stiffness of the current state into the context's matrix and factored, when it has changed since the last
   assembly, or kept as it was (model.h, -solver_refactor_rounds). A slightly changed stiffness (an E(T) increment)
   keeps the last matrix and its factors: the refinement's residual is the new stiffness's own, so the answer is the
   new one, and the kept matrix only slows each round to about the relative change of the moduli. Assembling every
   increment's matrix only for the inner Krylov solve was 46 % of example-01's 3D history (perf, nx 4). */
static PetscErrorCode EnsureAssembled(Model m, SolveContext *ctx)
{
  PetscFunctionBeginUser;
  if (ctx->decided_gen == m->stiffness_gen) PetscFunctionReturn(0);
  ctx->decided_gen = m->stiffness_gen;
  /* through the SNES's preconditioner lag: SNESComputeJacobian sets the KSP's reuse flag after this callback returns
     (at the default lag of 1 to false, which refactored every E(T) increment: 187 factorizations in 189 solves of
     example-01); -1 keeps the factors, -2 rebuilds them once and keeps them for the rounds that follow */
  ctx->reusing = (PetscBool)(ctx->factored && !ctx->must_refactor && ctx->last_rounds <= ctx->fresh_rounds + m->opt.refactor_rounds);
  PetscCall(SNESSetLagPreconditioner(ctx->snes, ctx->reusing ? -1 : -2));
  if (ctx->reusing) PetscFunctionReturn(0);
  PetscCall(AssembleStiffness(m, ctx));
  if (ctx == &m->free) { /* the state the kept factors are of, for a checkpoint (ModelSolverWrite); the pressed context lives for one bond */
    PetscCall(CopyCellStiffness(m, PETSC_FALSE, &ctx->factored_C));
  }
  ctx->factored      = PETSC_TRUE;
  ctx->must_refactor = PETSC_FALSE;
  PetscFunctionReturn(0);
}

static SolveContext *ContextOf(Model m, DM dm)
{
  return dm == m->pressed.dm ? &m->pressed : &m->free;
}

/* The context whose SNES this is */
static PetscErrorCode SNESContext(SNES snes, Model m, SolveContext **ctx)
{
  DM dm;

  PetscFunctionBeginUser;
  PetscCall(SNESGetDM(snes, &dm));
  *ctx = ContextOf(m, dm);
  PetscFunctionReturn(0);
}

/* F(X): the weak form's residual by elements, in point arithmetic (element-assembly.h) */
static PetscErrorCode FormFunction(SNES snes, Vec X, Vec F, void *ptr)
{
  Model         m = (Model)ptr;
  SolveContext *ctx = NULL;

  PetscFunctionBeginUser;
  PetscCall(SNESContext(snes, m, &ctx));
  PetscCall(ElementAssemblyResidual(ctx->dm, m->geo, m->sf, m->opt.nonlinear, ctx->ref, X, F, &ctx->terms_max));
  PetscFunctionReturn(0);
}

/* -solver_tangent_verify: a Taylor test of the tangent A at X along a fixed pseudo-random direction v that moves the
   displacement by up to 1e-6 of the thinnest element's height: the remainder r(h) = |F(X + h v) - F(X) - h A v| of a
   consistent tangent falls as h^2, of a wrong one as h. With h = 1, 1/2, 1/4 on tests/nonlinear/bilayer-plate.yaml:
   rate 2.000; without the geometric stiffness 1.00 (so v is small enough for the stress's part of the tangent to
   show against the strain's second-order term); at 1e-7 of the height the residual's round-off starts to show (1.97).
   Below 1.8 stops the run. */
static PetscErrorCode VerifyTangent(Model m, SolveContext *ctx, Vec X)
{
  Vec         v, Xh, F0, Fh, Av;
  PetscRandom rnd;
  PetscReal   r[3], scale, rate;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(X, &v));
  PetscCall(VecDuplicate(X, &Xh));
  PetscCall(VecDuplicate(X, &F0));
  PetscCall(VecDuplicate(X, &Fh));
  PetscCall(VecDuplicate(X, &Av));
  PetscCall(PetscRandomCreate(m->comm, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, -1, 1));
  PetscCall(PetscRandomSetSeed(rnd, 12345));
  PetscCall(PetscRandomSeed(rnd));
  PetscCall(VecSetRandom(v, rnd));
  PetscCall(PetscRandomDestroy(&rnd));
  scale = 1e-6 * SmallestElementHeight(m->stack);
  PetscCall(VecScale(v, scale));
  PetscCall(ElementAssemblyResidual(ctx->dm, m->geo, m->sf, PETSC_TRUE, ctx->ref, X, F0, NULL));
  PetscCall(MatMult(ctx->A, v, Av));
  for (PetscInt k = 0; k < 3; k++) {
    const PetscReal h = PetscPowReal(0.5, k);
    PetscCall(VecWAXPY(Xh, h, v, X));
    PetscCall(ElementAssemblyResidual(ctx->dm, m->geo, m->sf, PETSC_TRUE, ctx->ref, Xh, Fh, NULL));
    PetscCall(VecAXPY(Fh, -1, F0));
    PetscCall(VecAXPY(Fh, -h, Av));
    PetscCall(VecNorm(Fh, NORM_2, &r[k]));
  }
  rate = PetscLog2Real(r[1] / r[2]);
  PetscCall(PetscPrintf(m->comm, "verify: tangent, Taylor remainders %.3e %.3e %.3e at h = 1, 1/2, 1/4: rate %.3f\n", (double)r[0], (double)r[1], (double)r[2], (double)rate));
  PetscCheck(rate >= 1.8, m->comm, PETSC_ERR_PLIB, "the Taylor remainder of the tangent falls at the rate %g, not 2: the tangent is not the residual's derivative (a bug in solver/fe/element-assembly.c)", (double)rate);
  PetscCall(VecDestroy(&v));
  PetscCall(VecDestroy(&Xh));
  PetscCall(VecDestroy(&F0));
  PetscCall(VecDestroy(&Fh));
  PetscCall(VecDestroy(&Av));
  PetscFunctionReturn(0);
}

static PetscErrorCode FormJacobian(SNES snes, Vec X, Mat J, Mat P, void *ptr)
{
  Model          m = (Model)ptr;
  SolveContext  *ctx = NULL;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(SNESContext(snes, m, &ctx));
  if (!m->opt.nonlinear) {
    PetscCall(EnsureAssembled(m, ctx));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscTime(&t0));
  PetscCall(ElementAssemblyTangent(ctx->dm, m->geo, m->sf, ctx->ref, X, ctx->A));
  PetscCall(PetscTime(&t1));
  m->time_assembly += t1 - t0;
  if (m->opt.verify_tangent) PetscCall(VerifyTangent(m, ctx, X));
  PetscFunctionReturn(0);
}

/* The size of the reference displacement: its largest component at the plate's corners, top and bottom. A departure
   below 1e-12 of it is round-off of a state the reference solves exactly (a homogeneous plate, say), whose load is
   itself round-off and cannot be refined to 1e-6 of itself: such a solve is done, not stalled. */
static PetscReal ReferenceScale(Model m, const PetscScalar ref[])
{
  PetscReal scale = 0;

  for (PetscInt k = 0; k < 2; k++) {
    const PetscReal z    = k ? StackZ(m->stack, m->nlayers) : 0;
    const PetscReal x[3] = {m->pm.lx / 2, m->dim == 3 ? m->pm.ly / 2 : z, z};
    PetscScalar     u[3] = {0, 0, 0};
    ReferenceDisplacement(m->dim, ref, x, u);
    for (PetscInt c = 0; c < m->dim; c++) scale = PetscMax(scale, PetscAbsScalar(u[c]));
  }
  return scale;
}

/* The refinement's rules (each Newton step X -= Y is a correction from the factorization of the stiffness rounded to
   double, on the residual of the element operator in long double): stop when the corrections still to come, the
   geometric series of the last ratio rho = |Y_k| / |Y_k-1| (|Y_k| rho / (1 - rho)), are below -solver_refinement_rtol
   of X; when a correction moves X by less than 1e-14 of its size; or when the corrections no longer halve: they have
   reached the floor that the solution's own precision sets. The corrections decide, not the residual: on a 100 mm
   plate with um layers the rounding of the matrix to double shifts its softest (bending) modes by ~1e-2, so each round gains only ~2 digits there while the residual's
   largest entries, in the stiff modes, sit at their round-off floor from the first round (measured: corrections 1e-2,
   6e-4, 4e-5, ... on tests/model/five-layer.yaml at 100 mm, the residual flat at 1e-11 of the load). A floor above
   1e-6 of the load would be a problem beyond long double (measured 1e-14 to 6e-11 on 100 mm plates), and corrections
   that still fall after 30 rounds a factorization too poor to refine. When the last correction grew, it is round-off,
   and the solve takes it back. */
static PetscErrorCode RefinementConverged(SNES snes, PetscInt it, PetscReal xnorm, PetscReal snorm, PetscReal fnorm, SNESConvergedReason *reason, void *ptr)
{
  Model         m = (Model)ptr;
  DM            dm;
  SolveContext *ctx;
  Vec           X, Y, F;
  PetscReal     nx, ny, nf, rate;

  PetscFunctionBeginUser;
  PetscCall(SNESGetDM(snes, &dm));
  ctx     = ContextOf(m, dm);
  *reason = SNES_CONVERGED_ITERATING;
  PetscCall(SNESGetFunction(snes, &F, NULL, NULL));
  PetscCall(VecNorm(F, NORM_INFINITY, &nf));
  PetscCheck(!PetscIsInfOrNanReal(nf), m->comm, PETSC_ERR_FP, "the solution holds NaN or Inf: check the material data (moduli, nu) of the case");
  if (it == 0) {
    ctx->norm_b = nf; /* from zero, the residual is the load */
    PetscCall(SNESGetSolution(snes, &X));
    PetscCall(VecNorm(X, NORM_INFINITY, &nx));
    if (nx > 0) { /* a warm start: the load is F(0) = F(X) - A X, in double (it scales a threshold only) */
      Vec b;
      PetscCall(DMGetGlobalVector(dm, &b));
      PetscCall(MatMult(ctx->A, X, b));
      PetscCall(VecAYPX(b, -1, F));
      PetscCall(VecNorm(b, NORM_INFINITY, &ctx->norm_b));
      PetscCall(DMRestoreGlobalVector(dm, &b));
    }
    ctx->last_f    = nf;
    ctx->last_y    = PETSC_MAX_REAL;
    ctx->take_back = PETSC_FALSE;
    if (nf == 0) *reason = SNES_CONVERGED_FNORM_ABS;
    PetscFunctionReturn(0);
  }
  PetscCall(SNESGetSolution(snes, &X));
  PetscCall(SNESGetSolutionUpdate(snes, &Y));
  PetscCall(VecNorm(X, NORM_INFINITY, &nx));
  PetscCall(VecNorm(Y, NORM_INFINITY, &ny));
  PetscCall(PetscInfo(snes, "refinement round %" PetscInt_FMT ": correction %g of the solution, residual %g of the load, %g of the largest element term\n", it, (double)(ny / nx), (double)(nf / ctx->norm_b), (double)(nf / ctx->terms_max)));
  /* The rate of the refinement, for the extrapolation: the ratio of the last two corrections, or of the last two
     residuals when that is larger and the residual is still well above its round-off floor (measured at 2e-12 to 4e-12
     of the largest element term; 1e-9 is 250 times that). The corrections alone can mislead: from a warm start with
     kept factors of an earlier stiffness, the first correction is the whole increment, and the second, 1e-3 of it,
     looked converged while the residual had fallen by only 16x and stood at 2.5e-6 of the load (example-01 3D, the
     E(T) increments of the last cool-down), which left 1.6e-6 of the copper stress unsolved on 2 ranks (restart-3d-mid-np2). */
  rate = ctx->last_y < PETSC_MAX_REAL ? ny / ctx->last_y : 1;
  if (nf > 1e-9 * ctx->terms_max) rate = PetscMax(rate, nf / ctx->last_f);
  if (ny <= 1e-14 * nx) *reason = SNES_CONVERGED_SNORM_RELATIVE;
  else if (rate <= 0.5 && ny * rate / (1 - rate) <= m->opt.refinement_rtol * nx) *reason = SNES_CONVERGED_SNORM_RELATIVE;
  else if (ny > 0.5 * ctx->last_y && nf > 0.5 * ctx->last_f) { /* neither the correction nor the residual halves */
    const PetscReal f        = PetscMin(nf, ctx->last_f);
    const PetscBool at_floor = (PetscBool)(f <= 1e-6 * ctx->norm_b || nx <= 1e-12 * ReferenceScale(m, ctx->ref));
    if (!at_floor && ctx->reusing) { /* kept factors of an earlier stiffness: SolveOnce factors and retries */
      *reason = SNES_DIVERGED_LINEAR_SOLVE;
      PetscFunctionReturn(0);
    }
    PetscCheck(at_floor, m->comm, PETSC_ERR_NOT_CONVERGED, "the linear solve failed: iterative refinement stalls with the residual at %g of the load (the inner KSP, -fcclsim_ksp_*/-fcclsim_pc_*, does not reduce it; see -fcclsim_ksp_monitor)", (double)(f / ctx->norm_b));
    ctx->take_back = (PetscBool)(ny > ctx->last_y);
    *reason        = SNES_CONVERGED_SNORM_RELATIVE;
  } else if (ctx->reusing && it >= 12) *reason = SNES_DIVERGED_LINEAR_SOLVE; /* kept factors too stale to refine fast: SolveOnce factors and retries */
  else PetscCheck(it < 30, m->comm, PETSC_ERR_NOT_CONVERGED, "the linear solve failed: iterative refinement still moves the solution by %g of its size after %" PetscInt_FMT " rounds (the inner KSP's tolerance, -fcclsim_ksp_rtol, is too loose, or the factorization too poor; see -fcclsim_ksp_monitor)", (double)(ny / nx), it);
  ctx->last_f = nf;
  ctx->last_y = ny;
  PetscFunctionReturn(0);
}

/* Geometry nonlinear: Newton's rules. Each step's correction comes from the tangent's factorization rounded to double,
   on the residual in long double, so near the answer Newton is also the refinement above: stop when a step moves the
   displacement by less than -solver_refinement_rtol of it (its quadratic, or refinement's two-digit, gain leaves far
   less to come), or when neither steps nor residual halve any more with the residual below 1e-10 of the largest
   element term (the round-off floor). A step that does not converge in 50 is an error (SolveOnce). */
static PetscErrorCode NewtonConverged(SNES snes, PetscInt it, PetscReal xnorm, PetscReal snorm, PetscReal fnorm, SNESConvergedReason *reason, void *ptr)
{
  Model         m = (Model)ptr;
  SolveContext *ctx = NULL;

  PetscFunctionBeginUser;
  PetscCall(SNESContext(snes, m, &ctx));
  *reason = SNES_CONVERGED_ITERATING;
  PetscCheck(!PetscIsInfOrNanReal(fnorm), m->comm, PETSC_ERR_FP, "the solution holds NaN or Inf: check the material data (moduli, nu) of the case");
  if (it == 0) {
    ctx->norm_b = fnorm;
    ctx->last_f = fnorm;
    ctx->last_y = PETSC_MAX_REAL;
    if (fnorm == 0) *reason = SNES_CONVERGED_FNORM_ABS;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscInfo(snes, "Newton step %" PetscInt_FMT ": step %g of the displacement, residual %g of the first, %g of the largest element term\n", it, (double)(xnorm > 0 ? snorm / xnorm : snorm), (double)(ctx->norm_b > 0 ? fnorm / ctx->norm_b : fnorm), (double)(fnorm / ctx->terms_max)));
  { /* the Newton step before the line search scaled it: a short step of a line search that stalls is no convergence */
    SNESLineSearch ls;
    PetscReal      lambda;
    PetscCall(SNESGetLineSearch(snes, &ls));
    PetscCall(SNESLineSearchGetLambda(ls, &lambda));
    if (lambda > 0) snorm /= PetscMin(lambda, 1);
  }
  if (snorm <= m->opt.refinement_rtol * xnorm) *reason = SNES_CONVERGED_SNORM_RELATIVE;
  else if (it >= 3 && snorm > 0.5 * ctx->last_y && fnorm > 0.5 * ctx->last_f && fnorm <= 1e-10 * ctx->terms_max) *reason = SNES_CONVERGED_SNORM_RELATIVE;
  ctx->last_f = fnorm;
  ctx->last_y = snorm;
  PetscFunctionReturn(0);
}

/* Geometry nonlinear: the predictor of a load step, u -= A^-1 F(u), with A the tangent of the last solved state (the
   Euler step along the equilibrium path; the factors the last Newton step left, so it costs one back-solve). Newton's
   own first step would use the tangent at u under the new load, whose stress is not in equilibrium: the whole thermal
   stress of the increment, unrelaxed, adds a geometric stiffness of relative size 12 alpha dT (l / h)^2 to bending
   (l the element size, h the stack), about 1 for dT = 1 K at l / h = 70, and that tangent sends Newton off (measured:
   no convergence in 50 steps on a 10 mm Cu/PI plate, 2 x 2 elements, for a 1 K first increment; with the predictor,
   3 steps). After a bond or an etch, or before the first solve, the tangent is assembled at u for the present state
   (a bond's layers are born stress-free, so its stress is still the equilibrium's). */
static PetscErrorCode PredictStep(Model m, SolveContext *ctx, Vec u)
{
  KSP                ksp;
  Vec                F, du;
  KSPConvergedReason kr;

  PetscFunctionBeginUser;
  PetscCall(SNESGetKSP(ctx->snes, &ksp));
  if (!ctx->have_tangent || ctx->must_refactor) {
    PetscCall(ElementAssemblyTangent(ctx->dm, m->geo, m->sf, ctx->ref, u, ctx->A));
    PetscCall(KSPSetOperators(ksp, ctx->A, ctx->A));
    ctx->must_refactor = PETSC_FALSE;
  }
  PetscCall(VecDuplicate(u, &F));
  PetscCall(VecDuplicate(u, &du));
  PetscCall(ElementAssemblyResidual(ctx->dm, m->geo, m->sf, PETSC_TRUE, ctx->ref, u, F, &ctx->terms_max));
  PetscCall(KSPSolve(ksp, F, du));
  PetscCall(KSPGetConvergedReason(ksp, &kr));
  if (kr > 0) PetscCall(VecAXPY(u, -1, du));
  else PetscCall(PetscInfo(ctx->snes, "the predictor's solve failed (%s): Newton starts from the last state\n", KSPConvergedReasons[kr]));
  {
    PetscReal f0, f1;
    PetscCall(VecNorm(F, NORM_2, &f0));
    PetscCall(ElementAssemblyResidual(ctx->dm, m->geo, m->sf, PETSC_TRUE, ctx->ref, u, F, &ctx->terms_max));
    PetscCall(VecNorm(F, NORM_2, &f1));
    PetscCall(PetscInfo(ctx->snes, "predictor: residual %g -> %g\n", (double)f0, (double)f1));
  }
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&du));
  PetscFunctionReturn(0);
}

/* Newton from u (the predictor first); *ok: it converged (else u is wherever it stopped) */
static PetscErrorCode NewtonSolve(Model m, SolveContext *ctx, Vec u, PetscBool *ok, PetscInt *steps)
{
  SNESConvergedReason reason;
  PetscInt            its;

  PetscFunctionBeginUser;
  PetscCall(PredictStep(m, ctx, u));
  PetscCall(SNESSolve(ctx->snes, NULL, u));
  PetscCall(SNESGetConvergedReason(ctx->snes, &reason));
  PetscCall(SNESGetLinearSolveIterations(ctx->snes, &its));
  PetscCall(SNESGetIterationNumber(ctx->snes, steps));
  m->iterations += PetscMax(its, 1);
  m->newton_steps += *steps;
  ctx->last_rounds  = *steps;
  *ok               = (PetscBool)(reason > 0);
  ctx->have_tangent = *ok; /* else A is the tangent of wherever Newton stopped: no predictor */
  if (!*ok) PetscCall(PetscInfo(ctx->snes, "Newton did not converge: %s after %" PetscInt_FMT " steps\n", SNESConvergedReasons[reason], *steps));
  PetscFunctionReturn(0);
}

/* The state fields at load fraction lambda between the last state solved (old) and the present one (target): the
   eigenstrains, stiffnesses and temperatures blended linearly, the cells' flags (active or not) the old ones until
   lambda = 1, where the state is the target exactly. An etch is then a continuous softening of the etched cells, an
   increment a continuous change of eigenstrain and modulus. */
static PetscErrorCode BlendState(Model m, Vec old, Vec target, PetscReal lambda)
{
  Vec          state = StateFieldsVec(m->sf);
  PetscScalar *a, *o;
  PetscInt     cStart, cEnd;

  PetscFunctionBeginUser;
  if (lambda >= 1) {
    PetscCall(VecCopy(target, state));
    PetscFunctionReturn(0);
  }
  PetscCall(VecAXPBYPCZ(state, 1 - lambda, lambda, 0, old, target));
  PetscCall(DMPlexGetHeightStratum(m->dm_base, 0, &cStart, &cEnd));
  PetscCall(VecGetArray(state, &a));
  PetscCall(VecGetArray(old, &o));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState cs, co;
    PetscCall(StateFieldsCell(m->sf, a, c, &cs));
    PetscCall(StateFieldsCell(m->sf, o, c, &co));
    cs.cell[CELL_LAYER]  = co.cell[CELL_LAYER];
    cs.cell[CELL_ACTIVE] = co.cell[CELL_ACTIVE];
  }
  PetscCall(VecRestoreArray(old, &o));
  PetscCall(VecRestoreArray(state, &a));
  PetscFunctionReturn(0);
}

/* The stability of the state Newton reached: the number of negative pivots in MUMPS's LDL^T of its tangent (the last
   Newton step's, at the state to the step's tolerance). By Sylvester's law of inertia it is the number of negative
   eigenvalues of the tangent on the free DOFs (the pins take out the rigid-body modes, model.h): 0 on a stable
   equilibrium; 1 or more on a branch the sample would leave, such as the symmetric one past the sphere-to-cylinder
   bifurcation. -1 when the factorization is another solver's, which does not say. */
static PetscErrorCode CountNegativePivots(Model m, SolveContext *ctx, PetscInt *n)
{
  KSP           ksp;
  PC            pc;
  Mat           F;
  MatSolverType type;
  PetscBool     factor, mumps;

  PetscFunctionBeginUser;
  *n = -1;
  PetscCall(SNESGetKSP(ctx->snes, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCCHOLESKY, &factor));
  if (!factor) PetscFunctionReturn(0);
  PetscCall(PCFactorGetMatrix(pc, &F));
  PetscCall(MatFactorGetSolverType(F, &type));
  PetscCall(PetscStrcmp(type, MATSOLVERMUMPS, &mumps));
  if (mumps) PetscCall(MatMumpsGetInfog(F, 12, n));
  PetscFunctionReturn(0);
}

/* Geometry nonlinear: the present state from the last one solved, into u (which holds that state's displacement).
   One Newton solve when it converges; else a continuation in the load fraction lambda from the last state solved
   (BlendState), its steps halved when Newton fails (from the last converged displacement) and doubled after an
   easy one (at most 4 Newton steps), down to 1/1024 of the change before it gives up with an error. Needed where one
   step changes the load a lot: an etch of a whole foil from a curled stack does not converge in one (measured:
   tests/fe/edge-inheritance.yaml at 4 x 4, the etch of cu1). */
static PetscErrorCode SolveNonlinear(Model m, SolveContext *ctx, Vec u)
{
  Vec       target, u_ok;
  PetscReal lambda = 0, step = 0.5;
  PetscInt  steps, tries = 1;
  PetscBool ok;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(u, &u_ok));
  PetscCall(VecCopy(u, u_ok));
  PetscCall(NewtonSolve(m, ctx, u, &ok, &steps));
  if (!ok) {
    PetscCheck(m->solved_state, m->comm, PETSC_ERR_NOT_CONVERGED, "the nonlinear solve failed in %" PetscInt_FMT " Newton steps (-fcclsim_snes_monitor shows them)", steps);
    PetscCall(VecDuplicate(StateFieldsVec(m->sf), &target));
    PetscCall(VecCopy(StateFieldsVec(m->sf), target));
    PetscCall(VecCopy(u_ok, u));
    while (lambda < 1) {
      const PetscReal l = PetscMin(1, lambda + step);
      PetscCall(BlendState(m, m->solved_state, target, l));
      PetscCall(NewtonSolve(m, ctx, u, &ok, &steps));
      tries++;
      PetscCall(PetscInfo(ctx->snes, "continuation to %g of the change: %s in %" PetscInt_FMT " Newton steps\n", (double)l, ok ? "converged" : "failed", steps));
      if (ok) {
        lambda = l;
        PetscCall(VecCopy(u, u_ok));
        if (steps <= 4) step = PetscMin(2 * step, 1);
      } else {
        PetscCall(VecCopy(u_ok, u));
        step /= 2;
        if (step < 1.0 / 1024) PetscCall(BlendState(m, m->solved_state, target, 1)); /* the state the step asked for, as the error leaves it */
        PetscCheck(step >= 1.0 / 1024, m->comm, PETSC_ERR_NOT_CONVERGED, "the nonlinear solve failed: a continuation from the last state solved stalls at %g of the change (steps of 1/1024 of it do not converge; -fcclsim_snes_monitor shows the Newton steps)", (double)lambda);
      }
    }
    PetscCall(PetscInfo(ctx->snes, "continuation: %" PetscInt_FMT " solves\n", tries));
    PetscCall(VecDestroy(&target));
  }
  PetscCall(VecDestroy(&u_ok));
  PetscCall(CountNegativePivots(m, ctx, &m->negative_pivots));
  if (!m->solved_state) PetscCall(VecDuplicate(StateFieldsVec(m->sf), &m->solved_state));
  PetscCall(VecCopy(StateFieldsVec(m->sf), m->solved_state));
  PetscFunctionReturn(0);
}

/* One linear solve in the context, for the reference ref, into u. It starts from u as the last solve in the context
   left it: a temperature increment changes the departure by a few per cent, so the refinement begins that much closer
   (cases/patent/example-01.yaml in 2D: 2053 residuals in 377 solves against 2595 from zero, curvatures the same to
   1.4e-12). A linear problem's refinement converges from any start, so a bond or an etch, after which the last
   departure is a poorer guess, is still solved to the same tolerance. */
static PetscErrorCode SolveOnce(Model m, SolveContext *ctx, PetscScalar ref[], Vec u)
{
  PetscLogDouble      t0, t1;
  SNESConvergedReason reason;
  PetscInt            its, newton;
  PetscDS             ds;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  ctx->ref = ref;
  PetscCall(DMGetDS(ctx->dm, &ds));
  PetscCall(PetscDSSetConstants(ds, m->nref, ref));
  if (m->opt.nonlinear) {
    PetscCall(SolveNonlinear(m, ctx, u));
    PetscCall(PetscTime(&t1));
    m->time_solve += t1 - t0;
    PetscFunctionReturn(0);
  }
  PetscCall(EnsureAssembled(m, ctx));
  if (m->opt.verify_stiffness) PetscCall(VerifyLoad(m, ctx));
  for (PetscInt attempt = 0;; attempt++) {
    const PetscBool reused = ctx->reusing;
    if (attempt) PetscCall(VecZeroEntries(u)); /* the retry with fresh factors starts from nothing */
    PetscCall(SNESSolve(ctx->snes, NULL, u));
    PetscCall(SNESGetConvergedReason(ctx->snes, &reason));
    PetscCall(SNESGetLinearSolveIterations(ctx->snes, &its));
    PetscCall(SNESGetIterationNumber(ctx->snes, &newton));
    m->iterations += PetscMax(its, 1);
    ctx->last_rounds = newton;
    if (!reused) ctx->fresh_rounds = newton;
    if (reason > 0 || !reused || attempt) break;
    /* the kept factorization no longer preconditions the changed stiffness: assemble and factor it, and solve again */
    PetscCall(PetscInfo(ctx->snes, "the kept factorization does not refine the changed stiffness (%s): factoring it\n", SNESConvergedReasons[reason]));
    ctx->must_refactor = PETSC_TRUE;
    ctx->decided_gen   = -1;
    PetscCall(EnsureAssembled(m, ctx));
  }
  PetscCheck(reason > 0, m->comm, PETSC_ERR_NOT_CONVERGED, "the linear solve failed: %s (see -fcclsim_ksp_converged_reason, -fcclsim_ksp_monitor)", SNESConvergedReasons[reason]);
  if (ctx->take_back) {
    Vec Y;
    PetscCall(SNESGetSolutionUpdate(ctx->snes, &Y));
    PetscCall(VecAXPY(u, 1, Y));
  }
  PetscCall(PetscTime(&t1));
  m->time_solve += t1 - t0;
  PetscFunctionReturn(0);
}

/* The out-of-plane force of the 2D section, N/m: the integral of sigma_yy (mesh index 2) for the departure u */
static PetscErrorCode OutOfPlaneForce(Model m, SolveContext *ctx, const PetscScalar ref[], Vec u, PetscReal *N)
{
  CellLoop           cl;
  Vec                loc;
  PetscScalar       *closure;
  const PetscScalar *la;
  PetscInt           cStart, cEnd;
  PetscReal          sum = 0;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(ctx->dm, &loc));
  PetscCall(VecZeroEntries(loc));
  PetscCall(DMGlobalToLocal(ctx->dm, u, INSERT_VALUES, loc));
  PetscCall(DMPlexGetHeightStratum(ctx->dm, 0, &cStart, &cEnd));
  PetscCall(CellLoopBegin(ctx->dm, m->geo, m->sf, &cl));
  PetscCall(PetscMalloc1(cl.Nb, &closure));
  PetscCall(VecGetArrayRead(loc, &la));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopSetCell(ctx->dm, c, &cl));
    PetscCall(CellLoopGetClosure(ctx->dm, &cl, loc, la, closure));
    for (PetscInt q = 0; q < cl.Nq; q++) {
      PointReal e[9], s[9];
      CellLoopStress(&cl, q, closure, ref, NULL, e, s);
      sum += cl.weights[q] * cl.detJ[q] * s[8];
    }
  }
  PetscCall(VecRestoreArrayRead(loc, &la));
  PetscCall(PetscFree(closure));
  PetscCall(CellLoopEnd(&cl));
  PetscCall(DMRestoreLocalVector(ctx->dm, &loc));
  PetscCallMPI(MPI_Allreduce(&sum, N, 1, MPIU_REAL, MPI_SUM, m->comm));
  PetscFunctionReturn(0);
}

/* Solves the current state in the context for the reference ref (combined in place in 2D), into the local ud.
   3D: one solve. 2D: the out-of-plane strain is the one extra unknown; the problem is linear in it, so solve the
   thermal problem at the reference's strain and the unit-strain problem (its own reference ref_unit) with the same
   factorization, and combine them so that the out-of-plane force vanishes. */
static PetscErrorCode SolveContextState(Model m, SolveContext *ctx, PetscScalar ref[], PetscScalar ref_unit[], Vec ud)
{
  PetscFunctionBeginUser;
  PetscCall(SolveOnce(m, ctx, ref, ctx->u));
  if (m->dim == 2) {
    PetscReal N, s;
    if (ctx->unit_gen != m->stiffness_gen) { /* the unit problem depends on the stiffness alone */
      if (!ctx->unit_u) PetscCall(VecDuplicate(ctx->u, &ctx->unit_u));
      PetscCall(SolveOnce(m, ctx, ref_unit, ctx->unit_u));
      PetscCall(OutOfPlaneForce(m, ctx, ref_unit, ctx->unit_u, &ctx->unit_N));
      PetscCheck(ctx->unit_N > 0, m->comm, PETSC_ERR_PLIB, "out-of-plane stiffness %g is not positive", (double)ctx->unit_N);
      ctx->unit_gen = m->stiffness_gen;
    }
    PetscCall(OutOfPlaneForce(m, ctx, ref, ctx->u, &N));
    s = N / ctx->unit_N;
    PetscCall(PetscInfo(ctx->snes, "out-of-plane resultants: unit strain %g N/m, thermal %g N/m\n", (double)ctx->unit_N, (double)N));
    PetscCall(VecAXPY(ctx->u, -s, ctx->unit_u));
    ref[REF_KX] -= s * ref_unit[REF_KX];
    ref[REF_EX] -= s * ref_unit[REF_EX];
    ref[REF_EOUT] -= s * ref_unit[REF_EOUT];
    for (PetscInt i = 0; i < m->nlayers; i++) {
      PetscScalar       *L = (PetscScalar *)ReferenceLayer(ref, i);
      const PetscScalar *U = ReferenceLayer(ref_unit, i);
      L[REF_A] -= s * U[REF_A];
      L[REF_B] -= s * U[REF_B];
      L[REF_W0] -= s * U[REF_W0];
    }
  }
  PetscCall(VecZeroEntries(ud));
  PetscCall(DMGlobalToLocal(ctx->dm, ctx->u, INSERT_VALUES, ud));
  PetscFunctionReturn(0);
}

PetscErrorCode ModelSolve(Model m)
{
  PetscFunctionBeginUser;
  if (m->solved) PetscFunctionReturn(0);
  PetscCall(EnsureFreeContext(m));
  PetscCall(SolveContextState(m, &m->free, m->ref, m->ref_unit, m->ud));
  m->solved = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* The free context's next solve starts from the state's own departure */
static PetscErrorCode StartFromState(Model m)
{
  PetscFunctionBeginUser;
  PetscCall(VecZeroEntries(m->free.u));
  PetscCall(DMLocalToGlobal(m->free.dm, m->ud, INSERT_VALUES, m->free.u));
  PetscFunctionReturn(0);
}

/* What the free solver carries from one step to the next, for a checkpoint: the factorization kept as the
   preconditioner (-solver_refactor_rounds), of the stiffness of the state it was made from, which may be an earlier
   one than the checkpoint's; the refinement's round counts, which decide when it is made again; the 2D unit problem
   and its departure; and the last departure, from which the next solve starts (the state's own: a step ends with a
   solve). A restart that rebuilds all of it takes the steps that follow exactly as the uninterrupted run did, to the
   bit on one rank (docs/restart.md), without making every step forget it (which cost 29 % of a 138k-DOF history). */
enum { MEMORY_CONTEXT, MEMORY_FACTORED, MEMORY_REUSING, MEMORY_LAST_ROUNDS, MEMORY_FRESH_ROUNDS, MEMORY_UNIT, MEMORY_UNIT_VALID, MEMORY_UNIT_N, MEMORY_NUM };

PetscErrorCode ModelSolverWrite(Model m, PetscViewer viewer)
{
  SolveContext *ctx = &m->free;
  PetscScalar   flags[MEMORY_NUM];

  PetscFunctionBeginUser;
  PetscCheck(m->solved, m->comm, PETSC_ERR_PLIB, "the solver's memory is written at a step's end, after its solve");
  flags[MEMORY_CONTEXT]      = ctx->dm != NULL;
  flags[MEMORY_FACTORED]     = ctx->dm && ctx->factored;
  flags[MEMORY_REUSING]      = ctx->dm && ctx->factored && ctx->reusing; /* then the factors are of factored_C */
  flags[MEMORY_LAST_ROUNDS]  = ctx->last_rounds;
  flags[MEMORY_FRESH_ROUNDS] = ctx->fresh_rounds;
  flags[MEMORY_UNIT]         = ctx->dm && ctx->unit_u;
  flags[MEMORY_UNIT_VALID]   = ctx->dm && ctx->unit_u && ctx->unit_gen == m->stiffness_gen;
  flags[MEMORY_UNIT_N]       = ctx->unit_N;
  PetscCall(StateFileWriteShared(viewer, "solver_memory", MEMORY_NUM, flags));
  if (PetscRealPart(flags[MEMORY_REUSING]) != 0) {
    PetscInt cStart, cEnd;
    PetscCall(DMPlexGetHeightStratum(m->dm_base, 0, &cStart, &cEnd));
    PetscCall(StateFileWrite(viewer, "factored_stiffness", (cEnd - cStart) * STIFFNESS_N, ctx->factored_C));
  }
  if (PetscRealPart(flags[MEMORY_UNIT]) != 0) PetscCall(StateFileWriteVec(viewer, "unit_departure", ctx->unit_u));
  PetscFunctionReturn(0);
}

/* After ModelStateRestore of the checkpoint's state. The factors are made again from the matrix they were made from:
   factoring is deterministic, so they are the same factors. */
PetscErrorCode ModelSolverRead(Model m, PetscViewer viewer)
{
  SolveContext *ctx;
  PetscScalar   flags[MEMORY_NUM];

  PetscFunctionBeginUser;
  PetscCall(StateFileReadShared(viewer, "solver_memory", MEMORY_NUM, flags));
  if (PetscRealPart(flags[MEMORY_CONTEXT]) == 0) PetscFunctionReturn(0);
  PetscCall(EnsureFreeContext(m));
  ctx = &m->free;
  PetscCall(StartFromState(m));
  ctx->last_rounds  = (PetscInt)PetscRealPart(flags[MEMORY_LAST_ROUNDS]);
  ctx->fresh_rounds = (PetscInt)PetscRealPart(flags[MEMORY_FRESH_ROUNDS]);
  if (PetscRealPart(flags[MEMORY_FACTORED]) != 0) {
    if (PetscRealPart(flags[MEMORY_REUSING]) != 0) { /* the factors are of an earlier state's stiffness: assembled from it */
      PetscScalar *now = NULL;
      PetscInt     cStart, cEnd;
      PetscCall(DMPlexGetHeightStratum(m->dm_base, 0, &cStart, &cEnd));
      if (!ctx->factored_C) PetscCall(PetscMalloc1((cEnd - cStart) * STIFFNESS_N, &ctx->factored_C));
      PetscCall(StateFileRead(viewer, "factored_stiffness", (cEnd - cStart) * STIFFNESS_N, ctx->factored_C));
      PetscCall(CopyCellStiffness(m, PETSC_FALSE, &now));
      PetscCall(CopyCellStiffness(m, PETSC_TRUE, &ctx->factored_C));
      PetscCall(AssembleStiffness(m, ctx));
      PetscCall(CopyCellStiffness(m, PETSC_TRUE, &now));
      PetscCall(PetscFree(now));
    } else {
      PetscCall(CopyCellStiffness(m, PETSC_FALSE, &ctx->factored_C));
      PetscCall(AssembleStiffness(m, ctx));
    }
    /* factored at the next solve: the preconditioner has not been set up, so even a kept one (lag -1) is built once */
    ctx->factored      = PETSC_TRUE;
    ctx->must_refactor = PETSC_FALSE;
    ctx->reusing       = (PetscBool)(PetscRealPart(flags[MEMORY_REUSING]) != 0);
    ctx->decided_gen   = m->stiffness_gen;
  }
  if (PetscRealPart(flags[MEMORY_UNIT]) != 0) {
    if (!ctx->unit_u) PetscCall(VecDuplicate(ctx->u, &ctx->unit_u));
    PetscCall(StateFileReadVec(viewer, "unit_departure", ctx->unit_u));
    ctx->unit_N   = PetscRealPart(flags[MEMORY_UNIT_N]);
    ctx->unit_gen = PetscRealPart(flags[MEMORY_UNIT_VALID]) != 0 ? m->stiffness_gen : -1;
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   The process, point by point */

/* The total strain (3x3, mesh axes) at point q of the current cell of the loop: eps(u_d) + eps(u_r) of the
   configuration (ud's closure `closure`, reference ref); the 2D out-of-plane strain included. Geometry nonlinear, the
   Green-Lagrange strain of the displacement (the reference is zero): a layer born with it is stress-free on the
   curled stack however far that has rotated. */
static void TotalStrain(const CellLoop *cl, PetscInt q, const PetscScalar closure[], const PetscScalar ref[], PetscScalar e[9])
{
  const PetscInt dim = cl->dim;
  PointReal      u_x[9], d[9];
  PetscScalar    r[9];
  PointState     ps;

  CellLoopPointState(cl, q, &ps);
  CellLoopGradient(cl, q, closure, u_x);
  DisplacementStrain(dim, cl->green, u_x, d);
  ReferenceStrain(dim, ref, ps.layer, &cl->x[q * dim], r);
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt j = 0; j < 3; j++) e[i * 3 + j] = (PetscReal)((PointReal)PetscRealPart(r[i * 3 + j]) + d[i * 3 + j]);
}

/* The temperature of a field at x (mesh coordinates; in 2D the section lies along x at y = 0) */
static PetscReal FieldAt(PetscInt dim, const TemperatureField *T, const PetscReal x[])
{
  return T->T + T->gx * x[0] + (dim == 3 ? T->gy * x[1] : 0);
}

/* A cell's modulus over an increment to the field Tb: at the mean of its points' midpoint temperatures (laminate
   theory takes the midpoint of its uniform increment), and the present one, the E its stiffness was made with (kept
   as it is, not recovered from the stiffness, whose round-off would make a constant modulus look changed) */
static PetscErrorCode IncrementModulus(Model m, const CellLoop *cl, Material mat, const TemperatureField *Tb, PetscReal *E, PetscReal *E_old)
{
  PetscReal Tmid = 0;

  PetscFunctionBeginUser;
  for (PetscInt q = 0; q < cl->Nq; q++) Tmid += 0.5 * (PetscRealPart(cl->cs.temperature[StateFieldsNodeOf(m->sf, q)]) + FieldAt(m->dim, Tb, &cl->x[q * m->dim]));
  PetscCall(MaterialGetModulus(mat, Tmid / cl->Nq, E));
  *E_old = PetscRealPart(cl->cs.cell[CELL_MODULUS]);
  PetscFunctionReturn(0);
}

/* What a cell loop over the state does to the cells it selects */
typedef enum { OP_BIRTH, OP_INCREMENT, OP_MODULUS_CHANGES, OP_ETCH, OP_PATTERN_CHECK } StateOperation; /* check: an etch's pattern, changing nothing */

typedef struct {
  StateOperation          op;
  const PetscBool        *layers;  /* the layers the operation acts on (birth, etch); NULL: the active cells */
  const TemperatureField *T;       /* birth: the cells' temperature; increment: the field the temperature reaches */
  const PetscScalar      *ref;     /* the configuration's reference, for its strain */
  Vec                     ud;      /* and its departure (local, of m->dm); NULL: no strain (a first bond) */
  Pattern                 pattern; /* etch: the copper it leaves; NULL: the layers go whole */
  PetscBool               changed; /* out: a stiffness changed (OP_MODULUS_CHANGES: would change) */
  PetscBool               cut;     /* out (OP_PATTERN_CHECK): a conforming pattern cuts a cell of this rank, */
  PetscReal               cut_at[3]; /* its centre x, y (m) and the fraction it keeps */
} StateUpdate;

/* A trace-mapped fraction this close to 0 or 1 is taken as none or all of the cell (a pattern edge on a cell's edge
   gives exactly 0 or 1 up to round-off of the band integration) */
#define KEPT_WHOLE 1e-9

/* The cell's footprint in the sample's plane (3D: its x-y bounding box; 2D: its x range on the section y = 0) */
static PetscErrorCode CellFootprint(Model m, PetscInt c, PatternBox *box)
{
  DM           cdm;
  Vec          coords;
  PetscScalar *x = NULL;
  PetscInt     n;

  PetscFunctionBeginUser;
  PetscCall(DMGetCoordinateDM(m->dm, &cdm));
  PetscCall(DMGetCoordinatesLocal(m->dm, &coords));
  PetscCall(DMPlexVecGetClosure(cdm, NULL, coords, c, &n, &x));
  box->x0 = box->y0 = PETSC_MAX_REAL;
  box->x1 = box->y1 = -PETSC_MAX_REAL;
  for (PetscInt k = 0; k < n / m->dim; k++) {
    box->x0 = PetscMin(box->x0, PetscRealPart(x[k * m->dim]));
    box->x1 = PetscMax(box->x1, PetscRealPart(x[k * m->dim]));
    if (m->dim == 3) {
      box->y0 = PetscMin(box->y0, PetscRealPart(x[k * m->dim + 1]));
      box->y1 = PetscMax(box->y1, PetscRealPart(x[k * m->dim + 1]));
    }
  }
  if (m->dim == 2) box->y0 = box->y1 = 0;
  PetscCall(DMPlexVecRestoreClosure(cdm, NULL, coords, c, &n, &x));
  PetscFunctionReturn(0);
}

/* Does op to every selected cell, point by point (model.h says what each operation means) */
static PetscErrorCode UpdateState(Model m, StateUpdate *up)
{
  const PetscInt dim = m->dim;
  CellLoop           cl;
  PetscScalar       *closure;
  const PetscScalar *ua = NULL;
  PetscInt           cStart, cEnd, local, any;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(m->dm, 0, &cStart, &cEnd));
  PetscCall(CellLoopBegin(m->dm, m->geo, m->sf, &cl));
  cl.green = m->opt.nonlinear;
  PetscCall(PetscMalloc1(cl.Nb, &closure));
  if (up->ud) PetscCall(VecGetArrayRead(up->ud, &ua));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState *cs = &cl.cs;
    PetscInt   layer, nq = cl.Nq;
    PetscBool  active;
    Material   mat;
    PetscReal  E, E_old;

    PetscCall(CellLoopSetCell(m->dm, c, &cl));
    layer  = (PetscInt)(PetscRealPart(cs->cell[CELL_LAYER]) + 0.5);
    active = (PetscBool)(PetscRealPart(cs->cell[CELL_ACTIVE]) > 0.5);
    mat    = StackLayer(m->stack, layer)->material;
    if (up->layers ? !up->layers[layer] : !active) {
      /* the temperature is the environment's, in every cell, bonded or not: a void takes it without strain */
      if (!active && (up->op == OP_BIRTH || up->op == OP_INCREMENT))
        for (PetscInt q = 0; q < nq; q++) cs->temperature[StateFieldsNodeOf(m->sf, q)] = FieldAt(dim, up->T, &cl.x[q * dim]);
      continue;
    }
    if (up->ud) PetscCall(CellLoopGetClosure(m->dm, &cl, up->ud, ua, closure));
    switch (up->op) {
    case OP_BIRTH: {
      PetscReal Tsum = 0;
      for (PetscInt q = 0; q < nq; q++) {
        const PetscInt node = StateFieldsNodeOf(m->sf, q);
        PetscScalar   *eig  = &cs->eigenstrain[VOIGT_N * node], e[9];
        if (up->ud) TotalStrain(&cl, q, closure, up->ref, e);
        for (PetscInt i = 0; i < 3; i++)
          for (PetscInt j = i; j < 3; j++) eig[Voigt(i, j)] = up->ud ? e[i * 3 + j] : 0;
        cs->temperature[node] = FieldAt(dim, up->T, &cl.x[q * dim]);
        Tsum += PetscRealPart(cs->temperature[node]);
      }
      PetscCall(MaterialGetModulus(mat, Tsum / nq, &E));
      MeshStiffness(dim, mat, E, 1, cs->stiffness);
      cs->cell[CELL_ACTIVE]  = 1;
      cs->cell[CELL_MODULUS] = E;
      cs->cell[CELL_KEPT]    = 1;
      up->changed           = PETSC_TRUE;
    } break;
    case OP_MODULUS_CHANGES:
      PetscCall(IncrementModulus(m, &cl, mat, up->T, &E, &E_old));
      if (E != E_old) up->changed = PETSC_TRUE;
      break;
    case OP_INCREMENT: {
      PetscReal r;
      PetscCall(IncrementModulus(m, &cl, mat, up->T, &E, &E_old));
      r = E_old / E;
      for (PetscInt q = 0; q < nq; q++) {
        const PetscInt  node = StateFieldsNodeOf(m->sf, q);
        PetscScalar    *eig  = &cs->eigenstrain[VOIGT_N * node], e[9];
        const PetscReal Ta = PetscRealPart(cs->temperature[node]), Tb = FieldAt(dim, up->T, &cl.x[q * dim]);
        PetscReal       th, thz;
        if (r != 1) { /* the stress carried over stays: eps* -> eps - r (eps - eps*); skipped when the modulus stays */
          PetscCheck(up->ud, PETSC_COMM_SELF, PETSC_ERR_PLIB, "a modulus change without the solved strain");
          TotalStrain(&cl, q, closure, up->ref, e);
          for (PetscInt i = 0; i < 3; i++)
            for (PetscInt j = i; j < 3; j++) eig[Voigt(i, j)] = e[i * 3 + j] - r * (e[i * 3 + j] - eig[Voigt(i, j)]);
        }
        PetscCall(MaterialGetThermalStrain(mat, Ta, Tb, &th, &thz));
        if (dim == 3) { /* x, y (with the imperfection: model.h), z */
          eig[0] += (1 + m->opt.imperfection) * th;
          eig[1] += (1 - m->opt.imperfection) * th;
          eig[2] += thz;
        } else { /* 2D: mesh index 1 is z, and the out-of-plane y is the third */
          eig[0] += th;
          eig[1] += thz;
          eig[2] += th;
        }
        cs->temperature[node] = Tb;
      }
      if (r != 1) {
        MeshStiffness(dim, mat, E, PetscRealPart(cs->cell[CELL_KEPT]), cs->stiffness);
        cs->cell[CELL_MODULUS] = E;
        up->changed = PETSC_TRUE;
      }
    } break;
    case OP_ETCH:
    case OP_PATTERN_CHECK: {
      PetscReal kept = 0;
      if (up->pattern) {
        PatternBox box;
        PetscCall(CellFootprint(m, c, &box));
        PetscCall(PatternCopperFraction(up->pattern, &box, &kept));
        if (kept > 1 - KEPT_WHOLE) kept = 1;
        if (kept < KEPT_WHOLE) kept = 0;
        if (up->op == OP_PATTERN_CHECK && kept > 0 && kept < 1 && PatternGetRepresentation(up->pattern) == PATTERN_CONFORMING && !up->cut) {
          up->cut        = PETSC_TRUE;
          up->cut_at[0]  = 0.5 * (box.x0 + box.x1);
          up->cut_at[1]  = 0.5 * (box.y0 + box.y1);
          up->cut_at[2]  = kept;
        }
      }
      if (kept == 1 || up->op == OP_PATTERN_CHECK) break;
      if (kept == 0) {
        VoidStiffness(m->dim, m->E_void, cs->stiffness);
        cs->cell[CELL_ACTIVE] = 0;
      } else MeshStiffness(dim, mat, PetscRealPart(cs->cell[CELL_MODULUS]), kept, cs->stiffness);
      cs->cell[CELL_KEPT] = kept;
      up->changed         = PETSC_TRUE;
    } break;
    }
  }
  if (up->ud) PetscCall(VecRestoreArrayRead(up->ud, &ua));
  PetscCall(PetscFree(closure));
  PetscCall(CellLoopEnd(&cl));
  local = up->changed ? 1 : 0;
  PetscCallMPI(MPI_Allreduce(&local, &any, 1, MPIU_INT, MPI_MAX, m->comm));
  up->changed = (PetscBool)(any > 0);
  if (up->op == OP_PATTERN_CHECK) { /* a conforming pattern that cuts a cell: every rank stops, naming the first such rank's cell (ModelCheckPattern runs before any solve, so the etch itself need not look again) */
    PetscMPIInt rank, size, first;
    PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
    PetscCallMPI(MPI_Comm_size(m->comm, &size));
    local = up->cut ? rank : size;
    PetscCallMPI(MPI_Allreduce(&local, &any, 1, MPIU_INT, MPI_MIN, m->comm));
    first = (PetscMPIInt)any;
    if (first < size) {
      char key[CASE_MAX_NAME + 32], where[PETSC_MAX_PATH_LEN + 320];
      PetscCallMPI(MPI_Bcast(up->cut_at, 3, MPIU_REAL, first, m->comm));
      PetscCall(PetscSNPrintf(key, sizeof(key), "-pattern_%s_representation", PatternName(up->pattern)));
      OptionWhere(key, where, sizeof(where));
      SETERRQ(m->comm, PETSC_ERR_USER_INPUT, "%s = conforming, but the pattern cuts the cell at x = %g mm, y = %g mm (%.3g %% copper): use a mesh whose lines fall on the pattern's edges (e.g. uniform, with the pitch a multiple of the element size), or representation trace", where, (double)(up->cut_at[0] * 1e3), (double)(up->cut_at[1] * 1e3), (double)(100 * up->cut_at[2]));
    }
  }
  PetscFunctionReturn(0);
}

/* A changed stiffness: a new generation (reassembled at the next solve); refactor: the change is large (cells born
   or etched), so the last factorization is not kept as the preconditioner */
static void StiffnessChanged(Model m, PetscBool changed, PetscBool refactor)
{
  if (changed) m->stiffness_gen++;
  if (refactor) m->free.must_refactor = m->pressed.must_refactor = PETSC_TRUE;
}

static PetscErrorCode LayerFlags(Model m, const ProcessStep *st, PetscBool **layers)
{
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(m->nlayers, layers));
  for (PetscInt j = 0; j < st->nlayers; j++) (*layers)[st->layer[j]] = PETSC_TRUE;
  PetscFunctionReturn(0);
}

static PetscErrorCode HookBond(void *ptr, const ProcessStep *st, const TemperatureField *T, const LaminateStrain *pressed, LaminateHistory h)
{
  Model        m     = (Model)ptr;
  StateUpdate  up    = {OP_BIRTH, NULL, T, NULL, NULL, NULL, PETSC_FALSE, PETSC_FALSE, {0, 0, 0}};
  PetscBool    onto  = PETSC_FALSE, *layers;
  PetscScalar *ref_p = NULL, *ref_pu = NULL;
  Vec          ud_p  = NULL;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < m->nlayers; i++) onto = (PetscBool)(onto || m->layer_active[i]);
  PetscCall(LayerFlags(m, st, &layers));
  up.layers = layers;
  if (onto && pressed) {
    /* the stack held flat: its bottom face at u_z = 0, the laminate's flat state as the reference */
    PetscCall(PetscCalloc2(m->nref, &ref_p, m->nref, &ref_pu));
    FillReference(m, h, pressed, PETSC_FALSE, ref_p);
    if (m->dim == 2) {
      LaminateLayer *layer;
      LaminateStrain unit = {0, 0, 0, 0};
      PetscInt       n;
      PetscCall(LaminateHistoryActiveLayers(h, &n, &layer)); /* h holds the new layers too: the unit laminate is only a reference */
      PetscCall(LaminateSolveStrain(n, layer, LAMINATE_FLAT_UNIT, &unit));
      PetscCall(PetscFree(layer));
      FillReference(m, h, &unit, PETSC_TRUE, ref_pu);
    }
    PetscCall(EnsureFreeContext(m)); /* where the pins sit */
    PetscCall(ContextDestroy(&m->pressed));
    PetscCall(PetscArraycpy(m->pressed.pins_z, m->free.pins_z, 3));
    PetscCall(SetupSolver(m, &m->pressed));
    PetscCall(DMCreateLocalVector(m->dm, &ud_p));
    PetscCall(SolveContextState(m, &m->pressed, ref_p, ref_pu, ud_p));
    up.ref = ref_p;
    up.ud  = ud_p;
  } else if (onto) {
    PetscCall(ModelSolve(m));
    up.ref = m->ref;
    up.ud  = m->ud;
  }
  PetscCall(UpdateState(m, &up));
  for (PetscInt j = 0; j < st->nlayers; j++) m->layer_active[st->layer[j]] = PETSC_TRUE;
  StiffnessChanged(m, up.changed, PETSC_TRUE);
  PetscCall(SetReference(m, h));
  m->solved = PETSC_FALSE;
  PetscCall(ContextDestroy(&m->pressed));
  PetscCall(VecDestroy(&ud_p));
  PetscCall(PetscFree2(ref_p, ref_pu));
  PetscCall(PetscFree(layers));
  PetscFunctionReturn(0);
}

static PetscErrorCode HookIncrement(void *ptr, const TemperatureField *T, LaminateHistory h)
{
  Model       m     = (Model)ptr;
  StateUpdate check = {OP_MODULUS_CHANGES, NULL, T, NULL, NULL, NULL, PETSC_FALSE, PETSC_FALSE, {0, 0, 0}};
  StateUpdate up    = {OP_INCREMENT, NULL, T, NULL, NULL, NULL, PETSC_FALSE, PETSC_FALSE, {0, 0, 0}};

  PetscFunctionBeginUser;
  /* geometry nonlinear: every increment is a load step Newton takes from the last (a whole ramp at once, as a linear
     model may take it when no modulus changes, is far outside Newton's reach) */
  if (m->opt.nonlinear) PetscCall(ModelSolve(m));
  PetscCall(UpdateState(m, &check));
  if (check.changed) { /* the stress carried through a change of modulus needs the strain of the solved state */
    PetscCall(ModelSolve(m));
    up.ref = m->ref;
    up.ud  = m->ud;
  }
  PetscCall(UpdateState(m, &up));
  StiffnessChanged(m, up.changed, PETSC_FALSE);
  PetscCall(SetReference(m, h));
  m->solved = PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode HookEtch(void *ptr, const ProcessStep *st, LaminateHistory h)
{
  Model       m  = (Model)ptr;
  StateUpdate up = {OP_ETCH, NULL, NULL, NULL, NULL, st->pattern, PETSC_FALSE, PETSC_FALSE, {0, 0, 0}};
  PetscBool  *layers;

  PetscFunctionBeginUser;
  PetscCall(LayerFlags(m, st, &layers));
  up.layers = layers;
  PetscCall(UpdateState(m, &up));
  for (PetscInt j = 0; j < st->nlayers; j++) m->layer_active[st->layer[j]] = (PetscBool)(st->pattern && st->kept > 0);
  StiffnessChanged(m, up.changed, PETSC_TRUE);
  PetscCall(SetReference(m, h));
  m->solved = PETSC_FALSE;
  PetscCall(PetscFree(layers));
  PetscFunctionReturn(0);
}

const ProcessHooks ModelProcessHooks = {HookBond, HookIncrement, HookEtch};

PetscErrorCode ModelCheckPattern(Model m, const ProcessStep *st)
{
  StateUpdate up = {OP_PATTERN_CHECK, NULL, NULL, NULL, NULL, st->pattern, PETSC_FALSE, PETSC_FALSE, {0, 0, 0}};
  PetscBool  *layers;

  PetscFunctionBeginUser;
  if (!st->pattern) PetscFunctionReturn(0);
  PetscCall(LayerFlags(m, st, &layers));
  up.layers = layers;
  PetscCall(UpdateState(m, &up));
  PetscCall(PetscFree(layers));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   Snapshots */

PetscErrorCode ModelStateSave(Model m, ModelState *state)
{
  ModelState s;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  PetscCall(VecDuplicate(StateFieldsVec(m->sf), &s->state));
  PetscCall(VecCopy(StateFieldsVec(m->sf), s->state));
  PetscCall(VecDuplicate(m->ud, &s->ud));
  PetscCall(VecCopy(m->ud, s->ud));
  PetscCall(PetscMalloc3(m->nref, &s->ref, m->nref, &s->ref_unit, m->nlayers, &s->layer_active));
  PetscCall(PetscArraycpy(s->ref, m->ref, m->nref));
  PetscCall(PetscArraycpy(s->ref_unit, m->ref_unit, m->nref));
  PetscCall(PetscArraycpy(s->layer_active, m->layer_active, m->nlayers));
  s->solved = m->solved;
  *state    = s;
  PetscFunctionReturn(0);
}

PetscErrorCode ModelStateRestore(Model m, ModelState s)
{
  PetscFunctionBeginUser;
  PetscCall(VecCopy(s->state, StateFieldsVec(m->sf)));
  PetscCall(VecCopy(s->ud, m->ud));
  PetscCall(PetscArraycpy(m->ref, s->ref, m->nref));
  PetscCall(PetscArraycpy(m->ref_unit, s->ref_unit, m->nref));
  PetscCall(PetscArraycpy(m->layer_active, s->layer_active, m->nlayers));
  m->solved = s->solved;
  if (m->opt.nonlinear) { /* a saved state is a solved one (a step's end): where a continuation starts */
    if (!m->solved_state) PetscCall(VecDuplicate(s->state, &m->solved_state));
    PetscCall(VecCopy(s->state, m->solved_state));
  }
  StiffnessChanged(m, PETSC_TRUE, PETSC_TRUE);
  if (m->free.dm) PetscCall(StartFromState(m)); /* not from the last departure solved, of another branch */
  PetscFunctionReturn(0);
}

/* The checkpoint's part (state-file.h): per rank its local arrays; the reference and the layers' activity once */
PetscErrorCode ModelStateWrite(Model m, ModelState s, PetscViewer viewer)
{
  PetscScalar *flags;

  PetscFunctionBeginUser;
  PetscCall(StateFileWriteVec(viewer, "state_fields", s->state));
  PetscCall(StateFileWriteVec(viewer, "departure", s->ud));
  PetscCall(StateFileWriteShared(viewer, "reference", m->nref, s->ref));
  PetscCall(StateFileWriteShared(viewer, "reference_unit", m->nref, s->ref_unit));
  PetscCall(PetscMalloc1(m->nlayers + 1, &flags));
  for (PetscInt i = 0; i < m->nlayers; i++) flags[i] = s->layer_active[i];
  flags[m->nlayers] = s->solved;
  PetscCall(StateFileWriteShared(viewer, "layer_active_solved", m->nlayers + 1, flags));
  PetscCall(PetscFree(flags));
  PetscFunctionReturn(0);
}

PetscErrorCode ModelStateRead(Model m, PetscViewer viewer, ModelState *state)
{
  ModelState   s;
  PetscScalar *flags;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  PetscCall(VecDuplicate(StateFieldsVec(m->sf), &s->state));
  PetscCall(VecDuplicate(m->ud, &s->ud));
  PetscCall(StateFileReadVec(viewer, "state_fields", s->state));
  PetscCall(StateFileReadVec(viewer, "departure", s->ud));
  PetscCall(PetscMalloc3(m->nref, &s->ref, m->nref, &s->ref_unit, m->nlayers, &s->layer_active));
  PetscCall(StateFileReadShared(viewer, "reference", m->nref, s->ref));
  PetscCall(StateFileReadShared(viewer, "reference_unit", m->nref, s->ref_unit));
  PetscCall(PetscMalloc1(m->nlayers + 1, &flags));
  PetscCall(StateFileReadShared(viewer, "layer_active_solved", m->nlayers + 1, flags));
  for (PetscInt i = 0; i < m->nlayers; i++) s->layer_active[i] = (PetscBool)(PetscRealPart(flags[i]) != 0);
  s->solved = (PetscBool)(PetscRealPart(flags[m->nlayers]) != 0);
  PetscCall(PetscFree(flags));
  *state = s;
  PetscFunctionReturn(0);
}

PetscErrorCode ModelStateDestroy(ModelState *s)
{
  PetscFunctionBeginUser;
  if (!*s) PetscFunctionReturn(0);
  PetscCall(VecDestroy(&(*s)->state));
  PetscCall(VecDestroy(&(*s)->ud));
  PetscCall(PetscFree3((*s)->ref, (*s)->ref_unit, (*s)->layer_active));
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   What the report needs */

PetscErrorCode ModelGetActiveRange(Model m, PetscReal *z_bottom, PetscReal *z_top)
{
  PetscInt    *count, *full, cStart, cEnd;
  PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc2(2 * m->nlayers, &count, 2 * m->nlayers, &full));
  PetscCall(DMPlexGetHeightStratum(m->dm_base, 0, &cStart, &cEnd));
  PetscCall(VecGetArray(StateFieldsVec(m->sf), &a));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState      cs;
    PetscInt       layer;
    PetscCall(StateFieldsCell(m->sf, a, c, &cs));
    layer = (PetscInt)(PetscRealPart(cs.cell[CELL_LAYER]) + 0.5);
    count[2 * layer]++;
    if (PetscRealPart(cs.cell[CELL_ACTIVE]) > 0.5) count[2 * layer + 1]++;
  }
  PetscCall(VecRestoreArray(StateFieldsVec(m->sf), &a));
  PetscCallMPI(MPI_Allreduce(count, full, (PetscMPIInt)(2 * m->nlayers), MPIU_INT, MPI_SUM, m->comm));
  *z_bottom = -1;
  *z_top    = -1;
  for (PetscInt i = 0; i < m->nlayers; i++) {
    if (!full[2 * i] || full[2 * i + 1] != full[2 * i]) continue;
    if (*z_bottom < 0) *z_bottom = StackZ(m->stack, i);
    *z_top = StackZ(m->stack, i + 1);
  }
  PetscCall(PetscFree2(count, full));
  PetscCheck(*z_bottom >= 0, m->comm, PETSC_ERR_USER_INPUT, "no layer is active over the whole sample: curvature is measured on the faces of a continuous layer");
  PetscFunctionReturn(0);
}

PetscErrorCode ModelGetFaceNodes(Model m, PetscReal zs, PetscInt *n, PetscReal **xyw)
{
  const PetscInt     dim = m->dim;
  const PetscReal    tol = 1e-6 * StackZ(m->stack, m->nlayers);
  PetscSection       lsec, gsec, csec;
  Vec                coords;
  const PetscScalar *x, *u;
  PetscInt           vStart, vEnd, k = 0;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalSection(m->dm, &lsec));
  PetscCall(DMGetGlobalSection(m->free.dm, &gsec));
  PetscCall(DMGetCoordinateSection(m->dm, &csec));
  PetscCall(DMGetCoordinatesLocal(m->dm, &coords));
  PetscCall(DMPlexGetDepthStratum(m->dm, 0, &vStart, &vEnd));
  PetscCall(PetscMalloc1(3 * (vEnd - vStart) + 1, xyw));
  PetscCall(VecGetArrayRead(coords, &x));
  PetscCall(VecGetArrayRead(m->ud, &u));
  for (PetscInt v = vStart; v < vEnd; v++) {
    PetscInt coff, off, goff;
    PetscCall(PetscSectionGetOffset(gsec, v, &goff));
    if (goff < 0) continue; /* owned by another rank */
    PetscCall(PetscSectionGetOffset(csec, v, &coff));
    if (PetscAbsReal(PetscRealPart(x[coff + dim - 1]) - zs) > tol) continue;
    PetscCall(PetscSectionGetOffset(lsec, v, &off));
    (*xyw)[3 * k]     = PetscRealPart(x[coff]);
    (*xyw)[3 * k + 1] = dim == 3 ? PetscRealPart(x[coff + 1]) : 0;
    (*xyw)[3 * k + 2] = PetscRealPart(u[off + dim - 1]);
    k++;
  }
  PetscCall(VecRestoreArrayRead(m->ud, &u));
  PetscCall(VecRestoreArrayRead(coords, &x));
  *n = k;
  PetscFunctionReturn(0);
}

PetscErrorCode ModelGetVertexDisplacement(Model m, DM dm_v, Vec uv)
{
  const PetscInt     dim = m->dim;
  PetscSection       usec, vsec, csec;
  Vec                vloc, coords;
  const PetscScalar *ud, *x;
  PetscScalar       *v;
  PetscInt           vStart, vEnd;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalSection(m->dm, &usec));
  PetscCall(DMGetLocalSection(dm_v, &vsec));
  PetscCall(DMGetCoordinateSection(m->dm, &csec));
  PetscCall(DMGetCoordinatesLocal(m->dm, &coords));
  PetscCall(DMGetLocalVector(dm_v, &vloc));
  PetscCall(VecGetArrayRead(m->ud, &ud));
  PetscCall(VecGetArrayRead(coords, &x));
  PetscCall(VecGetArray(vloc, &v));
  PetscCall(DMPlexGetDepthStratum(m->dm, 0, &vStart, &vEnd));
  for (PetscInt p = vStart; p < vEnd; p++) {
    PetscInt    coff, uoff, voff;
    PetscReal   xp[3];
    PetscScalar u[3] = {0, 0, 0};
    PetscCall(PetscSectionGetOffset(csec, p, &coff));
    PetscCall(PetscSectionGetOffset(vsec, p, &voff));
    PetscCall(PetscSectionGetFieldOffset(usec, p, 0, &uoff));
    for (PetscInt d = 0; d < dim; d++) xp[d] = PetscRealPart(x[coff + d]);
    ReferenceDisplacement(dim, m->ref, xp, u);
    for (PetscInt d = 0; d < dim; d++) u[d] += ud[uoff + d];
    for (PetscInt d = 0; d < 3; d++) v[voff + d] = u[d];
  }
  PetscCall(VecRestoreArray(vloc, &v));
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscCall(VecRestoreArrayRead(m->ud, &ud));
  PetscCall(DMLocalToGlobal(dm_v, vloc, INSERT_VALUES, uv));
  PetscCall(DMRestoreLocalVector(dm_v, &vloc));
  PetscFunctionReturn(0);
}

/* A 3x3 tensor's component k (xx, yy, zz, yz, xz, xy) in laminate axes; in 2D mesh (0, 1, 2) = laminate (x, z, y) */
static PetscReal LaminateComponent(PetscInt dim, const PetscScalar t[9], PetscInt k)
{
  static const PetscInt ij[2][6][2] = {
    {{0, 0}, {2, 2}, {1, 1}, {1, 2}, {0, 1}, {0, 2}}, /* 2D */
    {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}}  /* 3D */
  };
  const PetscInt *p = ij[dim == 3][k];
  return PetscRealPart(t[p[0] * 3 + p[1]]);
}

PetscErrorCode ModelGetCellAverages(Model m, PetscInt *cStart, PetscInt *cEnd, PetscReal **avg)
{
  const PetscInt dim = m->dim;
  CellLoop           cl;
  PetscScalar       *closure;
  const PetscScalar *ua;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(m->dm, 0, cStart, cEnd));
  PetscCall(PetscCalloc1((*cEnd - *cStart) * AVG_NUM + 1, avg));
  PetscCall(CellLoopBegin(m->dm, m->geo, m->sf, &cl));
  cl.green = m->opt.nonlinear; /* then the stress is the second Piola-Kirchhoff one, in the reference axes */
  PetscCall(PetscMalloc1(cl.Nb, &closure));
  PetscCall(VecGetArrayRead(m->ud, &ua));
  for (PetscInt c = *cStart; c < *cEnd; c++) {
    PetscReal *A = &(*avg)[(c - *cStart) * AVG_NUM], vol = 0;
    PetscCall(CellLoopSetCell(m->dm, c, &cl));
    PetscCall(CellLoopGetClosure(m->dm, &cl, m->ud, ua, closure));
    for (PetscInt q = 0; q < cl.Nq; q++) {
      const PetscReal w = cl.weights[q] * cl.detJ[q];
      PointState      ps;
      PointReal       e[9], s[9];
      PetscScalar     sd[9], eig[9];
      CellLoopPointState(&cl, q, &ps);
      CellLoopStress(&cl, q, closure, m->ref, NULL, e, s);
      for (PetscInt i = 0; i < 3; i++)
        for (PetscInt j = 0; j < 3; j++) {
          sd[i * 3 + j]  = (PetscReal)s[i * 3 + j];
          eig[i * 3 + j] = ps.eigenstrain[Voigt(i, j)];
        }
      for (PetscInt k = 0; k < 6; k++) {
        A[AVG_SXX + k] += w * LaminateComponent(dim, sd, k);
        A[AVG_EXX + k] += w * LaminateComponent(dim, eig, k);
      }
      A[AVG_TEMPERATURE] += w * PetscRealPart(cl.cs.temperature[StateFieldsNodeOf(m->sf, q)]);
      vol += w;
    }
    for (PetscInt k = AVG_TEMPERATURE; k < AVG_NUM; k++) A[k] /= vol;
    A[AVG_LAYER]  = PetscRealPart(cl.cs.cell[CELL_LAYER]);
    A[AVG_ACTIVE] = PetscRealPart(cl.cs.cell[CELL_ACTIVE]);
    A[AVG_KEPT]   = A[AVG_ACTIVE] > 0.5 ? PetscRealPart(cl.cs.cell[CELL_KEPT]) : 0;
    /* a trace-mapped cell's stress is that of the copper it holds, not of the cell's mix */
    if (A[AVG_KEPT] > 0 && A[AVG_KEPT] < 1)
      for (PetscInt k = 0; k < 6; k++) A[AVG_SXX + k] /= A[AVG_KEPT];
    /* a void holds no material: its void stiffness's stress (1e-9 Pa) is a device of the solve, not a result */
    if (A[AVG_ACTIVE] < 0.5)
      for (PetscInt k = 0; k < 6; k++) A[AVG_SXX + k] = 0;
  }
  PetscCall(VecRestoreArrayRead(m->ud, &ua));
  PetscCall(PetscFree(closure));
  PetscCall(CellLoopEnd(&cl));
  PetscFunctionReturn(0);
}

PetscErrorCode ModelGetMaxInPlaneStress(Model m, PetscReal smax[])
{
  PetscReal *avg, *local;
  PetscInt   cStart, cEnd;

  PetscFunctionBeginUser;
  PetscCall(ModelGetCellAverages(m, &cStart, &cEnd, &avg));
  PetscCall(PetscMalloc1(m->nlayers, &local));
  for (PetscInt i = 0; i < m->nlayers; i++) local[i] = -1;
  for (PetscInt c = cStart; c < cEnd; c++) {
    const PetscReal *A     = &avg[(c - cStart) * AVG_NUM];
    const PetscInt   layer = (PetscInt)(A[AVG_LAYER] + 0.5);
    if (A[AVG_ACTIVE] < 0.5) continue;
    local[layer] = PetscMax(local[layer], PetscMax(PetscAbsReal(A[AVG_SXX]), PetscAbsReal(A[AVG_SYY])));
  }
  PetscCallMPI(MPI_Allreduce(local, smax, (PetscMPIInt)m->nlayers, MPIU_REAL, MPI_MAX, m->comm));
  for (PetscInt i = 0; i < m->nlayers; i++)
    if (smax[i] < 0) smax[i] = (PetscReal)NAN;
  PetscCall(PetscFree(local));
  PetscCall(PetscFree(avg));
  PetscFunctionReturn(0);
}

PetscErrorCode ModelDestroy(Model *model)
{
  Model m = *model;

  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(0);
  PetscCall(ContextDestroy(&m->free));
  PetscCall(ContextDestroy(&m->pressed));
  PetscCall(VecDestroy(&m->ud));
  PetscCall(VecDestroy(&m->solved_state));
  PetscCall(StateFieldsDestroy(&m->sf));
  PetscCall(CellGeometryDestroy(&m->geo));
  PetscCall(PetscFEDestroy(&m->fe));
  PetscCall(DMDestroy(&m->dm));
  PetscCall(DMDestroy(&m->dm_base));
  PetscCall(PetscFree2(m->layer_active, m->nz));
  PetscCall(PetscFree2(m->ref, m->ref_unit));
  PetscCall(PetscFree(m));
  *model = NULL;
  PetscFunctionReturn(0);
}
