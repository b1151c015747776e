#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>
#include <petscviewerhdf5.h>
#include <petscds.h>
#include "field-output.h"

/* The per-cell fields, in the order of the cell DM's fields. Stress and eigenstrain are in laminate axes (z through the
   thickness); in 2D the section's x-y plane is the laminate's x-z plane and the out-of-plane direction is y. */
enum { CF_LAYER, CF_ACTIVE, CF_KEPT, CF_TEMPERATURE, CF_SXX, CF_SYY, CF_SZZ, CF_SYZ, CF_SXZ, CF_SXY, CF_VON_MISES, CF_EXX, CF_EYY, CF_EZZ, CF_EYZ, CF_EXZ, CF_EXY, CF_NUM };
static const char *const CellFieldNames[CF_NUM] = {"layer", "active", "fraction_kept", "temperature", "stress_xx", "stress_yy", "stress_zz", "stress_yz", "stress_xz", "stress_xy", "von_mises", "eigenstrain_xx", "eigenstrain_yy", "eigenstrain_zz", "eigenstrain_yz", "eigenstrain_xz", "eigenstrain_xy"};

static const char *const CurlFieldNames[FIELD_OUTPUT_CURL_COLUMNS] = {"x", "y", "w", "kappa_xx", "kappa_yy", "kappa_xy", "k1", "k2", "k1_angle", "R1", "R2"};

typedef struct {
  char      name[64];
  PetscInt  index;
  PetscReal temperature;
  PetscBool has_curl;
} OutputState;

struct _n_FieldOutput {
  MPI_Comm    comm;
  PetscMPIInt rank;
  PetscBool   enabled, finished;
  PetscInt    kill_after; /* test hook: FCCLSIM_TEST_KILL_AFTER_STATES=N in the environment; -1: never */
  char        dir[PETSC_MAX_PATH_LEN];
  PetscViewer fields, curl;
  /* what the XDMF needs to know */
  PetscInt    dim, vertices, cells, corners;
  PetscInt    curl_n, curl_cells, curl_corners;
  PetscInt    nstates, capacity;
  OutputState *states;
};

static PetscErrorCode OutputPath(FieldOutput out, const char name[], const char suffix[], char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "%s/%s%s", out->dir, name, suffix));
  PetscFunctionReturn(0);
}

PetscErrorCode FieldOutputCreate(MPI_Comm comm, const char dir[], FieldOutput *out)
{
  FieldOutput o;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&o));
  o->comm    = comm;
  o->enabled = PETSC_TRUE;
  PetscCallMPI(MPI_Comm_rank(comm, &o->rank));
  {
    const char *kill_after = getenv("FCCLSIM_TEST_KILL_AFTER_STATES");
    o->kill_after          = kill_after && *kill_after ? atoi(kill_after) : -1;
  }
  PetscCall(PetscStrncpy(o->dir, dir, sizeof(o->dir)));
  *out = o;
  PetscFunctionReturn(0);
}

/* A clone of the model's mesh with one Lagrange field per name, of the given degree and components. */
static PetscErrorCode CreateOutputDM(Model model, PetscInt nfields, const char *const names[], PetscInt degree, PetscInt Nc, const char dm_name[], DM *dm)
{
  PetscFunctionBeginUser;
  PetscCall(DMClone(ModelDM(model), dm));
  PetscCall(PetscObjectSetName((PetscObject)*dm, dm_name));
  for (PetscInt f = 0; f < nfields; f++) {
    PetscFE fe;
    PetscCall(PetscFECreateLagrange(ModelComm(model), ModelDim(model), Nc, PETSC_FALSE, degree, PETSC_DETERMINE, &fe));
    PetscCall(PetscObjectSetName((PetscObject)fe, names[f]));
    PetscCall(DMSetField(*dm, f, NULL, (PetscObject)fe));
    PetscCall(PetscFEDestroy(&fe));
  }
  PetscCall(DMCreateDS(*dm));
  PetscFunctionReturn(0);
}

