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

PetscErrorCode CellLoopBegin(DM dm, CellGeometry geo, StateFields sf, CellLoop *cl)
{
  PetscFE         fe;
  PetscQuadrature quad;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(cl, sizeof(*cl)));
  PetscCall(DMGetDimension(dm, &cl->dim));
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(PetscQuadratureGetData(quad, NULL, NULL, &cl->Nq, NULL, &cl->weights));
  PetscCheck(cl->Nq == StateFieldsNumPoints(sf), PETSC_COMM_SELF, PETSC_ERR_PLIB, "the state has %" PetscInt_FMT " points per cell, the displacement's quadrature %" PetscInt_FMT, StateFieldsNumPoints(sf), cl->Nq);
  cl->Nb   = CellGeometryNumBasis(geo);
  cl->comp = CellGeometryComponents(geo);
  cl->geo  = geo;
  cl->sf   = sf;
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cl->cStart, NULL));
  PetscCall(CellGeometryClosureOffsets(geo, dm, &cl->offsets));
  PetscCall(VecGetArray(StateFieldsVec(sf), &cl->state));
  PetscFunctionReturn(0);
}

PetscErrorCode CellLoopEnd(CellLoop *cl)
{
  PetscFunctionBeginUser;
  PetscCall(VecRestoreArray(StateFieldsVec(cl->sf), &cl->state));
  PetscFunctionReturn(0);
}

PetscErrorCode CellLoopSetCell(DM dm, PetscInt c, CellLoop *cl)
{
  PetscFunctionBeginUser;
  (void)dm;
  cl->c = c;
  CellGeometryCell(cl->geo, c, &cl->x, &cl->detJ, &cl->G);
  PetscCall(StateFieldsCell(cl->sf, cl->state, c, &cl->cs));
  PetscFunctionReturn(0);
}

