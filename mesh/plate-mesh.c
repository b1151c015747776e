#include <unistd.h>
#include <stdio.h>
#include "plate-mesh.h"
#include "error-report.h"
#include "gmsh-call.h"
#include "case.h"
#include "option-read.h"

const char *const PlateSymmetryNames[] = {"full", "quarter", NULL};
const char *const ModelKindNames[]     = {"3d", "2d", "laminate", NULL};

/* Q2 DOFs of the mesh the options describe, counted before anything is allocated (a mistyped mesh_nx must not hang
   Gmsh or run the machine out of memory) */
static PetscReal EstimatedDofs(const PlateMesh *pm, PetscInt elements_through)
{
  const PetscReal f = pm->symmetry == PLATE_FULL ? 2 : 1, nz = 2.0 * elements_through + 1;

  if (pm->model == MODEL_3D) return 3 * (2 * f * pm->nx + 1) * (2 * f * pm->ny + 1) * nz;
  return 2 * (2 * f * pm->nx + 1) * nz;
}

/* A mesh file is a Gmsh .msh (PETSc picks its reader by the extension) that begins with $MeshFormat */
static PetscErrorCode CheckMeshFile(MPI_Comm comm, const char file[])
{
  char      where[PETSC_MAX_PATH_LEN + 320], line[16] = "";
  PetscBool msh;
  FILE     *fp;

  PetscFunctionBeginUser;
  OptionWhere("-mesh_file", where, sizeof(where));
  PetscCall(PetscStrendswith(file, ".msh", &msh));
  PetscCheck(msh, comm, PETSC_ERR_USER_INPUT, "%s = %s: not a .msh file; give a mesh written by fcclsim-mesh", where, file);
  fp = fopen(file, "r");
  PetscCheck(fp, comm, PETSC_ERR_USER_INPUT, "%s = %s: no such file, or it cannot be read", where, file);
  if (!fgets(line, sizeof(line), fp)) line[0] = 0;
  fclose(fp);
  PetscCheck(!strncmp(line, "$MeshFormat", 11), comm, PETSC_ERR_USER_INPUT, "%s = %s: not a Gmsh mesh (it does not begin with $MeshFormat); give a mesh written by fcclsim-mesh", where, file);
  PetscFunctionReturn(0);
}

PetscErrorCode PlateMeshFromOptions(MPI_Comm comm, PetscInt elements_through, PetscBool patterned, PlateMesh *pm)
{
  PetscReal lx_mm = 100, ly_mm = 100, max_dofs = 2e7, dofs;
  PetscInt  model = MODEL_3D, symmetry = patterned ? PLATE_FULL : PLATE_QUARTER;

  PetscFunctionBeginUser;
  pm->nx         = 16;
  pm->ny         = 16;
  pm->edge_ratio = 1;
  pm->file[0]    = 0;
  pm->gmsh_verbose = PETSC_FALSE;
  PetscOptionsBegin(comm, NULL, "Plate and mesh (docs/cases.md)", "fcclsim");
  PetscCall(OptionChoice(PetscOptionsObject, "-model", "3d: layered solid; 2d: generalized-plane-strain x-z section; laminate: laminate theory only", ModelKindNames, model, &model, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-plate_lx_mm", "sample length along x, mm", lx_mm, 1e-2, 1e4, &lx_mm, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-plate_ly_mm", "sample width along y, mm", ly_mm, 1e-2, 1e4, &ly_mm, NULL));
  PetscCall(OptionChoice(PetscOptionsObject, "-plate_symmetry", "quarter: symmetry planes x = 0 and y = 0 (2D: a half section); full: the whole sample (the default with a pattern)", PlateSymmetryNames, symmetry, &symmetry, NULL));
  PetscCall(OptionInt(PetscOptionsObject, "-mesh_nx", "elements from the centre to the free edge along x", pm->nx, 1, 100000, &pm->nx, NULL));
  PetscCall(OptionInt(PetscOptionsObject, "-mesh_ny", "elements from the centre to the free edge along y", pm->ny, 1, 100000, &pm->ny, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-mesh_edge_ratio", "element size at the free edge / at the centre (1: uniform; < 1 refines toward the edges)", pm->edge_ratio, 1e-3, 1e3, &pm->edge_ratio, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-mesh_max_dofs", "largest number of displacement DOFs a mesh may have (a guard against a mistyped size)", max_dofs, 1, 1e12, &max_dofs, NULL));
  PetscCall(OptionString(PetscOptionsObject, "-mesh_file", "use this .msh (from fcclsim-mesh) instead of meshing", pm->file, pm->file, sizeof(pm->file), NULL));
  PetscCall(OptionBool(PetscOptionsObject, "-mesh_gmsh_verbose", "show Gmsh's own messages", pm->gmsh_verbose, &pm->gmsh_verbose, NULL));
  PetscOptionsEnd();
  pm->model    = (ModelKind)model;
  pm->symmetry = (PlateSymmetry)symmetry;
  pm->lx       = lx_mm * 1e-3;
  pm->ly       = ly_mm * 1e-3;
  if (pm->file[0] && !CaseHelp()) PetscCall(CheckMeshFile(comm, pm->file));
  dofs         = EstimatedDofs(pm, elements_through);
  PetscCheck(CaseHelp() || pm->model == MODEL_LAMINATE || dofs <= max_dofs, comm, PETSC_ERR_USER_INPUT, "%s: mesh_nx = %" PetscInt_FMT ", mesh_ny = %" PetscInt_FMT " and %" PetscInt_FMT " elements through the stack give about %.3g DOFs, more than mesh_max_dofs = %.3g: use a coarser mesh, or raise mesh_max_dofs", CaseSource(), pm->nx, pm->ny, elements_through, (double)dofs, (double)max_dofs);
  PetscFunctionReturn(0);
}