/* The model's cell averages (model.h) into the cell DM's fields, and von Mises of the averaged stress tensor */
static PetscErrorCode FillCellFields(Model model, DM dm_c, Vec cloc)
{
  PetscSection csec;
  PetscScalar *c;
  PetscReal   *avg;
  PetscInt     cStart, cEnd;

  PetscFunctionBeginUser;
  PetscCall(ModelGetCellAverages(model, &cStart, &cEnd, &avg));
  PetscCall(DMGetLocalSection(dm_c, &csec));
  PetscCall(VecGetArray(cloc, &c));
  for (PetscInt cell = cStart; cell < cEnd; cell++) {
    const PetscReal *A = &avg[(cell - cStart) * AVG_NUM];
    PetscInt         off[CF_NUM];
    for (PetscInt f = 0; f < CF_NUM; f++) PetscCall(PetscSectionGetFieldOffset(csec, cell, f, &off[f]));
    c[off[CF_LAYER]]       = A[AVG_LAYER];
    c[off[CF_ACTIVE]]      = A[AVG_ACTIVE];
    c[off[CF_KEPT]]        = A[AVG_KEPT];
    c[off[CF_TEMPERATURE]] = A[AVG_TEMPERATURE];
    for (PetscInt k = 0; k < 6; k++) {
      c[off[CF_SXX + k]] = A[AVG_SXX + k];
      c[off[CF_EXX + k]] = A[AVG_EXX + k];
    }
    c[off[CF_VON_MISES]] = PetscSqrtReal(0.5 * (PetscSqr(A[AVG_SXX] - A[AVG_SYY]) + PetscSqr(A[AVG_SYY] - A[AVG_SZZ]) + PetscSqr(A[AVG_SZZ] - A[AVG_SXX])) + 3 * (PetscSqr(A[AVG_SYZ]) + PetscSqr(A[AVG_SXZ]) + PetscSqr(A[AVG_SXY])));
  }
  PetscCall(VecRestoreArray(cloc, &c));
  PetscCall(PetscFree(avg));
  PetscFunctionReturn(0);
}

PetscErrorCode FieldOutputWriteState(FieldOutput out, Model model, PetscInt index, const char name[], PetscReal temperature_K)
{
  const char *const disp[1] = {"displacement"};
  DM                dm_v, dm_c;
  Vec               uv, cv, cloc;
  const PetscInt    step = out->nstates;

  PetscFunctionBeginUser;
  if (!out->enabled) PetscFunctionReturn(0);
  PetscCheck(!out->finished, out->comm, PETSC_ERR_ORDER, "FieldOutputWriteState after FieldOutputFinish");
  /* tests/output/check-killed-run.sh: a run killed midway, after kill_after complete states (curl maps included) */
  if (step == out->kill_after) (void)kill(getpid(), SIGKILL);
  PetscCall(CreateOutputDM(model, 1, disp, 1, 3, "plate", &dm_v));
  PetscCall(CreateOutputDM(model, CF_NUM, CellFieldNames, 0, 1, "plate_cells", &dm_c));
  PetscCall(DMCreateGlobalVector(dm_v, &uv));
  PetscCall(PetscObjectSetName((PetscObject)uv, "nodal"));
  PetscCall(ModelGetVertexDisplacement(model, dm_v, uv));
  PetscCall(DMCreateGlobalVector(dm_c, &cv));
  PetscCall(PetscObjectSetName((PetscObject)cv, "cell"));
  PetscCall(DMCreateLocalVector(dm_c, &cloc));
  PetscCall(FillCellFields(model, dm_c, cloc));
  PetscCall(DMLocalToGlobal(dm_c, cloc, INSERT_VALUES, cv));

  if (step == 0) {
    char      path[PETSC_MAX_PATH_LEN];
    PetscInt  n;
    PetscCall(OutputPath(out, "fields.h5", ".part", path, sizeof(path)));
    PetscCall(PetscViewerHDF5Open(out->comm, path, FILE_MODE_WRITE, &out->fields));
    PetscCall(PetscViewerPushFormat(out->fields, PETSC_VIEWER_HDF5_VIZ));
    PetscCall(DMView(dm_v, out->fields));
    out->dim     = ModelDim(model);
    out->corners = out->dim == 3 ? 8 : 4;
    PetscCall(VecGetSize(uv, &n));
    out->vertices = n / 3;
    PetscCall(VecGetSize(cv, &n));
    out->cells = n / CF_NUM;
  } else {
    PetscInt n;
    PetscCall(VecGetSize(uv, &n));
    PetscCheck(n / 3 == out->vertices && ModelDim(model) == out->dim, out->comm, PETSC_ERR_ARG_INCOMP, "state %s has %" PetscInt_FMT " vertices, the first state %" PetscInt_FMT ": every state must have the same mesh", name, n / 3, out->vertices);
  }
  PetscCall(DMSetOutputSequenceNumber(dm_v, step, (PetscReal)index));
  PetscCall(DMSetOutputSequenceNumber(dm_c, step, (PetscReal)index));
  PetscCall(VecView(uv, out->fields));
  PetscCall(VecView(cv, out->fields));

  if (out->nstates == out->capacity) {
    OutputState *grown;
    out->capacity = PetscMax(8, 2 * out->capacity);
    PetscCall(PetscCalloc1(out->capacity, &grown));
    if (out->nstates) PetscCall(PetscArraycpy(grown, out->states, out->nstates));
    PetscCall(PetscFree(out->states));
    out->states = grown;
  }
  PetscCall(PetscStrncpy(out->states[step].name, name, sizeof(out->states[step].name)));
  out->states[step].index       = index;
  out->states[step].temperature = temperature_K;
  out->nstates++;

  PetscCall(VecDestroy(&cloc));
  PetscCall(VecDestroy(&cv));
  PetscCall(VecDestroy(&uv));
  PetscCall(DMDestroy(&dm_c));
  PetscCall(DMDestroy(&dm_v));
  PetscFunctionReturn(0);
}

