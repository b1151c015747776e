static const char help[] = "fcclsim-mesh: structured layered-plate meshes (3D hexahedra or 2D x-z section) for fcclsim.\n"
                           "  fcclsim-mesh -case CASE.yaml [-o plate.msh] [options]\n"
                           "  fcclsim-mesh -layers cu1,pi -layers_cu1_thickness_um 12 -layers_pi_thickness_um 25 -o bilayer.msh\n"
                           "Keys: see docs/cases.md.\n";

#include "case.h"
#include "plate-mesh.h"

/* the keys this tool reads; a case's solver keys are left to fcclsim */
static const char *const mesh_namespaces[] = {"layers", "mesh_", "plate_", "model", NULL};

int main(int argc, char **argv)
{
  char      source[PETSC_MAX_PATH_LEN], output[PETSC_MAX_PATH_LEN] = "plate.msh";
  PlateMesh pm;
  Stack     stack;
  PetscBool view = PETSC_FALSE;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(CaseLoad(PETSC_COMM_WORLD, argc, argv, source, sizeof(source)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-o", output, sizeof(output), NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_view", &view, NULL));
  PetscCall(StackCreateFromOptions(PETSC_COMM_WORLD, source, &stack));
  PetscCall(PlateMeshFromOptions(PETSC_COMM_WORLD, source, &pm));
  PetscCall(CaseCheckUnusedKeys(PETSC_COMM_WORLD, source, mesh_namespaces));
  if (view) {
    PetscCall(StackView(stack, PETSC_VIEWER_STDOUT_WORLD));
    PetscCall(PlateMeshView(&pm, PETSC_VIEWER_STDOUT_WORLD));
  }
  PetscCall(PlateMeshWrite(PETSC_COMM_WORLD, &pm, stack, output));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "wrote %s\n", output));
  PetscCall(StackDestroy(&stack));
  PetscCall(PetscFinalize());
  return 0;
}
