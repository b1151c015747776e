#include "process.h"
#include "case.h"
#include <stdlib.h>
#include "option-read.h"

const char *const ProcessStepTypeNames[] = {"bond", "temperature", "etch"};

#define PROCESS_MAX_STEPS      256
#define PROCESS_MAX_INCREMENTS 100000 /* temperature increments of the whole history */
#define T_MIN_C                -273.0
#define T_MAX_C                2000.0

static const char *const StepTypeChoices[] = {"bond", "cure", "temperature", "etch", NULL}; /* cure: a bond */
static const char *const BondModeNames[]   = {"free", "pressed", NULL};
static const char *const TgModelNames[]    = {"rubbery", "none", NULL};

#define WHERE_LEN (PETSC_MAX_PATH_LEN + 320)
#define STEP_MAX_LAYERS 64

struct _n_Process {
  PetscInt     n;
  ProcessStep *step;
  PetscReal    max_increment; /* K */
  PetscReal    lx, ly;        /* the sample, m: what a temperature gradient spans */
  PatternBox   modelled;      /* the part of it the model covers */
  PetscBool    tg_rubbery;
};

PetscInt           ProcessSize(Process p) { return p->n; }
const ProcessStep *ProcessGetStep(Process p, PetscInt k) { return &p->step[k]; }
PetscInt           ProcessStepStart(Process p, PetscInt k) { return p->step[k].from >= 0 ? p->step[k].from : k - 1; }

PetscBool ProcessStepIsBranchPoint(Process p, PetscInt k)
{
  for (PetscInt j = k + 2; j < p->n; j++)
    if (p->step[j].from == k) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* steps_NAME_layers as layer indices */
static PetscErrorCode StepLayers(MPI_Comm comm, Stack stack, ProcessStep *st, const char key[], PetscInt n, char *names[])
{
  char where[WHERE_LEN];

  PetscFunctionBeginUser;
  OptionWhere(key, where, sizeof(where));
  st->nlayers = n;
  PetscCall(PetscMalloc1(n, &st->layer));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt idx;
    PetscCall(StackFindLayer(stack, names[k], &idx));
    PetscCheck(idx >= 0 || CaseHelp(), comm, PETSC_ERR_USER_INPUT, "%s names layer '%s', which is not in layers", where, names[k]);
    for (PetscInt j = 0; j < k; j++) PetscCheck(st->layer[j] != idx || idx < 0, comm, PETSC_ERR_USER_INPUT, "%s names layer '%s' twice", where, names[k]);
    st->layer[k] = idx;
  }
  PetscFunctionReturn(0);
}

