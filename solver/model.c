#include <petscds.h>
#include "model.h"
#include "laminate-history.h"
#include "elasticity-kernels.h"

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

/* Q2 displacement by default (trilinear hexahedra lock in bending); -displacement_petscspace_degree overrides. */
static PetscErrorCode SetupDiscretization(Model model)
{
  PetscFE   fe, fe_aux;
  PetscDS   ds;
  PetscBool set;
  DM        dm_aux;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-displacement_petscspace_degree", &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, "-displacement_petscspace_degree", "2"));
  PetscCall(PetscFECreateDefault(model->comm, model->dim, model->dim, PETSC_FALSE, "displacement_", PETSC_DETERMINE, &fe));
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

/* Defaults that work at aspect ratios of 1e3-1e5: a direct solver (AMG stalls on thin-plate bending), the matrix
   assembled and factored once and reused while the stiffness stays the same. All under the prefix fcclsim_. */
static PetscErrorCode SetupSolver(Model model)
{
  KSP ksp;
  PC  pc;

  PetscFunctionBeginUser;
  PetscCall(SNESCreate(model->comm, &model->snes));
  PetscCall(SNESSetOptionsPrefix(model->snes, "fcclsim_"));
  PetscCall(SNESSetDM(model->snes, model->dm));
  PetscCall(DMPlexSetSNESLocalFEM(model->dm, NULL, NULL, NULL));
  PetscCall(SNESSetType(model->snes, SNESKSPONLY));
  PetscCall(SNESGetKSP(model->snes, &ksp));
  /* GMRES around the LU factorisation refines away the factorisation's round-off, which at element aspect ratios of
     1e3 and more is what otherwise separates runs on different numbers of ranks (2e-8 -> 2e-9 in the centre
     curvature, 1 vs 4 ranks); it converges in a handful of iterations, and more than 50 means a bad factorisation. */
  PetscCall(KSPSetType(ksp, KSPGMRES));
  PetscCall(KSPSetTolerances(ksp, 1e-12, PETSC_DEFAULT, PETSC_DEFAULT, 50));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCLU));
  PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  PetscCall(SNESSetLagJacobianPersists(model->snes, PETSC_TRUE));
  PetscCall(SNESSetLagPreconditionerPersists(model->snes, PETSC_TRUE));
  PetscCall(SNESSetFromOptions(model->snes));
  PetscCall(DMCreateGlobalVector(model->dm, &model->u));
  PetscCall(PetscObjectSetName((PetscObject)model->u, "displacement_departure"));
  PetscCall(VecGetSize(model->u, &model->dofs));
  PetscFunctionReturn(0);
}

PetscErrorCode ModelCreate(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char mesh_file[], PetscBool use_reference, Model *model)
{
  Model          m;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(PetscNew(&m));
  m->comm  = comm;
  m->pm    = *pm;
  m->stack = stack;
  m->use_reference = use_reference;
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
  PetscCall(SNESDestroy(&model->snes));
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

static PetscErrorCode SolveOnce(Model model, Vec u)
{
  SNESConvergedReason reason;
  KSP                 ksp;
  PetscInt            its;
  PetscReal           norm;
  PetscLogDouble      t0, t1;

  PetscFunctionBeginUser;
  if (model->stiffness_changed) {
    /* assemble and factor at the next solve, then keep both */
    PetscCall(SNESSetLagJacobian(model->snes, -2));
    PetscCall(SNESSetLagPreconditioner(model->snes, -2));
    model->stiffness_changed = PETSC_FALSE;
  }
  PetscCall(VecZeroEntries(u));
  PetscCall(PetscTime(&t0));
  PetscCall(SNESSolve(model->snes, NULL, u));
  PetscCall(PetscTime(&t1));
  model->time_solve += t1 - t0;
  PetscCall(SNESGetConvergedReason(model->snes, &reason));
  PetscCheck(reason >= 0, model->comm, PETSC_ERR_NOT_CONVERGED, "the linear solve failed: %s (see -fcclsim_ksp_converged_reason, -fcclsim_ksp_monitor)", SNESConvergedReasons[reason]);
  PetscCall(SNESGetKSP(model->snes, &ksp));
  PetscCall(KSPGetIterationNumber(ksp, &its));
  model->iterations += PetscMax(its, 1);
  PetscCall(VecNorm(u, NORM_INFINITY, &norm));
  PetscCheck(!PetscIsInfOrNanReal(norm), model->comm, PETSC_ERR_FP, "the solution holds NaN or Inf: check the material data (moduli, nu) of the case");
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
    Vec       unit;
    PetscReal N_thermal, N_unit;

    const PetscReal ex = model->eps_x, kx = model->kappa_x;

    PetscCall(VecDuplicate(model->u, &unit));
    model->eps_x   = model->unit.ex;
    model->kappa_x = model->unit.kx;
    PetscCall(SetConstants(model, 0, 1));
    PetscCall(SolveOnce(model, unit));
    PetscCall(IntegrateOutOfPlaneStress(model, unit, &N_unit));
    model->eps_x   = ex;
    model->kappa_x = kx;
    PetscCall(SetConstants(model, 1, model->eps_out));
    PetscCall(SolveOnce(model, model->u));
    PetscCall(IntegrateOutOfPlaneStress(model, model->u, &N_thermal));
    PetscCall(PetscInfo(model->snes, "out-of-plane resultants: unit strain %g N/m, thermal %g N/m\n", (double)N_unit, (double)N_thermal));
    PetscCheck(N_unit > 0, model->comm, PETSC_ERR_PLIB, "out-of-plane stiffness %g is not positive", (double)N_unit);
    PetscCall(VecAXPY(model->u, -N_thermal / N_unit, unit));
    model->eps_out -= N_thermal / N_unit;
    model->eps_x -= N_thermal / N_unit * model->unit.ex;
    model->kappa_x -= N_thermal / N_unit * model->unit.kx;
    PetscCall(SetConstants(model, 1, model->eps_out));
    PetscCall(VecDestroy(&unit));
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
  PetscCall(SNESDestroy(&(*model)->snes));
  PetscCall(DMDestroy(&(*model)->dm));
  PetscCall(DMDestroy(&(*model)->dm_base));
  PetscCall(PetscFree((*model)->active));
  PetscCall(PetscFree((*model)->constants));
  PetscCall(PetscFree(*model));
  PetscFunctionReturn(0);
}
