#include "state-fields.h"

struct _n_StateFields {
  DM           dm;
  Vec          state;    /* local */
  PetscSection section;  /* local, of dm */
  PetscInt     nq;       /* quadrature points (nodes) per cell */
  PetscInt    *node_of;  /* [nq] */
};

DM       StateFieldsDM(StateFields sf) { return sf->dm; }
Vec      StateFieldsVec(StateFields sf) { return sf->state; }
PetscInt StateFieldsNumPoints(StateFields sf) { return sf->nq; }
PetscInt StateFieldsNodeOf(StateFields sf, PetscInt q) { return sf->node_of[q]; }

/* A discontinuous tensor Lagrange element of degree k with its nodes at the Gauss-Jacobi points */
static PetscErrorCode CreatePointField(MPI_Comm comm, PetscInt dim, PetscInt Nc, PetscInt k, PetscFE disp, PetscFE *fe)
{
  PetscSpace     P;
  PetscDualSpace Q;
  DM             K;

  PetscFunctionBeginUser;
  PetscCall(PetscSpaceCreate(comm, &P));
  PetscCall(PetscSpaceSetType(P, PETSCSPACEPOLYNOMIAL));
  PetscCall(PetscSpaceSetNumComponents(P, Nc));
  PetscCall(PetscSpaceSetNumVariables(P, dim));
  PetscCall(PetscSpaceSetDegree(P, k, PETSC_DETERMINE));
  PetscCall(PetscSpacePolynomialSetTensor(P, PETSC_TRUE));
  PetscCall(PetscSpaceSetUp(P));
  PetscCall(PetscDualSpaceCreate(comm, &Q));
  PetscCall(PetscDualSpaceSetType(Q, PETSCDUALSPACELAGRANGE));
  PetscCall(DMPlexCreateReferenceCell(PETSC_COMM_SELF, dim == 3 ? DM_POLYTOPE_HEXAHEDRON : DM_POLYTOPE_QUADRILATERAL, &K));
  PetscCall(PetscDualSpaceSetDM(Q, K));
  PetscCall(DMDestroy(&K));
  PetscCall(PetscDualSpaceSetNumComponents(Q, Nc));
  PetscCall(PetscDualSpaceSetOrder(Q, k));
  PetscCall(PetscDualSpaceLagrangeSetTensor(Q, PETSC_TRUE));
  PetscCall(PetscDualSpaceLagrangeSetContinuity(Q, PETSC_FALSE));
  PetscCall(PetscDualSpaceLagrangeSetNodeType(Q, PETSCDTNODES_GAUSSJACOBI, PETSC_FALSE, 0.0));
  PetscCall(PetscDualSpaceSetUp(Q));
  PetscCall(PetscFECreate(comm, fe));
  PetscCall(PetscFESetType(*fe, PETSCFEBASIC));
  PetscCall(PetscFESetBasisSpace(*fe, P));
  PetscCall(PetscFESetDualSpace(*fe, Q));
  PetscCall(PetscFESetNumComponents(*fe, Nc));
  PetscCall(PetscFESetUp(*fe));
  PetscCall(PetscFECopyQuadrature(disp, *fe));
  PetscCall(PetscSpaceDestroy(&P));
  PetscCall(PetscDualSpaceDestroy(&Q));
  PetscFunctionReturn(0);
}

/* Which node holds each quadrature point: the point field's basis, tabulated at the quadrature, must be a permutation
   (checked: a node's basis function is 1 at its own point and 0 at the others, to round-off) */
static PetscErrorCode NodeOfPoint(PetscFE point_fe, PetscInt *nq, PetscInt **node_of)
{
  PetscTabulation T;
  PetscQuadrature q;
  PetscInt        Nq, Nb;

  PetscFunctionBeginUser;
  PetscCall(PetscFEGetQuadrature(point_fe, &q));
  PetscCall(PetscQuadratureGetData(q, NULL, NULL, &Nq, NULL, NULL));
  PetscCall(PetscFEGetCellTabulation(point_fe, 1, &T)); /* with the derivative PetscDSSetUp will ask for */
  Nb = T->Nb;
  PetscCheck(T->Nc == 1 && Nb == Nq, PETSC_COMM_SELF, PETSC_ERR_SUP, "the quadrature-point field has %" PetscInt_FMT " nodes for %" PetscInt_FMT " quadrature points: the displacement's quadrature must be the Gauss rule of its degree", Nb, Nq);
  PetscCall(PetscMalloc1(Nq, node_of));
  for (PetscInt p = 0; p < Nq; p++) {
    PetscInt hits = 0;
    for (PetscInt b = 0; b < Nb; b++) {
      const PetscReal v = T->T[0][p * Nb + b];
      if (PetscAbsReal(v - 1) < 1e-10) {
        (*node_of)[p] = b;
        hits++;
      } else PetscCheck(PetscAbsReal(v) < 1e-10, PETSC_COMM_SELF, PETSC_ERR_PLIB, "node %" PetscInt_FMT "'s basis function is %g at quadrature point %" PetscInt_FMT ": the nodes are not the quadrature points", b, (double)v, p);
    }
    PetscCheck(hits == 1, PETSC_COMM_SELF, PETSC_ERR_PLIB, "quadrature point %" PetscInt_FMT " is the node of %" PetscInt_FMT " basis functions", p, hits);
  }
  *nq = Nq;
  PetscFunctionReturn(0);
}

