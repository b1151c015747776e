#include "cell-geometry.h"

#define GEOMETRY_MAX_LAYOUTS 8 /* the DMs whose local layout was checked: the model's and its solve contexts' */

struct _n_CellGeometry {
  PetscInt      dim, Nb, Nq, cStart, cEnd;
  PetscReal    *x, *detJ, *G; /* [cell][...], as cell-geometry.h */
  PetscInt     *comp;         /* [Nb]: the component each basis function acts on */
  PetscInt     *offsets;      /* [cell][Nb], or NULL */
  PetscSection  checked[GEOMETRY_MAX_LAYOUTS];
  PetscInt      nchecked;
};

/* The component each basis function of a vector PetscFE acts on, from its tabulated values */
static PetscErrorCode BasisComponents(PetscTabulation T, PetscInt Nq, PetscInt comp[])
{
  const PetscInt Nb = T->Nb, Nc = T->Nc;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < Nb; b++) {
    PetscInt  nonzero = 0;
    PetscReal big     = 0;

    comp[b] = -1;
    for (PetscInt c = 0; c < Nc; c++) {
      PetscReal m = 0;
      for (PetscInt q = 0; q < Nq; q++) m = PetscMax(m, PetscAbsReal(T->T[0][(q * Nb + b) * Nc + c]));
      if (m > 0) nonzero++;
      if (m > big) {
        big     = m;
        comp[b] = c;
      }
    }
    PetscCheck(nonzero == 1, PETSC_COMM_SELF, PETSC_ERR_SUP, "basis function %" PetscInt_FMT " acts on %" PetscInt_FMT " components; element assembly needs one component per basis function (use -solver_stiffness pointwise)", b, nonzero);
  }
  PetscFunctionReturn(0);
}

/* Closure values of a local vector that holds its own indices: where each closure value of each cell is read from.
   ok is false if a value is not an index (an orientation flip, say). */
static PetscErrorCode ClosureOfIndices(DM dm, PetscInt cStart, PetscInt cEnd, PetscInt Nb, PetscInt offsets[], PetscBool *ok)
{
  Vec          v;
  PetscScalar *a, *closure = NULL;
  PetscInt     n;

  PetscFunctionBeginUser;
  *ok = PETSC_TRUE;
  PetscCall(DMCreateLocalVector(dm, &v));
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArray(v, &a));
  for (PetscInt i = 0; i < n; i++) a[i] = (PetscScalar)i;
  PetscCall(VecRestoreArray(v, &a));
  for (PetscInt c = cStart; c < cEnd && *ok; c++) {
    PetscInt nc;
    PetscCall(DMPlexVecGetClosure(dm, NULL, v, c, &nc, &closure));
    if (nc != Nb) *ok = PETSC_FALSE;
    for (PetscInt b = 0; b < Nb && *ok; b++) {
      const PetscReal r = PetscRealPart(closure[b]);
      const PetscInt  i = (PetscInt)r;
      if (r < 0 || (PetscReal)i != r || i >= n) *ok = PETSC_FALSE;
      else offsets[(c - cStart) * Nb + b] = i;
    }
    PetscCall(DMPlexVecRestoreClosure(dm, NULL, v, c, &nc, &closure));
  }
  PetscCall(VecDestroy(&v));
  PetscFunctionReturn(0);
}

