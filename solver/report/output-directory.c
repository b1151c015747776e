#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "output-directory.h"

/* The kinds of files a run writes, as shell patterns; "*.part*" also catches Gmsh's temporary mesh names */
static const char *const owned[] = {"complete", "summary.json", "curlmap-*.csv", "fields-*.h5", "curlmap-*.h5", "fields.h5", "fields.xmf", "curlmap.h5", "curlmap.xmf", "mesh.msh", "checkpoint-*.h5", "*.part", "*.part*.msh", NULL};

/* mkdir -p: a sweep or job script names a nested directory (runs/sweep/point-3) and expects it made */
static int MakeDirectories(const char dir[])
{
  char path[PETSC_MAX_PATH_LEN];

  if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) return ENAMETOOLONG;
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(path, 0777) && errno != EEXIST) return errno;
    *p = '/';
  }
  if (mkdir(path, 0777) && errno != EEXIST) return errno;
  return 0;
}

static int ClearOwned(const char dir[], const char *const keep[])
{
  DIR           *d;
  struct dirent *e;
  int            err;

  if ((err = MakeDirectories(dir))) return err;
  if (!(d = opendir(dir))) return errno;
  while (!err && (e = readdir(d))) {
    for (const char *const *pat = owned; *pat; pat++) {
      char path[PETSC_MAX_PATH_LEN];
      PetscBool kept = PETSC_FALSE;
      if (fnmatch(*pat, e->d_name, 0)) continue;
      for (const char *const *k = keep; k && *k && !kept; k++) kept = (PetscBool)!strcmp(*k, e->d_name);
      if (kept) break;
      if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path)) err = ENAMETOOLONG;
      else if (unlink(path) && errno != ENOENT) err = errno;
      break;
    }
  }
  closedir(d);
  return err;
}

PetscErrorCode OutputDirectoryCheck(MPI_Comm comm, int err, const char path[])
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_USER_INPUT, "output = %s: cannot write there (%s)", path, strerror(err));
  PetscFunctionReturn(0);
}

PetscErrorCode OutputDirectoryClaim(MPI_Comm comm, const char dir[], const char *const keep[])
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) err = ClearOwned(dir, keep);
  PetscCall(OutputDirectoryCheck(comm, err, dir));
  PetscFunctionReturn(0);
}

static int WriteAtomically(const char path[], OutputWriteFn write, void *ctx)
{
  char  tmp[PETSC_MAX_PATH_LEN + 8];
  FILE *fp;
  int   err;

  if (snprintf(tmp, sizeof(tmp), "%s.part", path) >= (int)sizeof(tmp)) return ENAMETOOLONG;
  if (!(fp = fopen(tmp, "w"))) return errno;
  err = write(fp, ctx);
  if (!err && (fflush(fp) || fsync(fileno(fp)))) err = errno;
  if (fclose(fp) && !err) err = errno;
  if (!err && rename(tmp, path)) err = errno;
  if (err) (void)unlink(tmp);
  return err;
}

PetscErrorCode OutputDirectoryWriteFile(MPI_Comm comm, const char path[], OutputWriteFn write, void *ctx)
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) err = WriteAtomically(path, write, ctx);
  PetscCall(OutputDirectoryCheck(comm, err, path));
  PetscFunctionReturn(0);
}

static int WriteComplete(FILE *fp, void *ctx)
{
  time_t now = time(NULL);

  return fprintf(fp, "fcclsim %s completed %s at %s", FCCLSIM_VERSION, (const char *)ctx, ctime(&now)) < 0 ? EIO : 0;
}

PetscErrorCode OutputDirectoryComplete(MPI_Comm comm, const char dir[], const char case_file[])
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/complete", dir));
  PetscCall(OutputDirectoryWriteFile(comm, path, WriteComplete, (void *)case_file));
  PetscFunctionReturn(0);
}