PetscErrorCode StateFieldsCreate(DM dm, PetscFE disp, StateFields *sf)
{
  MPI_Comm     comm = PetscObjectComm((PetscObject)dm);
  StateFields  s;
  PetscFE      fe[AUX_NUM_FIELDS];
  const char  *names[AUX_NUM_FIELDS] = {"eigenstrain", "temperature", "stiffness", "cell"};
  PetscInt     dim, k, cStart, cEnd;
  PetscSpace   space;
  DMLabel      cells;
  PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(PetscFEGetBasisSpace(disp, &space));
  PetscCall(PetscSpaceGetDegree(space, &k, NULL));
  PetscCall(CreatePointField(comm, dim, VOIGT_N, k, disp, &fe[AUX_EIGENSTRAIN]));
  PetscCall(CreatePointField(comm, dim, 1, k, disp, &fe[AUX_TEMPERATURE]));
  PetscCall(PetscFECreateLagrange(comm, dim, STIFFNESS_N, PETSC_FALSE, 0, PETSC_DETERMINE, &fe[AUX_STIFFNESS]));
  PetscCall(PetscFECreateLagrange(comm, dim, CELL_NUM, PETSC_FALSE, 0, PETSC_DETERMINE, &fe[AUX_CELL]));
  PetscCall(NodeOfPoint(fe[AUX_TEMPERATURE], &s->nq, &s->node_of));
  PetscCall(DMClone(dm, &s->dm));
  PetscCall(PetscObjectSetName((PetscObject)s->dm, "state"));
  for (PetscInt f = 0; f < AUX_NUM_FIELDS; f++) {
    if (f >= AUX_STIFFNESS) PetscCall(PetscFECopyQuadrature(disp, fe[f]));
    PetscCall(PetscObjectSetName((PetscObject)fe[f], names[f]));
    PetscCall(DMSetField(s->dm, f, NULL, (PetscObject)fe[f]));
    PetscCall(PetscFEDestroy(&fe[f]));
  }
  PetscCall(DMCreateDS(s->dm));
  PetscCall(DMCreateLocalVector(s->dm, &s->state));
  PetscCall(PetscObjectSetName((PetscObject)s->state, "state"));
  PetscCall(DMGetLocalSection(s->dm, &s->section));
  PetscCall(VecZeroEntries(s->state));
  PetscCall(DMGetLabel(dm, "Cell Sets", &cells));
  PetscCheck(cells, comm, PETSC_ERR_USER_INPUT, "the mesh has no Cell Sets (one per layer): make it with fcclsim-mesh");
  PetscCall(DMPlexGetHeightStratum(s->dm, 0, &cStart, &cEnd));
  PetscCall(VecGetArray(s->state, &a));
  for (PetscInt c = cStart; c < cEnd; c++) {
    CellState cs;
    PetscInt  tag;
    PetscCall(DMLabelGetValue(cells, c, &tag));
    PetscCheck(tag >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "mesh cell %" PetscInt_FMT " is in no layer's Cell Set", c);
    PetscCall(StateFieldsCell(s, a, c, &cs));
    cs.cell[CELL_LAYER]  = tag - 1;
    cs.cell[CELL_ACTIVE] = 0;
  }
  PetscCall(VecRestoreArray(s->state, &a));
  *sf = s;
  PetscFunctionReturn(0);
}

PetscErrorCode StateFieldsCell(StateFields sf, PetscScalar array[], PetscInt c, CellState *cs)
{
  PetscInt off;

  PetscFunctionBeginUser;
  PetscCall(PetscSectionGetFieldOffset(sf->section, c, AUX_EIGENSTRAIN, &off));
  cs->eigenstrain = &array[off];
  PetscCall(PetscSectionGetFieldOffset(sf->section, c, AUX_TEMPERATURE, &off));
  cs->temperature = &array[off];
  PetscCall(PetscSectionGetFieldOffset(sf->section, c, AUX_STIFFNESS, &off));
  cs->stiffness = &array[off];
  PetscCall(PetscSectionGetFieldOffset(sf->section, c, AUX_CELL, &off));
  cs->cell = &array[off];
  PetscFunctionReturn(0);
}

PetscErrorCode StateFieldsDestroy(StateFields *sf)
{
  PetscFunctionBeginUser;
  if (!*sf) PetscFunctionReturn(0);
  PetscCall(VecDestroy(&(*sf)->state));
  PetscCall(DMDestroy(&(*sf)->dm));
  PetscCall(PetscFree((*sf)->node_of));
  PetscCall(PetscFree(*sf));
  PetscFunctionReturn(0);
}