PetscErrorCode CellGeometryCreate(DM dm, PetscFE fe, CellGeometry *geo)
{
  CellGeometry    g;
  PetscQuadrature quad;
  PetscTabulation T;
  PetscReal      *J, *invJ;
  PetscInt        nc;
  PetscBool       ok;
  PetscSection    s;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&g));
  PetscCall(DMGetDimension(dm, &g->dim));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &g->cStart, &g->cEnd));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(PetscQuadratureGetData(quad, NULL, NULL, &g->Nq, NULL, NULL));
  PetscCall(PetscFEGetCellTabulation(fe, 1, &T));
  g->Nb = T->Nb;
  nc    = g->cEnd - g->cStart;
  PetscCheck(T->Nc == g->dim && T->cdim == g->dim, PETSC_COMM_SELF, PETSC_ERR_SUP, "element assembly needs a %" PetscInt_FMT "-component field in %" PetscInt_FMT "D", g->dim, g->dim);
  PetscCall(PetscMalloc1(g->Nb, &g->comp));
  PetscCall(BasisComponents(T, g->Nq, g->comp));
  {
    const PetscInt dim = g->dim, Nb = g->Nb, Nq = g->Nq, Nc = T->Nc;
    PetscCall(PetscMalloc3(nc * Nq * dim, &g->x, nc * Nq, &g->detJ, nc * Nq * Nb * dim, &g->G));
    PetscCall(PetscMalloc2(Nq * dim * dim, &J, Nq * dim * dim, &invJ));
    for (PetscInt c = g->cStart; c < g->cEnd; c++) {
      const PetscInt k  = c - g->cStart;
      PetscReal     *dj = &g->detJ[k * Nq], *G = &g->G[k * Nq * Nb * dim];
      PetscCall(DMPlexComputeCellGeometryFEM(dm, c, quad, &g->x[k * Nq * dim], J, invJ, dj));
      for (PetscInt q = 0; q < Nq; q++) {
        const PetscReal *iJ = &invJ[q * dim * dim];
        PetscCheck(dj[q] > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "mesh cell %" PetscInt_FMT " is inverted (det J = %g at its quadrature point %" PetscInt_FMT "): check the mesh file's node order", c, (double)dj[q], q);
        /* grad_x phi = invJ^T grad_xi phi, for the one component each basis function acts on (element-assembly.h) */
        for (PetscInt b = 0; b < Nb; b++) {
          const PetscInt cb = g->comp[b];
          for (PetscInt d = 0; d < dim; d++) {
            PetscReal gd = 0;
            for (PetscInt e = 0; e < dim; e++) gd += T->T[1][((q * Nb + b) * Nc + cb) * dim + e] * iJ[e * dim + d];
            G[(q * Nb + b) * dim + d] = gd;
          }
        }
      }
    }
    PetscCall(PetscFree2(J, invJ));
    PetscCall(PetscMalloc1(nc * Nb, &g->offsets));
  }
  PetscCall(ClosureOfIndices(dm, g->cStart, g->cEnd, g->Nb, g->offsets, &ok));
  if (ok) {
    PetscCall(DMGetLocalSection(dm, &s));
    PetscCall(PetscObjectReference((PetscObject)s));
    g->checked[g->nchecked++] = s;
  } else {
    PetscCall(PetscInfo(dm, "the closure is not a plain gather of local values: the cell loops use DMPlexVecGetClosure\n"));
    PetscCall(PetscFree(g->offsets));
  }
  *geo = g;
  PetscFunctionReturn(0);
}

const PetscInt *CellGeometryComponents(CellGeometry g) { return g->comp; }
PetscInt        CellGeometryNumBasis(CellGeometry g) { return g->Nb; }

void CellGeometryCell(CellGeometry g, PetscInt c, const PetscReal **x, const PetscReal **detJ, const PetscReal **G)
{
  const PetscInt k = c - g->cStart;

  *x    = &g->x[k * g->Nq * g->dim];
  *detJ = &g->detJ[k * g->Nq];
  *G    = &g->G[k * g->Nq * g->Nb * g->dim];
}

PetscErrorCode CellGeometryClosureOffsets(CellGeometry g, DM dm, const PetscInt **offsets)
{
  PetscSection s;
  PetscInt     cStart, cEnd, *mine;
  PetscBool    same = PETSC_TRUE;

  PetscFunctionBeginUser;
  *offsets = NULL;
  if (!g->offsets) PetscFunctionReturn(0);
  PetscCall(DMGetLocalSection(dm, &s));
  for (PetscInt i = 0; i < g->nchecked; i++)
    if (g->checked[i] == s) {
      *offsets = g->offsets;
      PetscFunctionReturn(0);
    }
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCheck(cStart == g->cStart && cEnd == g->cEnd, PETSC_COMM_SELF, PETSC_ERR_PLIB, "a cell loop on a mesh other than the geometry's");
  PetscCall(PetscMalloc1((cEnd - cStart) * g->Nb, &mine));
  PetscCall(ClosureOfIndices(dm, cStart, cEnd, g->Nb, mine, &same));
  if (same) PetscCall(PetscArraycmp(mine, g->offsets, (cEnd - cStart) * g->Nb, &same));
  PetscCall(PetscFree(mine));
  if (!same) {
    PetscCall(PetscInfo(dm, "this DM's local layout differs from the geometry's: its cell loops use DMPlexVecGetClosure\n"));
    PetscFunctionReturn(0);
  }
  if (g->nchecked == GEOMETRY_MAX_LAYOUTS) { /* the oldest is the first checked: keep it, cycle the rest */
    PetscCall(PetscSectionDestroy(&g->checked[1]));
    for (PetscInt i = 1; i + 1 < g->nchecked; i++) g->checked[i] = g->checked[i + 1];
    g->nchecked--;
  }
  PetscCall(PetscObjectReference((PetscObject)s));
  g->checked[g->nchecked++] = s;
  *offsets                  = g->offsets;
  PetscFunctionReturn(0);
}

PetscErrorCode CellGeometryDestroy(CellGeometry *geo)
{
  CellGeometry g = *geo;

  PetscFunctionBeginUser;
  if (!g) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < g->nchecked; i++) PetscCall(PetscSectionDestroy(&g->checked[i]));
  PetscCall(PetscFree3(g->x, g->detJ, g->G));
  PetscCall(PetscFree(g->offsets));
  PetscCall(PetscFree(g->comp));
  PetscCall(PetscFree(g));
  *geo = NULL;
  PetscFunctionReturn(0);
}
