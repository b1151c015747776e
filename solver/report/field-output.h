#pragma once
/* Field output for ParaView: one time entry per solved process step, through PETSc's HDF5 viewer, plus an XDMF index.

   DIR/fields.h5, DIR/fields.xmf   the whole plate (3D) or section (2D), every state:
     per node:  displacement (total: laminate reference + departure, m; 3 components, the 2D section in its x-y plane)
     per cell:  layer (0 = the case's first, bottom layer), active (1/0; 0 = etched), temperature (K),
                stress_xx ... stress_xy and von_mises (cell averages, Pa, in laminate axes: z through the thickness),
                thermal_strain_in_plane, thermal_strain_thickness (the layer's free strain from its stress-free state)
   DIR/curlmap.h5, DIR/curlmap.xmf the mid-surface curl map of every state (rank 0's CurlMap arrays):
     per node:  deflection (0, 0, w) (m), w (m), kappa_xx, kappa_yy, kappa_xy, k1, k2 (1/m), k1_angle (deg),
                R1, R2 (cm, signed; NaN for a flat direction, whose radius is infinite)

   Both HDF5 files are written as NAME.part and renamed when FieldOutputFinish has closed them; the XDMF files are
   written last (also through a .part name), so a run killed midway leaves no .xmf: nothing that ParaView would read
   as a result; the run clears the files of an earlier run from the directory first (output-directory.h).
   docs/viewing.md tells how to look at them. */
#include "model.h"

typedef struct _n_FieldOutput *FieldOutput;

/* Collective. The caller creates it only when field output is asked for (-output_fields).
   A test hook: with FCCLSIM_TEST_KILL_AFTER_STATES=N in the environment, FieldOutputWriteState kills the process
   (SIGKILL) when it is called for state N + 1, so that tests/output/check-killed-run.sh can see what a run killed
   midway leaves. An environment variable, not an option: it is no case key and needs no place in docs/cases.md. */
PetscErrorCode FieldOutputCreate(MPI_Comm comm, const char dir[], FieldOutput *out);
/* Collective. Appends the solved state of model as the next time entry; index is its time value (the process step's
   number), name its label (an XDMF grid name), temperature_K the state's temperature. Every state must have the same
   mesh and distribution. */
PetscErrorCode FieldOutputWriteState(FieldOutput out, Model model, PetscInt index, const char name[], PetscReal temperature_K);
/* Not collective: rank 0 passes the curl map of the state last written (n = 0 and NULL columns elsewhere). The columns,
   each of length n, in this order: x, y, w (m), kxx, kyy, kxy, k1, k2 (1/m), angle (deg), R1, R2 (cm, INFINITY for a
   flat direction). Rank 0 writes them; called after FieldOutputWriteState for the same state. */
#define FIELD_OUTPUT_CURL_COLUMNS 11
PetscErrorCode FieldOutputWriteCurlMap(FieldOutput out, PetscInt n, const PetscReal *const columns[FIELD_OUTPUT_CURL_COLUMNS]);
/* Collective. Closes the HDF5 files, renames them into place and writes the XDMF files. */
PetscErrorCode FieldOutputFinish(FieldOutput out);
PetscErrorCode FieldOutputDestroy(FieldOutput *out);
