#pragma once
/* A state file: arrays of doubles written in parallel to one HDF5 file through PETSc's viewer, each with a checksum,
   so that a file that a kill, a full disk or a copy left short or damaged is recognised before anything is read from
   it (the checkpoints, docs/restart.md).

   An array is split over the ranks in rank order, each rank's part the local array it holds (a shared array is rank
   0's, the same on every rank). Its checksum is a 64-bit sum over its entries of a mix of each entry's bits and its
   index, so that the ranks' partial sums add, and a flipped bit, a lost entry or two entries swapped change it; it is
   stored beside the dataset as the string attribute "checksum" (16 hex digits). Text is stored one character per
   entry: PETSc's viewer writes vectors, and the checkpoint's text is a few kB. */
#include <petscviewerhdf5.h>

/* Collective. Writes this rank's n values as its part of dataset `name` in the viewer's current group */
PetscErrorCode StateFileWrite(PetscViewer viewer, const char name[], PetscInt n, const PetscScalar a[]);
/* Collective. Reads this rank's n values of dataset `name`: the layout must be the one it was written with */
PetscErrorCode StateFileRead(PetscViewer viewer, const char name[], PetscInt n, PetscScalar a[]);
/* Collective. An array the same on every rank: stored once, read onto every rank */
PetscErrorCode StateFileWriteShared(PetscViewer viewer, const char name[], PetscInt n, const PetscScalar a[]);
PetscErrorCode StateFileReadShared(PetscViewer viewer, const char name[], PetscInt n, PetscScalar a[]);
/* Collective. A vector's local part, as above */
PetscErrorCode StateFileWriteVec(PetscViewer viewer, const char name[], Vec v);
PetscErrorCode StateFileReadVec(PetscViewer viewer, const char name[], Vec v);
/* Collective. Text (a string ending in NUL), the same on every rank */
PetscErrorCode StateFileWriteText(PetscViewer viewer, const char name[], const char text[]);

/* Not collective, no PETSc viewer: whether the file at path opens and every dataset in it matches its checksum. When
   it does not, *why says what is wrong (the first thing found). When it does and text_name is given, *text is that
   text dataset's content (the caller frees it with free()) */
PetscErrorCode StateFileVerify(const char path[], const char text_name[], PetscBool *ok, char why[], size_t len, char **text);
