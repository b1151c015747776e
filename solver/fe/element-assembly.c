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

PetscErrorCode CellLoopBegin(DM dm, StateFields sf, CellLoop *cl)
{
  PetscFE         fe;
  PetscQuadrature quad;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(cl, sizeof(*cl)));
  PetscCall(DMGetDimension(dm, &cl->dim));
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(PetscQuadratureGetData(quad, NULL, NULL, &cl->Nq, NULL, &cl->weights));
  PetscCall(PetscFEGetCellTabulation(fe, 1, &cl->T));
  PetscCheck(cl->T->Nc == cl->dim && cl->T->cdim == cl->dim, PETSC_COMM_SELF, PETSC_ERR_SUP, "element assembly needs a %" PetscInt_FMT "-component field in %" PetscInt_FMT "D", cl->dim, cl->dim);
  PetscCheck(cl->Nq == StateFieldsNumPoints(sf), PETSC_COMM_SELF, PETSC_ERR_PLIB, "the state has %" PetscInt_FMT " points per cell, the displacement's quadrature %" PetscInt_FMT, StateFieldsNumPoints(sf), cl->Nq);
  cl->Nb = cl->T->Nb;
  cl->sf = sf;
  PetscCall(PetscMalloc5(cl->Nb, &cl->comp, cl->Nq * cl->dim, &cl->x, cl->Nq * cl->dim * cl->dim, &cl->J, cl->Nq * cl->dim * cl->dim, &cl->invJ, cl->Nq, &cl->detJ));
  PetscCall(PetscMalloc1(cl->Nq * cl->Nb * cl->dim, &cl->G));
  PetscCall(BasisComponents(cl->T, cl->Nq, cl->comp));
  PetscCall(VecGetArray(StateFieldsVec(sf), &cl->state));
  PetscFunctionReturn(0);
}

PetscErrorCode CellLoopEnd(CellLoop *cl)
{
  PetscFunctionBeginUser;
  PetscCall(VecRestoreArray(StateFieldsVec(cl->sf), &cl->state));
  PetscCall(PetscFree5(cl->comp, cl->x, cl->J, cl->invJ, cl->detJ));
  PetscCall(PetscFree(cl->G));
  PetscFunctionReturn(0);
}

