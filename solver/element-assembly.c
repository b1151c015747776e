#include <petscds.h>
#include "element-assembly.h"

/* The quantum of the split sums: 2^-40 of the largest contribution on any rank (1 if all are zero) */
static PetscErrorCode SplitQuantum(MPI_Comm comm, PetscReal local_max, PetscReal *quantum)
{
  int e;

  PetscFunctionBeginUser;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &local_max, 1, MPIU_REAL, MPIU_MAX, comm));
  if (local_max == 0) *quantum = 1;
  else {
    (void)frexp(local_max, &e); /* local_max < 2^e */
    *quantum = ldexp(1.0, e - 40);
  }
  PetscFunctionReturn(0);
}

static void Split(PetscInt n, const PetscScalar v[], PetscReal quantum, PetscScalar hi[], PetscScalar lo[])
{
  for (PetscInt i = 0; i < n; i++) {
    hi[i] = rint(PetscRealPart(v[i]) / quantum) * quantum;
    lo[i] = v[i] - hi[i];
  }
}

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

/* What every cell loop needs: the field's tabulation and quadrature, per-cell geometry and scratch space */
typedef struct {
  PetscInt         dim, Nb, Nq;
  PetscTabulation  T;
  PetscQuadrature  quad;
  const PetscReal *weights;
  PetscInt        *comp;
  PetscReal       *x, *J, *invJ, *detJ, *G; /* G: physical gradients of the basis functions' acting components */
  PetscScalar     *e, *hi, *lo;             /* element matrix or vector and its split */
  DM               dm_layer;
  PetscSection     layer_section;
  const PetscScalar *layer;
} CellLoop;

static PetscErrorCode CellLoopBegin(DM dm, Vec cell_layer, PetscInt esize, CellLoop *cl)
{
  PetscFE fe;

  PetscFunctionBeginUser;
  PetscCall(DMGetDimension(dm, &cl->dim));
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetQuadrature(fe, &cl->quad));
  PetscCall(PetscQuadratureGetData(cl->quad, NULL, NULL, &cl->Nq, NULL, &cl->weights));
  PetscCall(PetscFEGetCellTabulation(fe, 1, &cl->T));
  PetscCheck(cl->T->Nc == cl->dim && cl->T->cdim == cl->dim, PETSC_COMM_SELF, PETSC_ERR_SUP, "element assembly needs a %" PetscInt_FMT "-component field in %" PetscInt_FMT "D", cl->dim, cl->dim);
  cl->Nb = cl->T->Nb;
  PetscCall(PetscMalloc5(cl->Nb, &cl->comp, cl->Nq * cl->dim, &cl->x, cl->Nq * cl->dim * cl->dim, &cl->J, cl->Nq * cl->dim * cl->dim, &cl->invJ, cl->Nq, &cl->detJ));
  PetscCall(PetscMalloc4(cl->Nb * cl->dim, &cl->G, esize, &cl->e, esize, &cl->hi, esize, &cl->lo));
  PetscCall(BasisComponents(cl->T, cl->Nq, cl->comp));
  PetscCall(VecGetDM(cell_layer, &cl->dm_layer));
  PetscCall(DMGetLocalSection(cl->dm_layer, &cl->layer_section));
  PetscCall(VecGetArrayRead(cell_layer, &cl->layer));
  PetscFunctionReturn(0);
}

static PetscErrorCode CellLoopEnd(Vec cell_layer, CellLoop *cl)
{
  PetscFunctionBeginUser;
  PetscCall(VecRestoreArrayRead(cell_layer, &cl->layer));
  PetscCall(PetscFree5(cl->comp, cl->x, cl->J, cl->invJ, cl->detJ));
  PetscCall(PetscFree4(cl->G, cl->e, cl->hi, cl->lo));
  PetscFunctionReturn(0);
}

