#pragma once
/* summary.json: one entry per solved state (process step), written atomically (temporary name, then rename). */
#include "curl.h"

typedef struct {
  char      name[64];
  char      step_type[16]; /* bond, temperature, etch */
  PetscReal temperature; /* K, the mean */
  PetscReal gradient[2]; /* K/m, the temperature's in-plane gradient */
  PetscBool *active;     /* per layer */
  Curvature mid, bottom, top;
  PetscReal edge_lift;   /* m, of the sample lying on a table, from k1 over the sample length in that direction */
  PetscReal warpage;     /* m, peak-to-valley of the curl map's w about its best plane (NaN: no map, laminate theory) */
  PetscReal *max_stress; /* Pa, per layer, largest |cell-averaged in-plane stress| (NaN for laminate theory) */
  PetscReal kappa_sphere, kappa_cylinder; /* laminate theory of the same state, 1/m */
  PetscInt  dofs, iterations;
  PetscInt  newton_steps;    /* geometry nonlinear: the state's Newton steps (0 in linear geometry) */
  PetscInt  negative_pivots; /* geometry nonlinear: of the state's tangent (model.h, ModelStatistics); -1: not known */
  PetscLogDouble time_setup, time_assembly, time_assembly_solve; /* assembly (matrix and load) is part of assembly_solve */
} StateReport;

typedef struct _n_Summary *Summary;

PetscErrorCode SummaryCreate(MPI_Comm comm, const char case_file[], const char model_name[], Stack stack, Summary *summary);
/* Copies the report; the arrays must hold StackSize(stack) entries. */
PetscErrorCode SummaryAddState(Summary summary, const StateReport *state);
PetscErrorCode SummaryWrite(Summary summary, const char path[]);
/* The checkpoint's part (checkpoint.h): the states so far, and each one's name and step type */
PetscInt       SummarySize(Summary summary);
const StateReport *SummaryState(Summary summary, PetscInt i);
/* Collective. The states' numbers into the viewer's current group (state-file.h), and back as the states of an empty
   summary; the names and step types travel in the checkpoint's text */
PetscErrorCode SummaryWriteRecords(Summary summary, PetscViewer viewer);
PetscErrorCode SummaryReadRecords(Summary summary, PetscViewer viewer, PetscInt n, char *const names[], char *const step_types[]);
PetscErrorCode SummaryDestroy(Summary *summary);