PetscErrorCode CellLoopSetCell(DM dm, PetscInt c, CellLoop *cl)
{
  const PetscInt dim = cl->dim, Nb = cl->Nb;
  PetscFE        fe;
  PetscQuadrature quad;

  PetscFunctionBeginUser;
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(DMPlexComputeCellGeometryFEM(dm, c, quad, cl->x, cl->J, cl->invJ, cl->detJ));
  for (PetscInt q = 0; q < cl->Nq; q++) {
    const PetscReal *iJ = &cl->invJ[q * dim * dim];
    PetscCheck(cl->detJ[q] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cell %" PetscInt_FMT " is inverted (det J = %g at quadrature point %" PetscInt_FMT ")", c, (double)cl->detJ[q], q);
    /* grad_x phi = invJ^T grad_xi phi */
    for (PetscInt b = 0; b < Nb; b++) {
      const PetscReal *ref = &cl->T->T[1][((q * Nb + b) * dim + cl->comp[b]) * dim];
      for (PetscInt d = 0; d < dim; d++) {
        PetscReal g = 0;
        for (PetscInt k = 0; k < dim; k++) g += ref[k] * iJ[k * dim + d];
        cl->G[(q * Nb + b) * dim + d] = g;
      }
    }
  }
  PetscCall(StateFieldsCell(cl->sf, cl->state, c, &cl->cs));
  PetscFunctionReturn(0);
}

void CellLoopGradient(const CellLoop *cl, PetscInt q, const PetscScalar closure[], PointReal u_x[])
{
  const PetscInt dim = cl->dim, Nb = cl->Nb;

  for (PetscInt k = 0; k < dim * dim; k++) u_x[k] = 0;
  for (PetscInt b = 0; b < Nb; b++)
    for (PetscInt d = 0; d < dim; d++) u_x[cl->comp[b] * dim + d] += (PointReal)PetscRealPart(closure[b]) * cl->G[(q * Nb + b) * dim + d];
}

void CellLoopPointState(const CellLoop *cl, PetscInt q, PointState *ps)
{
  ps->eigenstrain = &cl->cs.eigenstrain[VOIGT_N * StateFieldsNodeOf(cl->sf, q)];
  ps->stiffness   = cl->cs.stiffness;
  ps->layer       = (PetscInt)(PetscRealPart(cl->cs.cell[CELL_LAYER]) + 0.5);
  ps->active      = (PetscBool)(PetscRealPart(cl->cs.cell[CELL_ACTIVE]) > 0.5);
}

/* K = the element stiffness of the current cell (Nb x Nb, row-major): K_ab = sum_q w B_a . (C B_b), where B_b has
   the gradient G_b[j] at Voigt position V(c(b), j) (engineering shear) */
static void ElementStiffness(const CellLoop *cl, PetscScalar K[], PetscScalar CB[])
{
  const PetscInt     dim = cl->dim, Nb = cl->Nb;
  const PetscScalar *C   = cl->cs.stiffness;

  for (PetscInt i = 0; i < Nb * Nb; i++) K[i] = 0;
  for (PetscInt q = 0; q < cl->Nq; q++) {
    const PetscReal  w = cl->weights[q] * cl->detJ[q];
    const PetscReal *G = &cl->G[q * Nb * dim];

    for (PetscInt b = 0; b < Nb; b++)
      for (PetscInt P = 0; P < VOIGT_N; P++) {
        PetscScalar v = 0;
        for (PetscInt j = 0; j < dim; j++) v += StiffnessEntry(C, P, Voigt(cl->comp[b], j)) * G[b * dim + j];
        CB[b * VOIGT_N + P] = v;
      }
    for (PetscInt a = 0; a < Nb; a++) {
      const PetscInt ca = cl->comp[a];
      for (PetscInt b = a; b < Nb; b++) {
        PetscScalar k = 0;
        for (PetscInt j = 0; j < dim; j++) k += G[a * dim + j] * CB[b * VOIGT_N + Voigt(ca, j)];
        K[a * Nb + b] += w * k;
      }
    }
  }
  for (PetscInt a = 0; a < Nb; a++)
    for (PetscInt b = 0; b < a; b++) K[a * Nb + b] = K[b * Nb + a];
}

/* The largest entry of the element stiffness: an SPD (semi-definite) matrix has |K_ab| <= sqrt(K_aa K_bb), so it is
   the largest diagonal entry, Nb times cheaper than the whole matrix. */
static PetscReal ElementStiffnessMax(const CellLoop *cl)
{
  const PetscInt     dim = cl->dim, Nb = cl->Nb;
  const PetscScalar *C   = cl->cs.stiffness;
  PetscReal          kmax = 0;

  for (PetscInt a = 0; a < Nb; a++) {
    PetscScalar d = 0;
    for (PetscInt q = 0; q < cl->Nq; q++) {
      const PetscReal *G = &cl->G[(q * Nb + a) * dim];
      PetscScalar      s = 0;
      for (PetscInt i = 0; i < dim; i++)
        for (PetscInt j = 0; j < dim; j++) s += G[i] * StiffnessEntry(C, Voigt(cl->comp[a], i), Voigt(cl->comp[a], j)) * G[j];
      d += cl->weights[q] * cl->detJ[q] * s;
    }
    kmax = PetscMax(kmax, PetscRealPart(d));
  }
  return kmax;
}

PetscErrorCode ElementAssemblyStiffness(DM dm, StateFields sf, Mat A)
{
  CellLoop     cl;
  Mat          Alo;
  PetscScalar *K, *hi, *lo, *CB;
  PetscReal    emax = 0, quantum;
  PetscInt     cStart, cEnd, Nb2;

  PetscFunctionBeginUser;
  PetscCall(CellLoopBegin(dm, sf, &cl));
  Nb2 = cl.Nb * cl.Nb;
  PetscCall(PetscMalloc4(Nb2, &K, Nb2, &hi, Nb2, &lo, cl.Nb * VOIGT_N, &CB));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  /* the quantum needs the largest contribution first: a pass over the element diagonals */
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopSetCell(dm, c, &cl));
    emax = PetscMax(emax, ElementStiffnessMax(&cl));
  }
  PetscCall(SplitQuantum(PetscObjectComm((PetscObject)dm), emax, &quantum));
  PetscCall(MatZeroEntries(A));
  PetscCall(MatDuplicate(A, MAT_DO_NOT_COPY_VALUES, &Alo));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopSetCell(dm, c, &cl));
    ElementStiffness(&cl, K, CB);
    Split(Nb2, K, quantum, hi, lo);
    PetscCall(DMPlexMatSetClosure(dm, NULL, NULL, A, c, hi, ADD_VALUES));
    PetscCall(DMPlexMatSetClosure(dm, NULL, NULL, Alo, c, lo, ADD_VALUES));
  }
  PetscCall(PetscFree4(K, hi, lo, CB));
  PetscCall(CellLoopEnd(&cl));
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyBegin(Alo, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(Alo, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAXPY(A, 1, Alo, SAME_NONZERO_PATTERN));
  PetscCall(MatDestroy(&Alo));
  PetscFunctionReturn(0);
}

/* r = the element residual of the current cell at the departure's closure values u: r_b = sum_q w_q grad phi_b : sigma;
   abs_r: the same sums of the terms' magnitudes, sum_q |w_q grad phi_b : sigma| (what the round-off of a plain sum
   scales with: the terms of an interior basis function cancel to ~0 where the stress is nearly uniform) */