/* Geometry of cell c, and its layer index */
static PetscErrorCode CellLoopGeometry(DM dm, PetscInt c, CellLoop *cl, PetscScalar *layer)
{
  PetscInt off;

  PetscFunctionBeginUser;
  PetscCall(PetscSectionGetOffset(cl->layer_section, c, &off));
  *layer = cl->layer[off];
  PetscCall(DMPlexComputeCellGeometryFEM(dm, c, cl->quad, cl->x, cl->J, cl->invJ, cl->detJ));
  for (PetscInt q = 0; q < cl->Nq; q++) PetscCheck(cl->detJ[q] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cell %" PetscInt_FMT " is inverted (det J = %g at quadrature point %" PetscInt_FMT ")", c, (double)cl->detJ[q], q);
  PetscFunctionReturn(0);
}

/* G = physical gradients at quadrature point q (grad_x phi = invJ^T grad_xi phi) */
static void CellLoopGradients(CellLoop *cl, PetscInt q)
{
  const PetscInt   dim = cl->dim, Nb = cl->Nb;
  const PetscReal *iJ  = &cl->invJ[q * dim * dim];

  for (PetscInt b = 0; b < Nb; b++) {
    const PetscReal *ref = &cl->T->T[1][((q * Nb + b) * dim + cl->comp[b]) * dim];
    for (PetscInt d = 0; d < dim; d++) {
      PetscReal g = 0;
      for (PetscInt k = 0; k < dim; k++) g += ref[k] * iJ[k * dim + d];
      cl->G[b * dim + d] = g;
    }
  }
}

/* cl->e = the element stiffness of one cell (Nb x Nb, row-major), see element-assembly.h */
static void ElementStiffness(CellLoop *cl, PetscReal lambda, PetscReal mu)
{
  const PetscInt dim = cl->dim, Nb = cl->Nb;
  PetscScalar   *K = cl->e;

  for (PetscInt i = 0; i < Nb * Nb; i++) K[i] = 0;
  for (PetscInt q = 0; q < cl->Nq; q++) {
    const PetscReal w = cl->weights[q] * cl->detJ[q];

    CellLoopGradients(cl, q);
    for (PetscInt a = 0; a < Nb; a++) {
      const PetscReal *ga = &cl->G[a * dim];
      const PetscInt   ca = cl->comp[a];
      for (PetscInt b = a; b < Nb; b++) {
        const PetscReal *gb = &cl->G[b * dim];
        const PetscInt   cb = cl->comp[b];
        PetscReal        k  = lambda * ga[ca] * gb[cb] + mu * ga[cb] * gb[ca];

        if (ca == cb) {
          PetscReal dot = 0;
          for (PetscInt d = 0; d < dim; d++) dot += ga[d] * gb[d];
          k += mu * dot;
        }
        K[a * Nb + b] += w * k;
      }
    }
  }
  for (PetscInt a = 0; a < Nb; a++)
    for (PetscInt b = 0; b < a; b++) K[a * Nb + b] = K[b * Nb + a];
}

/* The largest entry of the element stiffness: an SPD (semi-definite) matrix has |K_ab| <= sqrt(K_aa K_bb), so it is
   the largest diagonal entry, Nb times cheaper than the whole matrix. */
static PetscReal ElementStiffnessMax(CellLoop *cl, PetscReal lambda, PetscReal mu)
{
  const PetscInt dim = cl->dim, Nb = cl->Nb;
  PetscReal      kmax = 0;

  for (PetscInt b = 0; b < Nb; b++) cl->e[b] = 0;
  for (PetscInt q = 0; q < cl->Nq; q++) {
    const PetscReal w = cl->weights[q] * cl->detJ[q];

    CellLoopGradients(cl, q);
    for (PetscInt a = 0; a < Nb; a++) {
      const PetscReal *ga  = &cl->G[a * dim];
      const PetscReal  gc  = ga[cl->comp[a]];
      PetscReal        dot = 0;

      for (PetscInt d = 0; d < dim; d++) dot += ga[d] * ga[d];
      cl->e[a] += w * ((lambda + mu) * gc * gc + mu * dot);
    }
  }
  for (PetscInt b = 0; b < Nb; b++) kmax = PetscMax(kmax, PetscRealPart(cl->e[b]));
  return kmax;
}

static PetscReal MaxAbs(PetscInt n, const PetscScalar v[])
{
  PetscReal m = 0;

  for (PetscInt i = 0; i < n; i++) m = PetscMax(m, PetscAbsScalar(v[i]));
  return m;
}

PetscErrorCode ElementAssemblyStiffness(DM dm, Vec cell_layer, const PetscReal lambda[], const PetscReal mu[], Mat A)
{
  CellLoop    cl;
  Mat         Alo;
  PetscScalar layer;
  PetscReal   emax = 0, quantum;
  PetscInt    cStart, cEnd, Nb2;
  PetscFE     fe;
  PetscInt    Nb;

  PetscFunctionBeginUser;
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetDimension(fe, &Nb));
  Nb2 = Nb * Nb;
  PetscCall(CellLoopBegin(dm, cell_layer, Nb2, &cl));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  /* the quantum needs the largest contribution first: a pass over the element diagonals */
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopGeometry(dm, c, &cl, &layer));
    emax = PetscMax(emax, ElementStiffnessMax(&cl, lambda[(PetscInt)PetscRealPart(layer)], mu[(PetscInt)PetscRealPart(layer)]));
  }
  PetscCall(SplitQuantum(PetscObjectComm((PetscObject)dm), emax, &quantum));
  PetscCall(MatZeroEntries(A));
  PetscCall(MatDuplicate(A, MAT_DO_NOT_COPY_VALUES, &Alo));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopGeometry(dm, c, &cl, &layer));
    ElementStiffness(&cl, lambda[(PetscInt)PetscRealPart(layer)], mu[(PetscInt)PetscRealPart(layer)]);
    Split(Nb2, cl.e, quantum, cl.hi, cl.lo);
    PetscCall(DMPlexMatSetClosure(dm, NULL, NULL, A, c, cl.hi, ADD_VALUES));
    PetscCall(DMPlexMatSetClosure(dm, NULL, NULL, Alo, c, cl.lo, ADD_VALUES));
  }
  PetscCall(CellLoopEnd(cell_layer, &cl));
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyBegin(Alo, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(Alo, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAXPY(A, 1, Alo, SAME_NONZERO_PATTERN));
  PetscCall(MatDestroy(&Alo));
  PetscFunctionReturn(0);
}

