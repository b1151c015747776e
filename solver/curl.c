/* Where curl is measured: curvature of the deformed bottom, top and mid surfaces from least-squares patch fits.

   Sign convention (docs/cases.md): kappa = -d2w/dx2 with z up through the stack, so kappa > 0 means the top (+z)
   face is convex and the bottom layer (the first in -layers) lies on the concave side; the signed curl radius is
   R = 1/kappa. The departure u_d is fitted and the reference state's curvature added exactly, so no digits are lost
   to the large displacements of a strongly curled sample. A quadratic fit reproduces a quadratic surface exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <math.h>
#include "model.h"
#include "output-directory.h"
#include "option-read.h"

PetscErrorCode CurlOptionsRead(MPI_Comm comm, CurlOptions *options)
{
  PetscReal fit_mm = 0, map_mm = 0;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Curl: where curvature is measured (docs/cases.md)", "fcclsim");
  PetscCall(OptionReal(PetscOptionsObject, "-curl_fit_radius_mm", "half-width of the centre patch of the curvature fit, mm (0: 10 % of the half-length, at least 2.5 centre elements)", fit_mm, 0, 1e4, &fit_mm, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-curl_map_radius_mm", "radius of each curl-map node's fit patch, mm (0: 3.5 largest in-plane elements)", map_mm, 0, 1e4, &map_mm, NULL));
  PetscOptionsEnd();
  options->fit_radius = fit_mm * 1e-3;
  options->map_radius = map_mm * 1e-3;
  PetscFunctionReturn(0);
}

/* Basis of the fit in scaled coordinates (xi, eta) = (x/hx, y/hy): 1, xi, eta, xi^2/2, xi eta, eta^2/2 (2D: 1, xi,
   xi^2/2). A quarter model's centre lies on its symmetry planes, where w is even in x and y: the odd terms vanish and
   are left out, so a one-sided patch cannot mistake higher-order content for slope or twist. Returns the number of
   terms; idx[] says where xi^2/2, xi eta and eta^2/2 sit (-1: absent). */
static PetscInt FitBasis(PetscInt dim, PetscBool even, PetscReal xi, PetscReal eta, PetscReal phi[6], PetscInt idx[3])
{
  PetscInt n = 0;

  phi[n++] = 1;
  if (!even) phi[n++] = xi;
  if (!even && dim == 3) phi[n++] = eta;
  idx[0]   = n;
  phi[n++] = 0.5 * xi * xi;
  idx[1]   = -1;
  idx[2]   = -1;
  if (dim == 3) {
    if (!even) {
      idx[1]   = n;
      phi[n++] = xi * eta;
    }
    idx[2]   = n;
    phi[n++] = 0.5 * eta * eta;
  }
  return n;
}

/* Solves the small SPD normal equations by Gaussian elimination with partial pivoting. */
static PetscErrorCode SolveSmall(PetscInt n, PetscReal A[], PetscReal b[], MPI_Comm comm)
{
  PetscReal scale = 0;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < n; k++) scale = PetscMax(scale, PetscAbsReal(A[k * n + k]));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt p = k;
    for (PetscInt i = k + 1; i < n; i++)
      if (PetscAbsReal(A[i * n + k]) > PetscAbsReal(A[p * n + k])) p = i;
    PetscCheck(PetscAbsReal(A[p * n + k]) > 1e-12 * scale, comm, PETSC_ERR_USER_INPUT, "curvature fit is singular: the fit patch holds too few surface nodes; raise -curl_fit_radius_mm or -curl_map_radius_mm");
    if (p != k) {
      for (PetscInt j = 0; j < n; j++) {
        const PetscReal t = A[k * n + j];
        A[k * n + j]      = A[p * n + j];
        A[p * n + j]      = t;
      }
      const PetscReal t = b[k];
      b[k]              = b[p];
      b[p]              = t;
    }
    for (PetscInt i = k + 1; i < n; i++) {
      const PetscReal f = A[i * n + k] / A[k * n + k];
      for (PetscInt j = k; j < n; j++) A[i * n + j] -= f * A[k * n + j];
      b[i] -= f * b[k];
    }
  }
  for (PetscInt k = n - 1; k >= 0; k--) {
    for (PetscInt j = k + 1; j < n; j++) b[k] -= A[k * n + j] * b[j];
    b[k] /= A[k * n + k];
  }
  PetscFunctionReturn(0);
}

