#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>
#include <petscviewerhdf5.h>
#include <petscds.h>
#include "field-output.h"
#include "output-directory.h"

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
  PetscInt  curl_n, curl_cells, curl_corners; /* the state's curl map, as written in curlmap-NAME.h5 */
} OutputState;

struct _n_FieldOutput {
  MPI_Comm    comm;
  PetscMPIInt rank, size;
  PetscBool   enabled, finished;
  PetscInt    kill_after; /* test hook: FCCLSIM_TEST_KILL_AFTER_STATES=N in the environment; -1: never */
  char        dir[PETSC_MAX_PATH_LEN];
  /* what the XDMF needs to know */
  PetscInt    dim, vertices, cells, corners;
  PetscInt    nstates, capacity;
  OutputState *states;
};

/* fields-mesh.h5 is the mesh's file, so no state may be called "mesh" */
#define MESH_FILE "fields-mesh.h5"
/* the number of ranks that wrote the mesh, an attribute of its /geometry: the rows of every state's file are in the
   order of that run's distribution */
#define RANKS_ATTRIBUTE "ranks"

static PetscErrorCode OutputPath(FieldOutput out, const char name[], const char suffix[], char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "%s/%s%s", out->dir, name, suffix));
  PetscFunctionReturn(0);
}

/* KIND-STATE.h5: fields-cure.h5, curlmap-cure.h5 */
static PetscErrorCode StateFile(const char kind[], const char state[], char file[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(file, len, "%s-%s.h5", kind, state));
  PetscFunctionReturn(0);
}

/* NAME.part -> NAME */
static int MoveIntoPlace(FieldOutput out, const char name[])
{
  char part[PETSC_MAX_PATH_LEN], final[PETSC_MAX_PATH_LEN];

  if (snprintf(part, sizeof(part), "%s/%s.part", out->dir, name) >= (int)sizeof(part) || snprintf(final, sizeof(final), "%s/%s", out->dir, name) >= (int)sizeof(final)) return ENAMETOOLONG;
  return rename(part, final) ? errno : 0;
}

/* Collective on comm: closes the viewer of NAME.part; once every rank has closed it, rank 0 renames it to NAME */
static PetscErrorCode CloseIntoPlace(FieldOutput out, MPI_Comm comm, const char name[], PetscViewer *viewer)
{
  char        path[PETSC_MAX_PATH_LEN];
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerDestroy(viewer));
  PetscCallMPI(MPI_Barrier(comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) err = MoveIntoPlace(out, name);
  PetscCall(OutputPath(out, name, "", path, sizeof(path)));
  PetscCall(OutputDirectoryCheck(comm, err, path));
  PetscFunctionReturn(0);
}

static PetscErrorCode OpenPart(FieldOutput out, MPI_Comm comm, const char name[], PetscViewer *viewer)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(OutputPath(out, name, ".part", path, sizeof(path)));
  PetscCall(PetscViewerHDF5Open(comm, path, FILE_MODE_WRITE, viewer));
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
  PetscCallMPI(MPI_Comm_size(comm, &o->size));
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

/* The vertex DM (displacement) and the cell DM (CellFieldNames) of the output, with a global vector each */
static const char *const DisplacementName[1] = {"displacement"};
static PetscErrorCode CreateOutputVectors(Model model, DM *dm_v, DM *dm_c, Vec *uv, Vec *cv)
{
  PetscFunctionBeginUser;
  PetscCall(CreateOutputDM(model, 1, DisplacementName, 1, 3, "plate", dm_v));
  PetscCall(CreateOutputDM(model, CF_NUM, CellFieldNames, 0, 1, "plate_cells", dm_c));
  PetscCall(DMCreateGlobalVector(*dm_v, uv));
  PetscCall(PetscObjectSetName((PetscObject)*uv, "nodal"));
  PetscCall(DMCreateGlobalVector(*dm_c, cv));
  PetscCall(PetscObjectSetName((PetscObject)*cv, "cell"));
  PetscFunctionReturn(0);
}