static void ElementResidual(const CellLoop *cl, const PetscScalar ref[], const PetscScalar u[], PointReal r[], PointReal abs_r[])
{
  const PetscInt dim = cl->dim, Nb = cl->Nb;

  for (PetscInt b = 0; b < Nb; b++) r[b] = abs_r[b] = 0;
  for (PetscInt q = 0; q < cl->Nq; q++) {
    const PointReal w = (PointReal)cl->weights[q] * cl->detJ[q];
    PointState      ps;
    PointReal       u_x[9], m[9], sigma[9];

    CellLoopPointState(cl, q, &ps);
    CellLoopGradient(cl, q, u, u_x);
    MechanicalStrain(dim, u_x, &cl->x[q * dim], ref, &ps, m);
    Stress(ps.stiffness, m, sigma);
    for (PetscInt b = 0; b < Nb; b++) {
      PointReal s = 0;
      for (PetscInt d = 0; d < dim; d++) s += cl->G[(q * Nb + b) * dim + d] * sigma[cl->comp[b] * 3 + d];
      r[b] += w * s;
      abs_r[b] += fabsl(w * s);
    }
  }
}

PetscErrorCode ElementAssemblyResidual(DM dm, StateFields sf, const PetscScalar ref[], Vec u, Vec F, PetscReal *terms_max)
{
  CellLoop     cl;
  Vec          uloc, hi, lo, Flo;
  PointReal   *res, *abs_r, emax = 0, tmax = 0;
  PetscScalar *closure = NULL, *h, *l;
  PetscReal    quantum;
  PetscInt     cStart, cEnd, Nb;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMGetLocalVector(dm, &uloc));
  PetscCall(VecZeroEntries(uloc));
  PetscCall(DMPlexInsertBoundaryValues(dm, PETSC_TRUE, uloc, 0.0, NULL, NULL, NULL)); /* the constrained values */
  PetscCall(DMGlobalToLocal(dm, u, INSERT_VALUES, uloc));
  PetscCall(CellLoopBegin(dm, sf, &cl));
  Nb = cl.Nb;
  /* the element residuals are Nb numbers per cell: kept from the pass that finds the quantum */
  PetscCall(PetscMalloc4((cEnd - cStart) * Nb, &res, Nb, &abs_r, Nb, &h, Nb, &l));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PointReal *r = &res[(c - cStart) * Nb];
    PetscInt   n;
    PetscCall(CellLoopSetCell(dm, c, &cl));
    PetscCall(DMPlexVecGetClosure(dm, NULL, uloc, c, &n, &closure));
    ElementResidual(&cl, ref, closure, r, abs_r);
    PetscCall(DMPlexVecRestoreClosure(dm, NULL, uloc, c, &n, &closure));
    for (PetscInt b = 0; b < Nb; b++) {
      emax = PetscMax(emax, fabsl(r[b]));
      tmax = PetscMax(tmax, abs_r[b]);
    }
  }
  PetscCall(CellLoopEnd(&cl));
  PetscCall(DMRestoreLocalVector(dm, &uloc));
  PetscCall(SplitQuantum(PetscObjectComm((PetscObject)dm), (PetscReal)emax, &quantum));
  if (terms_max) {
    *terms_max = (PetscReal)tmax;
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, terms_max, 1, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)dm)));
  }
  PetscCall(DMGetLocalVector(dm, &hi));
  PetscCall(DMGetLocalVector(dm, &lo));
  PetscCall(VecZeroEntries(hi));
  PetscCall(VecZeroEntries(lo));
  for (PetscInt c = cStart; c < cEnd; c++) {
    const PointReal *r = &res[(c - cStart) * Nb];
    for (PetscInt b = 0; b < Nb; b++) { /* as Split, from the long double value: v_lo keeps what double would drop */
      h[b] = rintl(r[b] / quantum) * quantum;
      l[b] = (PetscReal)(r[b] - (PointReal)PetscRealPart(h[b]));
    }
    PetscCall(DMPlexVecSetClosure(dm, NULL, hi, c, h, ADD_VALUES));
    PetscCall(DMPlexVecSetClosure(dm, NULL, lo, c, l, ADD_VALUES));
  }
  PetscCall(PetscFree4(res, abs_r, h, l));
  PetscCall(VecDuplicate(F, &Flo));
  PetscCall(VecZeroEntries(F));
  PetscCall(VecZeroEntries(Flo));
  PetscCall(DMLocalToGlobal(dm, hi, ADD_VALUES, F));
  PetscCall(DMLocalToGlobal(dm, lo, ADD_VALUES, Flo));
  PetscCall(VecAXPY(F, 1, Flo));
  PetscCall(VecDestroy(&Flo));
  PetscCall(DMRestoreLocalVector(dm, &hi));
  PetscCall(DMRestoreLocalVector(dm, &lo));
  PetscFunctionReturn(0);
}