static void Principal(Curvature *c)
{
  const PetscReal m = 0.5 * (c->xx + c->yy), r = PetscSqrtReal(0.25 * (c->xx - c->yy) * (c->xx - c->yy) + c->xy * c->xy);
  const PetscReal a = m + r, b = m - r;

  c->k1 = PetscAbsReal(a) >= PetscAbsReal(b) ? a : b;
  c->k2 = PetscAbsReal(a) >= PetscAbsReal(b) ? b : a;
}

/* Half-width of the centre patch: 10 % of the half-length, at least 2.5 centre elements (so it holds >= 3 node rows). */
/* Size of the centre element of a centre-to-edge line of n elements graded by edge_ratio (edge size / centre size). */
static PetscReal CentreElementSize(PetscReal half, PetscInt n, PetscReal edge_ratio)
{
  const PetscReal r = n > 1 ? PetscPowReal(edge_ratio, 1.0 / (n - 1)) : 1.0;

  return PetscAbsReal(r - 1) < 1e-12 ? half / n : half * (r - 1) / (PetscPowReal(r, (PetscReal)n) - 1);
}

static PetscReal LargestElementSize(PetscReal half, PetscInt n, PetscReal edge_ratio)
{
  return CentreElementSize(half, n, edge_ratio) * PetscMax(1.0, edge_ratio);
}

static PetscReal PatchHalfWidth(PetscReal half, PetscInt n, PetscReal edge_ratio)
{
  return PetscMin(half, PetscMax(0.1 * half, 2.5 * CentreElementSize(half, n, edge_ratio)));
}

/* Surface nodes (x, y, w_d) of this rank on the surface z = zs, owned ones only. */
static PetscErrorCode CollectSurface(Model model, Vec loc, PetscReal zs, PetscInt *n, PetscReal **xyw)
{
  const PetscInt     dim = model->dim;
  const PetscReal    tol = 1e-6 * model->stack->z[model->stack->n];
  PetscSection       lsec, gsec, csec;
  Vec                coords;
  const PetscScalar *x, *u;
  PetscInt           vStart, vEnd, m = 0;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalSection(model->dm, &lsec));
  PetscCall(DMGetGlobalSection(model->dm, &gsec));
  PetscCall(DMGetCoordinateSection(model->dm, &csec));
  PetscCall(DMGetCoordinatesLocal(model->dm, &coords));
  PetscCall(DMPlexGetDepthStratum(model->dm, 0, &vStart, &vEnd));
  PetscCall(PetscMalloc1(3 * (vEnd - vStart), xyw));
  PetscCall(VecGetArrayRead(coords, &x));
  PetscCall(VecGetArrayRead(loc, &u));
  for (PetscInt v = vStart; v < vEnd; v++) {
    PetscInt coff, off, goff;
    PetscCall(PetscSectionGetOffset(gsec, v, &goff));
    if (goff < 0) continue;
    PetscCall(PetscSectionGetOffset(csec, v, &coff));
    if (PetscAbsReal(PetscRealPart(x[coff + dim - 1]) - zs) > tol) continue;
    PetscCall(PetscSectionGetOffset(lsec, v, &off));
    (*xyw)[3 * m]     = PetscRealPart(x[coff]);
    (*xyw)[3 * m + 1] = dim == 3 ? PetscRealPart(x[coff + 1]) : 0;
    (*xyw)[3 * m + 2] = PetscRealPart(u[off + dim - 1]);
    m++;
  }
  PetscCall(VecRestoreArrayRead(loc, &u));
  PetscCall(VecRestoreArrayRead(coords, &x));
  *n = m;
  PetscFunctionReturn(0);
}

