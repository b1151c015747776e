#pragma once
/* r = b - A x with every row's sum carried in long double (a 64-bit significand on x86-64, 11 bits more than double).

   Why: iterative refinement converges to the x for which the computed residual vanishes, so the residual's own
   round-off sets how far the answer can move. In double, b - A x of a stiffness matrix of um layers on a 100 mm
   plate loses its last bits to cancellation between entries of order E l/t, and the order of that sum follows the
   partition: 1e-9 to 1e-8 of the centre curvature between 1, 2 and 4 ranks. With the sums in long double that
   round-off is ~2000 times smaller; what then limits the refined solution is its own storage in double (corrections
   stall at ~1e-6 of the departure from the laminate reference, cond(A) eps), which moves the curvature by ~1e-12.
   For AIJ matrices (seqaij, mpiaij); other types fall back to MatMult in double, said by -info. */
#include <petscmat.h>

typedef struct _n_PreciseResidual *PreciseResidual;

/* A's nonzero pattern must be final (assembled once); its values may change later. */
PetscErrorCode PreciseResidualCreate(Mat A, PreciseResidual *pr);
PetscErrorCode PreciseResidualCompute(PreciseResidual pr, Vec b, Vec x, Vec r);
PetscErrorCode PreciseResidualDestroy(PreciseResidual *pr);