/* Mid-surface cells of the curl map: a polyline along x in 2D (the map comes sorted by x); in 3D quadrilaterals when
   the nodes form a tensor grid up to mesh round-off (the plate meshes do), otherwise single points (Polyvertex). */
static PetscErrorCode CurlMapCells(PetscInt dim, PetscInt n, const PetscReal x[], const PetscReal y[], PetscInt *ncells, PetscInt *corners, PetscInt **cells)
{
  PetscInt *perm, nx = 0, ny = 0;
  PetscBool grid = PETSC_FALSE;
  PetscReal tol  = 0;

  PetscFunctionBeginUser;
  if (dim == 2) {
    *ncells  = PetscMax(n - 1, 0);
    *corners = 2;
    PetscCall(PetscMalloc1(2 * *ncells + 1, cells));
    for (PetscInt i = 0; i < *ncells; i++) {
      (*cells)[2 * i]     = i;
      (*cells)[2 * i + 1] = i + 1;
    }
    PetscFunctionReturn(0);
  }
  /* rows of equal x (within round-off), each sorted by y */
  for (PetscInt i = 0; i < n; i++) tol = PetscMax(tol, 1e-6 * (PetscAbsReal(x[i]) + PetscAbsReal(y[i])));
  PetscCall(PetscMalloc1(n + 1, &perm));
  for (PetscInt i = 0; i < n; i++) perm[i] = i;
  PetscCall(PetscSortRealWithPermutation(n, x, perm));
  while (ny < n && x[perm[ny]] - x[perm[0]] <= tol) ny++;
  if (ny > 1 && n % ny == 0 && n / ny > 1) {
    nx   = n / ny;
    grid = PETSC_TRUE;
    for (PetscInt i = 0; i < nx; i++) PetscCall(PetscSortRealWithPermutation(ny, y, &perm[i * ny]));
    for (PetscInt i = 0; grid && i < nx; i++)
      for (PetscInt j = 0; grid && j < ny; j++) grid = (PetscBool)(PetscAbsReal(x[perm[i * ny + j]] - x[perm[i * ny]]) <= tol && PetscAbsReal(y[perm[i * ny + j]] - y[perm[j]]) <= tol && (i == 0 || x[perm[i * ny]] - x[perm[(i - 1) * ny]] > tol));
  }
  if (grid) {
    *ncells  = (nx - 1) * (ny - 1);
    *corners = 4;
    PetscCall(PetscMalloc1(4 * *ncells, cells));
    for (PetscInt i = 0, k = 0; i < nx - 1; i++)
      for (PetscInt j = 0; j < ny - 1; j++, k++) {
        (*cells)[4 * k]     = perm[i * ny + j];
        (*cells)[4 * k + 1] = perm[(i + 1) * ny + j];
        (*cells)[4 * k + 2] = perm[(i + 1) * ny + j + 1];
        (*cells)[4 * k + 3] = perm[i * ny + j + 1];
      }
  } else {
    *ncells  = n;
    *corners = 1;
    PetscCall(PetscMalloc1(n + 1, cells));
    for (PetscInt i = 0; i < n; i++) (*cells)[i] = i;
  }
  PetscCall(PetscFree(perm));
  PetscFunctionReturn(0);
}

