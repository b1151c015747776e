#include <errno.h>
#include <stdio.h>
#include "summary.h"
#include "output-directory.h"
#include "state-file.h"

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
  fprintf(fp, ",\n      \"center_k1_angle_deg\": ");
  WriteNumber(fp, CurvatureAngle(&st->mid));
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
  fprintf(fp, "      \"newton_steps\": %" PetscInt_FMT ",\n      \"stable\": %s,\n      \"negative_pivots\": ", st->newton_steps, st->negative_pivots < 0 ? "null" : st->negative_pivots == 0 ? "true" : "false");
  if (st->negative_pivots < 0) fprintf(fp, "null,\n");
  else fprintf(fp, "%" PetscInt_FMT ",\n", st->negative_pivots);
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

PetscInt           SummarySize(Summary s) { return s->n; }
const StateReport *SummaryState(Summary s, PetscInt i) { return &s->states[i]; }

/* One state's numbers, in this order; the per-layer arrays last */
enum { REC_T, REC_GX, REC_GY, REC_MID, REC_BOTTOM = REC_MID + 5, REC_TOP = REC_BOTTOM + 5, REC_EDGE = REC_TOP + 5, REC_WARPAGE, REC_SPHERE, REC_CYLINDER, REC_DOFS, REC_ITERATIONS, REC_TSETUP, REC_TASSEMBLY, REC_TSOLVE, REC_NEWTON, REC_NEGATIVE, REC_LAYERS };

static void PackCurvature(const Curvature *c, PetscScalar r[]) { r[0] = c->xx, r[1] = c->yy, r[2] = c->xy, r[3] = c->k1, r[4] = c->k2; }
static void UnpackCurvature(const PetscScalar r[], Curvature *c) { c->xx = r[0], c->yy = r[1], c->xy = r[2], c->k1 = r[3], c->k2 = r[4]; }

PetscErrorCode SummaryWriteRecords(Summary s, PetscViewer viewer)
{
  const PetscInt nl = StackSize(s->stack), len = REC_LAYERS + 2 * nl;
  PetscScalar   *rec;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(s->n * len + 1, &rec));
  for (PetscInt k = 0; k < s->n; k++) {
    const StateReport *st = &s->states[k];
    PetscScalar       *r  = &rec[k * len];
    r[REC_T]  = st->temperature;
    r[REC_GX] = st->gradient[0];
    r[REC_GY] = st->gradient[1];
    PackCurvature(&st->mid, &r[REC_MID]);
    PackCurvature(&st->bottom, &r[REC_BOTTOM]);
    PackCurvature(&st->top, &r[REC_TOP]);
    r[REC_EDGE]       = st->edge_lift;
    r[REC_WARPAGE]    = st->warpage;
    r[REC_SPHERE]     = st->kappa_sphere;
    r[REC_CYLINDER]   = st->kappa_cylinder;
    r[REC_DOFS]       = (PetscReal)st->dofs;
    r[REC_ITERATIONS] = (PetscReal)st->iterations;
    r[REC_TSETUP]     = st->time_setup;
    r[REC_TASSEMBLY]  = st->time_assembly;
    r[REC_TSOLVE]     = st->time_assembly_solve;
    r[REC_NEWTON]     = (PetscReal)st->newton_steps;
    r[REC_NEGATIVE]   = (PetscReal)st->negative_pivots;
    for (PetscInt i = 0; i < nl; i++) {
      r[REC_LAYERS + i]      = st->active[i];
      r[REC_LAYERS + nl + i] = st->max_stress[i];
    }
  }
  PetscCall(StateFileWriteShared(viewer, "states", s->n * len, rec));
  PetscCall(PetscFree(rec));
  PetscFunctionReturn(0);
}

PetscErrorCode SummaryReadRecords(Summary s, PetscViewer viewer, PetscInt n, char *const names[], char *const step_types[])
{
  const PetscInt nl = StackSize(s->stack), len = REC_LAYERS + 2 * nl;
  PetscScalar   *rec;
  StateReport    st;

  PetscFunctionBeginUser;
  PetscCheck(s->n == 0, s->comm, PETSC_ERR_ORDER, "SummaryReadRecords into a summary that has states");
  PetscCall(PetscCalloc1(n * len + 1, &rec));
  PetscCall(StateFileReadShared(viewer, "states", n * len, rec));
  PetscCall(PetscMemzero(&st, sizeof(st)));
  PetscCall(PetscMalloc2(nl, &st.active, nl, &st.max_stress));
  for (PetscInt k = 0; k < n; k++) {
    const PetscScalar *r = &rec[k * len];
    PetscCall(PetscStrncpy(st.name, names[k], sizeof(st.name)));
    PetscCall(PetscStrncpy(st.step_type, step_types[k], sizeof(st.step_type)));
    st.temperature = r[REC_T];
    st.gradient[0] = r[REC_GX];
    st.gradient[1] = r[REC_GY];
    UnpackCurvature(&r[REC_MID], &st.mid);
    UnpackCurvature(&r[REC_BOTTOM], &st.bottom);
    UnpackCurvature(&r[REC_TOP], &st.top);
    st.edge_lift           = r[REC_EDGE];
    st.warpage             = r[REC_WARPAGE];
    st.kappa_sphere        = r[REC_SPHERE];
    st.kappa_cylinder      = r[REC_CYLINDER];
    st.dofs                = (PetscInt)r[REC_DOFS];
    st.iterations          = (PetscInt)r[REC_ITERATIONS];
    st.time_setup          = r[REC_TSETUP];
    st.time_assembly       = r[REC_TASSEMBLY];
    st.time_assembly_solve = r[REC_TSOLVE];
    st.newton_steps        = (PetscInt)r[REC_NEWTON];
    st.negative_pivots     = (PetscInt)r[REC_NEGATIVE];
    for (PetscInt i = 0; i < nl; i++) {
      st.active[i]     = (PetscBool)(r[REC_LAYERS + i] != 0);
      st.max_stress[i] = r[REC_LAYERS + nl + i];
    }
    PetscCall(SummaryAddState(s, &st));
  }
  PetscCall(PetscFree2(st.active, st.max_stress));
  PetscCall(PetscFree(rec));
  PetscFunctionReturn(0);
}
