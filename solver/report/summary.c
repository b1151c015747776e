#include <errno.h>
#include <stdio.h>
#include "summary.h"
#include "output-directory.h"

struct _n_Summary {
  MPI_Comm     comm;
  char         case_file[PETSC_MAX_PATH_LEN];
  char         model_name[32];
  Stack        stack;
  PetscInt     n, capacity;
  StateReport *states;
};

PetscErrorCode SummaryCreate(MPI_Comm comm, const char case_file[], const char model_name[], Stack stack, Summary *summary)
{
  Summary s;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  s->comm  = comm;
  s->stack = stack;
  PetscCall(PetscStrncpy(s->case_file, case_file, sizeof(s->case_file)));
  PetscCall(PetscStrncpy(s->model_name, model_name, sizeof(s->model_name)));
  *summary = s;
  PetscFunctionReturn(0);
}

PetscErrorCode SummaryAddState(Summary s, const StateReport *state)
{
  const PetscInt n = StackSize(s->stack);
  StateReport   *copy;

  PetscFunctionBeginUser;
  if (s->n == s->capacity) {
    StateReport *grown;
    s->capacity = 2 * s->capacity + 4;
    PetscCall(PetscCalloc1(s->capacity, &grown));
    if (s->n) PetscCall(PetscArraycpy(grown, s->states, s->n));
    PetscCall(PetscFree(s->states));
    s->states = grown;
  }
  copy  = &s->states[s->n++];
  *copy = *state;
  PetscCall(PetscMalloc2(n, &copy->active, n, &copy->max_stress));
  PetscCall(PetscArraycpy(copy->active, state->active, n));
  PetscCall(PetscArraycpy(copy->max_stress, state->max_stress, n));
  PetscFunctionReturn(0);
}

/* A JSON string: quotes, backslashes and control characters escaped (a case's path may hold any of them) */
static void WriteString(FILE *fp, const char *str)
{
  fputc('"', fp);
  for (const unsigned char *c = (const unsigned char *)str; *c; c++) {
    if (*c == '"' || *c == '\\') fprintf(fp, "\\%c", *c);
    else if (*c < 0x20) fprintf(fp, "\\u%04x", *c);
    else fputc(*c, fp);
  }
  fputc('"', fp);
}

static void WriteNumber(FILE *fp, PetscReal v)
{
  if (PetscIsInfOrNanReal(v)) fprintf(fp, "null");
  else fprintf(fp, "%.12g", (double)v);
}

static PetscReal RadiusCm(PetscReal k)
{
  return k != 0 ? 100 / k : (PetscReal)INFINITY;
}

static void WriteCurvature(FILE *fp, const char *key, const Curvature *c)
{
  fprintf(fp, "      \"%s\": {\"xx\": ", key);
  WriteNumber(fp, c->xx);
  fprintf(fp, ", \"yy\": ");
  WriteNumber(fp, c->yy);
  fprintf(fp, ", \"xy\": ");
  WriteNumber(fp, c->xy);
  fprintf(fp, ", \"k1\": ");
  WriteNumber(fp, c->k1);
  fprintf(fp, ", \"k2\": ");
  WriteNumber(fp, c->k2);
  fprintf(fp, "}");
}