/* Fit of the departure's thickness-direction displacement on the surface z = zs around the centre. */
static PetscErrorCode FitSurface(Model model, Vec loc, PetscReal zs, Curvature *c)
{
  const PetscInt  dim  = model->dim;
  const PetscBool even = (PetscBool)(model->pm.symmetry == PLATE_QUARTER);
  PetscReal       hx   = PatchHalfWidth(model->pm.lx / 2, model->pm.nx, model->pm.edge_ratio);
  PetscReal       hy   = PatchHalfWidth(model->pm.ly / 2, model->pm.ny, model->pm.edge_ratio);
  PetscReal       AtA[36] = {0}, Atb[6] = {0}, sums[42], phi[6], *xyw;
  PetscInt        n, idx[3], nb = FitBasis(dim, even, 0, 0, phi, idx);

  PetscFunctionBeginUser;
  if (model->curl.fit_radius > 0) hx = hy = model->curl.fit_radius;
  PetscCall(CollectSurface(model, loc, zs, &n, &xyw));
  for (PetscInt k = 0; k < n; k++) {
    const PetscReal px = xyw[3 * k], py = xyw[3 * k + 1], w = xyw[3 * k + 2];
    if (PetscAbsReal(px) > hx * (1 + 1e-9) || PetscAbsReal(py) > hy * (1 + 1e-9)) continue;
    FitBasis(dim, even, px / hx, py / hy, phi, idx);
    for (PetscInt i = 0; i < nb; i++) {
      for (PetscInt j = 0; j < nb; j++) AtA[i * nb + j] += phi[i] * phi[j];
      Atb[i] += phi[i] * w;
    }
  }
  PetscCall(PetscFree(xyw));
  for (PetscInt i = 0; i < nb * nb; i++) sums[i] = AtA[i];
  for (PetscInt i = 0; i < nb; i++) sums[nb * nb + i] = Atb[i];
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)(nb * nb + nb), MPIU_REAL, MPI_SUM, model->comm));
  for (PetscInt i = 0; i < nb * nb; i++) AtA[i] = sums[i];
  for (PetscInt i = 0; i < nb; i++) Atb[i] = sums[nb * nb + i];
  PetscCall(SolveSmall(nb, AtA, Atb, model->comm));
  /* kappa = -d2w/dx2; the generalized-plane-strain section does not bend out of its plane (kappa_yy = 0) */
  c->xx = model->kappa_x - Atb[idx[0]] / (hx * hx);
  c->xy = idx[1] >= 0 ? -Atb[idx[1]] / (hx * hy) : 0;
  c->yy = idx[2] >= 0 ? model->kappa_y - Atb[idx[2]] / (hy * hy) : 0;
  Principal(c);
  PetscFunctionReturn(0);
}

PetscErrorCode ModelGetCenterCurvature(Model model, Curvature *mid, Curvature *bottom, Curvature *top)
{
  Vec loc;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(model->dm, &loc));
  PetscCall(VecZeroEntries(loc));
  PetscCall(DMGlobalToLocal(model->dm, model->u, INSERT_VALUES, loc));
  PetscCall(FitSurface(model, loc, model->z_bottom, bottom));
  PetscCall(FitSurface(model, loc, model->z_top, top));
  PetscCall(DMRestoreLocalVector(model->dm, &loc));
  mid->xx = 0.5 * (bottom->xx + top->xx);
  mid->yy = 0.5 * (bottom->yy + top->yy);
  mid->xy = 0.5 * (bottom->xy + top->xy);
  Principal(mid);
  PetscFunctionReturn(0);
}

/* All ranks' surface nodes on rank 0, sorted by (x, y) so that bottom and top pair up node by node. */
static int CompareXY(const void *a, const void *b)
{
  const PetscReal *p = (const PetscReal *)a, *q = (const PetscReal *)b;
  if (p[0] != q[0]) return p[0] < q[0] ? -1 : 1;
  if (p[1] != q[1]) return p[1] < q[1] ? -1 : 1;
  return 0;
}