/* Collective. The next state, of a mesh of `vertices` and `cells` (the first state's, for every state) */
static PetscErrorCode AddState(FieldOutput out, Model model, PetscInt index, const char name[], PetscReal temperature_K, PetscInt vertices, PetscInt cells)
{
  OutputState *s;

  PetscFunctionBeginUser;
  if (out->nstates == 0) {
    out->dim      = ModelDim(model);
    out->corners  = out->dim == 3 ? 8 : 4;
    out->vertices = vertices;
    out->cells    = cells;
  } else {
    PetscCheck(vertices == out->vertices && cells == out->cells && ModelDim(model) == out->dim, out->comm, PETSC_ERR_ARG_INCOMP, "state %s has %" PetscInt_FMT " vertices, the first state %" PetscInt_FMT ": every state must have the same mesh", name, vertices, out->vertices);
  }
  if (out->nstates == out->capacity) {
    OutputState *grown;
    out->capacity = PetscMax(8, 2 * out->capacity);
    PetscCall(PetscCalloc1(out->capacity, &grown));
    if (out->nstates) PetscCall(PetscArraycpy(grown, out->states, out->nstates));
    PetscCall(PetscFree(out->states));
    out->states = grown;
  }
  s = &out->states[out->nstates];
  PetscCall(PetscStrncpy(s->name, name, sizeof(s->name)));
  s->index       = index;
  s->temperature = temperature_K;
  out->nstates++;
  PetscFunctionReturn(0);
}