PetscErrorCode PlateMeshView(const PlateMesh *pm, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "Plate %g x %g mm, %s model, %s; %" PetscInt_FMT " x %" PetscInt_FMT " elements centre-to-edge, edge/centre size ratio %g\n", (double)(pm->lx * 1e3), (double)(pm->ly * 1e3), ModelKindNames[pm->model], PlateSymmetryNames[pm->symmetry], pm->nx, pm->ny, (double)pm->edge_ratio));
  PetscFunctionReturn(0);
}

/* Grid lines of the in-plane point lattice: {0, a} (quarter) or {-a, 0, a} (full). */
static PetscInt LatticeCoordinates(PlateSymmetry symmetry, PetscReal half, PetscReal c[3])
{
  if (symmetry == PLATE_QUARTER) {
    c[0] = 0;
    c[1] = half;
    return 2;
  }
  c[0] = -half;
  c[1] = 0;
  c[2] = half;
  return 3;
}

/* A line with n elements whose sizes grow geometrically from its start to its end by `ratio` overall. */
static PetscErrorCode AddGradedLine(int from, int to, PetscInt n, PetscReal ratio, int *tag)
{
  const double progression = n > 1 ? PetscPowReal(ratio, 1.0 / (n - 1)) : 1.0;

  PetscFunctionBeginUser;
  PetscCallGmsh(*tag = gmshModelGeoAddLine(from, to, -1, &gmsh_ierr));
  PetscCallGmsh(gmshModelGeoMeshSetTransfiniteCurve(*tag, (int)n + 1, "Progression", progression, &gmsh_ierr));
  PetscFunctionReturn(0);
}

/* Line between lattice points p and q (coordinates cp, cq along the line), always oriented from the centre outward
   so that one progression coefficient serves every line; returns the signed tag for travelling p -> q. */
static PetscErrorCode AddLatticeLine(int p, int q, PetscReal cp, PetscReal cq, PetscInt n, PetscReal ratio, int *signed_tag)
{
  int tag;

  PetscFunctionBeginUser;
  if (PetscAbsReal(cp) <= PetscAbsReal(cq)) {
    PetscCall(AddGradedLine(p, q, n, ratio, &tag));
    *signed_tag = tag;
  } else {
    PetscCall(AddGradedLine(q, p, n, ratio, &tag));
    *signed_tag = -tag;
  }
  PetscFunctionReturn(0);
}