static PetscErrorCode GatherSurface(Model model, Vec loc, PetscReal zs, PetscInt *n, PetscReal **all)
{
  PetscReal   *mine;
  PetscInt     m = 0;
  PetscMPIInt  size, rank, count = 0, *counts = NULL, *displs = NULL, total = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(model->comm, &size));
  PetscCallMPI(MPI_Comm_rank(model->comm, &rank));
  PetscCall(CollectSurface(model, loc, zs, &m, &mine));
  count = (PetscMPIInt)(3 * m);
  if (rank == 0) PetscCall(PetscMalloc2(size, &counts, size, &displs));
  PetscCallMPI(MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, model->comm));
  if (rank == 0)
    for (PetscMPIInt r = 0; r < size; r++) {
      displs[r] = total;
      total += counts[r];
    }
  PetscCall(PetscMalloc1(total + 1, all));
  PetscCallMPI(MPI_Gatherv(mine, count, MPIU_REAL, *all, counts, displs, MPIU_REAL, 0, model->comm));
  *n = total / 3;
  if (rank == 0) qsort(*all, (size_t)*n, 3 * sizeof(PetscReal), CompareXY);
  PetscCall(PetscFree(mine));
  if (rank == 0) PetscCall(PetscFree2(counts, displs));
  PetscFunctionReturn(0);
}

/* Curvature at node i from a quadratic fit of the nodes within radius r (coordinates relative to node i). */
static PetscErrorCode FitAt(Model model, PetscInt n, const PetscReal xyw[], PetscInt i, PetscReal r, Curvature *c)
{
  const PetscInt dim = model->dim;
  PetscReal      AtA[36] = {0}, Atb[6] = {0}, phi[6];
  PetscInt       idx[3], nb = FitBasis(dim, PETSC_FALSE, 0, 0, phi, idx);

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < n; j++) {
    const PetscReal dx = xyw[3 * j] - xyw[3 * i], dy = xyw[3 * j + 1] - xyw[3 * i + 1];
    if (dx * dx + dy * dy > r * r) continue;
    FitBasis(dim, PETSC_FALSE, dx / r, dy / r, phi, idx);
    for (PetscInt a = 0; a < nb; a++) {
      for (PetscInt b = 0; b < nb; b++) AtA[a * nb + b] += phi[a] * phi[b];
      Atb[a] += phi[a] * xyw[3 * j + 2];
    }
  }
  PetscCall(SolveSmall(nb, AtA, Atb, PETSC_COMM_SELF));
  c->xx = model->kappa_x - Atb[idx[0]] / (r * r);
  c->xy = idx[1] >= 0 ? -Atb[idx[1]] / (r * r) : 0;
  c->yy = idx[2] >= 0 ? model->kappa_y - Atb[idx[2]] / (r * r) : 0;
  Principal(c);
  PetscFunctionReturn(0);
}

/* Direction of k1, degrees from the x axis. */
static PetscReal PrincipalAngle(const Curvature *c)
{
  PetscReal theta = 0.5 * PetscAtan2Real(2 * c->xy, c->xx - c->yy); /* direction of the algebraically larger one */
  if (c->k1 < 0.5 * (c->xx + c->yy)) theta += 0.5 * PETSC_PI;
  return theta * 180 / PETSC_PI;
}

