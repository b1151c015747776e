#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <math.h>
#include "curl.h"
#include "reference-state.h"
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

/* Solves the small SPD normal equations by Gaussian elimination with partial pivoting; *ok = PETSC_FALSE (and b
   untouched past that point) when they are singular: the patch holds too few surface nodes. */
static void SolveSmall(PetscInt n, PetscReal A[], PetscReal b[], PetscBool *ok)
{
  PetscReal scale = 0;

  *ok = PETSC_TRUE;
  for (PetscInt k = 0; k < n; k++) scale = PetscMax(scale, PetscAbsReal(A[k * n + k]));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt p = k;
    for (PetscInt i = k + 1; i < n; i++)
      if (PetscAbsReal(A[i * n + k]) > PetscAbsReal(A[p * n + k])) p = i;
    if (!(PetscAbsReal(A[p * n + k]) > 1e-12 * scale)) {
      *ok = PETSC_FALSE;
      return;
    }
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
  return;
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

/* Fit of the departure's thickness-direction displacement on the surface z = zs around the centre. */
static PetscErrorCode FitSurface(Model model, const CurlOptions *opt, PetscReal zs, Curvature *c)
{
  const PetscInt     dim  = ModelDim(model);
  const PlateMesh   *pm   = ModelPlate(model);
  const PetscScalar *ref  = ModelReference(model);
  const PetscBool    even = (PetscBool)(pm->symmetry == PLATE_QUARTER);
  PetscReal          hx   = PatchHalfWidth(pm->lx / 2, pm->nx, pm->edge_ratio);
  PetscReal          hy   = PatchHalfWidth(pm->ly / 2, pm->ny, pm->edge_ratio);
  PetscReal       AtA[36] = {0}, Atb[6] = {0}, sums[42], phi[6], *xyw;
  PetscBool       ok;
  PetscInt        n, idx[3], nb = FitBasis(dim, even, 0, 0, phi, idx);

  PetscFunctionBeginUser;
  if (opt->fit_radius > 0) hx = hy = opt->fit_radius;
  PetscCall(ModelGetFaceNodes(model, zs, &n, &xyw));
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
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)(nb * nb + nb), MPIU_REAL, MPI_SUM, ModelComm(model)));
  for (PetscInt i = 0; i < nb * nb; i++) AtA[i] = sums[i];
  for (PetscInt i = 0; i < nb; i++) Atb[i] = sums[nb * nb + i];
  SolveSmall(nb, AtA, Atb, &ok);
  PetscCheck(ok, ModelComm(model), PETSC_ERR_USER_INPUT, "the centre's curvature fit is singular: its patch holds too few surface nodes; raise curl_fit_radius_mm");
  /* kappa = -d2w/dx2; the generalized-plane-strain section does not bend out of its plane (kappa_yy = 0) */
  c->xx = PetscRealPart(ref[REF_KX]) - Atb[idx[0]] / (hx * hx);
  c->xy = idx[1] >= 0 ? -Atb[idx[1]] / (hx * hy) : 0;
  c->yy = idx[2] >= 0 ? PetscRealPart(ref[REF_KY]) - Atb[idx[2]] / (hy * hy) : 0;
  Principal(c);
  PetscFunctionReturn(0);
}

PetscErrorCode CurlCenter(Model model, const CurlOptions *opt, Curvature *mid, Curvature *bottom, Curvature *top)
{
  PetscReal zb, zt;

  PetscFunctionBeginUser;
  PetscCall(ModelGetActiveRange(model, &zb, &zt));
  PetscCall(FitSurface(model, opt, zb, bottom));
  PetscCall(FitSurface(model, opt, zt, top));
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

static PetscErrorCode GatherSurface(Model model, PetscReal zs, PetscInt *n, PetscReal **all)
{
  PetscReal   *mine;
  PetscInt     m = 0;
  PetscMPIInt  size, rank, count = 0, *counts = NULL, *displs = NULL, total = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(ModelComm(model), &size));
  PetscCallMPI(MPI_Comm_rank(ModelComm(model), &rank));
  PetscCall(ModelGetFaceNodes(model, zs, &m, &mine));
  count = (PetscMPIInt)(3 * m);
  if (rank == 0) PetscCall(PetscMalloc2(size, &counts, size, &displs));
  PetscCallMPI(MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, ModelComm(model)));
  if (rank == 0)
    for (PetscMPIInt r = 0; r < size; r++) {
      displs[r] = total;
      total += counts[r];
    }
  PetscCall(PetscMalloc1(total + 1, all));
  PetscCallMPI(MPI_Gatherv(mine, count, MPIU_REAL, *all, counts, displs, MPIU_REAL, 0, ModelComm(model)));
  *n = total / 3;
  if (rank == 0) qsort(*all, (size_t)*n, 3 * sizeof(PetscReal), CompareXY);
  PetscCall(PetscFree(mine));
  if (rank == 0) PetscCall(PetscFree2(counts, displs));
  PetscFunctionReturn(0);
}