PetscErrorCode CellLoopGetClosure(DM dm, const CellLoop *cl, Vec loc, const PetscScalar a[], PetscScalar closure[])
{
  PetscFunctionBeginUser;
  if (cl->offsets) {
    const PetscInt *o = &cl->offsets[(cl->c - cl->cStart) * cl->Nb];
    for (PetscInt b = 0; b < cl->Nb; b++) closure[b] = a[o[b]];
  } else {
    PetscScalar *v = NULL;
    PetscInt     n;
    PetscCall(DMPlexVecGetClosure(dm, NULL, loc, cl->c, &n, &v));
    PetscCall(PetscArraycpy(closure, v, cl->Nb));
    PetscCall(DMPlexVecRestoreClosure(dm, NULL, loc, cl->c, &n, &v));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode CellLoopAddClosure(DM dm, const CellLoop *cl, Vec loc, PetscScalar a[], const PetscScalar values[])
{
  PetscFunctionBeginUser;
  if (cl->offsets) {
    const PetscInt *o = &cl->offsets[(cl->c - cl->cStart) * cl->Nb];
    for (PetscInt b = 0; b < cl->Nb; b++) a[o[b]] += values[b];
  } else PetscCall(DMPlexVecSetClosure(dm, NULL, loc, cl->c, values, ADD_VALUES));
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

void CellLoopStress(const CellLoop *cl, PetscInt q, const PetscScalar closure[], const PetscScalar ref[], PointReal u_x[], PointReal m[9], PointReal s[9])
{
  PointState ps;
  PointReal  g[9];

  if (!u_x) u_x = g;
  CellLoopPointState(cl, q, &ps);
  CellLoopGradient(cl, q, closure, u_x);
  MechanicalStrain(cl->dim, cl->green, u_x, &cl->x[q * cl->dim], ref, &ps, m);
  Stress(ps.stiffness, m, s);
}

/* K = the element stiffness of the current cell (Nb x Nb, row-major): K_ab = sum_q w B_a . (C B_b), where B_b has
   the gradient G_b[j] at Voigt position V(c(b), j) (engineering shear). CB holds (C B_b)_P as [P][b], so that the
   inner loop over b runs along contiguous memory. */
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
        CB[P * Nb + b] = w * v;
      }
    for (PetscInt a = 0; a < Nb; a++) {
      const PetscInt   ca = cl->comp[a];
      const PetscReal *ga = &G[a * dim];
      PetscScalar     *Ka = &K[a * Nb];
      if (dim == 3) {
        const PetscScalar *c0 = &CB[Voigt(ca, 0) * Nb], *c1 = &CB[Voigt(ca, 1) * Nb], *c2 = &CB[Voigt(ca, 2) * Nb];
        for (PetscInt b = a; b < Nb; b++) Ka[b] += ga[0] * c0[b] + ga[1] * c1[b] + ga[2] * c2[b];
      } else {
        const PetscScalar *c0 = &CB[Voigt(ca, 0) * Nb], *c1 = &CB[Voigt(ca, 1) * Nb];
        for (PetscInt b = a; b < Nb; b++) Ka[b] += ga[0] * c0[b] + ga[1] * c1[b];
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

/* The tangent of the current cell at the closure values u (geometry nonlinear; ElementAssemblyTangent says what it
   is). Per point: F = I + H and S; then per basis function b (component c, gradient g) its virtual strain
   B_b = Voigt(sym(F^T e_c g^T)): B_V(ij) = F_ci g_j + F_cj g_i for i != j (engineering shear), F_ci g_i for i = j;
   CB holds (C B_b)_P as [P][b], BB the B_b as [b][P]. */
static void ElementTangent(const CellLoop *cl, const PetscScalar ref[], const PetscScalar u[], PetscScalar K[], PetscScalar CB[], PetscScalar BB[])
{
  const PetscInt     dim = cl->dim, Nb = cl->Nb;
  const PetscScalar *C   = cl->cs.stiffness;
  static const PetscInt pair[VOIGT_N][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};

  for (PetscInt i = 0; i < Nb * Nb; i++) K[i] = 0;
  for (PetscInt q = 0; q < cl->Nq; q++) {
    const PetscReal  w = cl->weights[q] * cl->detJ[q];
    const PetscReal *G = &cl->G[q * Nb * dim];
    PointReal        H[9], m[9], S[9];
    PetscReal        F[3][3], Sw[3][3];

    CellLoopStress(cl, q, u, ref, H, m, S);
    for (PetscInt i = 0; i < 3; i++)
      for (PetscInt j = 0; j < 3; j++) {
        F[i][j]  = (i == j) + (i < dim && j < dim ? (PetscReal)H[i * dim + j] : 0);
        Sw[i][j] = w * (PetscReal)S[i * 3 + j];
      }
    for (PetscInt b = 0; b < Nb; b++) {
      const PetscReal *g = &G[b * dim];
      const PetscInt   c = cl->comp[b];
      PetscScalar     *B = &BB[b * VOIGT_N];
      for (PetscInt P = 0; P < VOIGT_N; P++) {
        const PetscInt i = pair[P][0], j = pair[P][1];
        const PetscReal gi = i < dim ? g[i] : 0, gj = j < dim ? g[j] : 0;
        B[P] = i == j ? F[c][i] * gi : F[c][i] * gj + F[c][j] * gi;
      }
      for (PetscInt P = 0; P < VOIGT_N; P++) {
        PetscScalar v = 0;
        for (PetscInt Q = 0; Q < VOIGT_N; Q++) v += StiffnessEntry(C, P, Q) * B[Q];
        CB[P * Nb + b] = w * v;
      }
    }
    for (PetscInt a = 0; a < Nb; a++) {
      const PetscScalar *Ba = &BB[a * VOIGT_N];
      const PetscReal   *ga = &G[a * dim];
      PetscReal          Sga[3] = {0, 0, 0};
      PetscScalar       *Ka     = &K[a * Nb];
      for (PetscInt j = 0; j < dim; j++)
        for (PetscInt i = 0; i < dim; i++) Sga[j] += ga[i] * Sw[i][j];
      for (PetscInt b = a; b < Nb; b++) {
        PetscScalar k = 0;
        for (PetscInt P = 0; P < VOIGT_N; P++) k += Ba[P] * CB[P * Nb + b];
        if (cl->comp[b] == cl->comp[a])
          for (PetscInt j = 0; j < dim; j++) k += Sga[j] * G[b * dim + j];
        Ka[b] += k;
      }
    }
  }
  for (PetscInt a = 0; a < Nb; a++)
    for (PetscInt b = 0; b < a; b++) K[a * Nb + b] = K[b * Nb + a];
}

/* The element matrices of every cell into A, summed split (element-assembly.h): the linear stiffness, or with uloc
   (a local vector of the displacement, its array ua) the tangent at it. The quantum comes from the largest diagonal
   entry of the linear element stiffness; a tangent's entries exceed it by the strains (|F| <= 1.01) and the geometric
   part (|S| / |C| <= 1e-2) at most, so 4 times it bounds them, and sums of 8 cells' multiples of the quantum stay
   exact below 2^45. */
static PetscErrorCode AssembleElementMatrices(DM dm, CellGeometry geo, StateFields sf, PetscBool green, const PetscScalar ref[], Vec uloc, Mat A)
{
  CellLoop           cl;
  Mat                Alo;
  PetscScalar       *K, *hi, *lo, *CB, *BB, *closure;
  const PetscScalar *ua = NULL;
  PetscReal          emax = 0, quantum;
  PetscInt           cStart, cEnd, Nb2;

  PetscFunctionBeginUser;
  PetscCall(CellLoopBegin(dm, geo, sf, &cl));
  cl.green = green;
  Nb2      = cl.Nb * cl.Nb;
  PetscCall(PetscMalloc6(Nb2, &K, Nb2, &hi, Nb2, &lo, cl.Nb * VOIGT_N, &CB, cl.Nb * VOIGT_N, &BB, cl.Nb, &closure));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  /* the quantum needs the largest contribution first: a pass over the element diagonals */
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopSetCell(dm, c, &cl));
    emax = PetscMax(emax, ElementStiffnessMax(&cl));
  }
  PetscCall(SplitQuantum(PetscObjectComm((PetscObject)dm), uloc ? 4 * emax : emax, &quantum));
  PetscCall(MatZeroEntries(A));
  PetscCall(MatDuplicate(A, MAT_DO_NOT_COPY_VALUES, &Alo));
  if (uloc) PetscCall(VecGetArrayRead(uloc, &ua));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PetscCall(CellLoopSetCell(dm, c, &cl));
    if (uloc) {
      PetscCall(CellLoopGetClosure(dm, &cl, uloc, ua, closure));
      ElementTangent(&cl, ref, closure, K, CB, BB);
    } else ElementStiffness(&cl, K, CB);
    Split(Nb2, K, quantum, hi, lo);
    PetscCall(DMPlexMatSetClosure(dm, NULL, NULL, A, c, hi, ADD_VALUES));
    PetscCall(DMPlexMatSetClosure(dm, NULL, NULL, Alo, c, lo, ADD_VALUES));
  }
  if (uloc) PetscCall(VecRestoreArrayRead(uloc, &ua));
  PetscCall(PetscFree6(K, hi, lo, CB, BB, closure));
  PetscCall(CellLoopEnd(&cl));
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyBegin(Alo, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(Alo, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAXPY(A, 1, Alo, SAME_NONZERO_PATTERN));
  PetscCall(MatDestroy(&Alo));
  PetscFunctionReturn(0);
}

PetscErrorCode ElementAssemblyStiffness(DM dm, CellGeometry geo, StateFields sf, Mat A)
{
  PetscFunctionBeginUser;
  PetscCall(AssembleElementMatrices(dm, geo, sf, PETSC_FALSE, NULL, NULL, A));
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
    PointReal       u_x[9], m[9], S[9], sigma[9];

    CellLoopStress(cl, q, u, ref, u_x, m, S);
    if (cl->green) FirstPiolaStress(dim, u_x, S, sigma);
    else
      for (PetscInt k = 0; k < 9; k++) sigma[k] = S[k];
    for (PetscInt b = 0; b < Nb; b++) {
      PointReal s = 0;
      for (PetscInt d = 0; d < dim; d++) s += cl->G[(q * Nb + b) * dim + d] * sigma[cl->comp[b] * 3 + d];
      r[b] += w * s;
      abs_r[b] += fabsl(w * s);
    }
  }
}

/* The constrained values of dm's local vectors: its essential boundary conditions at t = 0, inserted once per DM and
   kept on it (a DM's constraints are set before its first residual and never change). Inserting them at every
   residual walked the constrained points' labels and took 43 % of each residual of a 2D patent history (perf). A plain
   sequential vector, not the DM's own kind: that one refers back to the DM, and the pair would never be freed. */
static PetscErrorCode ConstrainedValues(DM dm, Vec *bc)
{
  const char *key = "fcclsim_constrained_values";
  Vec         loc;
  PetscInt    n;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectQuery((PetscObject)dm, key, (PetscObject *)bc));
  if (*bc) PetscFunctionReturn(0);
  PetscCall(DMGetLocalVector(dm, &loc));
  PetscCall(VecGetLocalSize(loc, &n));
  PetscCall(DMRestoreLocalVector(dm, &loc));
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, n, bc));
  PetscCall(VecZeroEntries(*bc));
  PetscCall(DMPlexInsertBoundaryValues(dm, PETSC_TRUE, *bc, 0.0, NULL, NULL, NULL));
  PetscCall(PetscObjectCompose((PetscObject)dm, key, (PetscObject)*bc));
  PetscCall(VecDestroy(bc)); /* the DM holds it now */
  PetscCall(PetscObjectQuery((PetscObject)dm, key, (PetscObject *)bc));
  PetscFunctionReturn(0);
}