PetscErrorCode ModelComputeCurlMap(Model model, CurlMap *curlmap)
{
  PetscReal  *bottom, *top, r;
  PetscInt    nb, nt;
  PetscMPIInt rank;
  Vec         loc;
  CurlMap     map;

  PetscFunctionBeginUser;
  /* default patch: 3.5 times the largest in-plane element: a corner node's one-sided patch still holds a 3 x 3 node
     stencil, and no node sits on the patch's rim, where round-off would decide whether it counts */
  r = 3.5 * LargestElementSize(model->pm.lx / 2, model->pm.nx, model->pm.edge_ratio);
  if (model->dim == 3) r = PetscMax(r, 3.5 * LargestElementSize(model->pm.ly / 2, model->pm.ny, model->pm.edge_ratio));
  if (model->curl.map_radius > 0) r = model->curl.map_radius;
  PetscCall(DMGetLocalVector(model->dm, &loc));
  PetscCall(VecZeroEntries(loc));
  PetscCall(DMGlobalToLocal(model->dm, model->u, INSERT_VALUES, loc));
  PetscCall(GatherSurface(model, loc, model->z_bottom, &nb, &bottom));
  PetscCall(GatherSurface(model, loc, model->z_top, &nt, &top));
  PetscCall(DMRestoreLocalVector(model->dm, &loc));
  PetscCallMPI(MPI_Comm_rank(model->comm, &rank));
  PetscCall(PetscNew(&map));
  if (rank == 0) {
    PetscCheck(nb == nt, PETSC_COMM_SELF, PETSC_ERR_PLIB, "bottom and top surfaces have %" PetscInt_FMT " and %" PetscInt_FMT " nodes", nb, nt);
    map->n = nb;
    PetscCall(PetscMalloc1(CURL_MAP_COLUMNS * nb, &map->data));
    for (PetscInt c = 0; c < CURL_MAP_COLUMNS; c++) map->column[c] = &map->data[c * nb];
    /* the mid-surface's w is the mean of the bottom and top faces', node by node */
    for (PetscInt i = 0; i < nb; i++) bottom[3 * i + 2] = 0.5 * (bottom[3 * i + 2] + top[3 * i + 2]);
    for (PetscInt i = 0; i < nb; i++) {
      const PetscReal x = bottom[3 * i], y = bottom[3 * i + 1];
      Curvature       c = {0, 0, 0, 0, 0};
      PetscCall(FitAt(model, nb, bottom, i, r, &c));
      map->x[i]     = x;
      map->y[i]     = y;
      map->w[i]     = bottom[3 * i + 2] - 0.5 * (model->kappa_x * x * x + model->kappa_y * y * y);
      map->kxx[i]   = c.xx;
      map->kyy[i]   = c.yy;
      map->kxy[i]   = c.xy;
      map->k1[i]    = c.k1;
      map->k2[i]    = c.k2;
      map->angle[i] = PrincipalAngle(&c);
      map->R1[i]    = c.k1 != 0 ? 100 / c.k1 : (PetscReal)INFINITY;
      map->R2[i]    = c.k2 != 0 ? 100 / c.k2 : (PetscReal)INFINITY;
    }
  }
  PetscCall(PetscFree(bottom));
  PetscCall(PetscFree(top));
  *curlmap = map;
  PetscFunctionReturn(0);
}

static int WriteCSV(FILE *fp, void *ctx)
{
  CurlMap map = (CurlMap)ctx;

  fprintf(fp, "x_mm,y_mm,w_mm,kappa_xx_1_per_m,kappa_yy_1_per_m,kappa_xy_1_per_m,k1_1_per_m,k2_1_per_m,k1_angle_deg,R1_cm,R2_cm\n");
  for (PetscInt i = 0; i < map->n; i++)
    if (fprintf(fp, "%.9g,%.9g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.6g,%.8g,%.8g\n", (double)(map->x[i] * 1e3), (double)(map->y[i] * 1e3), (double)(map->w[i] * 1e3), (double)map->kxx[i], (double)map->kyy[i], (double)map->kxy[i], (double)map->k1[i], (double)map->k2[i], (double)map->angle[i], (double)map->R1[i], (double)map->R2[i]) < 0) return EIO;
  return 0;
}

PetscErrorCode CurlMapWriteCSV(CurlMap map, MPI_Comm comm, const char path[])
{
  PetscFunctionBeginUser;
  PetscCall(OutputDirectoryWriteFile(comm, path, WriteCSV, map));
  PetscFunctionReturn(0);
}

PetscErrorCode CurlMapDestroy(CurlMap *map)
{
  PetscFunctionBeginUser;
  if (!*map) PetscFunctionReturn(0);
  PetscCall(PetscFree((*map)->data));
  PetscCall(PetscFree(*map));
  PetscFunctionReturn(0);
}