static PetscErrorCode ViewSeqArray(PetscViewer viewer, const char name[], PetscInt n, PetscInt bs, const PetscReal values[])
{
  Vec          v;
  PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, n * bs, &v));
  PetscCall(VecSetBlockSize(v, bs));
  PetscCall(PetscObjectSetName((PetscObject)v, name));
  PetscCall(VecGetArray(v, &a));
  for (PetscInt i = 0; i < n * bs; i++) a[i] = values[i];
  PetscCall(VecRestoreArray(v, &a));
  PetscCall(VecView(v, viewer));
  PetscCall(VecDestroy(&v));
  PetscFunctionReturn(0);
}

PetscErrorCode FieldOutputWriteCurlMap(FieldOutput out, PetscInt n, const PetscReal *const columns[FIELD_OUTPUT_CURL_COLUMNS])
{
  PetscReal *buf;

  PetscFunctionBeginUser;
  if (!out->enabled || out->rank != 0) PetscFunctionReturn(0);
  PetscCheck(out->nstates > 0, PETSC_COMM_SELF, PETSC_ERR_ORDER, "FieldOutputWriteCurlMap before the state's FieldOutputWriteState");
  PetscCheck(!out->states[out->nstates - 1].has_curl, PETSC_COMM_SELF, PETSC_ERR_ORDER, "state %s already has a curl map", out->states[out->nstates - 1].name);
  PetscCall(PetscMalloc1(3 * n + 1, &buf));
  if (!out->curl) {
    char      path[PETSC_MAX_PATH_LEN];
    PetscInt *cells;
    IS        is;

    PetscCall(OutputPath(out, "curlmap.h5", ".part", path, sizeof(path)));
    PetscCall(PetscViewerHDF5Open(PETSC_COMM_SELF, path, FILE_MODE_WRITE, &out->curl));
    out->curl_n = n;
    PetscCall(CurlMapCells(out->dim, n, columns[0], columns[1], &out->curl_cells, &out->curl_corners, &cells));
    PetscCall(PetscViewerHDF5PushGroup(out->curl, "/geometry"));
    for (PetscInt i = 0; i < n; i++) {
      buf[3 * i]     = columns[0][i];
      buf[3 * i + 1] = columns[1][i];
      buf[3 * i + 2] = 0;
    }
    PetscCall(ViewSeqArray(out->curl, "vertices", n, 3, buf));
    PetscCall(PetscViewerHDF5PopGroup(out->curl));
    PetscCall(PetscViewerHDF5PushGroup(out->curl, "/topology"));
    PetscCall(ISCreateGeneral(PETSC_COMM_SELF, out->curl_cells * out->curl_corners, cells, PETSC_OWN_POINTER, &is));
    PetscCall(ISSetBlockSize(is, out->curl_corners));
    PetscCall(PetscObjectSetName((PetscObject)is, "cells"));
    PetscCall(ISView(is, out->curl));
    PetscCall(ISDestroy(&is));
    PetscCall(PetscViewerHDF5PopGroup(out->curl));
  }
  PetscCheck(n == out->curl_n, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "the curl map of state %s has %" PetscInt_FMT " nodes, the first %" PetscInt_FMT, out->states[out->nstates - 1].name, n, out->curl_n);
  PetscCall(PetscViewerHDF5PushGroup(out->curl, "/fields"));
  PetscCall(PetscViewerHDF5PushTimestepping(out->curl));
  PetscCall(PetscViewerHDF5SetTimestep(out->curl, out->nstates - 1));
  for (PetscInt k = 2; k < FIELD_OUTPUT_CURL_COLUMNS; k++) {
    /* an infinite radius (flat direction) is stored as NaN: ParaView leaves NaN out of colour ranges */
    for (PetscInt i = 0; i < n; i++) buf[i] = PetscIsInfReal(columns[k][i]) ? (PetscReal)NAN : columns[k][i];
    PetscCall(ViewSeqArray(out->curl, CurlFieldNames[k], n, 1, buf));
  }
  for (PetscInt i = 0; i < n; i++) {
    buf[3 * i]     = 0;
    buf[3 * i + 1] = 0;
    buf[3 * i + 2] = columns[2][i];
  }
  PetscCall(ViewSeqArray(out->curl, "deflection", n, 3, buf));
  PetscCall(PetscViewerHDF5PopTimestepping(out->curl));
  PetscCall(PetscViewerHDF5PopGroup(out->curl));
  PetscCall(PetscFree(buf));
  out->states[out->nstates - 1].has_curl = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* One time-series attribute: the hyperslab of step `step` from an HDF5 dataset of shape (steps, n, nc), or (steps, n)
   for a scalar (PETSc's viewer drops a block size of 1). */
static void XdmfAttribute(FILE *fp, const char h5[], const char path[], const char name[], const char center[], PetscInt steps, PetscInt step, PetscInt n, PetscInt nc)
{
  fprintf(fp, "        <Attribute Name=\"%s\" AttributeType=\"%s\" Center=\"%s\">\n", name, nc == 3 ? "Vector" : "Scalar", center);
  if (nc > 1) {
    fprintf(fp, "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"%d %d\">\n", (int)n, (int)nc);
    fprintf(fp, "            <DataItem Dimensions=\"3 3\" Format=\"XML\">%d 0 0 1 1 1 1 %d %d</DataItem>\n", (int)step, (int)n, (int)nc);
    fprintf(fp, "            <DataItem Dimensions=\"%d %d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)steps, (int)n, (int)nc, h5, path);
  } else {
    fprintf(fp, "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"%d\">\n", (int)n);
    fprintf(fp, "            <DataItem Dimensions=\"3 2\" Format=\"XML\">%d 0 1 1 1 %d</DataItem>\n", (int)step, (int)n);
    fprintf(fp, "            <DataItem Dimensions=\"%d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)steps, (int)n, h5, path);
  }
  fprintf(fp, "          </DataItem>\n        </Attribute>\n");
}

static void XdmfHeader(FILE *fp, const char h5[], const char cells[], const char vertices[], PetscInt ncells, PetscInt corners, PetscInt nvertices, PetscInt gdim)
{
  fprintf(fp, "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n  <Domain>\n");
  fprintf(fp, "    <DataItem Name=\"cells\" Dimensions=\"%d %d\" NumberType=\"Int\" Format=\"HDF\">%s:%s</DataItem>\n", (int)ncells, (int)corners, h5, cells);
  fprintf(fp, "    <DataItem Name=\"vertices\" Dimensions=\"%d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)nvertices, (int)gdim, h5, vertices);
  fprintf(fp, "    <Grid Name=\"process\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
}

static void XdmfGridHeader(FILE *fp, const OutputState *s, const char topology[], PetscInt ncells, PetscInt corners, const char geometry[])
{
  fprintf(fp, "      <Grid Name=\"%s\" GridType=\"Uniform\">\n", s->name);
  fprintf(fp, "        <Time Value=\"%d\"/>\n", (int)s->index);
  fprintf(fp, "        <Information Name=\"temperature_K\" Value=\"%.6g\"/>\n", (double)s->temperature);
  fprintf(fp, "        <Topology TopologyType=\"%s\" NumberOfElements=\"%d\"", topology, (int)ncells);
  if (!strcmp(topology, "Polyline") || !strcmp(topology, "Polyvertex")) fprintf(fp, " NodesPerElement=\"%d\"", (int)corners);
  fprintf(fp, ">\n          <DataItem Reference=\"XML\">/Xdmf/Domain/DataItem[@Name=\"cells\"]</DataItem>\n        </Topology>\n");
  fprintf(fp, "        <Geometry GeometryType=\"%s\">\n          <DataItem Reference=\"XML\">/Xdmf/Domain/DataItem[@Name=\"vertices\"]</DataItem>\n        </Geometry>\n", geometry);
}

static const char *XdmfFooter = "    </Grid>\n  </Domain>\n</Xdmf>\n";

static PetscErrorCode WriteFieldsXdmf(FieldOutput out, const char path[])
{
  FILE *fp = fopen(path, "w");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "-output %s: cannot write %s", out->dir, path);
  XdmfHeader(fp, "fields.h5", "/viz/topology/cells", "/geometry/vertices", out->cells, out->corners, out->vertices, out->dim);
  for (PetscInt s = 0; s < out->nstates; s++) {
    XdmfGridHeader(fp, &out->states[s], out->dim == 3 ? "Hexahedron" : "Quadrilateral", out->cells, out->corners, out->dim == 3 ? "XYZ" : "XY");
    XdmfAttribute(fp, "fields.h5", "/vertex_fields/nodal_displacement", "displacement", "Node", out->nstates, s, out->vertices, 3);
    for (PetscInt f = 0; f < CF_NUM; f++) {
      char dataset[PETSC_MAX_PATH_LEN];
      PetscCall(PetscSNPrintf(dataset, sizeof(dataset), "/cell_fields/cell_%s", CellFieldNames[f]));
      XdmfAttribute(fp, "fields.h5", dataset, CellFieldNames[f], "Cell", out->nstates, s, out->cells, 1);
    }
    fprintf(fp, "      </Grid>\n");
  }
  fputs(XdmfFooter, fp);
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot complete %s", path);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteCurlXdmf(FieldOutput out, const char path[])
{
  const char *topology = out->curl_corners == 2 ? "Polyline" : out->curl_corners == 4 ? "Quadrilateral" : "Polyvertex";
  FILE       *fp       = fopen(path, "w");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "-output %s: cannot write %s", out->dir, path);
  XdmfHeader(fp, "curlmap.h5", "/topology/cells", "/geometry/vertices", out->curl_cells, out->curl_corners, out->curl_n, 3);
  for (PetscInt s = 0; s < out->nstates; s++) {
    XdmfGridHeader(fp, &out->states[s], topology, out->curl_cells, out->curl_corners, "XYZ");
    XdmfAttribute(fp, "curlmap.h5", "/fields/deflection", "deflection", "Node", out->nstates, s, out->curl_n, 3);
    for (PetscInt k = 2; k < FIELD_OUTPUT_CURL_COLUMNS; k++) {
      char dataset[PETSC_MAX_PATH_LEN];
      PetscCall(PetscSNPrintf(dataset, sizeof(dataset), "/fields/%s", CurlFieldNames[k]));
      XdmfAttribute(fp, "curlmap.h5", dataset, CurlFieldNames[k], "Node", out->nstates, s, out->curl_n, 1);
    }
    fprintf(fp, "      </Grid>\n");
  }
  fputs(XdmfFooter, fp);
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot complete %s", path);
  PetscFunctionReturn(0);
}

/* NAME.part -> NAME */
static PetscErrorCode MoveIntoPlace(FieldOutput out, const char name[])
{
  char part[PETSC_MAX_PATH_LEN], final[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(OutputPath(out, name, ".part", part, sizeof(part)));
  PetscCall(OutputPath(out, name, "", final, sizeof(final)));
  PetscCheck(!rename(part, final), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", part, final);
  PetscFunctionReturn(0);
}

PetscErrorCode FieldOutputFinish(FieldOutput out)
{
  PetscBool has_curl = PETSC_TRUE;

  PetscFunctionBeginUser;
  if (!out->enabled || out->finished) PetscFunctionReturn(0);
  out->finished = PETSC_TRUE;
  if (!out->nstates) PetscFunctionReturn(0);
  PetscCall(PetscViewerPopFormat(out->fields));
  PetscCall(PetscViewerDestroy(&out->fields));
  PetscCall(PetscViewerDestroy(&out->curl));
  for (PetscInt s = 0; s < out->nstates; s++) has_curl = (PetscBool)(has_curl && out->states[s].has_curl);
  if (out->rank == 0) {
    char path[PETSC_MAX_PATH_LEN];

    PetscCall(MoveIntoPlace(out, "fields.h5"));
    PetscCall(OutputPath(out, "fields.xmf", ".part", path, sizeof(path)));
    PetscCall(WriteFieldsXdmf(out, path));
    PetscCall(MoveIntoPlace(out, "fields.xmf"));
    if (out->curl_n > 0 || has_curl) {
      PetscCall(MoveIntoPlace(out, "curlmap.h5"));
      /* a curl map that some state lacks would misalign the time series: keep the data, give it no index */
      if (has_curl) {
        PetscCall(OutputPath(out, "curlmap.xmf", ".part", path, sizeof(path)));
        PetscCall(WriteCurlXdmf(out, path));
        PetscCall(MoveIntoPlace(out, "curlmap.xmf"));
      }
    }
  }
  PetscCallMPI(MPI_Barrier(out->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode FieldOutputDestroy(FieldOutput *out)
{
  PetscFunctionBeginUser;
  if (!*out) PetscFunctionReturn(0);
  PetscCall(PetscViewerDestroy(&(*out)->fields));
  PetscCall(PetscViewerDestroy(&(*out)->curl));
  PetscCall(PetscFree((*out)->states));
  PetscCall(PetscFree(*out));
  PetscFunctionReturn(0);
}
