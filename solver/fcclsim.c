static const char usage[] = "fcclsim: curl of flexible copper-clad laminates by thermo-elastic finite elements.\n"
                            "  fcclsim -case CASE.yaml [-output DIR] [any key, overriding the case's]\n"
                            "  fcclsim -help [-case CASE.yaml]   the keys, grouped by object, with the case's values\n"
                            "Case keys and units: docs/cases.md; PETSc solver options go under the prefix -fcclsim_ (e.g. -fcclsim_pc_type);\n"
                            "`-help petsc` also lists PETSc's own options.\n";

#include <math.h>
#include "error-report.h"
#include "case.h"
#include "option-read.h"
#include "output-directory.h"
#include "process.h"
#include "field-output.h"
#include "summary.h"
#include "curl.h"
#include "checkpoint.h"

typedef struct {
  char      output[PETSC_MAX_PATH_LEN];
  PetscBool output_fields; /* HDF5 + XDMF for ParaView (solver/field-output.c) */
} RunOptions;

/* Options block "Output" */
static PetscErrorCode RunOptionsRead(MPI_Comm comm, RunOptions *run)
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(run->output, "fcclsim-out", sizeof(run->output)));
  run->output_fields = PETSC_TRUE;
  PetscOptionsBegin(comm, NULL, "Output (docs/cases.md)", "fcclsim");
  PetscCall(OptionString(PetscOptionsObject, "-output", "output directory: summary.json, curl maps, ParaView files; the run owns its files there", run->output, run->output, sizeof(run->output), NULL));
  PetscCall(OptionBool(PetscOptionsObject, "-output_fields", "write fields.xmf/.h5 and curlmap.xmf/.h5 for ParaView", run->output_fields, &run->output_fields, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/* The laminate-theory history of every step, in the 3D model's mode (plate) and the 2D model's (cylinder): cheap,
   and run to the end before any finite-element solve, so that a process that cannot be carried out (a temperature
   outside a material's table, say) stops the run before anything is written. */
typedef struct {
  PetscInt         n;
  LaminateHistory *plate, *cylinder; /* the state each step leaves */
} ProcessStates;

static PetscErrorCode RunLaminateHistory(Stack stack, Process process, ProcessStates *ps)
{
  PetscFunctionBeginUser;
  ps->n = ProcessSize(process);
  PetscCall(PetscMalloc2(ps->n, &ps->plate, ps->n, &ps->cylinder));
  for (PetscInt k = 0; k < ps->n; k++) {
    const PetscInt from = ProcessStepStart(process, k);
    PetscCall(LaminateHistoryCreate(stack, LAMINATE_PLATE, &ps->plate[k]));
    PetscCall(LaminateHistoryCreate(stack, LAMINATE_CYLINDER, &ps->cylinder[k]));
    if (from >= 0) {
      PetscCall(LaminateHistoryCopy(ps->plate[from], ps->plate[k]));
      PetscCall(LaminateHistoryCopy(ps->cylinder[from], ps->cylinder[k]));
    }
    PetscCall(ProcessApplyStep(process, k, ps->plate[k], NULL, NULL));
    PetscCall(ProcessApplyStep(process, k, ps->cylinder[k], NULL, NULL));
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

/* The finite-element model takes the history in step with a laminate-theory history of its mode, which gives the
   reference; a step that starts from an earlier state (an etch branch) starts from a copy of it. */
typedef struct {
  Model            model;
  LaminateHistory  h;
  ModelState      *saved; /* per step: the state, kept while a later step starts from it */
} FEHistory;

/* The laminate-theory history of step k in the model's mode (plate in 3D, cylinder in 2D) */
static LaminateHistory ModeHistory(const FEHistory *fh, const ProcessStates *ps, PetscInt k)
{
  return ModelDim(fh->model) == 3 ? ps->plate[k] : ps->cylinder[k];
}

static PetscErrorCode FEHistoryStep(FEHistory *fh, Process process, const ProcessStates *ps, PetscInt k)
{
  const PetscInt start = ProcessStepStart(process, k);

  PetscFunctionBeginUser;
  if (start >= 0 && start != k - 1) {
    PetscCall(ModelStateRestore(fh->model, fh->saved[start]));
    PetscCall(LaminateHistoryCopy(ModeHistory(fh, ps, start), fh->h));
  }
  PetscCall(ProcessApplyStep(process, k, fh->h, &ModelProcessHooks, fh->model));
  PetscCall(ModelSolve(fh->model));
  if (ProcessStepIsBranchPoint(process, k)) PetscCall(ModelStateSave(fh->model, &fh->saved[k]));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReportFiniteElements(Model model, const RunOptions *run, const CurlOptions *curl, FieldOutput fields, PetscInt k, const TemperatureField *T, StateReport *report, ModelStatistics *last)
{
  char            path[PETSC_MAX_PATH_LEN];
  ModelStatistics now;
  CurlMap         map;

  PetscFunctionBeginUser;
  PetscCall(CurlCenter(model, curl, &report->mid, &report->bottom, &report->top));
  PetscCall(ModelGetMaxInPlaneStress(model, report->max_stress));
  PetscCall(CurlMapCompute(model, curl, &map));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/curlmap-%s.csv", run->output, report->name));
  PetscCall(CurlMapWriteCSV(map, ModelComm(model), path));
  PetscCall(CurlMapWarpage(model, map, &report->warpage));
  if (fields) {
    PetscCall(FieldOutputWriteState(fields, model, k, report->name, T->T));
    PetscCall(FieldOutputWriteCurlMap(fields, map->n, (const PetscReal *const *)map->column));
  }
  PetscCall(CurlMapDestroy(&map));
  ModelGetStatistics(model, &now);
  report->dofs                = now.dofs;
  report->iterations          = now.iterations - last->iterations;
  report->newton_steps        = now.newton_steps - last->newton_steps;
  report->negative_pivots     = now.negative_pivots;
  report->time_setup          = now.time_setup;
  report->time_assembly       = now.time_assembly - last->time_assembly;
  report->time_assembly_solve = now.time_solve - last->time_solve;
  *last                       = now;
  PetscFunctionReturn(0);
}

/* The laminate-theory model reports the cylinder (the measured curl of a free sample); stresses from laminate theory */
static PetscErrorCode ReportLaminateTheory(LaminateHistory cylinder, StateReport *report)
{
  PetscFunctionBeginUser;
  report->warpage = (PetscReal)NAN; /* no map */
  report->mid.xx = report->kappa_cylinder;
  report->mid.yy = 0;
  report->mid.xy = 0;
  report->mid.k1 = report->kappa_cylinder;
  report->mid.k2 = 0;
  report->bottom = report->top = report->mid;
  report->newton_steps    = 0;
  report->negative_pivots = -1;
  PetscCall(LaminateHistoryMaxStress(cylinder, report->max_stress));
  PetscFunctionReturn(0);
}

static PetscErrorCode PrintState(MPI_Comm comm, PetscInt k, const ProcessStep *st, const StateReport *r)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "[%" PetscInt_FMT "] %-13s %-11s at %6.1f C: k1 = %+.8e 1/m (R1 = %+.4g cm), k2 = %+.4e 1/m, edge lift %.3g mm; laminate theory plate %+.8e, cylinder %+.8e 1/m\n", k, r->name, ProcessStepTypeNames[st->type], (double)(r->temperature - 273.15), (double)r->mid.k1, r->mid.k1 != 0 ? (double)(100 / r->mid.k1) : (double)INFINITY, (double)r->mid.k2, (double)(r->edge_lift * 1e3), (double)r->kappa_sphere, (double)r->kappa_cylinder));
  if (r->negative_pivots > 0) PetscCall(PetscPrintf(comm, "    not stable: its tangent has %" PetscInt_FMT " negative pivot(s), so the sample would leave this shape (a branch past a bifurcation; geometry_imperfection picks the stable one, docs/cases.md)\n", r->negative_pivots));
  PetscFunctionReturn(0);
}

/* A restarted run (checkpoint.h): the steps up to its checkpoint come from it, with their summary entries and output
   files, and the laminate-theory history in step with the model is that of the step (both follow the same process);
   *first is the step the run goes on with */
static PetscErrorCode RestoreSteps(Checkpoint checkpoint, FEHistory *fh, Process process, const ProcessStates *ps, FieldOutput fields, Summary summary, PetscInt *first)
{
  const PetscInt k = CheckpointResumeStep(checkpoint);

  PetscFunctionBeginUser;
  *first = k + 1;
  if (k < 0) PetscFunctionReturn(0);
  PetscCall(CheckpointLoad(checkpoint, fh->model, process, fh->saved, summary));
  PetscCall(LaminateHistoryCopy(ModeHistory(fh, ps, k), fh->h));
  for (PetscInt j = 0; j <= k; j++) {
    const StateReport *r = SummaryState(summary, j);
    if (fields) PetscCall(FieldOutputKeepState(fields, fh->model, j, r->name, r->temperature, PETSC_TRUE));
    PetscCall(PrintState(ModelComm(fh->model), j, ProcessGetStep(process, j), r));
  }
  PetscFunctionReturn(0);
}

/* The part of the sample the model covers: a quarter model the quadrant x, y >= 0, the 2D model the section y = 0 */
static PatternBox ModelledArea(const PlateMesh *pm)
{
  PatternBox a = {-pm->lx / 2, pm->lx / 2, -pm->ly / 2, pm->ly / 2};

  if (pm->symmetry == PLATE_QUARTER) a.x0 = a.y0 = 0;
  if (pm->model == MODEL_2D) a.y0 = a.y1 = 0;
  return a;
}

/* The run, in the order the data flows: case -> stack -> process -> FE model -> curl -> output. */
static PetscErrorCode Run(int argc, char **argv, PetscBool help)
{
  MPI_Comm        comm = PETSC_COMM_WORLD;
  RunOptions      run;
  ModelOptions    model_options;
  CurlOptions     curl_options;
  PlateMesh       pm;
  Stack           stack;
  Process         process;
  ProcessStates   states;
  FEHistory       fh     = {NULL, NULL, NULL};
  FieldOutput     fields = NULL;
  StateReport     report;
  ModelStatistics last = {0, 0, 0, 0, 0, 0, 0};
  Summary         summary;
  char            path[PETSC_MAX_PATH_LEN];
  PetscBool       patterned;
  PatternBox      modelled;
  Checkpoint      checkpoint;
  PetscInt        first;

  PetscFunctionBeginUser;
  PetscCall(CaseLoad(comm, argc, argv, help));
  PetscCall(RunOptionsRead(comm, &run));
  PetscCall(CheckpointCreate(comm, run.output, &checkpoint));
  /* before any other check can fail: a run that stops on bad input must not leave an earlier run's results behind;
     a restarted run keeps those of the steps its checkpoint has done */
  if (!help) {
    PetscCall(CheckpointFind(checkpoint));
    PetscCall(OutputDirectoryClaim(comm, run.output, CheckpointKeptFiles(checkpoint)));
  }
  PetscCall(StackCreateFromOptions(comm, &stack));
  PetscCall(StackLoadMaterials(stack));
  PetscCall(ProcessOptionsHavePattern(comm, &patterned));
  PetscCall(PlateMeshFromOptions(comm, StackElementsThrough(stack), patterned, &pm));
  modelled = ModelledArea(&pm);
  PetscCall(ProcessCreateFromOptions(comm, stack, pm.lx, pm.ly, &modelled, &process));
  PetscCall(ModelOptionsRead(comm, &model_options));
  PetscCall(CurlOptionsRead(comm, &curl_options));
  PetscCall(CaseCheckUnusedKeys(comm, NULL));
  if (!help && model_options.nonlinear && pm.model != MODEL_3D) {
    char where[PETSC_MAX_PATH_LEN + 320];
    OptionWhere("-geometry", where, sizeof(where));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s = nonlinear needs model = 3d: laminate theory and the 2D generalized-plane-strain section are linear (the section gives a large curl's cylinder limit already)", where);
  }
  if (!help && model_options.imperfection != 0 && pm.model != MODEL_3D) {
    char where[PETSC_MAX_PATH_LEN + 320];
    OptionWhere("-geometry_imperfection", where, sizeof(where));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s = %g needs model = 3d: the imperfection is an anisotropy between x and y, which the 2D section and laminate theory do not have", where, (double)model_options.imperfection);
  }
  if (help) {
    PetscCall(CheckpointDestroy(&checkpoint));
    PetscCall(ProcessDestroy(&process));
    PetscCall(StackDestroy(&stack));
    PetscFunctionReturn(0);
  }
  PetscCall(StackView(stack, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(PlateMeshView(&pm, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(ProcessView(process, stack, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(RunLaminateHistory(stack, process, &states));

  if (pm.model != MODEL_LAMINATE) {
    if (pm.file[0]) PetscCall(PetscStrncpy(path, pm.file, sizeof(path)));
    else {
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/mesh.msh", run.output));
      PetscCall(PlateMeshWrite(comm, &pm, stack, path));
    }
    PetscCall(ModelCreate(comm, &pm, stack, path, &model_options, &fh.model));
    for (PetscInt k = 0; k < ProcessSize(process); k++) PetscCall(ModelCheckPattern(fh.model, ProcessGetStep(process, k)));
    PetscCall(LaminateHistoryCreate(stack, pm.model == MODEL_3D ? LAMINATE_PLATE : LAMINATE_CYLINDER, &fh.h));
    PetscCall(PetscCalloc1(ProcessSize(process), &fh.saved));
    if (run.output_fields) PetscCall(FieldOutputCreate(comm, run.output, &fields));
  }
  PetscCall(SummaryCreate(comm, CaseSource(), ModelKindNames[pm.model], stack, &summary));
  PetscCall(PetscMemzero(&report, sizeof(report)));
  PetscCall(PetscMalloc2(StackSize(stack), &report.active, StackSize(stack), &report.max_stress));
  PetscCall(RestoreSteps(checkpoint, &fh, process, &states, fields, summary, &first));
  for (PetscInt k = first; k < ProcessSize(process); k++) {
    const ProcessStep      *st       = ProcessGetStep(process, k);
    LaminateHistory         plate    = states.plate[k], cylinder = states.cylinder[k];
    const TemperatureField *T        = LaminateHistoryTemperature(plate);

    PetscCall(PetscStrncpy(report.name, st->name, sizeof(report.name)));
    PetscCall(PetscStrncpy(report.step_type, ProcessStepTypeNames[st->type], sizeof(report.step_type)));
    report.temperature    = T->T;
    report.gradient[0]    = T->gx;
    report.gradient[1]    = T->gy;
    report.kappa_sphere   = LaminateHistoryStrain(plate)->kx;
    report.kappa_cylinder = LaminateHistoryStrain(cylinder)->kx;
    for (PetscInt i = 0; i < StackSize(stack); i++) report.active[i] = LaminateHistoryLayer(plate, i)->active;
    if (fh.model) {
      PetscCall(FEHistoryStep(&fh, process, &states, k));
      PetscCall(ReportFiniteElements(fh.model, &run, &curl_options, fields, k, T, &report, &last));
    } else PetscCall(ReportLaminateTheory(cylinder, &report));
    report.edge_lift = CurlEdgeLift(report.mid.k1, PetscAbsReal(report.mid.xx) >= PetscAbsReal(report.mid.yy) ? pm.lx : pm.ly);
    PetscCall(PrintState(comm, k, st, &report));
    PetscCall(SummaryAddState(summary, &report));
    PetscCall(CheckpointAfterStep(checkpoint, k, fh.model, process, fh.saved, summary));
  }
  if (fields) PetscCall(FieldOutputFinish(fields));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/summary.json", run.output));
  PetscCall(SummaryWrite(summary, path));
  PetscCall(OutputDirectoryComplete(comm, run.output, CaseSource()));
  PetscCall(CheckpointFinish(checkpoint));
  PetscCall(PetscPrintf(comm, "%s (%" PetscInt_FMT " DOFs): wrote %s\n", ModelKindNames[pm.model], SummaryState(summary, SummarySize(summary) - 1)->dofs, path));

  PetscCall(SummaryDestroy(&summary));
  PetscCall(CheckpointDestroy(&checkpoint));
  PetscCall(FieldOutputDestroy(&fields));
  for (PetscInt k = 0; fh.saved && k < ProcessSize(process); k++) PetscCall(ModelStateDestroy(&fh.saved[k]));
  PetscCall(PetscFree(fh.saved));
  PetscCall(LaminateHistoryDestroy(&fh.h));
  PetscCall(ModelDestroy(&fh.model));
  PetscCall(PetscFree2(report.active, report.max_stress));
  PetscCall(ProcessStatesDestroy(&states));
  PetscCall(ProcessDestroy(&process));
  PetscCall(StackDestroy(&stack));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  return ErrorReportMain(argc, argv, usage, Run);
}
