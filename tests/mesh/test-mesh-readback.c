static const char help[] = "Reads a fcclsim-mesh .msh back into DMPlex and checks layers, volumes and face sets.\n"
                           "  test-mesh-readback -case STACK.yaml -mesh FILE.msh\n";

/* Checks, for the mesh a case describes:
   - one "Cell Sets" value per layer (layer i -> i+1) with nx*ny*quadrants*elements cells (2D: nx*halves*elements);
   - each layer's volume (2D: area) equals Lx*Ly*h (quarter: /4; 2D: Lx*h or Lx*h/2) to 1e-12 relative. The cells are
     exact boxes, so only round-off separates the sum from the product: 1e-12 leaves room for summing ~1e5 cells;
   - every cell is positively oriented (det J > 0);
   - the "Face Sets" values of the model's boundary exist and are non-empty. */
#include <petscdmplex.h>
#include "case.h"
#include "plate-mesh.h"

static PetscErrorCode CheckLayer(DM dm, const PlateMesh *pm, const Layer *layer, PetscInt value)
{
  DMLabel   cells;
  IS        is;
  PetscInt  n = 0, ntotal, expected;
  PetscReal volume = 0, vtotal, exact;
  const PetscInt quadrants = pm->symmetry == PLATE_FULL ? (pm->model == MODEL_3D ? 4 : 2) : 1;
  MPI_Comm  comm = PetscObjectComm((PetscObject)dm);

  PetscFunctionBeginUser;
  PetscCall(DMGetLabel(dm, "Cell Sets", &cells));
  PetscCheck(cells, comm, PETSC_ERR_PLIB, "no Cell Sets label");
  PetscCall(DMLabelGetStratumIS(cells, value, &is));
  if (is) {
    const PetscInt *pts;
    PetscCall(ISGetLocalSize(is, &n));
    PetscCall(ISGetIndices(is, &pts));
    for (PetscInt k = 0; k < n; k++) {
      PetscReal v, v0[3], J[9], invJ[9], detJ;
      PetscCall(DMPlexComputeCellGeometryFVM(dm, pts[k], &v, NULL, NULL));
      volume += v;
      /* an inverted cell would integrate with the wrong sign even though its volume looks right */
      PetscCall(DMPlexComputeCellGeometryFEM(dm, pts[k], NULL, v0, J, invJ, &detJ));
      PetscCheck(detJ > 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "layer %s: cell %" PetscInt_FMT " is inverted (det J = %g)", layer->name, pts[k], (double)detJ);
    }
    PetscCall(ISRestoreIndices(is, &pts));
    PetscCall(ISDestroy(&is));
  }
  PetscCallMPI(MPI_Allreduce(&n, &ntotal, 1, MPIU_INT, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(&volume, &vtotal, 1, MPIU_REAL, MPI_SUM, comm));
  expected = quadrants * pm->nx * (pm->model == MODEL_3D ? pm->ny : 1) * layer->elements;
  exact    = (pm->model == MODEL_3D ? pm->lx * pm->ly : pm->lx) * layer->thickness;
  if (pm->symmetry == PLATE_QUARTER) exact /= pm->model == MODEL_3D ? 4 : 2;
  PetscCheck(ntotal == expected, comm, PETSC_ERR_PLIB, "layer %s: %" PetscInt_FMT " cells, expected %" PetscInt_FMT, layer->name, ntotal, expected);
  PetscCheck(PetscAbsReal(vtotal - exact) <= 1e-12 * exact, comm, PETSC_ERR_PLIB, "layer %s: volume %.17g, expected %.17g (rel. error %g)", layer->name, (double)vtotal, (double)exact, (double)(PetscAbsReal(vtotal - exact) / exact));
  PetscCall(PetscPrintf(comm, "layer %-10s cells %6" PetscInt_FMT "  volume rel. error %.2e\n", layer->name, ntotal, (double)(PetscAbsReal(vtotal - exact) / exact)));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckFaceSet(DM dm, PetscInt value, const char name[])
{
  DMLabel  faces;
  PetscInt n = 0, ntotal;
  MPI_Comm comm = PetscObjectComm((PetscObject)dm);

  PetscFunctionBeginUser;
  PetscCall(DMGetLabel(dm, "Face Sets", &faces));
  PetscCheck(faces, comm, PETSC_ERR_PLIB, "no Face Sets label");
  PetscCall(DMLabelGetStratumSize(faces, value, &n));
  PetscCallMPI(MPI_Allreduce(&n, &ntotal, 1, MPIU_INT, MPI_SUM, comm));
  PetscCheck(ntotal > 0, comm, PETSC_ERR_PLIB, "face set %s (%" PetscInt_FMT ") is missing or empty", name, value);
  PetscCall(PetscPrintf(comm, "face set %-11s %6" PetscInt_FMT " faces\n", name, ntotal));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      file[PETSC_MAX_PATH_LEN];
  PlateMesh pm;
  Stack     stack;
  DM        dm, dist;
  PetscBool set;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(CaseLoad(PETSC_COMM_WORLD, argc, argv, PETSC_FALSE));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh", file, sizeof(file), &set));
  PetscCheck(set, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "give -mesh FILE.msh");
  PetscCall(StackCreateFromOptions(PETSC_COMM_WORLD, &stack));
  PetscCall(PlateMeshFromOptions(PETSC_COMM_WORLD, StackElementsThrough(stack), PETSC_FALSE, &pm));

  PetscCall(DMPlexCreateFromFile(PETSC_COMM_WORLD, file, "fcclsim", PETSC_TRUE, &dm));
  PetscCall(DMPlexDistribute(dm, 0, NULL, &dist));
  if (dist) {
    PetscCall(DMDestroy(&dm));
    dm = dist;
  }
  for (PetscInt i = 0; i < StackSize(stack); i++) PetscCall(CheckLayer(dm, &pm, StackLayer(stack, i), i + 1));
  PetscCall(CheckFaceSet(dm, PLATE_FACE_BOTTOM, "bottom"));
  PetscCall(CheckFaceSet(dm, PLATE_FACE_TOP, "top"));
  PetscCall(CheckFaceSet(dm, PLATE_FACE_EDGE_XMAX, "edge_xmax"));
  if (pm.model == MODEL_3D) PetscCall(CheckFaceSet(dm, PLATE_FACE_EDGE_YMAX, "edge_ymax"));
  if (pm.symmetry == PLATE_FULL) {
    PetscCall(CheckFaceSet(dm, PLATE_FACE_EDGE_XMIN, "edge_xmin"));
    if (pm.model == MODEL_3D) PetscCall(CheckFaceSet(dm, PLATE_FACE_EDGE_YMIN, "edge_ymin"));
  } else {
    PetscCall(CheckFaceSet(dm, PLATE_FACE_SYMMETRY_X, "symmetry_x"));
    if (pm.model == MODEL_3D) PetscCall(CheckFaceSet(dm, PLATE_FACE_SYMMETRY_Y, "symmetry_y"));
  }
  PetscCall(DMDestroy(&dm));
  PetscCall(StackDestroy(&stack));
  PetscCall(PetscFinalize());
  return 0;
}