static void WriteState(FILE *fp, Stack stack, const char *model, const StateReport *st)
{
  fprintf(fp, "    {\n      \"name\": \"%s\",\n      \"step\": \"%s\",\n      \"model\": \"%s\",\n      \"temperature_C\": ", st->name, st->step_type, model);
  WriteNumber(fp, st->temperature - 273.15);
  fprintf(fp, ",\n      \"temperature_gradient_C_per_mm\": [");
  WriteNumber(fp, st->gradient[0] * 1e-3);
  fprintf(fp, ", ");
  WriteNumber(fp, st->gradient[1] * 1e-3);
  fprintf(fp, "]");
  fprintf(fp, ",\n      \"active_layers\": [");
  for (PetscInt i = 0, first = 1; i < StackSize(stack); i++)
    if (st->active[i]) {
      fprintf(fp, "%s\"%s\"", first ? "" : ", ", StackLayer(stack, i)->name);
      first = 0;
    }
  fprintf(fp, "],\n");
  WriteCurvature(fp, "center_curvature_1_per_m", &st->mid);
  fprintf(fp, ",\n");
  WriteCurvature(fp, "center_curvature_bottom_1_per_m", &st->bottom);
  fprintf(fp, ",\n");
  WriteCurvature(fp, "center_curvature_top_1_per_m", &st->top);
  fprintf(fp, ",\n      \"center_radius_cm\": {\"k1\": ");
  WriteNumber(fp, RadiusCm(st->mid.k1));
  fprintf(fp, ", \"k2\": ");
  WriteNumber(fp, RadiusCm(st->mid.k2));
  fprintf(fp, "},\n      \"edge_lift_mm\": ");
  WriteNumber(fp, st->edge_lift * 1e3);
  fprintf(fp, ",\n      \"warpage_mm\": ");
  WriteNumber(fp, st->warpage * 1e3);
  fprintf(fp, ",\n      \"laminate_theory_1_per_m\": {\"sphere\": ");
  WriteNumber(fp, st->kappa_sphere);
  fprintf(fp, ", \"cylinder\": ");
  WriteNumber(fp, st->kappa_cylinder);
  fprintf(fp, "},\n      \"max_inplane_stress_MPa\": {");
  for (PetscInt i = 0; i < StackSize(stack); i++) { /* every layer; null while not bonded yet or etched */
    fprintf(fp, "%s\"%s\": ", i ? ", " : "", StackLayer(stack, i)->name);
    if (st->active[i]) WriteNumber(fp, st->max_stress[i] * 1e-6);
    else fprintf(fp, "null");
  }
  fprintf(fp, "},\n      \"dofs\": %" PetscInt_FMT ",\n      \"solver_iterations\": %" PetscInt_FMT ",\n", st->dofs, st->iterations);
  fprintf(fp, "      \"wall_time_s\": {\"setup\": %.3f, \"assembly\": %.3f, \"assembly_and_solve\": %.3f}\n    }", (double)st->time_setup, (double)st->time_assembly, (double)st->time_assembly_solve);
}

static int WriteSummary(FILE *fp, void *ctx)
{
  Summary s = (Summary)ctx;

  fprintf(fp, "{\n  \"fcclsim_version\": \"%s\",\n  \"case\": ", FCCLSIM_VERSION);
  WriteString(fp, s->case_file);
  fprintf(fp, ",\n  \"sign_convention\": \"kappa > 0: top face (last layer) convex, bottom layer (%s) on the concave side; R = 1/kappa\",\n  \"layers\": [", StackLayer(s->stack, 0)->name);
  for (PetscInt i = 0; i < StackSize(s->stack); i++) fprintf(fp, "%s{\"name\": \"%s\", \"material\": \"%s\", \"thickness_um\": %.6g}", i ? ", " : "", StackLayer(s->stack, i)->name, StackLayer(s->stack, i)->material_name, (double)(StackLayer(s->stack, i)->thickness * 1e6));
  fprintf(fp, "],\n  \"states\": [\n");
  for (PetscInt k = 0; k < s->n; k++) {
    WriteState(fp, s->stack, s->model_name, &s->states[k]);
    fprintf(fp, k + 1 < s->n ? ",\n" : "\n");
  }
  return fprintf(fp, "  ]\n}\n") < 0 ? EIO : 0;
}

PetscErrorCode SummaryWrite(Summary s, const char path[])
{
  PetscFunctionBeginUser;
  PetscCall(OutputDirectoryWriteFile(s->comm, path, WriteSummary, s));
  PetscFunctionReturn(0);
}

PetscErrorCode SummaryDestroy(Summary *s)
{
  PetscFunctionBeginUser;
  if (!*s) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < (*s)->n; k++) PetscCall(PetscFree2((*s)->states[k].active, (*s)->states[k].max_stress));
  PetscCall(PetscFree((*s)->states));
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(0);
}
