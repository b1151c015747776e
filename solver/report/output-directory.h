#pragma once
/* A run owns its output directory (-output DIR, docs/cases.md "Output directory"):
   - before anything else that can fail, it creates DIR and removes from it every file of the kinds it writes (the
     `complete` marker, summary.json, curlmap-*.csv, fields-*.h5, curlmap-*.h5, fields.xmf, curlmap.xmf, mesh.msh,
     checkpoint-*.h5, and the fields.h5 / curlmap.h5 of runs before one file per state) and the `.part` leftovers of a
     killed run, so that a run that stops early, on bad input or killed, never leaves an earlier run's results
     looking like its own;
   - every result file is written under a temporary `.part` name and renamed when complete;
   - the marker DIR/complete is written last: its presence says that every file of the run is there.
   Files of other names are left alone. */
#include <stdio.h>
#include <petscsys.h>

/* Collective. Creates dir if needed and clears it of fcclsim's files (above), except the files named in keep
   (NULL-terminated, may be NULL): a restarted run keeps the output of the steps it does not run again (checkpoint.h) */
PetscErrorCode OutputDirectoryClaim(MPI_Comm comm, const char dir[], const char *const keep[]);
/* Collective. Rank 0 writes path through write(fp, ctx) into path.part, flushes it to disk and renames it into place;
   every rank raises the error if a step fails. write returns 0 or an errno. */
typedef int (*OutputWriteFn)(FILE *fp, void *ctx);
PetscErrorCode OutputDirectoryWriteFile(MPI_Comm comm, const char path[], OutputWriteFn write, void *ctx);
/* Collective. Writes DIR/complete (the case and the time), atomically. */
PetscErrorCode OutputDirectoryComplete(MPI_Comm comm, const char dir[], const char case_file[]);
/* Collective. A file-writing step done on rank 0 that returned errno err (0: done): every rank raises the error */
PetscErrorCode OutputDirectoryCheck(MPI_Comm comm, int err, const char path[]);
