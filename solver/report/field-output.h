#pragma once
/* Field output for ParaView: one time entry per solved process step, through PETSc's HDF5 viewer, plus an XDMF index.

   DIR/fields-mesh.h5              the mesh of the whole plate (3D) or section (2D), written with the first state
   DIR/fields-STATE.h5             the fields of one state (STATE: its name, as in curlmap-STATE.csv):
     per node:  displacement (total: laminate reference + departure, m; 3 components, the 2D section in its x-y plane)
     per cell:  layer (0 = the case's first, bottom layer), active (1/0; 0 = etched), fraction_kept (the copper a
                patterned etch left, 0 to 1), temperature (K), stress_xx ... stress_xy and von_mises (cell averages,
                Pa), eigenstrain_xx ... eigenstrain_xy (cell averages of the point state, state-fields.h), both in
                laminate axes: z through the thickness
   DIR/curlmap-STATE.h5            the mid-surface curl map of one state (rank 0's CurlMap arrays), its nodes and cells:
     per node:  deflection (0, 0, w) (m), w (m), kappa_xx, kappa_yy, kappa_xy, k1, k2 (1/m), k1_angle (deg),
                R1, R2 (cm, signed; NaN for a flat direction, whose radius is infinite)
   DIR/fields.xmf, DIR/curlmap.xmf the index ParaView opens: a time series of every state, pointing into those files

   One file per state, not one growing time series: a state's files are written as NAME.part and renamed once closed,
   before FieldOutputWriteState / FieldOutputWriteCurlMap return, so every state done is a complete file the moment
   it is done; a run killed midway leaves readable states and at most one .part, and a restarted run keeps the states
   an earlier run completed (FieldOutputKeepState). The XDMF files are written last (also through a .part name), so a
   run killed midway leaves no .xmf: nothing that ParaView would read as a result; the run clears the files of an
   earlier run from the directory first (output-directory.h). docs/viewing.md tells how to look at them. */
#include "model.h"

typedef struct _n_FieldOutput *FieldOutput;

/* Collective. The caller creates it only when field output is asked for (-output_fields).
   A test hook: with FCCLSIM_TEST_KILL_AFTER_STATES=N in the environment, FieldOutputWriteState kills the process
   (SIGKILL) when it is called for state N + 1, so that tests/output/check-killed-run.sh can see what a run killed
   midway leaves. An environment variable, not an option: it is no case key and needs no place in docs/cases.md. */
PetscErrorCode FieldOutputCreate(MPI_Comm comm, const char dir[], FieldOutput *out);
/* Collective. Appends the solved state of model as the next time entry and writes its fields-STATE.h5 (the first
   state also fields-mesh.h5); index is its time value (the process step's number), name its label (an XDMF grid name
   and the file's STATE), temperature_K the state's temperature. Every state must have the same mesh and distribution.
   No state may be called "mesh" (its file would be the mesh's). */
PetscErrorCode FieldOutputWriteState(FieldOutput out, Model model, PetscInt index, const char name[], PetscReal temperature_K);
/* Not collective: rank 0 passes the curl map of the state last written (n = 0 and NULL columns elsewhere). The columns,
   each of length n, in this order: x, y, w (m), kxx, kyy, kxy, k1, k2 (1/m), angle (deg), R1, R2 (cm, INFINITY for a
   flat direction). Rank 0 writes them to curlmap-STATE.h5; called after FieldOutputWriteState for the same
   state. */
#define FIELD_OUTPUT_CURL_COLUMNS 11
PetscErrorCode FieldOutputWriteCurlMap(FieldOutput out, PetscInt n, const PetscReal *const columns[FIELD_OUTPUT_CURL_COLUMNS]);
/* Collective. A restarted run: appends, as the next time entry, a state whose files an earlier run of the same case
   already wrote completely (fields-STATE.h5, and curlmap-STATE.h5 when has_curl), in place of writing it again, so
   that the XDMF lists it; the arguments are FieldOutputWriteState's. It writes nothing: it checks that the files are
   there and of this run's mesh (and, for a first state, fields-mesh.h5 and that it was written on as many ranks:
   the rows of every file are in the order of one distribution) and stops otherwise. Works when every state so far
   was kept; the states that follow are written by FieldOutputWriteState as usual. */
PetscErrorCode FieldOutputKeepState(FieldOutput out, Model model, PetscInt index, const char name[], PetscReal temperature_K, PetscBool has_curl);
/* Collective. Writes the XDMF files (every state's files are in place already). */
PetscErrorCode FieldOutputFinish(FieldOutput out);
PetscErrorCode FieldOutputDestroy(FieldOutput *out);