typedef void (*PointwiseF1)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);

/* cl->e = -(the element residual at zero departure): -sum_q w_q |J_q| grad phi_b : f1(x_q) */
static void ElementLoad(CellLoop *cl, PointwiseF1 f1, PetscScalar layer, PetscInt nconst, const PetscScalar constants[])
{
  const PetscInt dim = cl->dim, Nb = cl->Nb;
  const PetscInt off[1] = {0};
  PetscScalar    zero[9] = {0}, f[9];

  for (PetscInt b = 0; b < Nb; b++) cl->e[b] = 0;
  for (PetscInt q = 0; q < cl->Nq; q++) {
    const PetscReal w = cl->weights[q] * cl->detJ[q];

    CellLoopGradients(cl, q);
    for (PetscInt i = 0; i < dim * dim; i++) f[i] = 0;
    f1(dim, 1, 1, off, off, zero, NULL, zero, off, off, &layer, NULL, NULL, 0, &cl->x[q * dim], nconst, constants, f);
    for (PetscInt b = 0; b < Nb; b++) {
      PetscScalar s = 0;
      for (PetscInt d = 0; d < dim; d++) s += cl->G[b * dim + d] * f[cl->comp[b] * dim + d];
      cl->e[b] -= w * s;
    }
  }
}

PetscErrorCode ElementAssemblyLoad(DM dm, Vec cell_layer, Vec b)
{
  CellLoop           cl;
  PetscDS            ds;
  PetscFE            fe;
  PointwiseF1        f0, f1;
  const PetscScalar *constants;
  Vec                hi, lo, blo;
  PetscScalar        layer, *loads;
  PetscReal          emax = 0, quantum;
  PetscInt           nconst, cStart, cEnd, Nb;

  PetscFunctionBeginUser;
  PetscCall(DMGetDS(dm, &ds));
  PetscCall(PetscDSGetResidual(ds, 0, &f0, &f1));
  PetscCheck(f1 && !f0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "element assembly of the load takes an f1 kernel only (no f0, no body force)");
  PetscCall(PetscDSGetConstants(ds, &nconst, &constants));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetDimension(fe, &Nb));
  PetscCall(CellLoopBegin(dm, cell_layer, Nb, &cl));
  /* element loads are Nb numbers per cell: kept from the pass that finds the quantum */
  PetscCall(PetscMalloc1((cEnd - cStart) * Nb, &loads));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopGeometry(dm, c, &cl, &layer));
    ElementLoad(&cl, f1, layer, nconst, constants);
    emax = PetscMax(emax, MaxAbs(Nb, cl.e));
    PetscCall(PetscArraycpy(&loads[(c - cStart) * Nb], cl.e, Nb));
  }
  PetscCall(SplitQuantum(PetscObjectComm((PetscObject)dm), emax, &quantum));
  PetscCall(DMGetLocalVector(dm, &hi));
  PetscCall(DMGetLocalVector(dm, &lo));
  PetscCall(VecZeroEntries(hi));
  PetscCall(VecZeroEntries(lo));
  for (PetscInt c = cStart; c < cEnd; c++) {
    Split(Nb, &loads[(c - cStart) * Nb], quantum, cl.hi, cl.lo);
    PetscCall(DMPlexVecSetClosure(dm, NULL, hi, c, cl.hi, ADD_VALUES));
    PetscCall(DMPlexVecSetClosure(dm, NULL, lo, c, cl.lo, ADD_VALUES));
  }
  PetscCall(PetscFree(loads));
  PetscCall(CellLoopEnd(cell_layer, &cl));
  PetscCall(VecDuplicate(b, &blo));
  PetscCall(VecZeroEntries(b));
  PetscCall(VecZeroEntries(blo));
  PetscCall(DMLocalToGlobal(dm, hi, ADD_VALUES, b));
  PetscCall(DMLocalToGlobal(dm, lo, ADD_VALUES, blo));
  PetscCall(VecAXPY(b, 1, blo));
  PetscCall(VecDestroy(&blo));
  PetscCall(DMRestoreLocalVector(dm, &hi));
  PetscCall(DMRestoreLocalVector(dm, &lo));
  PetscFunctionReturn(0);
}
