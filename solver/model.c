#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <petscds.h>
#include "model.h"
#include "laminate-history.h"
#include "elasticity-kernels.h"
#include "element-assembly.h"
#include "precise-residual.h"
#include "option-read.h"

static PetscErrorCode ZeroDisplacement(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  for (PetscInt c = 0; c < Nc; c++) u[c] = 0;
  return 0;
}

static PetscErrorCode LoadMesh(Model model, const char mesh_file[])
{
  DM dist = NULL;

  PetscFunctionBeginUser;
  PetscCall(DMPlexCreateFromFile(model->comm, mesh_file, "fcclsim", PETSC_TRUE, &model->dm_base));
  PetscCall(PetscObjectSetName((PetscObject)model->dm_base, "plate"));
  PetscCall(DMPlexDistribute(model->dm_base, 0, NULL, &dist));
  if (dist) {
    PetscCall(DMDestroy(&model->dm_base));
    model->dm_base = dist;
  }
  PetscCall(DMGetDimension(model->dm_base, &model->dim));
  PetscCall(DMViewFromOptions(model->dm_base, NULL, "-fcclsim_dm_view"));
  PetscFunctionReturn(0);
}

/* Smallest element height through the stack, for coordinate tolerances */
static PetscReal SmallestElementHeight(Stack stack)
{
  PetscReal h = PETSC_MAX_REAL;

  for (PetscInt i = 0; i < stack->n; i++) h = PetscMin(h, stack->layer[i].thickness / stack->layer[i].elements);
  return h;
}

/* A fresh label of this name on the current dm (clones of one base mesh may share their labels). */
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

/* The pins of the rigid-body constraints on the bottom face of the active stack, found by coordinates among the local
   vertices (label "pins", values 1-3). */
static PetscErrorCode LabelPins(Model model)
{
  const PetscInt  dim = model->dim;
  PetscReal       pins[3][3] = {
    {0, 0, 0},
    {model->pm.lx / 2, 0, 0},
    {0, model->pm.ly / 2, 0}
  };
  const PetscReal tol = 1e-3 * SmallestElementHeight(model->stack);
  DMLabel         label;
  Vec             coords;
  PetscSection    csection;
  const PetscScalar *x;
  PetscInt        vStart, vEnd;

  PetscFunctionBeginUser;
  for (PetscInt p = 0; p < 3; p++) pins[p][dim - 1] = model->z_bottom;
  PetscCall(FreshLabel(model->dm, "pins", &label));
  PetscCall(DMPlexGetDepthStratum(model->dm, 0, &vStart, &vEnd));
  PetscCall(DMGetCoordinatesLocal(model->dm, &coords));
  PetscCall(DMGetCoordinateSection(model->dm, &csection));
  PetscCall(VecGetArrayRead(coords, &x));
  for (PetscInt v = vStart; v < vEnd; v++) {
    PetscInt off;
    PetscCall(PetscSectionGetOffset(csection, v, &off));
    for (PetscInt p = 0; p < dim; p++) { /* 2D: A and B only */
      PetscBool match = PETSC_TRUE;
      for (PetscInt d = 0; d < dim; d++) match = (PetscBool)(match && PetscAbsReal(PetscRealPart(x[off + d]) - pins[p][d]) < tol);
      if (match) PetscCall(DMLabelSetValue(label, v, p + 1));
    }
  }
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscFunctionReturn(0);
}

static PetscErrorCode AddConstraint(Model model, const char name[], const char label_name[], PetscInt value, PetscInt ncomp, const PetscInt comps[])
{
  DMLabel label;

  PetscFunctionBeginUser;
  PetscCall(DMGetLabel(model->dm, label_name, &label));
  PetscCall(DMAddBoundary(model->dm, DM_BC_ESSENTIAL, name, label, 1, &value, 0, ncomp, comps, (void (*)(void))ZeroDisplacement, NULL, NULL, NULL));
  PetscFunctionReturn(0);
}

/* Every mesh point (vertex, edge, face, cell) with a vertex outside the active stack's z-range belongs to inactive cells
   only, because the active layers are contiguous: label "inactive", and its dofs are held at zero. Deciding by
   coordinates gives every rank the same answer for the points it shares. */