/* The base of the extrusion: quadrant surfaces at z = 0 (3D) or centre-to-edge lines on y = 0 (2D). */
static PetscErrorCode BuildBase(const PlateMesh *pm, int base[], PetscInt *nbase)
{
  PetscReal xs[3], ys[3];
  PetscInt  npx = LatticeCoordinates(pm->symmetry, pm->lx / 2, xs);
  PetscInt  npy = pm->model == MODEL_3D ? LatticeCoordinates(pm->symmetry, pm->ly / 2, ys) : 1;
  int       pt[3][3], hline[3][2], vline[2][3];

  PetscFunctionBeginUser;
  if (pm->model == MODEL_2D) ys[0] = 0;
  for (PetscInt j = 0; j < npy; j++)
    for (PetscInt i = 0; i < npx; i++) PetscCallGmsh(pt[j][i] = gmshModelGeoAddPoint(xs[i], ys[j], 0, 0, -1, &gmsh_ierr));
  *nbase = 0;
  if (pm->model == MODEL_2D) {
    /* base lines run toward +x, or their extrusion toward +z would give inverted (clockwise) quadrilaterals; an
       edge-to-centre line grades with the inverse progression */
    for (PetscInt i = 0; i + 1 < npx; i++) {
      const PetscBool outward = (PetscBool)(PetscAbsReal(xs[i]) <= PetscAbsReal(xs[i + 1]));
      PetscCall(AddGradedLine(pt[0][i], pt[0][i + 1], pm->nx, outward ? pm->edge_ratio : 1 / pm->edge_ratio, &base[(*nbase)++]));
    }
    PetscFunctionReturn(0);
  }
  for (PetscInt j = 0; j < npy; j++)
    for (PetscInt i = 0; i + 1 < npx; i++) PetscCall(AddLatticeLine(pt[j][i], pt[j][i + 1], xs[i], xs[i + 1], pm->nx, pm->edge_ratio, &hline[j][i]));
  for (PetscInt j = 0; j + 1 < npy; j++)
    for (PetscInt i = 0; i < npx; i++) PetscCall(AddLatticeLine(pt[j][i], pt[j + 1][i], ys[j], ys[j + 1], pm->ny, pm->edge_ratio, &vline[j][i]));
  for (PetscInt j = 0; j + 1 < npy; j++) {
    for (PetscInt i = 0; i + 1 < npx; i++) {
      int loop[4] = {hline[j][i], vline[j][i + 1], -hline[j + 1][i], -vline[j][i]}, wire, surface;
      PetscCallGmsh(wire = gmshModelGeoAddCurveLoop(loop, 4, -1, 0, &gmsh_ierr));
      PetscCallGmsh(surface = gmshModelGeoAddPlaneSurface(&wire, 1, -1, &gmsh_ierr));
      PetscCallGmsh(gmshModelGeoMeshSetTransfiniteSurface(surface, "Left", NULL, 0, &gmsh_ierr));
      PetscCallGmsh(gmshModelGeoMeshSetRecombine(2, surface, 45, &gmsh_ierr));
      base[(*nbase)++] = surface;
    }
  }
  PetscFunctionReturn(0);
}

/* Extrude the base through each layer in turn (z in 3D, Gmsh's y in 2D); each layer becomes one physical group. */
static PetscErrorCode ExtrudeLayers(const PlateMesh *pm, Stack stack, int base[], PetscInt nbase)
{
  const int dim = pm->model == MODEL_3D ? 3 : 2;
  int       top[4], cells[4], dimtags[8];

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < nbase; b++) top[b] = base[b];
  for (PetscInt l = 0; l < StackSize(stack); l++) {
    int     *out = NULL, nelem = (int)StackLayer(stack, l)->elements;
    size_t   nout = 0;
    double   height = 1.0, t = StackLayer(stack, l)->thickness;
    PetscInt ncells = 0;

    for (PetscInt b = 0; b < nbase; b++) {
      dimtags[2 * b]     = dim - 1;
      dimtags[2 * b + 1] = top[b];
    }
    PetscCallGmsh(gmshModelGeoExtrude(dimtags, 2 * (size_t)nbase, 0, dim == 3 ? 0 : t, dim == 3 ? t : 0, &out, &nout, &nelem, 1, &height, 1, 1, &gmsh_ierr));
    /* Gmsh lists, per extruded entity, the new top entity followed by the extruded cell region */
    for (size_t k = 2; k < nout; k += 2) {
      if (out[k] != dim) continue;
      top[ncells]     = out[k - 1];
      cells[ncells++] = out[k + 1];
    }
    gmshFree(out);
    PetscCheck(ncells == nbase, PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh extrusion of layer %s returned %" PetscInt_FMT " regions, expected %" PetscInt_FMT, StackLayer(stack, l)->name, ncells, nbase);
    PetscCallGmsh(gmshModelGeoSynchronize(&gmsh_ierr));
    PetscCallGmsh(gmshModelAddPhysicalGroup(dim, cells, (size_t)ncells, (int)l + 1, &gmsh_ierr));
    PetscCallGmsh(gmshModelSetPhysicalName(dim, (int)l + 1, StackLayer(stack, l)->name, &gmsh_ierr));
  }
  PetscFunctionReturn(0);
}

