#include "precise-residual.h"

struct _n_PreciseResidual {
  Mat        A;
  PetscBool  seq, mpi;
  VecScatter ghost_scatter; /* mpiaij: the x values of the off-diagonal block's columns */
  Vec        ghost;
};

PetscErrorCode PreciseResidualCreate(Mat A, PreciseResidual *pr)
{
  PreciseResidual p;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&p));
  p->A = A;
  PetscCall(PetscObjectReference((PetscObject)A));
  PetscCall(PetscObjectTypeCompare((PetscObject)A, MATSEQAIJ, &p->seq));
  PetscCall(PetscObjectTypeCompare((PetscObject)A, MATMPIAIJ, &p->mpi));
  if (p->mpi) {
    Mat             Ad, Ao;
    const PetscInt *colmap;
    PetscInt        nghost;
    IS              is;
    Vec             x;

    PetscCall(MatMPIAIJGetSeqAIJ(A, &Ad, &Ao, &colmap));
    PetscCall(MatGetSize(Ao, NULL, &nghost));
    PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nghost, colmap, PETSC_COPY_VALUES, &is));
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, nghost, &p->ghost));
    PetscCall(MatCreateVecs(A, &x, NULL));
    PetscCall(VecScatterCreate(x, is, p->ghost, NULL, &p->ghost_scatter));
    PetscCall(VecDestroy(&x));
    PetscCall(ISDestroy(&is));
  }
  if (!p->seq && !p->mpi) PetscCall(PetscInfo(A, "matrix type is not AIJ: the refinement residual is computed in double\n"));
  *pr = p;
  PetscFunctionReturn(0);
}

/* r[i] -= sum_k v[k] x[j[k]] over the CSR rows of one SeqAIJ block, accumulated in long double */
static PetscErrorCode SubtractBlock(Mat B, const PetscScalar x[], long double acc[])
{
  const PetscInt    *ia, *ja;
  const PetscScalar *v;
  PetscInt           n;
  PetscBool          done;

  PetscFunctionBeginUser;
  PetscCall(MatGetRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_SUP, "cannot read the matrix rows");
  PetscCall(MatSeqAIJGetArrayRead(B, &v));
  for (PetscInt i = 0; i < n; i++)
    for (PetscInt k = ia[i]; k < ia[i + 1]; k++) acc[i] -= (long double)PetscRealPart(v[k]) * (long double)PetscRealPart(x[ja[k]]);
  PetscCall(MatSeqAIJRestoreArrayRead(B, &v));
  PetscCall(MatRestoreRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  PetscFunctionReturn(0);
}

PetscErrorCode PreciseResidualCompute(PreciseResidual pr, Vec b, Vec x, Vec r)
{
  const PetscScalar *xa, *ba;
  PetscScalar       *ra;
  long double       *acc;
  PetscInt           n;

  PetscFunctionBeginUser;
  if (!pr->seq && !pr->mpi) {
    PetscCall(MatMult(pr->A, x, r));
    PetscCall(VecAYPX(r, -1, b));
    PetscFunctionReturn(0);
  }
  PetscCall(VecGetLocalSize(b, &n));
  PetscCall(PetscMalloc1(n, &acc));
  PetscCall(VecGetArrayRead(b, &ba));
  for (PetscInt i = 0; i < n; i++) acc[i] = PetscRealPart(ba[i]);
  PetscCall(VecRestoreArrayRead(b, &ba));
  if (pr->mpi) {
    Mat                Ad, Ao;
    const PetscInt    *colmap;
    const PetscScalar *ga;

    PetscCall(VecScatterBegin(pr->ghost_scatter, x, pr->ghost, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(pr->ghost_scatter, x, pr->ghost, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(MatMPIAIJGetSeqAIJ(pr->A, &Ad, &Ao, &colmap));
    PetscCall(VecGetArrayRead(x, &xa));
    PetscCall(SubtractBlock(Ad, xa, acc));
    PetscCall(VecRestoreArrayRead(x, &xa));
    PetscCall(VecGetArrayRead(pr->ghost, &ga));
    PetscCall(SubtractBlock(Ao, ga, acc));
    PetscCall(VecRestoreArrayRead(pr->ghost, &ga));
  } else {
    PetscCall(VecGetArrayRead(x, &xa));
    PetscCall(SubtractBlock(pr->A, xa, acc));
    PetscCall(VecRestoreArrayRead(x, &xa));
  }
  PetscCall(VecGetArray(r, &ra));
  for (PetscInt i = 0; i < n; i++) ra[i] = (PetscReal)acc[i];
  PetscCall(VecRestoreArray(r, &ra));
  PetscCall(PetscFree(acc));
  PetscFunctionReturn(0);
}

PetscErrorCode PreciseResidualDestroy(PreciseResidual *pr)
{
  PetscFunctionBeginUser;
  if (!*pr) PetscFunctionReturn(0);
  PetscCall(VecScatterDestroy(&(*pr)->ghost_scatter));
  PetscCall(VecDestroy(&(*pr)->ghost));
  PetscCall(MatDestroy(&(*pr)->A));
  PetscCall(PetscFree(*pr));
  PetscFunctionReturn(0);
}