static PetscErrorCode ConstrainInactive(Model model)
{
  const PetscReal    tol = 1e-3 * SmallestElementHeight(model->stack);
  const PetscInt     comps[3] = {0, 1, 2};
  DMLabel            label;
  Vec                coords;
  PetscSection       csec;
  const PetscScalar *x;
  PetscInt           pStart, pEnd, vStart, vEnd, count = 0, one = 1;

  PetscFunctionBeginUser;
  PetscCall(FreshLabel(model->dm, "inactive", &label));
  PetscCall(DMPlexGetChart(model->dm, &pStart, &pEnd));
  PetscCall(DMPlexGetDepthStratum(model->dm, 0, &vStart, &vEnd));
  PetscCall(DMGetCoordinatesLocal(model->dm, &coords));
  PetscCall(DMGetCoordinateSection(model->dm, &csec));
  PetscCall(VecGetArrayRead(coords, &x));
  for (PetscInt p = pStart; p < pEnd; p++) {
    PetscInt *closure = NULL, nc;
    PetscBool outside = PETSC_FALSE;
    PetscCall(DMPlexGetTransitiveClosure(model->dm, p, PETSC_TRUE, &nc, &closure));
    for (PetscInt k = 0; k < nc && !outside; k++) {
      const PetscInt v = closure[2 * k];
      PetscInt       off;
      PetscReal      z;
      if (v < vStart || v >= vEnd) continue;
      PetscCall(PetscSectionGetOffset(csec, v, &off));
      z       = PetscRealPart(x[off + model->dim - 1]);
      outside = (PetscBool)(z < model->z_bottom - tol || z > model->z_top + tol);
    }
    PetscCall(DMPlexRestoreTransitiveClosure(model->dm, p, PETSC_TRUE, &nc, &closure));
    if (outside) {
      PetscCall(DMLabelSetValue(label, p, 1));
      count++;
    }
  }
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &count, 1, MPIU_INT, MPI_SUM, model->comm));
  PetscCall(PetscInfo(model->dm, "%" PetscInt_FMT " mesh points outside the active layers [%g, %g] m\n", count, (double)model->z_bottom, (double)model->z_top));
  if (count) PetscCall(DMAddBoundary(model->dm, DM_BC_ESSENTIAL, "inactive_layers", label, 1, &one, 0, model->dim, comps, (void (*)(void))ZeroDisplacement, NULL, NULL, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode AddRigidBodyConstraints(Model model)
{
  const PetscInt x = 0, y = 1, z = model->dim - 1, xyz[3] = {0, 1, 2}, yz[2] = {1, 2};
  DMLabel        faces;

  PetscFunctionBeginUser;
  PetscCall(LabelPins(model));
  PetscCall(DMGetLabel(model->dm, "Face Sets", &faces));
  PetscCheck(faces, model->comm, PETSC_ERR_USER_INPUT, "the mesh has no Face Sets: make it with fcclsim-mesh");
  PetscCall(DMPlexLabelComplete(model->dm, faces));
  if (model->pm.symmetry == PLATE_QUARTER) {
    PetscCall(AddConstraint(model, "symmetry_x", "Face Sets", PLATE_FACE_SYMMETRY_X, 1, &x));
    if (model->dim == 3) PetscCall(AddConstraint(model, "symmetry_y", "Face Sets", PLATE_FACE_SYMMETRY_Y, 1, &y));
    PetscCall(AddConstraint(model, "pin_centre", "pins", 1, 1, &z));
  } else if (model->dim == 3) {
    PetscCall(AddConstraint(model, "pin_centre", "pins", 1, 3, xyz));
    PetscCall(AddConstraint(model, "pin_x", "pins", 2, 2, yz));
    PetscCall(AddConstraint(model, "pin_y", "pins", 3, 1, &z));
  } else {
    PetscCall(AddConstraint(model, "pin_centre", "pins", 1, 2, xyz));
    PetscCall(AddConstraint(model, "pin_x", "pins", 2, 1, &z));
  }
  PetscCall(ConstrainInactive(model));
  PetscFunctionReturn(0);
}

/* Q2 displacement by default (trilinear hexahedra lock in bending); -model_degree overrides. */
static PetscErrorCode SetupDiscretization(Model model)
{
  PetscFE fe, fe_aux;
  PetscDS ds;
  DM      dm_aux;

  PetscFunctionBeginUser;
  PetscCall(PetscFECreateLagrange(model->comm, model->dim, model->dim, PETSC_FALSE, model->degree, PETSC_DETERMINE, &fe));
  PetscCall(PetscObjectSetName((PetscObject)fe, "displacement"));
  PetscCall(DMSetField(model->dm, 0, NULL, (PetscObject)fe));
  PetscCall(DMCreateDS(model->dm));
  PetscCall(DMGetDS(model->dm, &ds));
  PetscCall(PetscDSSetResidual(ds, 0, NULL, model->dim == 3 ? f1_thermoelastic_3d : f1_thermoelastic_2d));
  PetscCall(PetscDSSetJacobian(ds, 0, 0, NULL, NULL, NULL, g3_thermoelastic));
  PetscCall(AddRigidBodyConstraints(model));

  /* the layer index, one value per cell, read by the kernels to pick their layer's constants */
  PetscCall(PetscFECreateLagrange(model->comm, model->dim, 1, PETSC_FALSE, 0, PETSC_DETERMINE, &fe_aux));
  PetscCall(PetscFECopyQuadrature(fe, fe_aux));
  PetscCall(DMClone(model->dm, &dm_aux));
  PetscCall(DMSetField(dm_aux, 0, NULL, (PetscObject)fe_aux));
  PetscCall(DMCreateDS(dm_aux));
  PetscCall(DMCreateLocalVector(dm_aux, &model->aux));
  {
    DMLabel      cells;
    PetscSection section;
    PetscScalar *a;
    PetscInt     cStart, cEnd;

    PetscCall(DMGetLabel(model->dm, "Cell Sets", &cells));
    PetscCheck(cells, model->comm, PETSC_ERR_USER_INPUT, "the mesh has no Cell Sets (one per layer): make it with fcclsim-mesh");
    PetscCall(DMGetLocalSection(dm_aux, &section));
    PetscCall(DMPlexGetHeightStratum(dm_aux, 0, &cStart, &cEnd));
    PetscCall(VecGetArray(model->aux, &a));
    for (PetscInt c = cStart; c < cEnd; c++) {
      PetscInt value, off;
      PetscCall(DMLabelGetValue(cells, c, &value));
      PetscCheck(value >= 1 && value <= model->stack->n, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cell %" PetscInt_FMT " has layer tag %" PetscInt_FMT ", but the case has %" PetscInt_FMT " layers: mesh and case disagree", c, value, model->stack->n);
      PetscCall(PetscSectionGetOffset(section, c, &off));
      a[off] = value - 1;
    }
    PetscCall(VecRestoreArray(model->aux, &a));
  }
  PetscCall(DMSetAuxiliaryVec(model->dm, NULL, 0, 0, model->aux));
  PetscCall(DMDestroy(&dm_aux));
  PetscCall(PetscFEDestroy(&fe_aux));
  PetscCall(PetscFEDestroy(&fe));
  PetscFunctionReturn(0);
}

/* Every entry of two matrices of one nonzero pattern, relative to the largest entry of its row in A; rows of very
   different scale (1e-12 for inactive cells) each keep their own digits this way. */
static PetscErrorCode MatRowRelativeDifference(Mat A, Mat B, PetscReal *diff)
{
  PetscInt rStart, rEnd;
  MPI_Comm comm;

  PetscFunctionBeginUser;
  *diff = 0;
  PetscCall(MatGetOwnershipRange(A, &rStart, &rEnd));
  for (PetscInt r = rStart; r < rEnd; r++) {
    const PetscInt    *ca, *cb;
    const PetscScalar *va, *vb;
    PetscInt           na, nb;
    PetscReal          big = 0, d = 0;

    PetscCall(MatGetRow(A, r, &na, &ca, &va));
    PetscCall(MatGetRow(B, r, &nb, &cb, &vb));
    PetscCheck(na == nb, PETSC_COMM_SELF, PETSC_ERR_PLIB, "row %" PetscInt_FMT ": %" PetscInt_FMT " vs %" PetscInt_FMT " entries", r, na, nb);
    for (PetscInt k = 0; k < na; k++) {
      PetscCheck(ca[k] == cb[k], PETSC_COMM_SELF, PETSC_ERR_PLIB, "row %" PetscInt_FMT ": the nonzero patterns differ", r);
      big = PetscMax(big, PetscAbsScalar(va[k]));
      d   = PetscMax(d, PetscAbsScalar(va[k] - vb[k]));
    }
    if (big > 0) *diff = PetscMax(*diff, d / big);
    PetscCall(MatRestoreRow(B, r, &nb, &cb, &vb));
    PetscCall(MatRestoreRow(A, r, &na, &ca, &va));
  }
  PetscCall(PetscObjectGetComm((PetscObject)A, &comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, diff, 1, MPIU_REAL, MPIU_MAX, comm));
  PetscFunctionReturn(0);
}

/* -solver_stiffness_verify: PETSc's pointwise assembly (DMPlexSNESComputeJacobianFEM from g3_thermoelastic,
   DMPlexSNESComputeResidualFEM from the f1 kernels) of the same matrix and load, compared entry by entry. Both sum the
   same products in other orders, so they agree to round-off: measured 5e-15 of each matrix row's largest entry, and
   for the load, whose interior entries cancel to ~0, 1e-14 of its largest entry. 1e-12 leaves room for that. */
static PetscErrorCode VerifyStiffness(Model model)
{
  Mat       P;
  Vec       X;
  PetscReal diff;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(model->dm, &X));
  PetscCall(VecZeroEntries(X));
  PetscCall(MatDuplicate(model->A, MAT_DO_NOT_COPY_VALUES, &P));
  PetscCall(DMPlexSNESComputeJacobianFEM(model->dm, X, P, P, NULL));
  PetscCall(MatRowRelativeDifference(model->A, P, &diff));
  PetscCall(MatDestroy(&P));
  PetscCall(DMRestoreLocalVector(model->dm, &X));
  PetscCall(PetscPrintf(model->comm, "verify: stiffness, element vs pointwise assembly, largest difference relative to its row: %.3e\n", (double)diff));
  PetscCheck(diff <= 1e-12, model->comm, PETSC_ERR_PLIB, "the element stiffness differs from PETSc's pointwise assembly by %g (relative to the row): a bug in solver/element-assembly.c", (double)diff);
  PetscFunctionReturn(0);
}

static PetscErrorCode VerifyLoad(Model model)
{
  Vec       X, F, Fg;
  PetscReal diff, bmax;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(model->dm, &X));
  PetscCall(DMGetLocalVector(model->dm, &F));
  PetscCall(DMGetGlobalVector(model->dm, &Fg));
  PetscCall(VecZeroEntries(X));
  PetscCall(VecZeroEntries(F));
  PetscCall(DMPlexSNESComputeResidualFEM(model->dm, X, F, NULL));
  PetscCall(VecZeroEntries(Fg));
  PetscCall(DMLocalToGlobal(model->dm, F, ADD_VALUES, Fg));
  PetscCall(VecNorm(model->b, NORM_INFINITY, &bmax));
  PetscCall(VecAXPY(Fg, 1, model->b)); /* b = -F(0) */
  PetscCall(VecNorm(Fg, NORM_INFINITY, &diff));
  diff = bmax > 0 ? diff / bmax : diff;
  PetscCall(DMRestoreGlobalVector(model->dm, &Fg));
  PetscCall(DMRestoreLocalVector(model->dm, &F));
  PetscCall(DMRestoreLocalVector(model->dm, &X));
  PetscCall(PetscPrintf(model->comm, "verify: load, element vs pointwise assembly, largest difference relative to the largest entry: %.3e\n", (double)diff));
  PetscCheck(diff <= 1e-12, model->comm, PETSC_ERR_PLIB, "the element load differs from PETSc's pointwise assembly by %g: a bug in solver/element-assembly.c", (double)diff);
  PetscFunctionReturn(0);
}

/* The stiffness matrix: by elements (element-assembly.h; -solver_stiffness element, the default) or through PETSc's
   pointwise path from g3_thermoelastic (-solver_stiffness pointwise, ~20x slower for Q2 hexahedra and not
   bit-reproducible across partitions) */
static PetscErrorCode AssembleStiffness(Model model)
{
  const PetscInt n = model->stack->n;
  PetscReal     *lambda, *mu;

  PetscFunctionBeginUser;
  if (model->element_stiffness) {
    PetscCall(PetscMalloc2(n, &lambda, n, &mu));
    for (PetscInt i = 0; i < n; i++) {
      lambda[i] = PetscRealPart(model->constants[CONST_LAYER0 + LAYER_NUM_CONSTANTS * i + LAYER_LAMBDA]);
      mu[i]     = PetscRealPart(model->constants[CONST_LAYER0 + LAYER_NUM_CONSTANTS * i + LAYER_MU]);
    }
    PetscCall(ElementAssemblyStiffness(model->dm, model->aux, lambda, mu, model->A));
    PetscCall(PetscFree2(lambda, mu));
    if (model->verify_stiffness) PetscCall(VerifyStiffness(model));
  } else {
    Vec X;

    PetscCall(DMGetLocalVector(model->dm, &X));
    PetscCall(VecZeroEntries(X));
    PetscCall(DMPlexSNESComputeJacobianFEM(model->dm, X, model->A, model->A, NULL));
    PetscCall(DMRestoreLocalVector(model->dm, &X));
  }
  if (!model->residual) PetscCall(PreciseResidualCreate(model->A, &model->residual));
  PetscFunctionReturn(0);
}

/* Defaults that work at aspect ratios of 1e3-1e5: a direct solver (AMG stalls on thin-plate bending), the matrix
   assembled and factored once and reused while the stiffness stays the same. The KSP (GMRES around MUMPS LU) takes
   every option under the prefix fcclsim_. */
static PetscErrorCode SetupSolver(Model model)
{
  PC pc;

  PetscFunctionBeginUser;
  PetscCall(DMCreateMatrix(model->dm, &model->A));
  PetscCall(MatSetOption(model->A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(KSPCreate(model->comm, &model->ksp));
  PetscCall(KSPSetOptionsPrefix(model->ksp, "fcclsim_"));
  PetscCall(KSPSetType(model->ksp, KSPGMRES));
  PetscCall(KSPSetTolerances(model->ksp, 1e-12, PETSC_DEFAULT, PETSC_DEFAULT, 50));
  PetscCall(KSPGetPC(model->ksp, &pc));
  PetscCall(PCSetType(pc, PCLU));
  PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  PetscCall(KSPSetFromOptions(model->ksp));
  PetscCall(DMCreateGlobalVector(model->dm, &model->u));
  PetscCall(PetscObjectSetName((PetscObject)model->u, "displacement_departure"));
  PetscCall(VecDuplicate(model->u, &model->b));
  PetscCall(VecDuplicate(model->u, &model->r));
  PetscCall(VecDuplicate(model->u, &model->d));
  PetscCall(VecGetSize(model->u, &model->dofs));
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

PetscErrorCode ModelOptionsRead(MPI_Comm comm, ModelOptions *options)
{
  static const char *const kinds[] = {"pointwise", "element", NULL};
  PetscInt                 kind    = 1;

  PetscFunctionBeginUser;
  options->use_reference    = PETSC_TRUE;
  options->verify_stiffness = PETSC_FALSE;
  options->blas_threads     = 1;
  options->degree           = 2;
  PetscOptionsBegin(comm, NULL, "Finite-element model and solver (docs/cases.md)", "fcclsim");
  PetscCall(OptionInt(PetscOptionsObject, "-model_degree", "polynomial degree of the displacement (1 locks in bending)", options->degree, 1, 4, &options->degree, NULL));
  PetscCall(OptionBool(PetscOptionsObject, "-solver_laminate_reference", "solve for the departure from laminate theory (false: the plain displacement, which loses digits on curled 100 mm samples)", options->use_reference, &options->use_reference, NULL));
  PetscCall(OptionChoice(PetscOptionsObject, "-solver_stiffness", "element: assembled cell by cell, summed so that the partition does not change it; pointwise: PETSc's generic assembly", kinds, kind, &kind, NULL));
  PetscCall(OptionBool(PetscOptionsObject, "-solver_stiffness_verify", "also assemble by the pointwise path and stop unless both agree to 1e-12", options->verify_stiffness, &options->verify_stiffness, NULL));
  PetscCall(OptionInt(PetscOptionsObject, "-solver_blas_threads", "BLAS threads per rank (more than 1 makes results depend on the thread count)", options->blas_threads, 1, 1024, &options->blas_threads, NULL));
  PetscOptionsEnd();
  options->element_stiffness = kind == 1 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode ModelCreate(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char mesh_file[], const ModelOptions *options, const CurlOptions *curl, Model *model)
{
  Model          m;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(PetscNew(&m));
  m->comm  = comm;
  m->pm    = *pm;
  m->stack = stack;
  m->use_reference     = options->use_reference;
  m->element_stiffness = options->element_stiffness;
  m->verify_stiffness  = options->verify_stiffness;
  m->degree            = options->degree;
  m->curl              = *curl;
  PetscCall(SetBlasThreads(options->blas_threads)); /* before the first PetscFE is built */
  PetscCall(LoadMesh(m, mesh_file));
  m->nconstants = CONST_LAYER0 + LAYER_NUM_CONSTANTS * stack->n;
  PetscCall(PetscCalloc1(m->nconstants, &m->constants));
  PetscCall(PetscCalloc1(stack->n, &m->active));
  PetscCall(PetscTime(&t1));
  m->time_setup = t1 - t0;
  *model = m;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetConstants(Model model, PetscReal load_scale, PetscReal eps_out)
{
  PetscDS ds;

  PetscFunctionBeginUser;
  model->constants[CONST_KAPPA_X]    = model->kappa_x;
  model->constants[CONST_KAPPA_Y]    = model->kappa_y;
  model->constants[CONST_EPS_X]      = model->eps_x;
  model->constants[CONST_EPS_Y]      = model->eps_y;
  model->constants[CONST_EPS_OUT]    = eps_out;
  model->constants[CONST_LOAD_SCALE] = load_scale;
  model->constants[CONST_NUM_LAYERS] = model->stack->n;
  PetscCall(DMGetDS(model->dm, &ds));
  PetscCall(PetscDSSetConstants(ds, model->nconstants, model->constants));
  PetscFunctionReturn(0);
}

/* A new discretization on a fresh clone of the base mesh for the current set of active layers */
static PetscErrorCode Rebuild(Model model)
{
  PetscFunctionBeginUser;
  PetscCall(VecDestroy(&model->u));
  PetscCall(VecDestroy(&model->aux));
  PetscCall(KSPDestroy(&model->ksp));
  PetscCall(MatDestroy(&model->A));
  PetscCall(PreciseResidualDestroy(&model->residual));
  PetscCall(VecDestroy(&model->b));
  PetscCall(VecDestroy(&model->r));
  PetscCall(VecDestroy(&model->d));
  PetscCall(VecDestroy(&model->unit_u));
  PetscCall(DMDestroy(&model->dm));
  PetscCall(DMClone(model->dm_base, &model->dm));
  PetscCall(PetscObjectSetName((PetscObject)model->dm, "plate"));
  PetscCall(SetupDiscretization(model));
  PetscCall(SetupSolver(model));
  PetscCall(DMViewFromOptions(model->dm, NULL, "-fcclsim_model_dm_view"));
  model->stiffness_changed = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* Layer constants and the laminate-theory reference state (plate in 3D, cylinder in 2D) of the active layers. */
PetscErrorCode ModelSetLoads(Model model, const LayerLoad loads[])
{
  LaminateLayer *layer;
  LaminateStrain s;
  PetscInt       nl;
  PetscReal      Emax    = 0;
  PetscBool      changed = (PetscBool)!model->dm;

  PetscFunctionBeginUser;
  model->z_bottom = -1;
  for (PetscInt i = 0; i < model->stack->n; i++) {
    if (loads[i].active != model->active[i]) changed = PETSC_TRUE;
    model->active[i] = loads[i].active;
    if (!loads[i].active) continue;
    if (model->z_bottom < 0) model->z_bottom = model->stack->z[i];
    model->z_top = model->stack->z[i + 1];
  }
  PetscCheck(model->z_bottom >= 0, model->comm, PETSC_ERR_USER_INPUT, "no active layer left to solve for");
  if (changed) PetscCall(Rebuild(model));
  for (PetscInt i = 0; i < model->stack->n; i++)
    if (loads[i].active) Emax = PetscMax(Emax, loads[i].E);
  for (PetscInt i = 0; i < model->stack->n; i++) {
    PetscScalar    *L  = &model->constants[CONST_LAYER0 + LAYER_NUM_CONSTANTS * i];
    const PetscReal E  = loads[i].active ? loads[i].E : 1e-12 * Emax, nu = loads[i].active ? loads[i].nu : 0.3;
    const PetscReal lambda = E * nu / ((1 + nu) * (1 - 2 * nu)), mu = E / (2 * (1 + nu));

    if (L[LAYER_LAMBDA] != lambda || L[LAYER_MU] != mu || PetscRealPart(L[LAYER_ACTIVE]) != (loads[i].active ? 1 : 0)) model->stiffness_changed = PETSC_TRUE;
    L[LAYER_LAMBDA] = lambda;
    L[LAYER_MU]     = mu;
    L[LAYER_EX0]    = loads[i].ex;
    L[LAYER_EX1]    = loads[i].gx;
    L[LAYER_EY0]    = loads[i].ey;
    L[LAYER_EY1]    = loads[i].gy;
    L[LAYER_EZ]     = loads[i].ez;
    L[LAYER_ACTIVE] = loads[i].active ? 1 : 0;
  }
  PetscCall(StackActiveLayers(model->stack, loads, &nl, &layer));
  PetscCall(LaminateSolveStrain(nl, layer, model->dim == 3 ? LAMINATE_PLATE : LAMINATE_CYLINDER, &s));
  model->eps_x   = s.ex;
  model->kappa_x = s.kx;
  if (model->dim == 3) {
    model->eps_y   = s.ey;
    model->kappa_y = s.ky;
  } else {
    model->eps_y   = 0;
    model->kappa_y = 0;
    model->eps_out = s.ey;
    PetscCall(LaminateSolveStrain(nl, layer, LAMINATE_CYLINDER_UNIT, &model->unit));
  }
  PetscCall(PetscFree(layer));
  if (!model->use_reference) {
    model->kappa_x = model->kappa_y = model->eps_x = model->eps_y = model->eps_out = 0;
    model->unit.ex = model->unit.kx = 0;
  }
  PetscFunctionReturn(0);
}

/* Iterative refinement: u += A^-1 (b - A u) with the residual in extended precision (precise-residual.h), each
   correction by the KSP (GMRES around the LU factors, kept while the stiffness stays the same). It stops when a
   correction moves u by less than 1e-14 of its size, or when the residual no longer halves: it has reached the floor
   that the residual's own precision sets, where further rounds only trade round-off. Two to four rounds; still falling
   after 10 means a factorization too poor to refine. */
static PetscErrorCode Refine(Model model, Vec u)
{
  KSPConvergedReason reason;
  PetscInt           its, rounds;
  PetscReal          norm_u = 0, norm_d = 0, norm_r, norm_b;

  PetscFunctionBeginUser;
  PetscCall(VecZeroEntries(u));
  PetscCall(VecCopy(model->b, model->r));
  PetscCall(VecNorm(model->r, NORM_INFINITY, &norm_r));
  norm_b = norm_r;
  for (rounds = 1;; rounds++) {
    PetscReal last_r = norm_r;

    PetscCall(KSPSolve(model->ksp, model->r, model->d));
    PetscCall(KSPGetConvergedReason(model->ksp, &reason));
    PetscCheck(reason >= 0, model->comm, PETSC_ERR_NOT_CONVERGED, "the linear solve failed: %s (see -fcclsim_ksp_converged_reason, -fcclsim_ksp_monitor)", KSPConvergedReasons[reason]);
    PetscCall(KSPGetIterationNumber(model->ksp, &its));
    model->iterations += PetscMax(its, 1);
    PetscCall(VecAXPY(u, 1, model->d));
    PetscCall(VecNorm(u, NORM_INFINITY, &norm_u));
    PetscCall(VecNorm(model->d, NORM_INFINITY, &norm_d));
    PetscCheck(!PetscIsInfOrNanReal(norm_u), model->comm, PETSC_ERR_FP, "the solution holds NaN or Inf: check the material data (moduli, nu) of the case");
    if (norm_d <= 1e-14 * norm_u) break;
    PetscCall(PreciseResidualCompute(model->residual, model->b, u, model->r));
    PetscCall(VecNorm(model->r, NORM_INFINITY, &norm_r));
    PetscCall(PetscInfo(model->ksp, "refinement round %" PetscInt_FMT ": correction %g of the solution, residual %g of the load\n", rounds, (double)(norm_d / norm_u), (double)(norm_r / norm_b)));
    if (norm_r > 0.5 * last_r) {
      /* no longer falling: the round-off floor, if the residual is down to it (measured 1e-14 to 6e-11 of the load on
         100 mm plates; a floor above 1e-6 would be a problem beyond long double). Keep the better of the last two. */
      PetscCheck(norm_r <= 1e-6 * norm_b || last_r <= 1e-6 * norm_b, model->comm, PETSC_ERR_NOT_CONVERGED, "the linear solve failed: iterative refinement stalls with the residual at %g of the load (the inner KSP, -fcclsim_ksp_*/-fcclsim_pc_*, does not reduce it; see -fcclsim_ksp_monitor)", (double)(PetscMin(norm_r, last_r) / norm_b));
      if (norm_r > last_r) PetscCall(VecAXPY(u, -1, model->d));
      break;
    }
    PetscCheck(rounds < 10, model->comm, PETSC_ERR_NOT_CONVERGED, "the linear solve failed: iterative refinement still moves the solution by %g of its size after %" PetscInt_FMT " rounds (the inner KSP's tolerance, -fcclsim_ksp_rtol, is too loose, or the factorization too poor; see -fcclsim_ksp_monitor)", (double)(norm_d / norm_u), rounds);
  }
  PetscFunctionReturn(0);
}

/* Assemble (the stiffness only when it changed: its factorization is then redone at the next KSPSolve) and solve */
static PetscErrorCode SolveOnce(Model model, Vec u)
{
  PetscLogDouble t0, t1, t2;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  if (model->stiffness_changed) {
    PetscCall(AssembleStiffness(model));
    PetscCall(KSPSetOperators(model->ksp, model->A, model->A));
    model->stiffness_changed = PETSC_FALSE;
  }
  PetscCall(ElementAssemblyLoad(model->dm, model->aux, model->b));
  PetscCall(PetscTime(&t1));
  model->time_assembly += t1 - t0;
  if (model->verify_stiffness) PetscCall(VerifyLoad(model));
  PetscCall(Refine(model, u));
  PetscCall(PetscTime(&t2));
  model->time_solve += t2 - t0;
  PetscFunctionReturn(0);
}

static PetscErrorCode IntegrateOutOfPlaneStress(Model model, Vec u, PetscReal *N)
{
  PetscDS     ds;
  PetscScalar integral[1];

  PetscFunctionBeginUser;
  PetscCall(DMGetDS(model->dm, &ds));
  PetscCall(PetscDSSetObjective(ds, 0, obj_sigma_yy));
  PetscCall(DMPlexComputeIntegralFEM(model->dm, u, integral, NULL));
  *N = PetscRealPart(integral[0]);
  PetscFunctionReturn(0);
}

/* 3D: one solve. 2D: the out-of-plane strain is the one extra unknown; the problem is linear in it, so solve the
   thermal problem at the reference's strain and the unit-strain problem with the same factorization, and combine them
   so that the out-of-plane force vanishes. */
PetscErrorCode ModelSolve(Model model)
{
  PetscFunctionBeginUser;
  if (model->dim == 3) {
    PetscCall(SetConstants(model, 1, 0));
    PetscCall(SolveOnce(model, model->u));
  } else {
    PetscReal       N_thermal;
    const PetscReal ex = model->eps_x, kx = model->kappa_x;

    if (model->stiffness_changed || !model->unit_u) { /* the unit problem depends on the stiffness alone */
      if (!model->unit_u) PetscCall(VecDuplicate(model->u, &model->unit_u));
      model->eps_x   = model->unit.ex;
      model->kappa_x = model->unit.kx;
      PetscCall(SetConstants(model, 0, 1));
      PetscCall(SolveOnce(model, model->unit_u));
      PetscCall(IntegrateOutOfPlaneStress(model, model->unit_u, &model->unit_N));
      model->eps_x   = ex;
      model->kappa_x = kx;
    }
    PetscCall(SetConstants(model, 1, model->eps_out));
    PetscCall(SolveOnce(model, model->u));
    PetscCall(IntegrateOutOfPlaneStress(model, model->u, &N_thermal));
    PetscCall(PetscInfo(model->ksp, "out-of-plane resultants: unit strain %g N/m, thermal %g N/m\n", (double)model->unit_N, (double)N_thermal));
    PetscCheck(model->unit_N > 0, model->comm, PETSC_ERR_PLIB, "out-of-plane stiffness %g is not positive", (double)model->unit_N);
    PetscCall(VecAXPY(model->u, -N_thermal / model->unit_N, model->unit_u));
    model->eps_out -= N_thermal / model->unit_N;
    model->eps_x -= N_thermal / model->unit_N * model->unit.ex;
    model->kappa_x -= N_thermal / model->unit_N * model->unit.kx;
    PetscCall(SetConstants(model, 1, model->eps_out));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ModelGetMaxInPlaneStress(Model model, PetscReal smax[])
{
  PetscDS         ds;
  DM              dm_cell;
  Vec             avg[2];
  PetscSection    gsec;
  DMLabel         cells;
  PetscFE         fe0;
  PetscInt        cStart, cEnd;
  PetscReal      *local;
  void (*obj[2])(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]) = {obj_sigma_xx, obj_sigma_yy};

  PetscFunctionBeginUser;
  PetscCall(DMGetDS(model->dm, &ds));
  PetscCall(DMClone(model->dm, &dm_cell));
  PetscCall(PetscFECreateLagrange(model->comm, model->dim, 1, PETSC_FALSE, 0, PETSC_DETERMINE, &fe0));
  PetscCall(DMSetField(dm_cell, 0, NULL, (PetscObject)fe0));
  PetscCall(DMCreateDS(dm_cell));
  for (PetscInt k = 0; k < 2; k++) {
    PetscCall(DMCreateGlobalVector(dm_cell, &avg[k]));
    PetscCall(PetscDSSetObjective(ds, 0, obj[k]));
    PetscCall(DMPlexComputeCellwiseIntegralFEM(model->dm, model->u, avg[k], NULL));
  }
  PetscCall(DMGetLabel(model->dm, "Cell Sets", &cells));
  PetscCall(DMPlexGetHeightStratum(model->dm, 0, &cStart, &cEnd));
  PetscCall(PetscCalloc1(model->stack->n, &local));
  {
    const PetscScalar *a[2];
    PetscInt           rStart;
    PetscCall(VecGetOwnershipRange(avg[0], &rStart, NULL));
    PetscCall(VecGetArrayRead(avg[0], &a[0]));
    PetscCall(VecGetArrayRead(avg[1], &a[1]));
    PetscCall(DMGetGlobalSection(dm_cell, &gsec));
    for (PetscInt c = cStart; c < cEnd; c++) {
      PetscInt  layer, gidx;
      PetscReal vol;
      PetscCall(PetscSectionGetOffset(gsec, c, &gidx));
      if (gidx < 0) continue; /* a ghost cell, owned elsewhere */
      PetscCall(DMLabelGetValue(cells, c, &layer));
      PetscCall(DMPlexComputeCellGeometryFVM(model->dm, c, &vol, NULL, NULL));
      for (PetscInt k = 0; k < 2; k++) local[layer - 1] = PetscMax(local[layer - 1], PetscAbsReal(PetscRealPart(a[k][gidx - rStart])) / vol);
    }
    PetscCall(VecRestoreArrayRead(avg[0], &a[0]));
    PetscCall(VecRestoreArrayRead(avg[1], &a[1]));
  }
  PetscCallMPI(MPI_Allreduce(local, smax, (PetscMPIInt)model->stack->n, MPIU_REAL, MPI_MAX, model->comm));
  for (PetscInt i = 0; i < model->stack->n; i++)
    if (!model->active[i]) smax[i] = (PetscReal)NAN;
  PetscCall(PetscFree(local));
  for (PetscInt k = 0; k < 2; k++) PetscCall(VecDestroy(&avg[k]));
  PetscCall(PetscFEDestroy(&fe0));
  PetscCall(DMDestroy(&dm_cell));
  PetscFunctionReturn(0);
}

PetscErrorCode ModelDestroy(Model *model)
{
  PetscFunctionBeginUser;
  if (!*model) PetscFunctionReturn(0);
  PetscCall(VecDestroy(&(*model)->u));
  PetscCall(VecDestroy(&(*model)->aux));
  PetscCall(KSPDestroy(&(*model)->ksp));
  PetscCall(MatDestroy(&(*model)->A));
  PetscCall(PreciseResidualDestroy(&(*model)->residual));
  PetscCall(VecDestroy(&(*model)->b));
  PetscCall(VecDestroy(&(*model)->r));
  PetscCall(VecDestroy(&(*model)->d));
  PetscCall(VecDestroy(&(*model)->unit_u));
  PetscCall(DMDestroy(&(*model)->dm));
  PetscCall(DMDestroy(&(*model)->dm_base));
  PetscCall(PetscFree((*model)->active));
  PetscCall(PetscFree((*model)->constants));
  PetscCall(PetscFree(*model));
  PetscFunctionReturn(0);
}