/* Which boundary face group, if any, a (dim-1)-entity with this bounding box belongs to (0: an interior entity). */
static int ClassifyBoundary(const PlateMesh *pm, PetscReal height, const double lo[3], const double hi[3])
{
  const int       zc = pm->model == MODEL_3D ? 2 : 1;
  const PetscReal tol = 1e-6 * height;
  const PetscBool quarter = (PetscBool)(pm->symmetry == PLATE_QUARTER);

  if (hi[zc] - lo[zc] < tol) {
    if (PetscAbsReal(lo[zc]) < tol) return PLATE_FACE_BOTTOM;
    if (PetscAbsReal(lo[zc] - height) < tol) return PLATE_FACE_TOP;
    return 0;
  }
  if (hi[0] - lo[0] < tol) {
    if (PetscAbsReal(lo[0] - pm->lx / 2) < tol) return PLATE_FACE_EDGE_XMAX;
    if (PetscAbsReal(lo[0] + pm->lx / 2) < tol) return PLATE_FACE_EDGE_XMIN;
    return quarter ? PLATE_FACE_SYMMETRY_X : 0;
  }
  if (zc == 2 && hi[1] - lo[1] < tol) {
    if (PetscAbsReal(lo[1] - pm->ly / 2) < tol) return PLATE_FACE_EDGE_YMAX;
    if (PetscAbsReal(lo[1] + pm->ly / 2) < tol) return PLATE_FACE_EDGE_YMIN;
    return quarter ? PLATE_FACE_SYMMETRY_Y : 0;
  }
  return 0;
}

