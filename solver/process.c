#include "process.h"
#include "case.h"

const char *const ProcessStepTypeNames[] = {"bond", "temperature", "etch"};

#define PROCESS_MAX_STEPS 256

static PetscErrorCode StepKey(const ProcessStep *st, const char suffix[], char key[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(key, len, "-steps_%s_%s", st->name, suffix));
  PetscFunctionReturn(0);
}

/* -steps_NAME_layers as layer indices */
static PetscErrorCode ReadStepLayers(MPI_Comm comm, Process p, Stack stack, ProcessStep *st)
{
  char     *names[64], key[PETSC_MAX_PATH_LEN];
  PetscInt  n = 64;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(StepKey(st, "layers", key, sizeof(key)));
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, key, names, &n, &set));
  PetscCheck(set && n > 0, comm, PETSC_ERR_USER_INPUT, "%s: %s is required for a %s step: the layers it %s", p->source, key, ProcessStepTypeNames[st->type], st->type == STEP_BOND ? "bonds" : "etches");
  st->nlayers = n;
  PetscCall(PetscMalloc1(n, &st->layer));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt idx;
    PetscCall(StackFindLayer(stack, names[k], &idx));
    PetscCheck(idx >= 0, comm, PETSC_ERR_USER_INPUT, "%s: %s names layer '%s', which is not in -layers", p->source, key, names[k]);
    st->layer[k] = idx;
    PetscCall(PetscFree(names[k]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadStep(MPI_Comm comm, Process p, Stack stack, PetscInt k, const char name[])
{
  ProcessStep *st = &p->step[k];
  char         key[PETSC_MAX_PATH_LEN], value[64] = "", from[64] = "";
  PetscReal    T_C;
  PetscBool    set;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(st->name, name, sizeof(st->name)));
  PetscCall(CaseCheckKeyName(comm, p->source, "step", "-steps", name));
  for (PetscInt j = 0; j < k; j++) {
    PetscBool same;
    PetscCall(PetscStrcmp(p->step[j].name, name, &same));
    PetscCheck(!same, comm, PETSC_ERR_USER_INPUT, "%s: -steps names '%s' twice; step names must be unique", p->source, name);
  }
  PetscCall(StepKey(st, "type", key, sizeof(key)));
  PetscCall(PetscOptionsGetString(NULL, NULL, key, value, sizeof(value), &set));
  PetscCheck(set, comm, PETSC_ERR_USER_INPUT, "%s: %s is required (bond, cure, temperature or etch)", p->source, key);
  {
    PetscBool bond, cure, temp, etch;
    PetscCall(PetscStrcmp(value, "bond", &bond));
    PetscCall(PetscStrcmp(value, "cure", &cure));
    PetscCall(PetscStrcmp(value, "temperature", &temp));
    PetscCall(PetscStrcmp(value, "etch", &etch));
    PetscCheck(bond || cure || temp || etch, comm, PETSC_ERR_USER_INPUT, "%s: %s = %s; allowed: bond, cure, temperature, etch", p->source, key, value);
    st->type = (bond || cure) ? STEP_BOND : (temp ? STEP_TEMPERATURE : STEP_ETCH);
  }
  if (st->type != STEP_TEMPERATURE) PetscCall(ReadStepLayers(comm, p, stack, st));
  PetscCall(StepKey(st, "temperature_C", key, sizeof(key)));
  PetscCall(PetscOptionsGetReal(NULL, NULL, key, &T_C, &set));
  PetscCheck(!set || st->type != STEP_ETCH, comm, PETSC_ERR_USER_INPUT, "%s: %s is given for an etch step, which happens at the temperature the stack is at", p->source, key);
  PetscCheck(set || st->type != STEP_TEMPERATURE, comm, PETSC_ERR_USER_INPUT, "%s: %s is required for a temperature step (its end temperature, C)", p->source, key);
  PetscCheck(!set || (T_C > -273.15 && !PetscIsInfOrNanReal(T_C)), comm, PETSC_ERR_USER_INPUT, "%s: %s = %g C; it must lie above -273.15 C", p->source, key, (double)T_C);
  st->T = set ? T_C + 273.15 : 0;
  PetscCall(StepKey(st, "mode", key, sizeof(key)));
  PetscCall(PetscOptionsGetString(NULL, NULL, key, value, sizeof(value), &set));
  PetscCheck(!set || st->type == STEP_BOND, comm, PETSC_ERR_USER_INPUT, "%s: %s is given for a %s step; only bond steps have a mode", p->source, key, ProcessStepTypeNames[st->type]);
  if (set) {
    PetscBool free_, pressed;
    PetscCall(PetscStrcmp(value, "free", &free_));
    PetscCall(PetscStrcmp(value, "pressed", &pressed));
    PetscCheck(free_ || pressed, comm, PETSC_ERR_USER_INPUT, "%s: %s = %s; allowed: free, pressed", p->source, key, value);
    st->pressed = pressed;
  }
  PetscCall(StepKey(st, "increments", key, sizeof(key)));
  PetscCall(PetscOptionsGetInt(NULL, NULL, key, &st->increments, &set));
  PetscCheck(!set || st->type == STEP_TEMPERATURE, comm, PETSC_ERR_USER_INPUT, "%s: %s is given for a %s step; only temperature steps have increments", p->source, key, ProcessStepTypeNames[st->type]);
  PetscCheck(st->increments >= 0 && st->increments <= 100000, comm, PETSC_ERR_USER_INPUT, "%s: %s = %" PetscInt_FMT "; give 1 to 100000 (or leave it out for automatic increments)", p->source, key, st->increments);
  st->from = -1;
  PetscCall(StepKey(st, "from", key, sizeof(key)));
  PetscCall(PetscOptionsGetString(NULL, NULL, key, from, sizeof(from), &set));
  if (set) {
    for (PetscInt j = 0; j < k; j++) {
      PetscBool same;
      PetscCall(PetscStrcmp(p->step[j].name, from, &same));
      if (same) st->from = j;
    }
    PetscCheck(st->from >= 0, comm, PETSC_ERR_USER_INPUT, "%s: %s = %s; it must name an earlier step", p->source, key, from);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadSteps(MPI_Comm comm, Process p, Stack stack, PetscInt n, char *names[])
{
  PetscFunctionBeginUser;
  p->n = n;
  PetscCall(PetscCalloc1(n, &p->step));
  for (PetscInt k = 0; k < n; k++) PetscCall(ReadStep(comm, p, stack, k, names[k]));
  PetscFunctionReturn(0);
}

static PetscErrorCode FindFoil(MPI_Comm comm, Process p, Stack stack, const char key[], PetscInt dflt, PetscInt *idx)
{
  char      name[STACK_MAX_NAME];
  PetscBool set;

  PetscFunctionBeginUser;
  *idx = dflt;
  PetscCall(PetscOptionsGetString(NULL, NULL, key, name, sizeof(name), &set));
  if (set) {
    PetscCall(StackFindLayer(stack, name, idx));
    PetscCheck(*idx >= 0, comm, PETSC_ERR_USER_INPUT, "%s: %s = %s is not a layer of -layers", p->source, key, name);
  }
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

/* The patent's process (WO 2004/085146, Examples 1 and 14): cure on foil 1, cool, reheat, laminate foil 2, cool, etch */
static PetscErrorCode DefaultSteps(MPI_Comm comm, Process p, Stack stack)
{
  PetscReal cure = 350, lam = 320, room = 25;
  PetscInt  foil1, foil2, nc = 0, *cured, both[2];
  PetscBool pressed = PETSC_TRUE;
  char      mode[16] = "pressed";

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-process_cure_C", &cure, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-process_lamination_C", &lam, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-process_final_C", &room, NULL));
  PetscCheck(cure > -273.15 && lam > -273.15 && room > -273.15, comm, PETSC_ERR_USER_INPUT, "%s: -process_cure_C %g, -process_lamination_C %g, -process_final_C %g: temperatures must lie above -273.15 C", p->source, (double)cure, (double)lam, (double)room);
  PetscCall(PetscOptionsGetString(NULL, NULL, "-process_lamination_mode", mode, sizeof(mode), NULL));
  {
    PetscBool f, q;
    PetscCall(PetscStrcmp(mode, "free", &f));
    PetscCall(PetscStrcmp(mode, "pressed", &q));
    PetscCheck(f || q, comm, PETSC_ERR_USER_INPUT, "%s: -process_lamination_mode %s; allowed: free, pressed", p->source, mode);
    pressed = q;
  }
  PetscCheck(stack->n >= 3, comm, PETSC_ERR_USER_INPUT, "%s: the default process (foil / polymer layers / foil) needs at least 3 layers; this stack has %" PetscInt_FMT ": give -steps", p->source, stack->n);
  PetscCall(FindFoil(comm, p, stack, "-process_foil1", 0, &foil1));
  PetscCall(FindFoil(comm, p, stack, "-process_foil2", stack->n - 1, &foil2));
  PetscCheck(foil1 != foil2, comm, PETSC_ERR_USER_INPUT, "%s: -process_foil1 and -process_foil2 name the same layer", p->source);
  PetscCall(PetscMalloc1(stack->n, &cured));
  for (PetscInt i = 0; i < stack->n; i++)
    if (i != foil2) cured[nc++] = i;
  both[0] = foil1;
  both[1] = foil2;
  p->n    = 0;
  PetscCall(PetscCalloc1(8, &p->step));
  PetscCall(AddStep(p, "cure", STEP_BOND, cure, PETSC_FALSE, -1, nc, cured));
  PetscCall(AddStep(p, "cooled", STEP_TEMPERATURE, room, PETSC_FALSE, -1, 0, NULL));
  PetscCall(AddStep(p, "heated", STEP_TEMPERATURE, lam, PETSC_FALSE, -1, 0, NULL));
  PetscCall(AddStep(p, "laminated", STEP_BOND, lam, pressed, -1, 1, &foil2));
  PetscCall(AddStep(p, "double_sided", STEP_TEMPERATURE, room, PETSC_FALSE, -1, 0, NULL));
  PetscCall(AddStep(p, "etch_foil1", STEP_ETCH, 0, PETSC_FALSE, 4, 1, &foil1));
  PetscCall(AddStep(p, "etch_foil2", STEP_ETCH, 0, PETSC_FALSE, 4, 1, &foil2));
  PetscCall(AddStep(p, "etch_both", STEP_ETCH, 0, PETSC_FALSE, 4, 2, both));
  PetscCall(PetscFree(cured));
  PetscFunctionReturn(0);
}

/* Walks the steps on active/bonded flags alone, so that a wrong sequence is reported with its key before any solve */
static PetscErrorCode CheckSequence(MPI_Comm comm, Process p, Stack stack)
{
  PetscBool *active, *bonded;

  PetscFunctionBeginUser;
  PetscCheck(p->n > 0, comm, PETSC_ERR_USER_INPUT, "%s: -steps is empty", p->source);
  PetscCheck(p->step[0].type == STEP_BOND && p->step[0].T > 0, comm, PETSC_ERR_USER_INPUT, "%s: the first step (%s) must be a bond with its temperature_C: nothing exists before it", p->source, p->step[0].name);
  PetscCall(PetscCalloc2(stack->n * p->n, &active, stack->n * p->n, &bonded));
  for (PetscInt k = 0; k < p->n; k++) {
    const ProcessStep *st = &p->step[k];
    const PetscInt     s  = st->from >= 0 ? st->from : k - 1;
    PetscBool         *a = &active[k * stack->n], *b = &bonded[k * stack->n];
    PetscInt           count = 0, first = -1, last = -1;
    if (s >= 0) {
      PetscCall(PetscArraycpy(a, &active[s * stack->n], stack->n));
      PetscCall(PetscArraycpy(b, &bonded[s * stack->n], stack->n));
    }
    for (PetscInt j = 0; j < st->nlayers; j++) {
      const PetscInt i = st->layer[j];
      if (st->type == STEP_BOND) {
        PetscCheck(!b[i], comm, PETSC_ERR_USER_INPUT, "%s: -steps_%s_layers bonds layer %s, which is already bonded", p->source, st->name, stack->layer[i].name);
        a[i] = b[i] = PETSC_TRUE;
      } else {
        PetscCheck(a[i], comm, PETSC_ERR_USER_INPUT, "%s: -steps_%s_layers etches layer %s, which is %s at that point", p->source, st->name, stack->layer[i].name, b[i] ? "already etched" : "not yet bonded");
        a[i] = PETSC_FALSE;
      }
    }
    for (PetscInt i = 0; i < stack->n; i++) {
      if (!a[i]) continue;
      if (first < 0) first = i;
      last = i;
      count++;
    }
    PetscCheck(count > 0, comm, PETSC_ERR_USER_INPUT, "%s: step %s leaves no active layer", p->source, st->name);
    PetscCheck(last - first + 1 == count, comm, PETSC_ERR_USER_INPUT, "%s: step %s leaves the active layers in separate pieces: only outer layers can be bonded or etched", p->source, st->name);
  }
  PetscCall(PetscFree2(active, bonded));
  PetscFunctionReturn(0);
}

PetscErrorCode ProcessCreateFromOptions(MPI_Comm comm, const char source[], Stack stack, Process *process)
{
  Process   p;
  char     *names[PROCESS_MAX_STEPS], tg[16] = "rubbery";
  PetscInt  n = PROCESS_MAX_STEPS;
  PetscReal inc_C = 5;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&p));
  PetscCall(PetscStrncpy(p->source, source, sizeof(p->source)));
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-steps", names, &n, &set));
  if (set) {
    PetscCall(ReadSteps(comm, p, stack, n, names));
    for (PetscInt k = 0; k < n; k++) PetscCall(PetscFree(names[k]));
  } else PetscCall(DefaultSteps(comm, p, stack));
  /* the first bond's mode is free (nothing to press onto); later bonds default to the lamination mode */
  if (set) {
    char mode[16] = "pressed";
    PetscCall(PetscOptionsGetString(NULL, NULL, "-process_lamination_mode", mode, sizeof(mode), NULL));
    for (PetscInt k = 1; k < p->n; k++) {
      char      key[PETSC_MAX_PATH_LEN];
      PetscBool given;
      PetscCall(StepKey(&p->step[k], "mode", key, sizeof(key)));
      PetscCall(PetscOptionsHasName(NULL, NULL, key, &given));
      if (p->step[k].type == STEP_BOND && !given) PetscCall(PetscStrcmp(mode, "pressed", &p->step[k].pressed));
    }
  }
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-process_increment_C", &inc_C, NULL));
  PetscCheck(inc_C > 0, comm, PETSC_ERR_USER_INPUT, "%s: -process_increment_C %g; it must be > 0", source, (double)inc_C);
  p->max_increment = inc_C;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-process_tg_model", tg, sizeof(tg), NULL));
  {
    PetscBool rubbery, none;
    PetscCall(PetscStrcmp(tg, "rubbery", &rubbery));
    PetscCall(PetscStrcmp(tg, "none", &none));
    PetscCheck(rubbery || none, comm, PETSC_ERR_USER_INPUT, "%s: -process_tg_model %s; allowed: rubbery, none", source, tg);
    p->tg_rubbery = rubbery;
  }
  for (PetscInt i = 0; i < stack->n; i++)
    if (stack->layer[i].material) stack->layer[i].material->rubbery = (PetscBool)(p->tg_rubbery && stack->layer[i].material->Tg > 0);
  PetscCall(CheckSequence(comm, p, stack));
  *process = p;
  PetscFunctionReturn(0);
}

PetscErrorCode ProcessApplyStep(Process p, PetscInt k, LaminateHistory h)
{
  const ProcessStep *st = &p->step[k];

  PetscFunctionBeginUser;
  switch (st->type) {
  case STEP_BOND:
    if (k > 0 && st->T > 0) PetscCall(LaminateHistoryRamp(h, st->T, 0, p->max_increment));
    PetscCall(LaminateHistoryBond(h, st->nlayers, st->layer, st->T > 0 ? st->T : h->T, st->pressed));
    break;
  case STEP_TEMPERATURE:
    PetscCall(LaminateHistoryRamp(h, st->T, st->increments, p->max_increment));
    break;
  case STEP_ETCH:
    PetscCall(LaminateHistoryEtch(h, st->nlayers, st->layer));
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
      PetscCall(PetscStrlcat(layers, stack->layer[st->layer[j]].name, sizeof(layers)));
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "%-14s %-11s%s", st->name, ProcessStepTypeNames[st->type], layers));
    PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
    if (st->T > 0) PetscCall(PetscViewerASCIIPrintf(viewer, " at %g C", (double)(st->T - 273.15)));
    if (st->type == STEP_BOND && k > 0) PetscCall(PetscViewerASCIIPrintf(viewer, " (%s)", st->pressed ? "pressed" : "free"));
    if (st->from >= 0) PetscCall(PetscViewerASCIIPrintf(viewer, " from %s", p->step[st->from].name));
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
  for (PetscInt k = 0; k < (*p)->n; k++) PetscCall(PetscFree((*p)->step[k].layer));
  PetscCall(PetscFree((*p)->step));
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}