PetscErrorCode ElementAssemblyTangent(DM dm, CellGeometry geo, StateFields sf, const PetscScalar ref[], Vec u, Mat A)
{
  Vec bc, uloc;

  PetscFunctionBeginUser;
  PetscCall(ConstrainedValues(dm, &bc));
  PetscCall(DMGetLocalVector(dm, &uloc));
  PetscCall(VecCopy(bc, uloc));
  PetscCall(DMGlobalToLocal(dm, u, INSERT_VALUES, uloc));
  PetscCall(AssembleElementMatrices(dm, geo, sf, PETSC_TRUE, ref, uloc, A));
  PetscCall(DMRestoreLocalVector(dm, &uloc));
  PetscFunctionReturn(0);
}

PetscErrorCode ElementAssemblyResidual(DM dm, CellGeometry geo, StateFields sf, PetscBool green, const PetscScalar ref[], Vec u, Vec F, PetscReal *terms_max)
{
  Vec          bc;
  CellLoop     cl;
  Vec          uloc, hi, lo, Flo;
  PointReal         *res, *abs_r, emax = 0, tmax = 0;
  PetscScalar       *closure, *h, *l, *ha, *la;
  const PetscScalar *ua;
  PetscReal    quantum;
  PetscInt     cStart, cEnd, Nb;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(ConstrainedValues(dm, &bc));
  PetscCall(DMGetLocalVector(dm, &uloc));
  PetscCall(VecCopy(bc, uloc));
  PetscCall(DMGlobalToLocal(dm, u, INSERT_VALUES, uloc));
  PetscCall(CellLoopBegin(dm, geo, sf, &cl));
  cl.green = green;
  Nb       = cl.Nb;
  /* the element residuals are Nb numbers per cell: kept from the pass that finds the quantum */
  PetscCall(PetscMalloc5((cEnd - cStart) * Nb, &res, Nb, &abs_r, Nb, &h, Nb, &l, Nb, &closure));
  PetscCall(VecGetArrayRead(uloc, &ua));
  for (PetscInt c = cStart; c < cEnd; c++) {
    PointReal *r = &res[(c - cStart) * Nb];
    PetscCall(CellLoopSetCell(dm, c, &cl));
    PetscCall(CellLoopGetClosure(dm, &cl, uloc, ua, closure));
    ElementResidual(&cl, ref, closure, r, abs_r);
    for (PetscInt b = 0; b < Nb; b++) {
      emax = PetscMax(emax, fabsl(r[b]));
      tmax = PetscMax(tmax, abs_r[b]);
    }
  }
  PetscCall(VecRestoreArrayRead(uloc, &ua));
  PetscCall(SplitQuantum(PetscObjectComm((PetscObject)dm), (PetscReal)emax, &quantum));
  if (terms_max) {
    *terms_max = (PetscReal)tmax;
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, terms_max, 1, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)dm)));
  }
  PetscCall(DMGetLocalVector(dm, &hi));
  PetscCall(DMGetLocalVector(dm, &lo));
  PetscCall(VecZeroEntries(hi));
  PetscCall(VecZeroEntries(lo));
  PetscCall(VecGetArray(hi, &ha));
  PetscCall(VecGetArray(lo, &la));
  for (PetscInt c = cStart; c < cEnd; c++) {
    const PointReal *r = &res[(c - cStart) * Nb];
    for (PetscInt b = 0; b < Nb; b++) { /* as Split, from the long double value: v_lo keeps what double would drop */
      h[b] = rintl(r[b] / quantum) * quantum;
      l[b] = (PetscReal)(r[b] - (PointReal)PetscRealPart(h[b]));
    }
    cl.c = c;
    PetscCall(CellLoopAddClosure(dm, &cl, hi, ha, h));
    PetscCall(CellLoopAddClosure(dm, &cl, lo, la, l));
  }
  PetscCall(VecRestoreArray(hi, &ha));
  PetscCall(VecRestoreArray(lo, &la));
  PetscCall(CellLoopEnd(&cl));
  PetscCall(DMRestoreLocalVector(dm, &uloc));
  PetscCall(PetscFree5(res, abs_r, h, l, closure));
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
