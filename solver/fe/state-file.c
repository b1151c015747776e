#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include <petscvec.h>
#include "state-file.h"

/* splitmix64's finaliser: every input bit reaches every output bit */
static uint64_t Mix(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The partial checksum of n entries whose first has global index first */
static uint64_t PartialChecksum(PetscInt first, PetscInt n, const double a[])
{
  uint64_t sum = 0;

  for (PetscInt i = 0; i < n; i++) {
    uint64_t bits;
    memcpy(&bits, &a[i], sizeof(bits));
    sum += Mix(bits ^ Mix((uint64_t)(first + i) + 0x9e3779b97f4a7c15ULL));
  }
  return sum;
}

static PetscErrorCode ViewerRank(PetscViewer viewer, MPI_Comm *comm, PetscMPIInt *rank);

PetscErrorCode StateFileWrite(PetscViewer viewer, const char name[], PetscInt n, const PetscScalar a[])
{
  MPI_Comm    comm;
  PetscMPIInt rank;
  Vec         v;
  PetscInt    first = 0;
  uint64_t    part, sum;
  char        hex[17];

  PetscFunctionBeginUser;
  PetscCall(ViewerRank(viewer, &comm, &rank));
  PetscCallMPI(MPI_Exscan(&n, &first, 1, MPIU_INT, MPI_SUM, comm));
  if (rank == 0) first = 0; /* MPI_Exscan leaves rank 0's result undefined */
  part = PartialChecksum(first, n, a);
  PetscCallMPI(MPI_Allreduce(&part, &sum, 1, MPI_UINT64_T, MPI_SUM, comm));
  PetscCall(VecCreateMPIWithArray(comm, 1, n, PETSC_DETERMINE, a, &v));
  PetscCall(PetscObjectSetName((PetscObject)v, name));
  PetscCall(VecView(v, viewer));
  PetscCall(VecDestroy(&v));
  PetscCall(PetscSNPrintf(hex, sizeof(hex), "%016llx", (unsigned long long)sum));
  PetscCall(PetscViewerHDF5WriteAttribute(viewer, name, "checksum", PETSC_STRING, hex));
  PetscFunctionReturn(0);
}

PetscErrorCode StateFileRead(PetscViewer viewer, const char name[], PetscInt n, PetscScalar a[])
{
  MPI_Comm           comm;
  Vec                v;
  const PetscScalar *va;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)viewer, &comm));
  PetscCall(VecCreateMPI(comm, n, PETSC_DETERMINE, &v));
  PetscCall(PetscObjectSetName((PetscObject)v, name));
  PetscCall(VecLoad(v, viewer));
  PetscCall(VecGetArrayRead(v, &va));
  PetscCall(PetscArraycpy(a, va, n));
  PetscCall(VecRestoreArrayRead(v, &va));
  PetscCall(VecDestroy(&v));
  PetscFunctionReturn(0);
}

/* The viewer's communicator and this rank's number in it */
static PetscErrorCode ViewerRank(PetscViewer viewer, MPI_Comm *comm, PetscMPIInt *rank)
{
  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)viewer, comm));
  PetscCallMPI(MPI_Comm_rank(*comm, rank));
  PetscFunctionReturn(0);
}

PetscErrorCode StateFileWriteShared(PetscViewer viewer, const char name[], PetscInt n, const PetscScalar a[])
{
  MPI_Comm    comm;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(ViewerRank(viewer, &comm, &rank));
  PetscCall(StateFileWrite(viewer, name, rank ? 0 : n, a));
  PetscFunctionReturn(0);
}