static PetscErrorCode AddFaceGroups(const PlateMesh *pm, PetscReal height)
{
  static const char *names[] = {"bottom", "top", "edge_xmin", "edge_xmax", "edge_ymin", "edge_ymax", "symmetry_x", "symmetry_y"};
  const int          fdim    = pm->model == MODEL_3D ? 2 : 1;
  int               *dimtags = NULL, *members;
  size_t             n       = 0;

  PetscFunctionBeginUser;
  PetscCallGmsh(gmshModelGetEntities(&dimtags, &n, fdim, &gmsh_ierr));
  PetscCall(PetscMalloc1(n, &members));
  for (int group = PLATE_FACE_BOTTOM; group <= PLATE_FACE_SYMMETRY_Y; group++) {
    size_t m = 0;
    for (size_t k = 0; k < n / 2; k++) {
      double lo[3], hi[3];
      PetscCallGmsh(gmshModelGetBoundingBox(fdim, dimtags[2 * k + 1], &lo[0], &lo[1], &lo[2], &hi[0], &hi[1], &hi[2], &gmsh_ierr));
      if (ClassifyBoundary(pm, height, lo, hi) == group) members[m++] = dimtags[2 * k + 1];
    }
    if (!m) continue;
    PetscCallGmsh(gmshModelAddPhysicalGroup(fdim, members, m, group, &gmsh_ierr));
    PetscCallGmsh(gmshModelSetPhysicalName(fdim, group, names[group - PLATE_FACE_BOTTOM], &gmsh_ierr));
  }
  PetscCall(PetscFree(members));
  gmshFree(dimtags);
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckWritable(const char filename[], const char tmpname[])
{
  FILE *fp = fopen(tmpname, "w");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot write the mesh to %s (-o): the directory does not exist or is not writable", filename);
  fclose(fp);
  PetscFunctionReturn(0);
}

static PetscErrorCode GenerateAndWrite(const PlateMesh *pm, Stack stack, const char tmpname[])
{
  int       base[4];
  PetscInt  nbase = 0;

  PetscFunctionBeginUser;
  PetscCallGmsh(gmshInitialize(0, NULL, 0, &gmsh_ierr));
  PetscCallGmsh(gmshOptionSetNumber("General.Terminal", pm->gmsh_verbose ? 1 : 0, &gmsh_ierr));
  PetscCallGmsh(gmshOptionSetNumber("General.AbortOnError", 0, &gmsh_ierr));
  PetscCallGmsh(gmshOptionSetNumber("Mesh.MshFileVersion", 4.1, &gmsh_ierr));
  PetscCallGmsh(gmshOptionSetNumber("Mesh.Binary", 0, &gmsh_ierr));
  PetscCallGmsh(gmshLoggerStart(&gmsh_ierr));
  PetscCallGmsh(gmshModelAdd("fcclsim-plate", &gmsh_ierr));
  PetscCall(BuildBase(pm, base, &nbase));
  PetscCall(ExtrudeLayers(pm, stack, base, nbase));
  PetscCall(AddFaceGroups(pm, StackZ(stack, StackSize(stack))));
  PetscCallGmsh(gmshModelMeshGenerate(pm->model == MODEL_3D ? 3 : 2, &gmsh_ierr));
  PetscCallGmsh(gmshWrite(tmpname, &gmsh_ierr));
  PetscFunctionReturn(0);
}

/* Gmsh merges points closer than its geometric tolerance, which is relative to the size of the model: a meshed sample
   more than about 3e7 times larger than its thinnest element gives elements PETSc cannot read (measured: 3.3e7
   meshes, 4e7 does not); the limit keeps a factor 3 from that. */
#define PLATE_MAX_ASPECT 1e7

static PetscReal ElementHeight(const Layer *layer)
{
  return layer->thickness / layer->elements;
}

static PetscErrorCode CheckAspect(const PlateMesh *pm, Stack stack)
{
  const PetscReal extent = (pm->symmetry == PLATE_QUARTER ? 0.5 : 1) * (pm->model == MODEL_3D ? PetscMax(pm->lx, pm->ly) : pm->lx);
  const Layer    *thin   = StackLayer(stack, 0);
  char            key[256], where[PETSC_MAX_PATH_LEN + 320];

  PetscFunctionBeginUser;
  for (PetscInt l = 1; l < StackSize(stack); l++)
    if (ElementHeight(StackLayer(stack, l)) < ElementHeight(thin)) thin = StackLayer(stack, l);
  PetscCall(PetscSNPrintf(key, sizeof(key), "-layers_%s_thickness_um", thin->name));
  OptionWhere(key, where, sizeof(where));
  PetscCheck(extent <= PLATE_MAX_ASPECT * ElementHeight(thin), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s = %g in %" PetscInt_FMT " element(s): the meshed sample (%g mm) is %.2g times this element's height, more than Gmsh can mesh (%g): thicken the layer, give it fewer elements (layers_%s_elements), or mesh a smaller sample", where, (double)(thin->thickness * 1e6), thin->elements, (double)(extent * 1e3), (double)(extent / ElementHeight(thin)), PLATE_MAX_ASPECT, thin->name);
  PetscFunctionReturn(0);
}

static PetscErrorCode PlateMeshWriteSerial(const PlateMesh *pm, Stack stack, const char filename[])
{
  char           tmpname[PETSC_MAX_PATH_LEN];
  PetscErrorCode ierr;
  int            ignored;

  PetscFunctionBeginUser;
  PetscCheck(pm->model != MODEL_LAMINATE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-model laminate needs no mesh: choose -model 3d or 2d");
  PetscCall(CheckAspect(pm, stack));
  /* Gmsh chooses the format by extension, so the temporary name keeps .msh */
  PetscCall(PetscSNPrintf(tmpname, sizeof(tmpname), "%s.part%d.msh", filename, (int)getpid()));
  PetscCall(CheckWritable(filename, tmpname));
  ierr = GenerateAndWrite(pm, stack, tmpname);
  gmshFinalize(&ignored);
  if (ierr) (void)unlink(tmpname); /* never leave a partial mesh behind */
  PetscCall(ierr);
  PetscCheck(!rename(tmpname, filename), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", tmpname, filename);
  PetscFunctionReturn(0);
}

PetscErrorCode PlateMeshWrite(MPI_Comm comm, const PlateMesh *pm, Stack stack, const char filename[])
{
  PetscMPIInt rank;
  char        what[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(what, sizeof(what), "writing the mesh %s", filename));
  PetscCall(ErrorShareFromRankZero(comm, rank == 0 ? PlateMeshWriteSerial(pm, stack, filename) : 0, what));
  PetscFunctionReturn(0);
}
