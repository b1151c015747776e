#include "laminate-history.h"

struct _n_LaminateHistory {
  Stack            stack;
  LaminateMode     mode;
  TemperatureField T;       /* K, K/m; T = 0 before the first bond */
  LayerState      *load;    /* per layer */
  PetscBool       *bonded;  /* ever bonded (a layer cannot be bonded twice, even after an etch) */
  LaminateStrain   strain;  /* of the active layers */
};

Stack                   LaminateHistoryStack(LaminateHistory h) { return h->stack; }
LaminateMode            LaminateHistoryMode(LaminateHistory h) { return h->mode; }
const TemperatureField *LaminateHistoryTemperature(LaminateHistory h) { return &h->T; }
const LaminateStrain   *LaminateHistoryStrain(LaminateHistory h) { return &h->strain; }
const LayerState       *LaminateHistoryLayer(LaminateHistory h, PetscInt i) { return &h->load[i]; }

PetscBool LaminateHistoryAnyActive(LaminateHistory h)
{
  for (PetscInt i = 0; i < StackSize(h->stack); i++)
    if (h->load[i].active) return PETSC_TRUE;
  return PETSC_FALSE;
}

static PetscErrorCode StackActiveLayers(Stack stack, const LayerState load[], PetscInt *n, LaminateLayer **layer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(StackSize(stack), layer));
  *n = 0;
  for (PetscInt i = 0; i < StackSize(stack); i++) {
    LaminateLayer *l = &(*layer)[*n];
    if (!load[i].active) continue;
    l->zlo = StackZ(stack, i);
    l->t   = StackLayer(stack, i)->thickness;
    l->E   = load[i].E * load[i].kept;
    l->nu  = load[i].nu;
    l->ex  = load[i].ex;
    l->gx  = load[i].gx;
    l->ey  = load[i].ey;
    l->gy  = load[i].gy;
    (*n)++;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryActiveLayers(LaminateHistory h, PetscInt *n, LaminateLayer **layer)
{
  PetscFunctionBeginUser;
  PetscCall(StackActiveLayers(h->stack, h->load, n, layer));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryCreate(Stack stack, LaminateMode mode, LaminateHistory *h)
{
  LaminateHistory lh;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&lh));
  lh->stack = stack;
  lh->mode  = mode;
  PetscCall(PetscCalloc2(StackSize(stack), &lh->load, StackSize(stack), &lh->bonded));
  for (PetscInt i = 0; i < StackSize(stack); i++) lh->load[i].nu = StackLayer(stack, i)->material ? StackLayer(stack, i)->material->nu : 0;
  *h = lh;
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryCopy(LaminateHistory from, LaminateHistory to)
{
  PetscFunctionBeginUser;
  PetscCheck(from->stack == to->stack, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "histories of different stacks");
  to->mode       = from->mode;
  to->T          = from->T;
  to->strain     = from->strain;
  PetscCall(PetscArraycpy(to->load, from->load, StackSize(from->stack)));
  PetscCall(PetscArraycpy(to->bonded, from->bonded, StackSize(from->stack)));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryDestroy(LaminateHistory *h)
{
  PetscFunctionBeginUser;
  if (!*h) PetscFunctionReturn(0);
  PetscCall(PetscFree2((*h)->load, (*h)->bonded));
  PetscCall(PetscFree(*h));
  PetscFunctionReturn(0);
}

/* The active layers must form one piece: a stack with a gap would be two separate bodies. */
static PetscErrorCode CheckContiguous(LaminateHistory h, const char what[])
{
  PetscInt first = -1, last = -1, count = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < StackSize(h->stack); i++) {
    if (!h->load[i].active) continue;
    if (first < 0) first = i;
    last = i;
    count++;
  }
  PetscCheck(count > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s leaves no active layer", what);
  PetscCheck(last - first + 1 == count, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s leaves the active layers in separate pieces (%s ... %s with a gap): only whole outer layers can be bonded or etched", what, StackLayer(h->stack, first)->name, StackLayer(h->stack, last)->name);
  PetscFunctionReturn(0);
}

static PetscErrorCode Equilibrate(LaminateHistory h)
{
  LaminateLayer *layer;
  PetscInt       n;

  PetscFunctionBeginUser;
  PetscCall(StackActiveLayers(h->stack, h->load, &n, &layer));
  PetscCall(LaminateSolveStrain(n, layer, h->mode, &h->strain));
  PetscCall(PetscFree(layer));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryPressedStrain(LaminateHistory h, LaminateStrain *s)
{
  LaminateLayer *layer;
  PetscInt       na;

  PetscFunctionBeginUser;
  PetscCall(StackActiveLayers(h->stack, h->load, &na, &layer));
  PetscCall(LaminateSolveStrain(na, layer, LAMINATE_FLAT, s));
  PetscCall(PetscFree(layer));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryBond(LaminateHistory h, PetscInt n, const PetscInt idx[], const TemperatureField *T, PetscBool pressed)
{
  LaminateStrain  birth = {0, 0, 0, 0};
  const PetscBool any   = LaminateHistoryAnyActive(h);

  PetscFunctionBeginUser;
  PetscCheck(!any || (T->T == h->T.T && T->gx == h->T.gx && T->gy == h->T.gy), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "bond at %g K on a stack at %g K: ramp first", (double)T->T, (double)h->T.T);
  h->T = *T;
  if (any) {
    birth = h->strain;
    if (pressed) PetscCall(LaminateHistoryPressedStrain(h, &birth));
  }
  for (PetscInt k = 0; k < n; k++) {
    const PetscInt i = idx[k];
    LayerState    *l = &h->load[i];
    PetscCheck(!h->bonded[i], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer %s is bonded twice", StackLayer(h->stack, i)->name);
    h->bonded[i] = PETSC_TRUE;
    PetscCall(MaterialGetModulus(StackLayer(h->stack, i)->material, h->T.T, &l->E));
    l->nu     = StackLayer(h->stack, i)->material->nu;
    l->ex     = birth.ex;
    l->gx     = birth.kx;
    l->ey     = birth.ey;
    l->gy     = birth.ky;
    l->ez     = 0;
    l->kept   = 1;
    l->active = PETSC_TRUE;
  }
  PetscCall(CheckContiguous(h, "this bond"));
  PetscCall(Equilibrate(h));
  PetscFunctionReturn(0);
}

/* One increment Ta -> Tb (the fields' means): stress carried over unchanged, the increment with the modulus at the
   midpoint. With sigma = C (eps - eps*), keeping sigma while C becomes C' means eps* -> eps - (E/E') (eps - eps*)
   (same nu). */
PetscErrorCode LaminateHistoryIncrement(LaminateHistory h, const TemperatureField *Tnext)
{
  const LaminateStrain s  = h->strain;
  const PetscReal      Ta = h->T.T, Tb = Tnext->T;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < StackSize(h->stack); i++) {
    LayerState *l = &h->load[i];
    Material   m = StackLayer(h->stack, i)->material;
    PetscReal  E, th, thz, r;
    if (!l->active) continue;
    PetscCall(MaterialGetModulus(m, 0.5 * (Ta + Tb), &E));
    PetscCall(MaterialGetThermalStrain(m, Ta, Tb, &th, &thz));
    r = l->E / E;
    if (r != 1) { /* skipped when the modulus stays: the eigenstrain then only accumulates, exactly, however split */
      l->ex = s.ex - r * (s.ex - l->ex);
      l->gx = s.kx - r * (s.kx - l->gx);
      l->ey = s.ey - r * (s.ey - l->ey);
      l->gy = s.ky - r * (s.ky - l->gy);
    }
    l->ex += th;
    l->ey += th;
    l->ez += thz;
    l->E = E;
  }
  PetscCall(Equilibrate(h));
  h->T = *Tnext;
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryEtch(LaminateHistory h, PetscInt n, const PetscInt idx[], PetscReal kept)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < n; k++) {
    PetscCheck(h->load[idx[k]].active, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer %s is etched but is not active (%s)", StackLayer(h->stack, idx[k])->name, h->bonded[idx[k]] ? "already etched" : "never bonded");
    h->load[idx[k]].kept *= kept;
    h->load[idx[k]].active = (PetscBool)(h->load[idx[k]].kept > 0);
  }
  PetscCall(CheckContiguous(h, "this etch"));
  PetscCall(Equilibrate(h));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryActiveRange(LaminateHistory h, PetscReal *z_bottom, PetscReal *z_top)
{
  PetscFunctionBeginUser;
  *z_bottom = -1;
  for (PetscInt i = 0; i < StackSize(h->stack); i++) {
    if (!h->load[i].active) continue;
    if (*z_bottom < 0) *z_bottom = StackZ(h->stack, i);
    *z_top = StackZ(h->stack, i + 1);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryMaxStress(LaminateHistory h, PetscReal smax[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < StackSize(h->stack); i++) {
    LaminateLayer l;
    smax[i] = (PetscReal)NAN;
    if (!h->load[i].active) continue;
    l = (LaminateLayer){StackZ(h->stack, i), StackLayer(h->stack, i)->thickness, h->load[i].E, h->load[i].nu, h->load[i].ex, h->load[i].gx, h->load[i].ey, h->load[i].gy};
    smax[i] = 0;
    for (PetscInt f = 0; f < 2; f++) {
      PetscReal sx, sy;
      PetscCall(LaminateLayerStress(&l, &h->strain, StackZ(h->stack, i + f), &sx, &sy));
      smax[i] = PetscMax(smax[i], PetscMax(PetscAbsReal(sx), PetscAbsReal(sy)));
    }
  }
  PetscFunctionReturn(0);
}
