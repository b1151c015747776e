#pragma once
/* A case is a YAML options file (PETSc's -options_file_yaml format). `-case FILE` loads it; options given on the
   command line override the file's. */
#include <petscsys.h>

/* Loads -case FILE (if given) into the options database and re-applies the command line over it. `source` receives
   the case file's name, or "command line". */
PetscErrorCode CaseLoad(MPI_Comm comm, int argc, char **argv, char source[], size_t len);
/* Raises PETSC_ERR_USER_INPUT for any option in the given namespaces (NULL: all of fcclsim's) that nothing read: a
   misspelt key. */
PetscErrorCode CaseCheckUnusedKeys(MPI_Comm comm, const char source[], const char *const namespaces[]);
/* A name that becomes part of option keys (a layer, a material, a step) must not hold '_' followed by a digit: PETSc
   looks up -a_1_b as -a_b when the former is absent, so such a name would silently read another's keys. `kind` and
   `where` go into the message: "<kind> name '<name>' in <where>". */
PetscErrorCode CaseCheckKeyName(MPI_Comm comm, const char source[], const char kind[], const char where[], const char name[]);
