#include <stdlib.h>
#include "laminate-history.h"

PetscErrorCode StackActiveLayers(Stack stack, const LayerLoad load[], PetscInt *n, LaminateLayer **layer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(stack->n, layer));
  *n = 0;
  for (PetscInt i = 0; i < stack->n; i++) {
    LaminateLayer *l = &(*layer)[*n];
    if (!load[i].active) continue;
    l->zlo = stack->z[i];
    l->t   = stack->layer[i].thickness;
    l->E   = load[i].E;
    l->nu  = load[i].nu;
    l->ex  = load[i].ex;
    l->gx  = load[i].gx;
    l->ey  = load[i].ey;
    l->gy  = load[i].gy;
    (*n)++;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryCreate(Stack stack, LaminateMode mode, LaminateHistory *h)
{
  LaminateHistory lh;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&lh));
  lh->stack = stack;
  lh->mode  = mode;
  PetscCall(PetscCalloc2(stack->n, &lh->load, stack->n, &lh->bonded));
  for (PetscInt i = 0; i < stack->n; i++) lh->load[i].nu = stack->layer[i].material ? stack->layer[i].material->nu : 0;
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
  to->increments = from->increments;
  PetscCall(PetscArraycpy(to->load, from->load, from->stack->n));
  PetscCall(PetscArraycpy(to->bonded, from->bonded, from->stack->n));
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
  for (PetscInt i = 0; i < h->stack->n; i++) {
    if (!h->load[i].active) continue;
    if (first < 0) first = i;
    last = i;
    count++;
  }
  PetscCheck(count > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s leaves no active layer", what);
  PetscCheck(last - first + 1 == count, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s leaves the active layers in separate pieces (%s ... %s with a gap): only whole outer layers can be bonded or etched", what, h->stack->layer[first].name, h->stack->layer[last].name);
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

PetscErrorCode LaminateHistoryBond(LaminateHistory h, PetscInt n, const PetscInt idx[], PetscReal T, PetscBool pressed)
{
  LaminateStrain birth = {0, 0, 0, 0};
  PetscBool      any   = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < h->stack->n; i++) any = (PetscBool)(any || h->load[i].active);
  PetscCheck(!any || T == h->T, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "bond at %g K on a stack at %g K: ramp first", (double)T, (double)h->T);
  h->T = T;
  if (any) {
    birth = h->strain;
    if (pressed) {
      LaminateLayer *layer;
      PetscInt       na;
      PetscCall(StackActiveLayers(h->stack, h->load, &na, &layer));
      PetscCall(LaminateSolveStrain(na, layer, LAMINATE_FLAT, &birth));
      PetscCall(PetscFree(layer));
    }
  }
  for (PetscInt k = 0; k < n; k++) {
    const PetscInt i = idx[k];
    LayerLoad     *l = &h->load[i];
    PetscCheck(!h->bonded[i], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer %s is bonded twice", h->stack->layer[i].name);
    h->bonded[i] = PETSC_TRUE;
    PetscCall(MaterialGetModulus(h->stack->layer[i].material, h->T, &l->E));
    l->nu     = h->stack->layer[i].material->nu;
    l->ex     = birth.ex;
    l->gx     = birth.kx;
    l->ey     = birth.ey;
    l->gy     = birth.ky;
    l->ez     = 0;
    l->active = PETSC_TRUE;
  }
  PetscCall(CheckContiguous(h, "this bond"));
  PetscCall(Equilibrate(h));
  PetscFunctionReturn(0);
}

/* One increment Ta -> Tb: stress carried over unchanged, the increment with the modulus at the midpoint. With
   sigma = C (eps - eps*), keeping sigma while C becomes C' means eps* -> eps - (E/E') (eps - eps*) (same nu). */
static PetscErrorCode Increment(LaminateHistory h, PetscReal Ta, PetscReal Tb)
{
  const LaminateStrain s = h->strain;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < h->stack->n; i++) {
    LayerLoad *l = &h->load[i];
    Material   m = h->stack->layer[i].material;
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
  h->T = Tb;
  h->increments++;
  PetscFunctionReturn(0);
}

static int CompareTowards(const void *a, const void *b, PetscReal dir)
{
  const PetscReal x = dir * *(const PetscReal *)a, y = dir * *(const PetscReal *)b;
  return x < y ? -1 : (x > y ? 1 : 0);
}
static int CompareUp(const void *a, const void *b) { return CompareTowards(a, b, 1); }
static int CompareDown(const void *a, const void *b) { return CompareTowards(a, b, -1); }

PetscErrorCode LaminateHistoryRamp(LaminateHistory h, PetscReal T_end, PetscInt nincr, PetscReal max_increment)
{
  const PetscReal T0 = h->T;
  PetscReal      *knots, Ta = T0;
  PetscInt        nk = 0, cap = 1;

  PetscFunctionBeginUser;
  PetscCheck(h->T > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "a temperature ramp before the first bond");
  if (T_end == T0) PetscFunctionReturn(0);
  if (nincr > 0) {
    for (PetscInt k = 1; k <= nincr; k++) PetscCall(Increment(h, h->T, k == nincr ? T_end : T0 + (T_end - T0) * k / nincr));
    PetscFunctionReturn(0);
  }
  /* automatic: split at every modulus breakpoint of the active layers, then into steps of at most max_increment */
  for (PetscInt i = 0; i < h->stack->n; i++)
    if (h->load[i].active) cap += h->stack->layer[i].material->E.n + 2;
  PetscCall(PetscMalloc1(cap, &knots));
  for (PetscInt i = 0; i < h->stack->n; i++) {
    PetscInt nb;
    if (!h->load[i].active) continue;
    PetscCall(MaterialGetModulusBreakpoints(h->stack->layer[i].material, T0, T_end, cap - 1 - nk, &nb, &knots[nk]));
    nk += nb;
  }
  knots[nk++] = T_end;
  qsort(knots, (size_t)nk, sizeof(PetscReal), T_end > T0 ? CompareUp : CompareDown);
  for (PetscInt k = 0; k < nk; k++) {
    const PetscReal Tk = knots[k];
    PetscInt        m;
    if ((T_end > T0 ? 1 : -1) * (Tk - Ta) <= 0) continue;
    m = max_increment > 0 ? (PetscInt)PetscCeilReal(PetscAbsReal(Tk - Ta) / max_increment - 1e-9) : 1;
    for (PetscInt j = 1; j <= m; j++) PetscCall(Increment(h, h->T, j == m ? Tk : Ta + (Tk - Ta) * j / m));
    Ta = Tk;
  }
  PetscCall(PetscFree(knots));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryEtch(LaminateHistory h, PetscInt n, const PetscInt idx[])
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < n; k++) {
    PetscCheck(h->load[idx[k]].active, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer %s is etched but is not active (%s)", h->stack->layer[idx[k]].name, h->bonded[idx[k]] ? "already etched" : "never bonded");
    h->load[idx[k]].active = PETSC_FALSE;
  }
  PetscCall(CheckContiguous(h, "this etch"));
  PetscCall(Equilibrate(h));
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryActiveRange(LaminateHistory h, PetscReal *z_bottom, PetscReal *z_top)
{
  PetscFunctionBeginUser;
  *z_bottom = -1;
  for (PetscInt i = 0; i < h->stack->n; i++) {
    if (!h->load[i].active) continue;
    if (*z_bottom < 0) *z_bottom = h->stack->z[i];
    *z_top = h->stack->z[i + 1];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LaminateHistoryMaxStress(LaminateHistory h, PetscReal smax[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < h->stack->n; i++) {
    LaminateLayer l;
    smax[i] = (PetscReal)NAN;
    if (!h->load[i].active) continue;
    l = (LaminateLayer){h->stack->z[i], h->stack->layer[i].thickness, h->load[i].E, h->load[i].nu, h->load[i].ex, h->load[i].gx, h->load[i].ey, h->load[i].gy};
    smax[i] = 0;
    for (PetscInt f = 0; f < 2; f++) {
      PetscReal sx, sy;
      PetscCall(LaminateLayerStress(&l, &h->strain, h->stack->z[i + f], &sx, &sy));
      smax[i] = PetscMax(smax[i], PetscMax(PetscAbsReal(sx), PetscAbsReal(sy)));
    }
  }
  PetscFunctionReturn(0);
}