/* Curvature at node i from a quadratic fit of the nodes within radius r (coordinates relative to node i). A quarter
   model's (2D: half section's) w is even in x and y, so its patches take the nodes' mirror images across the planes
   x = 0 and y = 0 too, and reach across them as a full model's do; a node on a plane is its own image. */
static PetscErrorCode FitAt(Model model, PetscInt n, const PetscReal xyw[], PetscInt i, PetscReal r, Curvature *c, PetscBool *ok)
{
  const PetscInt     dim    = ModelDim(model);
  const PetscScalar *ref    = ModelReference(model);
  const PetscBool    mirror = (PetscBool)(ModelPlate(model)->symmetry == PLATE_QUARTER);
  PetscReal          AtA[36] = {0}, Atb[6] = {0}, phi[6];
  PetscInt           idx[3], nb = FitBasis(dim, PETSC_FALSE, 0, 0, phi, idx);

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < n; j++)
    for (PetscInt image = 0; image < (mirror ? 4 : 1); image++) {
      const PetscReal sx = image & 1 ? -1 : 1, sy = image & 2 ? -1 : 1;
      if ((sx < 0 && xyw[3 * j] == 0) || (sy < 0 && xyw[3 * j + 1] == 0)) continue;
      const PetscReal dx = sx * xyw[3 * j] - xyw[3 * i], dy = sy * xyw[3 * j + 1] - xyw[3 * i + 1];
      const PetscReal d2 = (dx * dx + dy * dy) / (r * r), wt = (1 - d2) * (1 - d2);
      if (d2 >= 1) continue;
      FitBasis(dim, PETSC_FALSE, dx / r, dy / r, phi, idx);
      for (PetscInt a = 0; a < nb; a++) {
        for (PetscInt b = 0; b < nb; b++) AtA[a * nb + b] += wt * phi[a] * phi[b];
        Atb[a] += wt * phi[a] * xyw[3 * j + 2];
      }
    }
  SolveSmall(nb, AtA, Atb, ok);
  if (!*ok) PetscFunctionReturn(0);
  c->xx = PetscRealPart(ref[REF_KX]) - Atb[idx[0]] / (r * r);
  c->xy = idx[1] >= 0 ? -Atb[idx[1]] / (r * r) : 0;
  c->yy = idx[2] >= 0 ? PetscRealPart(ref[REF_KY]) - Atb[idx[2]] / (r * r) : 0;
  Principal(c);
  PetscFunctionReturn(0);
}

PetscReal CurvatureAngle(const Curvature *c)
{
  PetscReal theta = 0.5 * PetscAtan2Real(2 * c->xy, c->xx - c->yy); /* direction of the algebraically larger one */
  if (c->k1 < 0.5 * (c->xx + c->yy)) theta += 0.5 * PETSC_PI;
  return theta * 180 / PETSC_PI;
}