PetscErrorCode StateFileReadShared(PetscViewer viewer, const char name[], PetscInt n, PetscScalar a[])
{
  MPI_Comm    comm;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(ViewerRank(viewer, &comm, &rank));
  PetscCall(StateFileRead(viewer, name, rank ? 0 : n, a));
  PetscCallMPI(MPI_Bcast(a, (PetscMPIInt)n, MPIU_SCALAR, 0, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode StateFileWriteVec(PetscViewer viewer, const char name[], Vec v)
{
  const PetscScalar *a;
  PetscInt           n;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArrayRead(v, &a));
  PetscCall(StateFileWrite(viewer, name, n, a));
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode StateFileReadVec(PetscViewer viewer, const char name[], Vec v)
{
  PetscScalar *a;
  PetscInt     n;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArray(v, &a));
  PetscCall(StateFileRead(viewer, name, n, a));
  PetscCall(VecRestoreArray(v, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode StateFileWriteText(PetscViewer viewer, const char name[], const char text[])
{
  size_t       len;
  PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(PetscStrlen(text, &len));
  PetscCall(PetscMalloc1(len + 1, &a));
  for (size_t i = 0; i < len; i++) a[i] = (unsigned char)text[i];
  PetscCall(StateFileWriteShared(viewer, name, (PetscInt)len, a));
  PetscCall(PetscFree(a));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   Verification, by the HDF5 library itself: a damaged file must be a finding, not an error that stops the run */

typedef struct {
  const char *text_name;
  char       *why;
  size_t      len;
  char       *text;
  PetscInt    datasets;
} VerifyContext;

/* The dataset's checksum attribute, or 0 if it has none that reads */
static int ReadChecksum(hid_t d, uint64_t *sum)
{
  char  hex[32] = "";
  hid_t at, type, mem;
  int   ok = 0;

  if ((at = H5Aopen(d, "checksum", H5P_DEFAULT)) < 0) return 0;
  type = H5Aget_type(at);
  if (type >= 0 && H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type) && H5Tget_size(type) < sizeof(hex)) {
    mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, sizeof(hex) - 1);
    unsigned long long v;
    ok   = H5Aread(at, mem, hex) >= 0 && sscanf(hex, "%16llx", &v) == 1;
    *sum = (uint64_t)v;
    H5Tclose(mem);
  }
  if (type >= 0) H5Tclose(type);
  H5Aclose(at);
  return ok;
}

static herr_t VerifyLink(hid_t group, const char *name, const H5L_info_t *info, void *ptr)
{
  VerifyContext *vc = (VerifyContext *)ptr;
  hid_t          d, space, type, obj;
  hssize_t       n;
  double        *a;
  uint64_t       stored, sum;
  herr_t         status = 0;
  H5I_type_t     kind;
  int            is_double;

  if (info->type != H5L_TYPE_HARD) return 0;
  if ((obj = H5Oopen(group, name, H5P_DEFAULT)) < 0) {
    snprintf(vc->why, vc->len, "object %s does not open (the file is damaged)", name);
    return 1;
  }
  kind = H5Iget_type(obj);
  H5Oclose(obj);
  if (kind != H5I_DATASET) return 0;
  if ((d = H5Dopen2(group, name, H5P_DEFAULT)) < 0) {
    snprintf(vc->why, vc->len, "dataset %s does not open", name);
    return 1;
  }
  type      = H5Dget_type(d);
  is_double = type >= 0 && H5Tget_class(type) == H5T_FLOAT && H5Tget_size(type) == sizeof(double);
  if (type >= 0) H5Tclose(type);
  if (!is_double) {
    snprintf(vc->why, vc->len, "dataset %s is not an array of doubles", name);
    H5Dclose(d);
    return 1;
  }
  space = H5Dget_space(d);
  n     = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  a     = n >= 0 ? malloc(((size_t)n + 1) * sizeof(*a)) : NULL;
  if (!a) snprintf(vc->why, vc->len, "dataset %s has no readable size", name), status = 1;
  else if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0) snprintf(vc->why, vc->len, "dataset %s does not read (the file is truncated or damaged)", name), status = 1;
  else if (!ReadChecksum(d, &stored)) snprintf(vc->why, vc->len, "dataset %s has no checksum", name), status = 1;
  else if ((sum = PartialChecksum(0, (PetscInt)n, a)) != stored) snprintf(vc->why, vc->len, "dataset %s does not match its checksum (%016llx, stored %016llx)", name, (unsigned long long)sum, (unsigned long long)stored), status = 1;
  else if (vc->text_name && !strcmp(name, vc->text_name)) {
    if (!(vc->text = malloc((size_t)n + 1))) snprintf(vc->why, vc->len, "no memory for %s", name), status = 1;
    else {
      for (hssize_t i = 0; i < n; i++) vc->text[i] = (char)a[i];
      vc->text[n] = '\0';
    }
  }
  vc->datasets++;
  free(a);
  if (space >= 0) H5Sclose(space);
  H5Dclose(d);
  return status;
}

PetscErrorCode StateFileVerify(const char path[], const char text_name[], PetscBool *ok, char why[], size_t len, char **text)
{
  VerifyContext vc = {text_name, why, len, NULL, 0};
  H5E_auto2_t   func;
  void         *data;
  hid_t         f;
  herr_t        status;

  PetscFunctionBeginUser;
  *ok    = PETSC_FALSE;
  why[0] = '\0';
  if (text) *text = NULL;
  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* a damaged file is reported here in one line, not as HDF5's error stack */
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) snprintf(why, len, "HDF5 cannot open it (truncated, or not an HDF5 file)");
  else {
    status = H5Lvisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, VerifyLink, &vc);
    if (status < 0 && !why[0]) snprintf(why, len, "its groups do not read (the file is damaged)");
    else if (status == 0 && text_name && !vc.text) snprintf(why, len, "it has no dataset %s", text_name);
    else if (status == 0) *ok = PETSC_TRUE;
    H5Fclose(f);
  }
  H5Eset_auto2(H5E_DEFAULT, func, data);
  if (text && *ok) *text = vc.text;
  else free(vc.text);
  PetscFunctionReturn(0);
}
