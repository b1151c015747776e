#pragma once
/* A case: the YAML options file a run is described by (PETSc's YAML options format, docs/cases.md), the command line
   that overrides it, and where each key came from.

   CaseLoad reads -case FILE and checks it with libyaml before PETSc inserts it, so that what PETSc would take silently
   or report without naming the file is a one-line user error with the file and line: YAML syntax; a key given twice
   (keys are case-insensitive, like PETSc's options); nesting deeper than CASE_MAX_DEPTH; more keys than the options
   database holds (CASE_MAX_KEYS); list items that are not a value or a one-key map; an empty list; a ',' in a list
   item's name, which would split the comma-separated list PETSc makes of it. Material files go through the same
   checks (CaseInsertFile), and may set only their own material's keys.

   The module keeps one registry, like PETSc's options database it describes: the case file, the origin of every key
   ("cases/x.yaml:7", "command line"), and whether -help was asked for. */
#include <petscsys.h>

#define CASE_MAX_DEPTH 16   /* nesting levels of a YAML case (PETSc's prefix stack holds 25) */
#define CASE_MAX_KEYS  400  /* keys from the command line, the case and its materials (PETSc's database holds 512) */
#define CASE_MAX_NAME  32   /* characters of a name that becomes part of keys (a layer, a material, a step) */

/* Collective. Reads the options block "Case" (-case, -materials_dir), checks and inserts the case file, then applies
   the command line over it. `help` says that -help was given (main took it out of argv, error-report.h). */
PetscErrorCode CaseLoad(MPI_Comm comm, int argc, char **argv, PetscBool help);
/* The case file's name, or "command line" when there is none */
const char    *CaseSource(void);
/* The materials directory (-materials_dir) */
const char    *CaseMaterialsDir(void);
/* -help was given: options blocks print their keys; checks of values are skipped and nothing is computed */
PetscBool      CaseHelp(void);
/* Collective. Checks and inserts another YAML options file (a material), whose keys must all begin with
   required_prefix (e.g. "material_copper_"); an existing option is not overridden if the command line set it. */
PetscErrorCode CaseInsertFile(MPI_Comm comm, const char file[], const char required_prefix[]);
/* Where the key (with or without its leading '-') was set: "FILE:LINE", "command line", or "default" */
void           CaseKeyOrigin(const char key[], char origin[], size_t len);
/* The file a key names (a Gerber file): relative to the folder of the YAML file that set the key, as included files
   are; as given when it is absolute or came from the command line (relative to the working directory) */
PetscErrorCode CaseFilePath(const char key[], const char value[], char path[], size_t len);
/* Collective. A key in one of the namespaces (NULL: fcclsim's own) that nothing read is a misspelt key. */
PetscErrorCode CaseCheckUnusedKeys(MPI_Comm comm, const char *const namespaces[]);
/* Collective. A name that becomes part of keys (a layer, a material, a step) must be 1 to CASE_MAX_NAME letters,
   digits and '_', begin with a letter, and hold no '_' followed by a digit: PETSc reads -steps_etch_1_from as
   -steps_etch_from when the former is absent, so such a name would silently read another's keys. `kind` is "layer",
   "material" or "step"; `key` the key that gave the name. */
PetscErrorCode CaseCheckName(MPI_Comm comm, const char kind[], const char key[], const char name[]);
