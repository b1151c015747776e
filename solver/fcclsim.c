static const char help[] = "fcclsim: curl of flexible copper-clad laminates by thermo-elastic finite elements.\n"
                           "  fcclsim -case CASE.yaml [-output DIR] [any option, overriding the case]\n"
                           "Case keys and units: docs/cases.md. Solver options go under the prefix -fcclsim_ (e.g. -fcclsim_pc_type).\n";

#include <sys/stat.h>
#include <errno.h>
#include <math.h>
#include "case.h"
#include "laminate.h"
#include "summary.h"

typedef struct {
  char      case_file[PETSC_MAX_PATH_LEN];
  char      output[PETSC_MAX_PATH_LEN];
  char      materials_dir[PETSC_MAX_PATH_LEN];
  char      mesh_file[PETSC_MAX_PATH_LEN];
  PetscReal T_stress_free, T_final; /* K */
  PetscReal *T0;                    /* per layer stress-free temperature, K */
  PetscBool  use_reference;
} RunOptions;

static PetscErrorCode ReadRunOptions(MPI_Comm comm, Stack stack, RunOptions *run)
{
  PetscReal sf_C = 350, final_C = 25;
  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(run->output, "fcclsim-out", sizeof(run->output)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-output", run->output, sizeof(run->output), NULL));
  PetscCall(PetscTestDirectory(FCCLSIM_SOURCE_MATERIALS_DIR, 'r', &exists));
  PetscCall(PetscStrncpy(run->materials_dir, exists ? FCCLSIM_SOURCE_MATERIALS_DIR : FCCLSIM_INSTALL_MATERIALS_DIR, sizeof(run->materials_dir)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-materials_dir", run->materials_dir, sizeof(run->materials_dir), NULL));
  run->use_reference = PETSC_TRUE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-solver_laminate_reference", &run->use_reference, NULL));
  run->mesh_file[0] = 0;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_file", run->mesh_file, sizeof(run->mesh_file), NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-temperature_stress_free_C", &sf_C, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-temperature_final_C", &final_C, NULL));
  PetscCheck(sf_C > -273.15 && final_C > -273.15, comm, PETSC_ERR_USER_INPUT, "%s: temperatures must lie above absolute zero (-temperature_stress_free_C %g, -temperature_final_C %g)", run->case_file, (double)sf_C, (double)final_C);
  run->T_stress_free = sf_C + 273.15;
  run->T_final       = final_C + 273.15;
  PetscCall(PetscMalloc1(stack->n, &run->T0));
  for (PetscInt i = 0; i < stack->n; i++) {
    char      key[PETSC_MAX_PATH_LEN];
    PetscReal T0_C = sf_C;
    PetscCall(PetscSNPrintf(key, sizeof(key), "-layers_%s_stress_free_C", stack->layer[i].name));
    PetscCall(PetscOptionsGetReal(NULL, NULL, key, &T0_C, NULL));
    run->T0[i] = T0_C + 273.15;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode MakeOutputDirectory(MPI_Comm comm, const char dir[])
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && mkdir(dir, 0777) && errno != EEXIST) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_USER_INPUT, "-output %s: cannot create the directory (%s)", dir, strerror(err));
  PetscFunctionReturn(0);
}

/* A uniform cool-down (or heat-up) of every layer from its stress-free temperature to T; moduli at T. */
static PetscErrorCode LoadsForUniformTemperature(Stack stack, const PetscReal T0[], PetscReal T, LayerLoad loads[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < stack->n; i++) {
    Material m = stack->layer[i].material;
    PetscCall(MaterialGetModulus(m, T, &loads[i].E));
    PetscCall(MaterialGetThermalStrain(m, T0[i], T, &loads[i].eps_in, &loads[i].eps_z));
    loads[i].nu     = m->nu;
    loads[i].active = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode LaminateReference(Stack stack, const LayerLoad loads[], PetscReal *kappa_sphere, PetscReal *kappa_cylinder)
{
  LaminatePly     *ply;
  LaminateSphere   s;
  LaminateCylinder c;
  PetscInt         n;
  PetscReal        z0;

  PetscFunctionBeginUser;
  PetscCall(StackActivePlies(stack, loads, &n, &ply, &z0));
  PetscCall(LaminateSolveSphere(n, ply, &s));
  PetscCall(LaminateSolveCylinder(n, ply, &c));
  *kappa_sphere   = s.kappa;
  *kappa_cylinder = c.kappa;
  PetscCall(PetscFree(ply));
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveFiniteElements(MPI_Comm comm, const PlateMesh *pm, Stack stack, const RunOptions *run, const LayerLoad loads[], StateReport *report)
{
  Model          model;
  char           mesh[PETSC_MAX_PATH_LEN], curlmap[PETSC_MAX_PATH_LEN];
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  if (run->mesh_file[0]) PetscCall(PetscStrncpy(mesh, run->mesh_file, sizeof(mesh)));
  else {
    PetscCall(PetscSNPrintf(mesh, sizeof(mesh), "%s/mesh.msh", run->output));
    PetscCall(PlateMeshWrite(comm, pm, stack, mesh));
  }
  PetscCall(ModelCreate(comm, pm, stack, mesh, run->use_reference, &model));
  PetscCall(PetscTime(&t1));
  PetscCall(ModelSetLoads(model, loads));
  PetscCall(ModelSolve(model));
  PetscCall(ModelGetCenterCurvature(model, &report->mid, &report->bottom, &report->top));
  PetscCall(ModelGetMaxInPlaneStress(model, report->max_stress));
  PetscCall(PetscSNPrintf(curlmap, sizeof(curlmap), "%s/curlmap-%s.csv", run->output, report->name));
  PetscCall(ModelWriteCurlMap(model, curlmap));
  report->dofs                = model->dofs;
  report->iterations          = model->iterations;
  report->time_setup          = t1 - t0;
  report->time_assembly_solve = model->time_solve;
  PetscCall(ModelDestroy(&model));
  PetscFunctionReturn(0);
}

/* The laminate-theory model reports the cylinder in 2D-like fashion: k1 = kappa_cylinder (the measured curl). */
static void ReportLaminateTheory(StateReport *report)
{
  report->mid.xx = report->kappa_cylinder;
  report->mid.yy = 0;
  report->mid.xy = 0;
  report->mid.k1 = report->kappa_cylinder;
  report->mid.k2 = 0;
  report->bottom = report->top = report->mid;
}

int main(int argc, char **argv)
{
  MPI_Comm    comm;
  RunOptions  run;
  PlateMesh   pm;
  Stack       stack;
  LayerLoad  *loads;
  StateReport report;
  Summary     summary;
  char        path[PETSC_MAX_PATH_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  comm = PETSC_COMM_WORLD;
  PetscCall(CaseLoad(comm, argc, argv, run.case_file, sizeof(run.case_file)));
  PetscCall(StackCreateFromOptions(comm, run.case_file, &stack));
  PetscCall(ReadRunOptions(comm, stack, &run));
  PetscCall(StackLoadMaterials(comm, stack, run.materials_dir));
  PetscCall(PlateMeshFromOptions(comm, run.case_file, &pm));
  PetscCall(CaseCheckUnusedKeys(comm, run.case_file, NULL));
  PetscCall(StackView(stack, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(PlateMeshView(&pm, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(MakeOutputDirectory(comm, run.output));

  PetscCall(PetscMalloc1(stack->n, &loads));
  PetscCall(PetscMemzero(&report, sizeof(report)));
  PetscCall(PetscMalloc2(stack->n, &report.active, stack->n, &report.max_stress));
  PetscCall(LoadsForUniformTemperature(stack, run.T0, run.T_final, loads));
  for (PetscInt i = 0; i < stack->n; i++) {
    report.active[i]     = loads[i].active;
    report.max_stress[i] = (PetscReal)NAN;
  }
  PetscCall(PetscStrncpy(report.name, "cooled", sizeof(report.name)));
  report.temperature = run.T_final;
  PetscCall(LaminateReference(stack, loads, &report.kappa_sphere, &report.kappa_cylinder));
  if (pm.model == MODEL_LAMINATE) ReportLaminateTheory(&report);
  else PetscCall(SolveFiniteElements(comm, &pm, stack, &run, loads, &report));
  report.edge_lift = CurlEdgeLift(report.mid.k1, PetscAbsReal(report.mid.xx) >= PetscAbsReal(report.mid.yy) ? pm.lx : pm.ly);
  PetscCall(PetscPrintf(comm, "%s at %g C (%s): centre curvature k1 = %.10g 1/m, k2 = %.10g 1/m (R1 = %.4g cm), edge lift %.3g mm; laminate theory sphere %.10g, cylinder %.10g 1/m; %" PetscInt_FMT " DOFs\n", report.name, (double)(report.temperature - 273.15), ModelKindNames[pm.model], (double)report.mid.k1, (double)report.mid.k2, (double)(100 / report.mid.k1), (double)(report.edge_lift * 1e3), (double)report.kappa_sphere, (double)report.kappa_cylinder, report.dofs));

  PetscCall(SummaryCreate(comm, run.case_file, ModelKindNames[pm.model], stack, &summary));
  PetscCall(SummaryAddState(summary, &report));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/summary.json", run.output));
  PetscCall(SummaryWrite(summary, path));
  PetscCall(PetscPrintf(comm, "wrote %s\n", path));

  PetscCall(SummaryDestroy(&summary));
  PetscCall(PetscFree2(report.active, report.max_stress));
  PetscCall(PetscFree(loads));
  PetscCall(PetscFree(run.T0));
  PetscCall(StackDestroy(&stack));
  PetscCall(PetscFinalize());
  return 0;
}
