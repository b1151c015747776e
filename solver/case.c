#include "case.h"

/* Option names fcclsim owns; anything else belongs to PETSc (and PETSc's -options_left reports those). */
static const char *const case_namespaces[] = {"layers", "material_", "plate_", "mesh_", "model", "temperature_", "curl_", "output", "process_", "steps", "solver_", NULL};

PetscErrorCode CaseLoad(MPI_Comm comm, int argc, char **argv, char source[], size_t len)
{
  char      file[PETSC_MAX_PATH_LEN];
  PetscBool set, exists;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(source, "command line", len));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-case", file, sizeof(file), &set));
  if (!set) PetscFunctionReturn(0);
  PetscCall(PetscTestFile(file, 'r', &exists));
  PetscCheck(exists, comm, PETSC_ERR_USER_INPUT, "-case %s: no such file or not readable", file);
  PetscCall(PetscOptionsInsertFileYAML(comm, NULL, file, PETSC_TRUE));
  if (argc > 1) PetscCall(PetscOptionsInsertArgs(NULL, argc - 1, argv + 1));
  PetscCall(PetscStrncpy(source, file, len));
  PetscFunctionReturn(0);
}

PetscErrorCode CaseCheckUnusedKeys(MPI_Comm comm, const char source[], const char *const namespaces[])
{
  PetscInt n;
  char   **names, **values;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) {
    for (const char *const *ns = namespaces ? namespaces : case_namespaces; *ns; ns++) {
      PetscBool ours;
      PetscCall(PetscStrbeginswith(names[i], *ns, &ours));
      PetscCheck(!ours, comm, PETSC_ERR_USER_INPUT, "unknown key -%s (value '%s', in %s or on the command line): no such option; see docs/cases.md for the keys and their units", names[i], values[i] ? values[i] : "", source);
    }
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(0);
}

PetscErrorCode CaseCheckKeyName(MPI_Comm comm, const char source[], const char kind[], const char where[], const char name[])
{
  PetscFunctionBeginUser;
  for (const char *c = name; *c; c++) PetscCheck(!(c[0] == '_' && c[1] >= '0' && c[1] <= '9'), comm, PETSC_ERR_USER_INPUT, "%s: %s name '%s' in %s has '_' followed by a digit, which PETSc's options database cannot keep apart from other names' keys; rename it (e.g. name1, not name_1)", source, kind, name, where);
  PetscFunctionReturn(0);
}