PetscErrorCode CurlMapCompute(Model model, const CurlOptions *opt, CurlMap *curlmap)
{
  const PlateMesh   *pm  = ModelPlate(model);
  const PetscScalar *ref = ModelReference(model);
  PetscReal         *bottom, *top, r, zb, zt;
  PetscInt           nb, nt;
  PetscBool          ok = PETSC_TRUE, singular = PETSC_FALSE;
  PetscMPIInt        rank;
  CurlMap            map;

  PetscFunctionBeginUser;
  /* default patch: 3.5 times the largest in-plane element: a corner node's one-sided patch still holds a 3 x 3 node
     stencil, and no node sits on the patch's rim, where round-off would decide whether it counts */
  r = 3.5 * LargestElementSize(pm->lx / 2, pm->nx, pm->edge_ratio);
  if (ModelDim(model) == 3) r = PetscMax(r, 3.5 * LargestElementSize(pm->ly / 2, pm->ny, pm->edge_ratio));
  if (opt->map_radius > 0) r = opt->map_radius;
  PetscCall(ModelGetActiveRange(model, &zb, &zt));
  PetscCall(GatherSurface(model, zb, &nb, &bottom));
  PetscCall(GatherSurface(model, zt, &nt, &top));
  PetscCallMPI(MPI_Comm_rank(ModelComm(model), &rank));
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
      PetscCall(FitAt(model, nb, bottom, i, r, &c, &ok));
      if (!ok) {
        singular = PETSC_TRUE;
        break;
      }
      map->x[i]     = x;
      map->y[i]     = y;
      map->w[i]     = bottom[3 * i + 2] - 0.5 * (PetscRealPart(ref[REF_KX]) * x * x + PetscRealPart(ref[REF_KY]) * y * y);
      map->kxx[i]   = c.xx;
      map->kyy[i]   = c.yy;
      map->kxy[i]   = c.xy;
      map->k1[i]    = c.k1;
      map->k2[i]    = c.k2;
      map->angle[i] = CurvatureAngle(&c);
      map->R1[i]    = c.k1 != 0 ? 100 / c.k1 : (PetscReal)INFINITY;
      map->R2[i]    = c.k2 != 0 ? 100 / c.k2 : (PetscReal)INFINITY;
    }
  }
  PetscCall(PetscFree(bottom));
  PetscCall(PetscFree(top));
  /* rank 0 fitted alone: every rank learns whether a patch was singular */
  PetscCallMPI(MPI_Bcast(&singular, 1, MPIU_BOOL, 0, ModelComm(model)));
  PetscCheck(!singular, ModelComm(model), PETSC_ERR_USER_INPUT, "a curl-map patch holds too few surface nodes for its curvature fit: raise curl_map_radius_mm (%g mm now) to a few elements", (double)(r * 1e3));
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

PetscErrorCode CurlMapWarpage(Model model, CurlMap map, PetscReal *warpage)
{
  const PlateMesh *pm = ModelPlate(model);
  PetscReal        c[3] = {0, 0, 0}, lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;
  PetscMPIInt      rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(ModelComm(model), &rank));
  if (rank == 0 && map->n > 0) {
    if (pm->symmetry == PLATE_FULL) { /* the plane w = c0 + c1 x + c2 y of least squares (2D: y = 0, c2 = 0) */
      const PetscInt nb = ModelDim(model) == 3 ? 3 : 2;
      PetscReal      A[9] = {0}, b[3] = {0};
      PetscBool      ok;
      for (PetscInt i = 0; i < map->n; i++) {
        const PetscReal phi[3] = {1, map->x[i], map->y[i]};
        for (PetscInt r = 0; r < nb; r++) {
          for (PetscInt s = 0; s < nb; s++) A[r * nb + s] += phi[r] * phi[s];
          b[r] += phi[r] * map->w[i];
        }
      }
      SolveSmall(nb, A, b, &ok);
      for (PetscInt r = 0; ok && r < nb; r++) c[r] = b[r];
    }
    for (PetscInt i = 0; i < map->n; i++) {
      const PetscReal d = map->w[i] - c[0] - c[1] * map->x[i] - c[2] * map->y[i];
      lo = PetscMin(lo, d);
      hi = PetscMax(hi, d);
    }
  }
  *warpage = hi - lo;
  PetscCallMPI(MPI_Bcast(warpage, 1, MPIU_REAL, 0, ModelComm(model)));
  PetscFunctionReturn(0);
}

PetscReal CurlEdgeLift(PetscReal k, PetscReal L)
{
  const PetscReal R = k != 0 ? 1 / PetscAbsReal(k) : PETSC_MAX_REAL;

  /* past L/(2R) = pi the sample closes into a tube; its height is then the tube's diameter */
  if (k == 0) return 0;
  return R * (1 - PetscCosReal(PetscMin(L / (2 * R), PETSC_PI)));
}

PetscErrorCode CurlMapDestroy(CurlMap *map)
{
  PetscFunctionBeginUser;
  if (!*map) PetscFunctionReturn(0);
  PetscCall(PetscFree((*map)->data));
  PetscCall(PetscFree(*map));
  PetscFunctionReturn(0);
}