/* A state's name becomes its files' names */
static PetscErrorCode CheckStateName(FieldOutput out, const char name[])
{
  size_t    len;
  PetscBool mesh;

  PetscFunctionBeginUser;
  PetscCall(PetscStrlen(name, &len));
  PetscCheck(len > 0 && len < sizeof(out->states[0].name), out->comm, PETSC_ERR_ARG_OUTOFRANGE, "state '%s': field output needs a name of 1 to %d characters", name, (int)sizeof(out->states[0].name) - 1);
  PetscCall(PetscStrcmp(name, "mesh", &mesh));
  PetscCheck(!mesh, out->comm, PETSC_ERR_USER_INPUT, "a state named 'mesh' would write its fields over %s/" MESH_FILE ": rename the step, or set output_fields false", out->dir);
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
  char        file[PETSC_MAX_PATH_LEN];
  DM          dm_v, dm_c;
  Vec         uv, cv, cloc;
  PetscInt    nv, nc;
  PetscViewer viewer;

  PetscFunctionBeginUser;
  if (!out->enabled) PetscFunctionReturn(0);
  PetscCheck(!out->finished, out->comm, PETSC_ERR_ORDER, "FieldOutputWriteState after FieldOutputFinish");
  /* tests/output/check-killed-run.sh: a run killed midway, after kill_after complete states (curl maps included) */
  if (out->nstates == out->kill_after) (void)kill(getpid(), SIGKILL);
  PetscCall(CheckStateName(out, name));
  PetscCall(CreateOutputVectors(model, &dm_v, &dm_c, &uv, &cv));
  PetscCall(ModelGetVertexDisplacement(model, dm_v, uv));
  PetscCall(DMCreateLocalVector(dm_c, &cloc));
  PetscCall(FillCellFields(model, dm_c, cloc));
  PetscCall(DMLocalToGlobal(dm_c, cloc, INSERT_VALUES, cv));
  PetscCall(VecGetSize(uv, &nv));
  PetscCall(VecGetSize(cv, &nc));

  /* the mesh with the first state; a restarted run's kept states come with the earlier run's */
  if (out->nstates == 0) {
    PetscInt ranks = out->size;

    PetscCall(OpenPart(out, out->comm, MESH_FILE, &viewer));
    PetscCall(PetscViewerPushFormat(viewer, PETSC_VIEWER_HDF5_VIZ));
    PetscCall(DMView(dm_v, viewer));
    PetscCall(PetscViewerHDF5WriteAttribute(viewer, "/geometry", RANKS_ATTRIBUTE, PETSC_INT, &ranks));
    PetscCall(PetscViewerPopFormat(viewer));
    PetscCall(CloseIntoPlace(out, out->comm, MESH_FILE, &viewer));
  }
  PetscCall(AddState(out, model, index, name, temperature_K, nv / 3, nc / CF_NUM));
  /* no output sequence number: one state, no time series */
  PetscCall(StateFile("fields", name, file, sizeof(file)));
  PetscCall(OpenPart(out, out->comm, file, &viewer));
  PetscCall(PetscViewerPushFormat(viewer, PETSC_VIEWER_HDF5_VIZ));
  PetscCall(VecView(uv, viewer));
  PetscCall(VecView(cv, viewer));
  PetscCall(PetscViewerPopFormat(viewer));
  PetscCall(CloseIntoPlace(out, out->comm, file, &viewer));

  PetscCall(VecDestroy(&cloc));
  PetscCall(VecDestroy(&cv));
  PetscCall(VecDestroy(&uv));
  PetscCall(DMDestroy(&dm_c));
  PetscCall(DMDestroy(&dm_v));
  PetscFunctionReturn(0);
}

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
  char         file[PETSC_MAX_PATH_LEN];
  PetscReal   *buf;
  PetscInt    *cells;
  IS           is;
  PetscViewer  viewer;
  OutputState *s;

  PetscFunctionBeginUser;
  if (!out->enabled || out->rank != 0) PetscFunctionReturn(0);
  PetscCheck(out->nstates > 0, PETSC_COMM_SELF, PETSC_ERR_ORDER, "FieldOutputWriteCurlMap before the state's FieldOutputWriteState");
  s = &out->states[out->nstates - 1];
  PetscCheck(!s->has_curl, PETSC_COMM_SELF, PETSC_ERR_ORDER, "state %s already has a curl map", s->name);
  PetscCall(StateFile("curlmap", s->name, file, sizeof(file)));
  PetscCall(OpenPart(out, PETSC_COMM_SELF, file, &viewer));
  PetscCall(PetscMalloc1(3 * n + 1, &buf));
  s->curl_n = n;
  PetscCall(CurlMapCells(out->dim, n, columns[0], columns[1], &s->curl_cells, &s->curl_corners, &cells));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/geometry"));
  for (PetscInt i = 0; i < n; i++) {
    buf[3 * i]     = columns[0][i];
    buf[3 * i + 1] = columns[1][i];
    buf[3 * i + 2] = 0;
  }
  PetscCall(ViewSeqArray(viewer, "vertices", n, 3, buf));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/topology"));
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, s->curl_cells * s->curl_corners, cells, PETSC_OWN_POINTER, &is));
  PetscCall(ISSetBlockSize(is, s->curl_corners));
  PetscCall(PetscObjectSetName((PetscObject)is, "cells"));
  PetscCall(ISView(is, viewer));
  PetscCall(ISDestroy(&is));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/fields"));
  for (PetscInt k = 2; k < FIELD_OUTPUT_CURL_COLUMNS; k++) {
    /* an infinite radius (flat direction) is stored as NaN: ParaView leaves NaN out of colour ranges */
    for (PetscInt i = 0; i < n; i++) buf[i] = PetscIsInfReal(columns[k][i]) ? (PetscReal)NAN : columns[k][i];
    PetscCall(ViewSeqArray(viewer, CurlFieldNames[k], n, 1, buf));
  }
  for (PetscInt i = 0; i < n; i++) {
    buf[3 * i]     = 0;
    buf[3 * i + 1] = 0;
    buf[3 * i + 2] = columns[2][i];
  }
  PetscCall(ViewSeqArray(viewer, "deflection", n, 3, buf));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(PetscFree(buf));
  PetscCall(CloseIntoPlace(out, PETSC_COMM_SELF, file, &viewer));
  s->has_curl = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* What FieldOutputKeepState found of a kept state's files, rank 0's finding for every rank */
enum { KEPT_OK, KEPT_MISSING, KEPT_UNREADABLE, KEPT_OTHER_MESH, KEPT_OTHER_RANKS };
enum { KEPT_STATUS, KEPT_FILE, KEPT_FOUND, KEPT_CURL_N, KEPT_CURL_CELLS, KEPT_CURL_CORNERS, KEPT_NUM };

/* The dimensions of dataset `name` of an open HDF5 file: -1 when there is none, or it has more than two */
static int DatasetDims(hid_t h5, const char name[], hsize_t dims[2])
{
  int ndims = -1;

  dims[0] = dims[1] = 1;
  H5E_BEGIN_TRY
  {
    hid_t d = H5Dopen2(h5, name, H5P_DEFAULT);
    if (d >= 0) {
      hid_t space = H5Dget_space(d);
      if (space >= 0) {
        ndims = H5Sget_simple_extent_ndims(space);
        if (ndims < 0 || ndims > 2 || H5Sget_simple_extent_dims(space, dims, NULL) < 0) ndims = -1;
        H5Sclose(space);
      }
      H5Dclose(d);
    }
  }
  H5E_END_TRY;
  return ndims;
}

