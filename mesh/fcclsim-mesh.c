static const char usage[] = "fcclsim-mesh: structured layered-plate meshes (3D hexahedra or 2D x-z section) for fcclsim.\n"
                            "  fcclsim-mesh -case CASE.yaml [-o plate.msh] [options]\n"
                            "  fcclsim-mesh -layers cu1,pi -layers_cu1_thickness_um 12 -layers_pi_thickness_um 25 -o bilayer.msh\n"
                            "Keys: see docs/cases.md, or -help.\n";

#include "error-report.h"
#include "case.h"
#include "option-read.h"
#include "plate-mesh.h"
#include "process.h"

/* the keys this tool reads; a case's solver keys are left to fcclsim */
static const char *const mesh_namespaces[] = {"layers", "mesh_", "plate_", "model", NULL};

static PetscErrorCode Run(int argc, char **argv, PetscBool help)
{
  MPI_Comm  comm = PETSC_COMM_WORLD;
  char      output[PETSC_MAX_PATH_LEN] = "plate.msh";
  PlateMesh pm;
  Stack     stack;
  PetscBool view = PETSC_FALSE, patterned;

  PetscFunctionBeginUser;
  PetscCall(CaseLoad(comm, argc, argv, help));
  PetscOptionsBegin(comm, NULL, "fcclsim-mesh", "fcclsim");
  PetscCall(OptionString(PetscOptionsObject, "-o", "the mesh file to write (Gmsh .msh 4.1)", output, output, sizeof(output), NULL));
  PetscCall(OptionBool(PetscOptionsObject, "-mesh_view", "print the stack and the mesh parameters", view, &view, NULL));
  PetscOptionsEnd();
  PetscCall(StackCreateFromOptions(comm, &stack));
  PetscCall(ProcessOptionsHavePattern(comm, &patterned));
  PetscCall(PlateMeshFromOptions(comm, StackElementsThrough(stack), patterned, &pm));
  PetscCall(CaseCheckUnusedKeys(comm, mesh_namespaces));
  if (!help) {
    if (view) {
      PetscCall(StackView(stack, PETSC_VIEWER_STDOUT_WORLD));
      PetscCall(PlateMeshView(&pm, PETSC_VIEWER_STDOUT_WORLD));
    }
    PetscCall(PlateMeshWrite(comm, &pm, stack, output));
    PetscCall(PetscPrintf(comm, "wrote %s\n", output));
  }
  PetscCall(StackDestroy(&stack));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  return ErrorReportMain(argc, argv, usage, Run);
}