/* Options block "Step NAME": -steps_NAME_{type,layers,temperature_C,mode,increments,from,pattern} */
static PetscErrorCode ReadStep(MPI_Comm comm, Process p, Stack stack, PetscInt k, const char name[], PetscBool default_pressed)
{
  ProcessStep *st = &p->step[k];
  char         prefix[CASE_MAX_NAME + 16], title[CASE_MAX_NAME + 48], key[256], where[WHERE_LEN], from[CASE_MAX_NAME + 1] = "", pattern[CASE_MAX_NAME + 1] = "", *names[STEP_MAX_LAYERS];
  PetscInt     type = 0, mode = default_pressed ? 1 : 0, nnames = STEP_MAX_LAYERS;
  PetscReal    T_C = 25, gradient[2] = {0, 0};
  PetscInt     ngrad = 2;
  PetscBool    type_set, layers_set, T_set, mode_set, incr_set, from_set, grad_set, pattern_set;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(st->name, name, sizeof(st->name)));
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "steps_%s_", name));
  PetscCall(PetscSNPrintf(title, sizeof(title), "Step %s (docs/process.md)", name));
  PetscOptionsBegin(comm, prefix, title, "fcclsim");
  PetscCall(OptionChoice(PetscOptionsObject, "-type", "bond (alias cure): layers join; temperature: a ramp; etch: layers are removed; required", StepTypeChoices, type, &type, &type_set));
  PetscCall(OptionStringList(PetscOptionsObject, "-layers", "bond: the layers that join; etch: the layers removed", names, &nnames, &layers_set));
  OptionKey(PetscOptionsObject, "-layers", key, sizeof(key));
  PetscCall(OptionReal(PetscOptionsObject, "-temperature_C", "bond: its temperature (the stack is ramped there first), C; temperature: the end of the ramp, C", T_C, T_MIN_C, T_MAX_C, &T_C, &T_set));
  PetscCall(OptionRealList(PetscOptionsObject, "-gradient_C_per_mm", "temperature only: the end temperature's in-plane gradient GX,GY, C/mm: T + GX x + GY y, (x, y) in mm from the sample's centre", -1e3, 1e3, gradient, &ngrad, &grad_set));
  PetscCall(OptionChoice(PetscOptionsObject, "-mode", "bond only: free (on the stack as it is) or pressed (held flat while it bonds)", BondModeNames, mode, &mode, &mode_set));
  PetscCall(OptionInt(PetscOptionsObject, "-increments", "temperature only: equal increments of the ramp (default: automatic, process_increment_C)", st->increments, 1, PROCESS_MAX_INCREMENTS, &st->increments, &incr_set));
  PetscCall(OptionString(PetscOptionsObject, "-from", "start from the state this earlier step left (etch branches; default: the step before)", from, from, sizeof(from), &from_set));
  PetscCall(OptionString(PetscOptionsObject, "-pattern", "etch only: the pattern (pattern_NAME_* keys) the layers are etched to; default: they go whole", pattern, pattern, sizeof(pattern), &pattern_set));
  PetscOptionsEnd();
  st->type    = type == 2 ? STEP_TEMPERATURE : (type == 3 ? STEP_ETCH : STEP_BOND);
  st->T       = T_set ? T_C + 273.15 : 0;
  st->pressed = (PetscBool)(mode == 1);
  st->from    = -1;
  if (grad_set) {
    st->gradient[0] = gradient[0] * 1e3;
    st->gradient[1] = ngrad > 1 ? gradient[1] * 1e3 : 0;
  }
  if (layers_set) PetscCall(StepLayers(comm, stack, st, key, nnames, names));
  for (PetscInt i = 0; layers_set && i < nnames; i++) PetscCall(PetscFree(names[i]));
  if (CaseHelp()) { /* the pattern's keys: the case's, or those of a pattern called NAME */
    PetscBool placeholder;
    PetscCall(PetscStrcmp(name, "NAME", &placeholder));
    if (pattern_set || placeholder) {
      PetscCall(PatternCreateFromOptions(comm, pattern_set ? pattern : "NAME", "-help", p->lx, p->ly, &st->pattern));
      PetscCall(PatternDestroy(&st->pattern));
    }
    PetscFunctionReturn(0);
  }
  PetscCall(PetscSNPrintf(key, sizeof(key), "-steps_%s_type", name));
  OptionWhere(key, where, sizeof(where));
  PetscCheck(type_set, comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_type is required: bond, cure, temperature or etch", CaseSource(), name);
  PetscCheck(layers_set || st->type == STEP_TEMPERATURE, comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_layers is required for a %s step: the layers it %s", CaseSource(), name, ProcessStepTypeNames[st->type], st->type == STEP_BOND ? "bonds" : "etches");
  PetscCheck(!layers_set || st->type != STEP_TEMPERATURE, comm, PETSC_ERR_USER_INPUT, "%s = temperature: a temperature step takes no steps_%s_layers", where, name);
  PetscCheck(!T_set || st->type != STEP_ETCH, comm, PETSC_ERR_USER_INPUT, "%s = etch: an etch happens at the temperature the stack is at; remove steps_%s_temperature_C", where, name);
  PetscCheck(T_set || st->type != STEP_TEMPERATURE, comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_temperature_C is required for a temperature step (its end temperature, C)", CaseSource(), name);
  PetscCheck(!mode_set || st->type == STEP_BOND, comm, PETSC_ERR_USER_INPUT, "%s = %s: only bond steps have a mode; remove steps_%s_mode", where, ProcessStepTypeNames[st->type], name);
  PetscCheck(!incr_set || st->type == STEP_TEMPERATURE, comm, PETSC_ERR_USER_INPUT, "%s = %s: only temperature steps have increments; remove steps_%s_increments", where, ProcessStepTypeNames[st->type], name);
  PetscCheck(!grad_set || st->type == STEP_TEMPERATURE, comm, PETSC_ERR_USER_INPUT, "%s = %s: only temperature steps have a gradient; remove steps_%s_gradient_C_per_mm", where, ProcessStepTypeNames[st->type], name);
  PetscCheck(!grad_set || ngrad == 2, comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_gradient_C_per_mm takes two values, GX,GY (C/mm)", CaseSource(), name);
  PetscCheck(p->modelled.y1 > p->modelled.y0 || st->gradient[1] == 0, comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_gradient_C_per_mm = %g,%g: the 2D model is the x-z section and has no y extent; a gradient along y needs -model 3d", CaseSource(), name, (double)gradient[0], (double)gradient[1]);
  if (from_set) {
    for (PetscInt j = 0; j < k; j++) {
      PetscBool same;
      PetscCall(PetscStrcasecmp(p->step[j].name, from, &same));
      if (same) st->from = j;
    }
    PetscCall(PetscSNPrintf(key, sizeof(key), "-steps_%s_from", name));
    OptionWhere(key, where, sizeof(where));
    PetscCheck(st->from >= 0, comm, PETSC_ERR_USER_INPUT, "%s = %s: it must name an earlier step", where, from);
  }
  st->kept = 0;
  if (pattern_set) {
    PetscCall(PetscSNPrintf(key, sizeof(key), "-steps_%s_pattern", name));
    OptionWhere(key, where, sizeof(where));
    PetscCheck(st->type == STEP_ETCH, comm, PETSC_ERR_USER_INPUT, "%s = %s: only etch steps take a pattern; remove it or make the step an etch", where, pattern);
    PetscCall(PatternCreateFromOptions(comm, pattern, where, p->lx, p->ly, &st->pattern));
    PetscCall(PatternCopperFraction(st->pattern, &p->modelled, &st->kept));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode FindFoil(MPI_Comm comm, Stack stack, const char key[], const char name[], PetscInt dflt, PetscInt *idx)
{
  char where[WHERE_LEN];

  PetscFunctionBeginUser;
  *idx = dflt;
  if (!name[0]) PetscFunctionReturn(0);
  PetscCall(StackFindLayer(stack, name, idx));
  OptionWhere(key, where, sizeof(where));
  PetscCheck(*idx >= 0, comm, PETSC_ERR_USER_INPUT, "%s = %s: not a layer of layers", where, name);
  PetscFunctionReturn(0);
}

static PetscErrorCode AddStep(Process p, const char name[], ProcessStepType type, PetscReal T_C, PetscBool pressed, PetscInt from, PetscInt nl, const PetscInt layers[])
{
  ProcessStep *st = &p->step[p->n++];

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(st->name, name, sizeof(st->name)));
  st->type    = type;
  st->T       = type == STEP_ETCH ? 0 : T_C + 273.15;
  st->pressed = pressed;
  st->from    = from;
  st->nlayers = nl;
  if (nl) {
    PetscCall(PetscMalloc1(nl, &st->layer));
    PetscCall(PetscArraycpy(st->layer, layers, nl));
  }
  PetscFunctionReturn(0);
}

/* What the default process is built from (block "Process") */
typedef struct {
  PetscReal cure, lamination, final;
  PetscBool pressed;
  char      foil1[CASE_MAX_NAME + 1], foil2[CASE_MAX_NAME + 1];
} DefaultProcess;

/* The patent's process (WO 2004/085146, Examples 1 and 14): cure on foil 1, cool, reheat, laminate foil 2, cool, etch */
static PetscErrorCode DefaultSteps(MPI_Comm comm, Process p, Stack stack, const DefaultProcess *d)
{
  PetscInt foil1, foil2, nc = 0, *cured, both[2];

  PetscFunctionBeginUser;
  PetscCheck(StackSize(stack) >= 3 || CaseHelp(), comm, PETSC_ERR_USER_INPUT, "%s: the default process (foil / polymer layers / foil) needs at least 3 layers; this stack has %" PetscInt_FMT ": give steps", CaseSource(), StackSize(stack));
  PetscCall(FindFoil(comm, stack, "-process_foil1", d->foil1, 0, &foil1));
  PetscCall(FindFoil(comm, stack, "-process_foil2", d->foil2, StackSize(stack) - 1, &foil2));
  PetscCheck(foil1 != foil2 || CaseHelp(), comm, PETSC_ERR_USER_INPUT, "%s: process_foil1 and process_foil2 name the same layer", CaseSource());
  PetscCall(PetscMalloc1(StackSize(stack), &cured));
  for (PetscInt i = 0; i < StackSize(stack); i++)
    if (i != foil2) cured[nc++] = i;
  both[0] = foil1;
  both[1] = foil2;
  p->n    = 0;
  PetscCall(PetscCalloc1(8, &p->step));
  PetscCall(AddStep(p, "cure", STEP_BOND, d->cure, PETSC_FALSE, -1, nc, cured));
  PetscCall(AddStep(p, "cooled", STEP_TEMPERATURE, d->final, PETSC_FALSE, -1, 0, NULL));
  PetscCall(AddStep(p, "heated", STEP_TEMPERATURE, d->lamination, PETSC_FALSE, -1, 0, NULL));
  PetscCall(AddStep(p, "laminated", STEP_BOND, d->lamination, d->pressed, -1, 1, &foil2));
  PetscCall(AddStep(p, "double_sided", STEP_TEMPERATURE, d->final, PETSC_FALSE, -1, 0, NULL));
  PetscCall(AddStep(p, "etch_foil1", STEP_ETCH, 0, PETSC_FALSE, 4, 1, &foil1));
  PetscCall(AddStep(p, "etch_foil2", STEP_ETCH, 0, PETSC_FALSE, 4, 1, &foil2));
  PetscCall(AddStep(p, "etch_both", STEP_ETCH, 0, PETSC_FALSE, 4, 2, both));
  PetscCall(PetscFree(cured));
  PetscFunctionReturn(0);
}

/* The largest change of temperature anywhere on the sample between two fields, K */
static PetscReal LargestChange(const Process p, const TemperatureField *a, const TemperatureField *b)
{
  return PetscAbsReal(b->T - a->T) + PetscAbsReal(b->gx - a->gx) * 0.5 * p->lx + PetscAbsReal(b->gy - a->gy) * 0.5 * p->ly;
}

/* Temperature increments a ramp a -> b takes (an upper bound for automatic ones: each E(T) breakpoint adds at most one) */
static PetscReal RampIncrements(const Process p, Stack stack, const ProcessStep *st, const TemperatureField *a, const TemperatureField *b)
{
  const PetscReal change = LargestChange(p, a, b);
  PetscReal       n      = st->increments;

  if (n > 0 || change == 0) return n;
  n = PetscCeilReal(change / p->max_increment);
  for (PetscInt i = 0; i < StackSize(stack); i++)
    if (StackLayer(stack, i)->material) n += StackLayer(stack, i)->material->E.n + 2;
  return n;
}

static TemperatureField StepTemperature(const ProcessStep *st)
{
  TemperatureField f = {st->T, st->gradient[0], st->gradient[1]};
  return f;
}

/* Walks the steps on active/bonded flags and temperatures alone, so that a wrong sequence, or one that would take an
   unreasonable number of increments, is reported with its key before any solve */
static PetscErrorCode CheckSequence(MPI_Comm comm, Process p, Stack stack)
{
  PetscBool        *active, *bonded, *patterned;
  TemperatureField *T;
  PetscReal         increments = 0;

  PetscFunctionBeginUser;
  PetscCheck(p->step[0].type == STEP_BOND && p->step[0].T > 0, comm, PETSC_ERR_USER_INPUT, "%s: the first step (%s) must be a bond with its temperature_C: nothing exists before it", CaseSource(), p->step[0].name);
  PetscCall(PetscCalloc4(StackSize(stack) * p->n, &active, StackSize(stack) * p->n, &bonded, StackSize(stack) * p->n, &patterned, p->n, &T));
  for (PetscInt k = 0; k < p->n; k++) {
    const ProcessStep *st = &p->step[k];
    const PetscInt     s  = st->from >= 0 ? st->from : k - 1;
    PetscBool         *a = &active[k * StackSize(stack)], *b = &bonded[k * StackSize(stack)], *pt = &patterned[k * StackSize(stack)];
    PetscInt           count = 0, first = -1, last = -1;
    if (s >= 0) {
      PetscCall(PetscArraycpy(a, &active[s * StackSize(stack)], StackSize(stack)));
      PetscCall(PetscArraycpy(b, &bonded[s * StackSize(stack)], StackSize(stack)));
      PetscCall(PetscArraycpy(pt, &patterned[s * StackSize(stack)], StackSize(stack)));
      T[k] = T[s];
    }
    if (st->type != STEP_ETCH && st->T > 0) {
      const TemperatureField end = StepTemperature(st);
      if (s >= 0) increments += RampIncrements(p, stack, st, &T[s], &end);
      T[k] = end;
    }
    for (PetscInt j = 0; j < st->nlayers; j++) {
      const PetscInt i = st->layer[j];
      if (st->type == STEP_BOND) {
        PetscCheck(!b[i], comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_layers bonds layer %s, which is already bonded", CaseSource(), st->name, StackLayer(stack, i)->name);
        a[i] = b[i] = PETSC_TRUE;
      } else {
        PetscCheck(a[i], comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_layers etches layer %s, which is %s at that point", CaseSource(), st->name, StackLayer(stack, i)->name, b[i] ? "already etched" : "not yet bonded");
        PetscCheck(!st->pattern || !pt[i], comm, PETSC_ERR_USER_INPUT, "%s: steps_%s_pattern etches layer %s to a pattern a second time; one pattern per layer is supported (etch it whole, or combine the shapes in one pattern)", CaseSource(), st->name, StackLayer(stack, i)->name);
        pt[i] = (PetscBool)(st->pattern != NULL);
        a[i]  = (PetscBool)(st->pattern && st->kept > 0);
      }
    }
    for (PetscInt i = 0; i < StackSize(stack); i++) {
      if (!a[i]) continue;
      if (first < 0) first = i;
      last = i;
      count++;
    }
    PetscCheck(count > 0, comm, PETSC_ERR_USER_INPUT, "%s: step %s leaves no active layer", CaseSource(), st->name);
    PetscCheck(last - first + 1 == count, comm, PETSC_ERR_USER_INPUT, "%s: step %s leaves the active layers in separate pieces: only outer layers can be bonded or etched", CaseSource(), st->name);
  }
  PetscCall(PetscFree4(active, bonded, patterned, T));
  PetscCheck(increments <= PROCESS_MAX_INCREMENTS, comm, PETSC_ERR_USER_INPUT, "%s: the history's ramps take about %.3g temperature increments, more than %d: raise process_increment_C (%g C) or lower steps_*_increments", CaseSource(), (double)increments, PROCESS_MAX_INCREMENTS, (double)p->max_increment);
  PetscFunctionReturn(0);
}

PetscErrorCode ProcessCreateFromOptions(MPI_Comm comm, Stack stack, PetscReal lx, PetscReal ly, const PatternBox *modelled, Process *process)
{
  Process        p;
  char          *names[PROCESS_MAX_STEPS];
  PetscInt       n = PROCESS_MAX_STEPS, lam_mode = 1, tg = 0;
  DefaultProcess d = {350, 320, 25, PETSC_TRUE, "", ""};
  PetscBool      set;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&p));
  p->max_increment = 5;
  p->lx            = lx;
  p->ly            = ly;
  p->modelled      = *modelled;
  PetscOptionsBegin(comm, NULL, "Process (docs/process.md)", "fcclsim");
  PetscCall(OptionStringList(PetscOptionsObject, "-steps", "the process steps in order (each has its steps_NAME_* keys); default: the patent's process below", names, &n, &set));
  PetscCall(OptionReal(PetscOptionsObject, "-process_cure_C", "default process: cure temperature, C", d.cure, T_MIN_C, T_MAX_C, &d.cure, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-process_lamination_C", "default process: lamination temperature, C", d.lamination, T_MIN_C, T_MAX_C, &d.lamination, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-process_final_C", "default process: room temperature, C", d.final, T_MIN_C, T_MAX_C, &d.final, NULL));
  PetscCall(OptionChoice(PetscOptionsObject, "-process_lamination_mode", "bonds after the first: pressed or free", BondModeNames, lam_mode, &lam_mode, NULL));
  PetscCall(OptionString(PetscOptionsObject, "-process_foil1", "default process: the foil the precursors cure on (default: the first layer)", d.foil1, d.foil1, sizeof(d.foil1), NULL));
  PetscCall(OptionString(PetscOptionsObject, "-process_foil2", "default process: the foil laminated on (default: the last layer)", d.foil2, d.foil2, sizeof(d.foil2), NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-process_increment_C", "largest temperature increment of an automatic ramp, C", p->max_increment, 1e-3, 1e3, &p->max_increment, NULL));
  PetscCall(OptionChoice(PetscOptionsObject, "-process_tg_model", "rubbery: above Tg the modulus drops by rubbery_ratio; none: Tg is ignored", TgModelNames, tg, &tg, NULL));
  PetscOptionsEnd();
  d.pressed     = (PetscBool)(lam_mode == 1);
  p->tg_rubbery = (PetscBool)(tg == 0);
  if (set) {
    p->n = n;
    PetscCall(PetscCalloc1(n, &p->step));
    for (PetscInt k = 0; k < n; k++) {
      char where[WHERE_LEN];
      PetscCall(CaseCheckName(comm, "step", "-steps", names[k]));
      for (PetscInt j = 0; j < k; j++) {
        PetscBool same;
        PetscCall(PetscStrcasecmp(p->step[j].name, names[k], &same));
        OptionWhere("-steps", where, sizeof(where));
        PetscCheck(!same, comm, PETSC_ERR_USER_INPUT, "%s names '%s' twice (names are case-insensitive); step names must be unique", where, names[k]);
      }
      /* the first bond has nothing to be pressed onto: free unless the case says otherwise */
      PetscCall(ReadStep(comm, p, stack, k, names[k], (PetscBool)(k > 0 && d.pressed)));
    }
    for (PetscInt k = 0; k < n; k++) PetscCall(PetscFree(names[k]));
  } else {
    PetscCall(DefaultSteps(comm, p, stack, &d));
    if (CaseHelp()) { /* the keys of a step called NAME */
      Process q;
      PetscCall(PetscNew(&q));
      PetscCall(PetscCalloc1(1, &q->step));
      q->n = 1;
      PetscCall(ReadStep(comm, q, stack, 0, "NAME", PETSC_FALSE));
      PetscCall(ProcessDestroy(&q));
    }
  }
  for (PetscInt i = 0; i < StackSize(stack); i++)
    if (StackLayer(stack, i)->material) StackLayer(stack, i)->material->rubbery = (PetscBool)(p->tg_rubbery && StackLayer(stack, i)->material->Tg > 0);
  if (!CaseHelp()) PetscCall(CheckSequence(comm, p, stack));
  *process = p;
  PetscFunctionReturn(0);
}

static int CompareUp(const void *a, const void *b)
{
  const PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return x < y ? -1 : (x > y ? 1 : 0);
}

/* A ramp from the history's temperature field to `end`: nincr equal increments, or, for nincr = 0, split at every
   modulus breakpoint of the active layers (on the mean temperature) and into increments that change the temperature
   nowhere on the sample by more than max_increment. Each increment goes to the history, then to the hooks. */
static PetscErrorCode Ramp(Process p, LaminateHistory h, const TemperatureField *end, PetscInt nincr, const ProcessHooks *hooks, void *ctx)
{
  const TemperatureField start = *LaminateHistoryTemperature(h);
  Stack                  stack = LaminateHistoryStack(h);
  const PetscReal        dir   = end->T >= start.T ? 1 : -1;
  PetscReal             *knots, sa = 0;
  PetscInt               nk = 0, cap = 1;

  PetscFunctionBeginUser;
  PetscCheck(start.T > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "a temperature ramp before the first bond");
  if (LargestChange(p, &start, end) == 0) PetscFunctionReturn(0);
  /* knots: fractions s in (0, 1] of the way from start to end */
  for (PetscInt i = 0; i < StackSize(stack); i++)
    if (LaminateHistoryLayer(h, i)->active) cap += StackLayer(stack, i)->material->E.n + 2;
  PetscCall(PetscMalloc1(cap + nincr, &knots));
  if (nincr > 0)
    for (PetscInt j = 1; j < nincr; j++) knots[nk++] = (PetscReal)j / nincr;
  else if (end->T != start.T)
    for (PetscInt i = 0; i < StackSize(stack); i++) {
      PetscInt nb;
      if (!LaminateHistoryLayer(h, i)->active) continue;
      PetscCall(MaterialGetModulusBreakpoints(StackLayer(stack, i)->material, start.T, end->T, cap - 1 - nk, &nb, &knots[nk]));
      for (PetscInt j = nk; j < nk + nb; j++) knots[j] = (knots[j] - start.T) / (end->T - start.T);
      nk += nb;
    }
  knots[nk++] = 1;
  qsort(knots, (size_t)nk, sizeof(PetscReal), CompareUp);
  (void)dir;
  for (PetscInt k = 0; k < nk; k++) {
    const PetscReal sk = knots[k];
    PetscInt        m  = 1;
    if (sk <= sa) continue;
    if (nincr == 0) {
      const PetscReal span = LargestChange(p, &start, end) * (sk - sa);
      m = (PetscInt)PetscCeilReal(span / p->max_increment - 1e-9);
      if (m < 1) m = 1;
    }
    for (PetscInt j = 1; j <= m; j++) {
      const PetscReal  s = j == m ? sk : sa + (sk - sa) * j / m;
      TemperatureField T = {start.T + s * (end->T - start.T), start.gx + s * (end->gx - start.gx), start.gy + s * (end->gy - start.gy)};
      if (s == 1) T = *end;
      PetscCall(LaminateHistoryIncrement(h, &T));
      if (hooks) PetscCall(hooks->increment(ctx, &T, h));
    }
    sa = sk;
  }
  PetscCall(PetscFree(knots));
  PetscFunctionReturn(0);
}

PetscErrorCode ProcessApplyStep(Process p, PetscInt k, LaminateHistory h, const ProcessHooks *hooks, void *ctx)
{
  const ProcessStep *st = &p->step[k];

  PetscFunctionBeginUser;
  switch (st->type) {
  case STEP_BOND: {
    const PetscBool  onto = LaminateHistoryAnyActive(h);
    TemperatureField T    = {st->T > 0 ? st->T : LaminateHistoryTemperature(h)->T, 0, 0};
    LaminateStrain   pressed;

    if (!onto) PetscCheck(st->T > 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "the first bond has no temperature");
    else if (st->T > 0 || LaminateHistoryTemperature(h)->gx != 0 || LaminateHistoryTemperature(h)->gy != 0) PetscCall(Ramp(p, h, &T, 0, hooks, ctx)); /* a bond happens at a uniform temperature */
    if (onto && st->pressed) PetscCall(LaminateHistoryPressedStrain(h, &pressed));
    PetscCall(LaminateHistoryBond(h, st->nlayers, st->layer, &T, st->pressed));
    if (hooks) PetscCall(hooks->bond(ctx, st, &T, onto && st->pressed ? &pressed : NULL, h));
  } break;
  case STEP_TEMPERATURE: {
    const TemperatureField T = StepTemperature(st);
    PetscCall(Ramp(p, h, &T, st->increments, hooks, ctx));
  } break;
  case STEP_ETCH:
    PetscCall(LaminateHistoryEtch(h, st->nlayers, st->layer, st->pattern ? st->kept : 0));
    if (hooks) PetscCall(hooks->etch(ctx, st, h));
    break;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ProcessView(Process p, Stack stack, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "Process: %" PetscInt_FMT " steps (increments of at most %g C, glass transition %s)\n", p->n, (double)p->max_increment, p->tg_rubbery ? "rubbery" : "ignored"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  for (PetscInt k = 0; k < p->n; k++) {
    const ProcessStep *st = &p->step[k];
    char               layers[256] = "";
    for (PetscInt j = 0; j < st->nlayers; j++) {
      PetscCall(PetscStrlcat(layers, j ? "," : " ", sizeof(layers)));
      PetscCall(PetscStrlcat(layers, StackLayer(stack, st->layer[j])->name, sizeof(layers)));
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "%-14s %-11s%s", st->name, ProcessStepTypeNames[st->type], layers));
    PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
    if (st->T > 0) PetscCall(PetscViewerASCIIPrintf(viewer, " at %g C", (double)(st->T - 273.15)));
    if (st->type == STEP_BOND && k > 0) PetscCall(PetscViewerASCIIPrintf(viewer, " (%s)", st->pressed ? "pressed" : "free"));
    if (st->from >= 0) PetscCall(PetscViewerASCIIPrintf(viewer, " from %s", p->step[st->from].name));
    if (st->pattern) PetscCall(PetscViewerASCIIPrintf(viewer, " to pattern %s (%s; keeps %.4g %% of the modelled area)", PatternName(st->pattern), PatternRepresentationNames[PatternGetRepresentation(st->pattern)], (double)(100 * st->kept)));
    PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
    PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_TRUE));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode ProcessDestroy(Process *p)
{
  PetscFunctionBeginUser;
  if (!*p) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < (*p)->n; k++) {
    PetscCall(PetscFree((*p)->step[k].layer));
    PetscCall(PatternDestroy(&(*p)->step[k].pattern));
  }
  PetscCall(PetscFree((*p)->step));
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}

PetscErrorCode ProcessOptionsHavePattern(MPI_Comm comm, PetscBool *patterned)
{
  char     *names[PROCESS_MAX_STEPS];
  PetscInt  n = PROCESS_MAX_STEPS;
  PetscBool set;

  PetscFunctionBeginUser;
  *patterned = PETSC_FALSE;
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-steps", names, &n, &set));
  for (PetscInt k = 0; set && k < n; k++) {
    char      key[CASE_MAX_NAME + 32];
    PetscBool has;
    PetscCall(PetscSNPrintf(key, sizeof(key), "-steps_%s_pattern", names[k]));
    PetscCall(PetscOptionsHasName(NULL, NULL, key, &has));
    *patterned = (PetscBool)(*patterned || has);
    PetscCall(PetscFree(names[k]));
  }
  (void)comm;
  PetscFunctionReturn(0);
}