/* The file of a kept state: which = 0 the mesh, 1 its fields, 2 its curl map */
static int KeptFileName(int which, const char state[], char file[], size_t len)
{
  int n = which == 0 ? snprintf(file, len, "%s", MESH_FILE) : snprintf(file, len, "%s-%s.h5", which == 1 ? "fields" : "curlmap", state);
  return n < 0 || (size_t)n >= len ? ENAMETOOLONG : 0;
}

/* Rank 0: the kept state's file `which` is there, complete and of this mesh; info[KEPT_STATUS] says what is wrong,
   info[KEPT_FOUND] the count found. The curl map's counts into info. */
static void CheckKeptFile(FieldOutput out, int which, const char state[], PetscInt info[KEPT_NUM])
{
  char    file[PETSC_MAX_PATH_LEN], path[2 * PETSC_MAX_PATH_LEN], name[64];
  hid_t   h5 = -1;
  hsize_t dims[2];

  info[KEPT_FILE] = which;
  if (KeptFileName(which, state, file, sizeof(file)) || snprintf(path, sizeof(path), "%s/%s", out->dir, file) >= (int)sizeof(path) || access(path, F_OK)) {
    info[KEPT_STATUS] = KEPT_MISSING;
    return;
  }
  H5E_BEGIN_TRY { h5 = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  info[KEPT_STATUS] = h5 < 0 ? KEPT_UNREADABLE : KEPT_OK;
  if (which == 0 && h5 >= 0) {
    hsize_t cells[2];
    if (DatasetDims(h5, "/geometry/vertices", dims) != 2 || DatasetDims(h5, "/viz/topology/cells", cells) != 2) info[KEPT_STATUS] = KEPT_UNREADABLE;
    else if ((PetscInt)dims[0] != out->vertices || (PetscInt)cells[0] != out->cells) {
      info[KEPT_STATUS] = KEPT_OTHER_MESH;
      info[KEPT_FOUND]  = (PetscInt)((PetscInt)dims[0] != out->vertices ? dims[0] : cells[0]);
    } else {
      long long ranks = out->size;
      H5E_BEGIN_TRY
      {
        hid_t a = H5Aopen_by_name(h5, "/geometry", RANKS_ATTRIBUTE, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) {
          if (H5Aread(a, H5T_NATIVE_LLONG, &ranks) < 0) ranks = out->size;
          H5Aclose(a);
        }
      }
      H5E_END_TRY;
      if (ranks != out->size) {
        info[KEPT_STATUS] = KEPT_OTHER_RANKS;
        info[KEPT_FOUND]  = (PetscInt)ranks;
      }
    }
  } else if (which == 1 && h5 >= 0) {
    if (DatasetDims(h5, "/vertex_fields/nodal_displacement", dims) != 2 || dims[1] != 3) info[KEPT_STATUS] = KEPT_UNREADABLE;
    else if ((PetscInt)dims[0] != out->vertices) {
      info[KEPT_STATUS] = KEPT_OTHER_MESH;
      info[KEPT_FOUND]  = (PetscInt)dims[0];
    }
    for (PetscInt f = 0; f < CF_NUM && info[KEPT_STATUS] == KEPT_OK; f++) {
      snprintf(name, sizeof(name), "/cell_fields/cell_%s", CellFieldNames[f]);
      if (DatasetDims(h5, name, dims) != 1) info[KEPT_STATUS] = KEPT_UNREADABLE;
      else if ((PetscInt)dims[0] != out->cells) {
        info[KEPT_STATUS] = KEPT_OTHER_MESH;
        info[KEPT_FOUND]  = (PetscInt)dims[0];
      }
    }
  } else if (which == 2 && h5 >= 0) {
    int cells_dims;
    if (DatasetDims(h5, "/geometry/vertices", dims) != 2) info[KEPT_STATUS] = KEPT_UNREADABLE;
    info[KEPT_CURL_N] = (PetscInt)dims[0];
    /* a block size of 1 (Polyvertex) is dropped: cells of one corner are a 1-D dataset */
    cells_dims              = DatasetDims(h5, "/topology/cells", dims);
    info[KEPT_CURL_CELLS]   = (PetscInt)dims[0];
    info[KEPT_CURL_CORNERS] = cells_dims == 2 ? (PetscInt)dims[1] : 1;
    if (cells_dims < 1 || DatasetDims(h5, "/fields/deflection", dims) != 2) info[KEPT_STATUS] = KEPT_UNREADABLE;
    for (PetscInt k = 2; k < FIELD_OUTPUT_CURL_COLUMNS && info[KEPT_STATUS] == KEPT_OK; k++) {
      snprintf(name, sizeof(name), "/fields/%s", CurlFieldNames[k]);
      if (DatasetDims(h5, name, dims) != 1 || (PetscInt)dims[0] != info[KEPT_CURL_N]) info[KEPT_STATUS] = KEPT_UNREADABLE;
    }
  }
  if (h5 >= 0) H5Fclose(h5);
}

PetscErrorCode FieldOutputKeepState(FieldOutput out, Model model, PetscInt index, const char name[], PetscReal temperature_K, PetscBool has_curl)
{
  DM          dm_v, dm_c;
  Vec         uv, cv;
  PetscInt    nv, nc, info[KEPT_NUM] = {KEPT_OK, 0, 0, 0, 0, 0};
  char        file[PETSC_MAX_PATH_LEN];
  OutputState *s;

  PetscFunctionBeginUser;
  if (!out->enabled) PetscFunctionReturn(0);
  PetscCheck(!out->finished, out->comm, PETSC_ERR_ORDER, "FieldOutputKeepState after FieldOutputFinish");
  PetscCall(CheckStateName(out, name));
  /* the counts of the mesh as this run distributes it: the kept files must have them */
  PetscCall(CreateOutputVectors(model, &dm_v, &dm_c, &uv, &cv));
  PetscCall(VecGetSize(uv, &nv));
  PetscCall(VecGetSize(cv, &nc));
  PetscCall(VecDestroy(&cv));
  PetscCall(VecDestroy(&uv));
  PetscCall(DMDestroy(&dm_c));
  PetscCall(DMDestroy(&dm_v));
  PetscCall(AddState(out, model, index, name, temperature_K, nv / 3, nc / CF_NUM));
  if (out->rank == 0) {
    if (out->nstates == 1) CheckKeptFile(out, 0, name, info);
    if (info[KEPT_STATUS] == KEPT_OK) CheckKeptFile(out, 1, name, info);
    if (info[KEPT_STATUS] == KEPT_OK && has_curl) CheckKeptFile(out, 2, name, info);
  }
  PetscCallMPI(MPI_Bcast(info, KEPT_NUM, MPIU_INT, 0, out->comm));
  (void)KeptFileName((int)info[KEPT_FILE], name, file, sizeof(file));
  PetscCheck(info[KEPT_STATUS] != KEPT_MISSING, out->comm, PETSC_ERR_FILE_OPEN, "-output %s: state %s is kept from an earlier run, but %s is not there", out->dir, name, file);
  PetscCheck(info[KEPT_STATUS] != KEPT_UNREADABLE, out->comm, PETSC_ERR_FILE_READ, "-output %s: state %s is kept from an earlier run, but %s is not a complete fcclsim field file", out->dir, name, file);
  PetscCheck(info[KEPT_STATUS] != KEPT_OTHER_MESH, out->comm, PETSC_ERR_ARG_INCOMP, "-output %s: state %s is kept from an earlier run, but %s has %" PetscInt_FMT " rows where this run's mesh has %" PetscInt_FMT " vertices and %" PetscInt_FMT " cells: every state must have the same mesh", out->dir, name, file, info[KEPT_FOUND], out->vertices, out->cells);
  PetscCheck(info[KEPT_STATUS] != KEPT_OTHER_RANKS, out->comm, PETSC_ERR_ARG_INCOMP, "-output %s: the kept states were written by a run of %" PetscInt_FMT " rank(s), this run has %d: their rows are in the order of that run's distribution, so a restart needs as many", out->dir, info[KEPT_FOUND], (int)out->size);
  s               = &out->states[out->nstates - 1];
  s->has_curl     = has_curl;
  s->curl_n       = info[KEPT_CURL_N];
  s->curl_cells   = info[KEPT_CURL_CELLS];
  s->curl_corners = info[KEPT_CURL_CORNERS];
  PetscFunctionReturn(0);
}

/* One attribute of a state: HDF5 dataset `path` of shape (n, nc), or (n) for a scalar (PETSc's viewer drops a block
   size of 1) */
static void XdmfAttribute(FILE *fp, const char h5[], const char path[], const char name[], const char center[], PetscInt n, PetscInt nc)
{
  fprintf(fp, "        <Attribute Name=\"%s\" AttributeType=\"%s\" Center=\"%s\">\n", name, nc == 3 ? "Vector" : "Scalar", center);
  if (nc > 1) fprintf(fp, "          <DataItem Dimensions=\"%d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)n, (int)nc, h5, path);
  else fprintf(fp, "          <DataItem Dimensions=\"%d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)n, h5, path);
  fprintf(fp, "        </Attribute>\n");
}

static void XdmfHeader(FILE *fp)
{
  fprintf(fp, "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n  <Domain>\n");
}

/* The mesh every state's grid refers to (by name) */
static void XdmfMesh(FILE *fp, const char h5[], const char cells[], const char vertices[], PetscInt ncells, PetscInt corners, PetscInt nvertices, PetscInt gdim)
{
  fprintf(fp, "    <DataItem Name=\"cells\" Dimensions=\"%d %d\" NumberType=\"Int\" Format=\"HDF\">%s:%s</DataItem>\n", (int)ncells, (int)corners, h5, cells);
  fprintf(fp, "    <DataItem Name=\"vertices\" Dimensions=\"%d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:%s</DataItem>\n", (int)nvertices, (int)gdim, h5, vertices);
}

static void XdmfCollection(FILE *fp)
{
  fprintf(fp, "    <Grid Name=\"process\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
}

/* A state's grid up to its attributes: topology and geometry from the domain's named DataItems, or (h5 given) from
   that state's own file */
static void XdmfGridHeader(FILE *fp, const OutputState *s, const char topology[], PetscInt ncells, PetscInt corners, const char geometry[], const char h5[], PetscInt nvertices)
{
  fprintf(fp, "      <Grid Name=\"%s\" GridType=\"Uniform\">\n", s->name);
  fprintf(fp, "        <Time Value=\"%d\"/>\n", (int)s->index);
  fprintf(fp, "        <Information Name=\"temperature_K\" Value=\"%.6g\"/>\n", (double)s->temperature);
  fprintf(fp, "        <Topology TopologyType=\"%s\" NumberOfElements=\"%d\"", topology, (int)ncells);
  if (!strcmp(topology, "Polyline") || !strcmp(topology, "Polyvertex")) fprintf(fp, " NodesPerElement=\"%d\"", (int)corners);
  if (h5) {
    fprintf(fp, ">\n");
    fprintf(fp, "          <DataItem Dimensions=\"%d %d\" NumberType=\"Int\" Format=\"HDF\">%s:/topology/cells</DataItem>\n        </Topology>\n", (int)ncells, (int)corners, h5);
    fprintf(fp, "        <Geometry GeometryType=\"%s\">\n          <DataItem Dimensions=\"%d 3\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:/geometry/vertices</DataItem>\n        </Geometry>\n", geometry, (int)nvertices, h5);
    return;
  }
  fprintf(fp, ">\n          <DataItem Reference=\"XML\">/Xdmf/Domain/DataItem[@Name=\"cells\"]</DataItem>\n        </Topology>\n");
  fprintf(fp, "        <Geometry GeometryType=\"%s\">\n          <DataItem Reference=\"XML\">/Xdmf/Domain/DataItem[@Name=\"vertices\"]</DataItem>\n        </Geometry>\n", geometry);
}

static const char *XdmfFooter = "    </Grid>\n  </Domain>\n</Xdmf>\n";

static PetscErrorCode WriteFieldsXdmf(FieldOutput out, const char path[])
{
  FILE *fp = fopen(path, "w");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "-output %s: cannot write %s", out->dir, path);
  XdmfHeader(fp);
  XdmfMesh(fp, MESH_FILE, "/viz/topology/cells", "/geometry/vertices", out->cells, out->corners, out->vertices, out->dim);
  XdmfCollection(fp);
  for (PetscInt s = 0; s < out->nstates; s++) {
    char h5[PETSC_MAX_PATH_LEN];
    PetscCall(StateFile("fields", out->states[s].name, h5, sizeof(h5)));
    XdmfGridHeader(fp, &out->states[s], out->dim == 3 ? "Hexahedron" : "Quadrilateral", out->cells, out->corners, out->dim == 3 ? "XYZ" : "XY", NULL, 0);
    XdmfAttribute(fp, h5, "/vertex_fields/nodal_displacement", "displacement", "Node", out->vertices, 3);
    for (PetscInt f = 0; f < CF_NUM; f++) {
      char dataset[PETSC_MAX_PATH_LEN];
      PetscCall(PetscSNPrintf(dataset, sizeof(dataset), "/cell_fields/cell_%s", CellFieldNames[f]));
      XdmfAttribute(fp, h5, dataset, CellFieldNames[f], "Cell", out->cells, 1);
    }
    fprintf(fp, "      </Grid>\n");
  }
  fputs(XdmfFooter, fp);
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot complete %s", path);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteCurlXdmf(FieldOutput out, const char path[])
{
  FILE *fp = fopen(path, "w");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "-output %s: cannot write %s", out->dir, path);
  XdmfHeader(fp);
  XdmfCollection(fp);
  for (PetscInt i = 0; i < out->nstates; i++) {
    const OutputState *s        = &out->states[i];
    const char        *topology = s->curl_corners == 2 ? "Polyline" : s->curl_corners == 4 ? "Quadrilateral" : "Polyvertex";
    char               h5[PETSC_MAX_PATH_LEN];

    PetscCall(StateFile("curlmap", s->name, h5, sizeof(h5)));
    XdmfGridHeader(fp, s, topology, s->curl_cells, s->curl_corners, "XYZ", h5, s->curl_n);
    XdmfAttribute(fp, h5, "/fields/deflection", "deflection", "Node", s->curl_n, 3);
    for (PetscInt k = 2; k < FIELD_OUTPUT_CURL_COLUMNS; k++) {
      char dataset[PETSC_MAX_PATH_LEN];
      PetscCall(PetscSNPrintf(dataset, sizeof(dataset), "/fields/%s", CurlFieldNames[k]));
      XdmfAttribute(fp, h5, dataset, CurlFieldNames[k], "Node", s->curl_n, 1);
    }
    fprintf(fp, "      </Grid>\n");
  }
  fputs(XdmfFooter, fp);
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot complete %s", path);
  PetscFunctionReturn(0);
}

PetscErrorCode FieldOutputFinish(FieldOutput out)
{
  PetscBool has_curl = PETSC_TRUE;
  char      path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (!out->enabled || out->finished) PetscFunctionReturn(0);
  out->finished = PETSC_TRUE;
  if (!out->nstates) PetscFunctionReturn(0);
  for (PetscInt s = 0; s < out->nstates; s++) has_curl = (PetscBool)(has_curl && out->states[s].has_curl);
  if (out->rank == 0) {
    PetscCall(OutputPath(out, "fields.xmf", ".part", path, sizeof(path)));
    PetscCall(WriteFieldsXdmf(out, path));
    PetscCheck(!MoveIntoPlace(out, "fields.xmf"), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s into place", path);
    /* a state without a curl map would leave a gap in the time series: its states' files stay, with no index */
    if (has_curl) {
      PetscCall(OutputPath(out, "curlmap.xmf", ".part", path, sizeof(path)));
      PetscCall(WriteCurlXdmf(out, path));
      PetscCheck(!MoveIntoPlace(out, "curlmap.xmf"), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s into place", path);
    }
  }
  PetscCallMPI(MPI_Barrier(out->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode FieldOutputDestroy(FieldOutput *out)
{
  PetscFunctionBeginUser;
  if (!*out) PetscFunctionReturn(0);
  PetscCall(PetscFree((*out)->states));
  PetscCall(PetscFree(*out));
  PetscFunctionReturn(0);
}
