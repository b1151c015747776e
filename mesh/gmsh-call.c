#include "gmsh-call.h"

PetscErrorCode GmshRaiseLastError(int gmsh_ierr, const char call[])
{
  char  message[1024] = "(Gmsh gave no message)";
  char *last          = NULL;
  int   ignored       = 0;

  PetscFunctionBeginUser;
  gmshLoggerGetLastError(&last, &ignored);
  if (last) {
    if (last[0]) PetscCall(PetscStrncpy(message, last, sizeof(message)));
    gmshFree(last);
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh error %d in %s: %s", gmsh_ierr, call, message);
}
