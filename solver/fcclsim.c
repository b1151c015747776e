static const char help[] = "fcclsim: curl of flexible copper-clad laminates by thermo-elastic finite elements.\n"
                           "  fcclsim -case CASE.yaml [-output DIR] [any option, overriding the case]\n"
                           "Case keys and units: docs/cases.md. Solver options go under the prefix -fcclsim_ (e.g. -fcclsim_pc_type).\n";

#include <sys/stat.h>
#include <errno.h>
#include <math.h>
#include "case.h"
#include "process.h"
#include "field-output.h"
#include "summary.h"

typedef struct {
  char      case_file[PETSC_MAX_PATH_LEN];
  char      output[PETSC_MAX_PATH_LEN];
  char      materials_dir[PETSC_MAX_PATH_LEN];
  char      mesh_file[PETSC_MAX_PATH_LEN];
  ModelOptions model;
  PetscBool output_fields; /* -output_fields: HDF5 + XDMF for ParaView (solver/field-output.c) */
} RunOptions;

static PetscErrorCode ReadRunOptions(RunOptions *run)
{
  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(run->output, "fcclsim-out", sizeof(run->output)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-output", run->output, sizeof(run->output), NULL));
  PetscCall(PetscTestDirectory(FCCLSIM_SOURCE_MATERIALS_DIR, 'r', &exists));
  PetscCall(PetscStrncpy(run->materials_dir, exists ? FCCLSIM_SOURCE_MATERIALS_DIR : FCCLSIM_INSTALL_MATERIALS_DIR, sizeof(run->materials_dir)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-materials_dir", run->materials_dir, sizeof(run->materials_dir), NULL));
  PetscCall(ModelOptionsRead(&run->model));
  run->output_fields = PETSC_TRUE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-output_fields", &run->output_fields, NULL));
  run->mesh_file[0] = 0;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_file", run->mesh_file, sizeof(run->mesh_file), NULL));
  PetscFunctionReturn(0);
}

/* The output directory, cleared of the files that say a run completed (summary.json and the ParaView indexes) that an
   earlier run left there: a run that stops early must not leave an older run's results looking like its own. */
static PetscErrorCode MakeOutputDirectory(MPI_Comm comm, const char dir[])
{
  const char *const done[] = {"summary.json", "fields.xmf", "curlmap.xmf"};
  PetscMPIInt       rank;
  int               err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && mkdir(dir, 0777) && errno != EEXIST) err = errno;
  for (size_t i = 0; rank == 0 && !err && i < sizeof(done) / sizeof(done[0]); i++) {
    char path[PETSC_MAX_PATH_LEN];

    if (snprintf(path, sizeof(path), "%s/%s", dir, done[i]) >= (int)sizeof(path)) err = ENAMETOOLONG;
    else if (remove(path) && errno != ENOENT) err = errno;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_USER_INPUT, "-output %s: cannot create the directory or clear an earlier run's results in it (%s)", dir, strerror(err));
  PetscFunctionReturn(0);
}

/* The laminate-theory history of every step, for the 3D model's reference (plate) and the 2D model's (cylinder):
   cheap, and run to the end before any finite-element solve, so that a process that cannot be carried out (a
   temperature outside a material's table, say) stops the run before anything is written. */
typedef struct {
  PetscInt         n;
  LaminateHistory *plate, *cylinder; /* the state each step leaves */
} ProcessStates;

static PetscErrorCode RunLaminateHistory(Stack stack, Process process, ProcessStates *ps)
{
  PetscFunctionBeginUser;
  ps->n = process->n;
  PetscCall(PetscMalloc2(ps->n, &ps->plate, ps->n, &ps->cylinder));
  for (PetscInt k = 0; k < ps->n; k++) {
    const PetscInt from = process->step[k].from >= 0 ? process->step[k].from : k - 1;
    PetscCall(LaminateHistoryCreate(stack, LAMINATE_PLATE, &ps->plate[k]));
    PetscCall(LaminateHistoryCreate(stack, LAMINATE_CYLINDER, &ps->cylinder[k]));
    if (from >= 0) {
      PetscCall(LaminateHistoryCopy(ps->plate[from], ps->plate[k]));
      PetscCall(LaminateHistoryCopy(ps->cylinder[from], ps->cylinder[k]));
    }
    PetscCall(ProcessApplyStep(process, k, ps->plate[k]));
    PetscCall(ProcessApplyStep(process, k, ps->cylinder[k]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ProcessStatesDestroy(ProcessStates *ps)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < ps->n; k++) {
    PetscCall(LaminateHistoryDestroy(&ps->plate[k]));
    PetscCall(LaminateHistoryDestroy(&ps->cylinder[k]));
  }
  PetscCall(PetscFree2(ps->plate, ps->cylinder));
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveFiniteElements(Model model, const RunOptions *run, LaminateHistory h, FieldOutput fields, PetscInt k, StateReport *report)
{
  char           path[PETSC_MAX_PATH_LEN];
  PetscLogDouble t0 = model->time_solve, a0 = model->time_assembly;
  PetscInt       i0 = model->iterations;
  CurlMap        map;

  PetscFunctionBeginUser;
  PetscCall(ModelSetLoads(model, h->load));
  PetscCall(ModelSolve(model));
  PetscCall(ModelGetCenterCurvature(model, &report->mid, &report->bottom, &report->top));
  PetscCall(ModelGetMaxInPlaneStress(model, report->max_stress));
  PetscCall(ModelComputeCurlMap(model, &map));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/curlmap-%s.csv", run->output, report->name));
  PetscCall(CurlMapWriteCSV(map, model->comm, path));
  if (fields) {
    PetscCall(FieldOutputWriteState(fields, model, k, report->name, h->T));
    PetscCall(FieldOutputWriteCurlMap(fields, map->n, (const PetscReal *const *)map->column));
  }
  PetscCall(CurlMapDestroy(&map));
  report->dofs                = model->dofs;
  report->iterations          = model->iterations - i0;
  report->time_setup          = model->time_setup;
  report->time_assembly       = model->time_assembly - a0;
  report->time_assembly_solve = model->time_solve - t0;
  PetscFunctionReturn(0);
}

/* The laminate-theory model reports the cylinder (the measured curl of a free sample); stresses from laminate theory */
static PetscErrorCode ReportLaminateTheory(LaminateHistory cylinder, StateReport *report)
{
  PetscFunctionBeginUser;
  report->mid.xx = report->kappa_cylinder;
  report->mid.yy = 0;
  report->mid.xy = 0;
  report->mid.k1 = report->kappa_cylinder;
  report->mid.k2 = 0;
  report->bottom = report->top = report->mid;
  PetscCall(LaminateHistoryMaxStress(cylinder, report->max_stress));
  PetscFunctionReturn(0);
}

static PetscErrorCode PrintState(MPI_Comm comm, PetscInt k, const ProcessStep *st, const StateReport *r)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "[%" PetscInt_FMT "] %-13s %-11s at %6.1f C: k1 = %+.8e 1/m (R1 = %+.4g cm), k2 = %+.4e 1/m, edge lift %.3g mm; laminate theory plate %+.8e, cylinder %+.8e 1/m\n", k, r->name, ProcessStepTypeNames[st->type], (double)(r->temperature - 273.15), (double)r->mid.k1, r->mid.k1 != 0 ? (double)(100 / r->mid.k1) : (double)INFINITY, (double)r->mid.k2, (double)(r->edge_lift * 1e3), (double)r->kappa_sphere, (double)r->kappa_cylinder));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  MPI_Comm      comm;
  RunOptions    run;
  PlateMesh     pm;
  Stack         stack;
  Process       process;
  ProcessStates states;
  Model         model  = NULL;
  FieldOutput   fields = NULL;
  StateReport   report;
  Summary       summary;
  char          path[PETSC_MAX_PATH_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  comm = PETSC_COMM_WORLD;
  PetscCall(CaseLoad(comm, argc, argv, run.case_file, sizeof(run.case_file)));
  PetscCall(StackCreateFromOptions(comm, run.case_file, &stack));
  PetscCall(ReadRunOptions(&run));
  PetscCall(StackLoadMaterials(comm, stack, run.materials_dir));
  PetscCall(PlateMeshFromOptions(comm, run.case_file, &pm));
  PetscCall(ProcessCreateFromOptions(comm, run.case_file, stack, &process));
  PetscCall(CaseCheckUnusedKeys(comm, run.case_file, NULL));
  PetscCall(StackView(stack, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(PlateMeshView(&pm, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(ProcessView(process, stack, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(RunLaminateHistory(stack, process, &states));
  PetscCall(MakeOutputDirectory(comm, run.output));

  if (pm.model != MODEL_LAMINATE) {
    if (run.mesh_file[0]) PetscCall(PetscStrncpy(path, run.mesh_file, sizeof(path)));
    else {
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/mesh.msh", run.output));
      PetscCall(PlateMeshWrite(comm, &pm, stack, path));
    }
    PetscCall(ModelCreate(comm, &pm, stack, path, &run.model, &model));
    if (run.output_fields) PetscCall(FieldOutputCreate(comm, run.output, &fields));
  }
  PetscCall(SummaryCreate(comm, run.case_file, ModelKindNames[pm.model], stack, &summary));
  PetscCall(PetscMemzero(&report, sizeof(report)));
  PetscCall(PetscMalloc2(stack->n, &report.active, stack->n, &report.max_stress));
  for (PetscInt k = 0; k < process->n; k++) {
    LaminateHistory plate = states.plate[k], cylinder = states.cylinder[k];

    PetscCall(PetscStrncpy(report.name, process->step[k].name, sizeof(report.name)));
    PetscCall(PetscStrncpy(report.step_type, ProcessStepTypeNames[process->step[k].type], sizeof(report.step_type)));
    report.temperature    = plate->T;
    report.kappa_sphere   = plate->strain.kx;
    report.kappa_cylinder = cylinder->strain.kx;
    for (PetscInt i = 0; i < stack->n; i++) report.active[i] = plate->load[i].active;
    if (model) PetscCall(SolveFiniteElements(model, &run, pm.model == MODEL_3D ? plate : cylinder, fields, k, &report));
    else PetscCall(ReportLaminateTheory(cylinder, &report));
    report.edge_lift = CurlEdgeLift(report.mid.k1, PetscAbsReal(report.mid.xx) >= PetscAbsReal(report.mid.yy) ? pm.lx : pm.ly);
    PetscCall(PrintState(comm, k, &process->step[k], &report));
    PetscCall(SummaryAddState(summary, &report));
  }
  if (fields) PetscCall(FieldOutputFinish(fields));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/summary.json", run.output));
  PetscCall(SummaryWrite(summary, path));
  PetscCall(PetscPrintf(comm, "%s (%" PetscInt_FMT " DOFs): wrote %s\n", ModelKindNames[pm.model], report.dofs, path));

  PetscCall(SummaryDestroy(&summary));
  PetscCall(FieldOutputDestroy(&fields));
  PetscCall(ModelDestroy(&model));
  PetscCall(PetscFree2(report.active, report.max_stress));
  PetscCall(ProcessStatesDestroy(&states));
  PetscCall(ProcessDestroy(&process));
  PetscCall(StackDestroy(&stack));
  PetscCall(PetscFinalize());
  return 0;
}
