#pragma once
/* Checkpoints and restart (docs/restart.md). After a completed process step the run may write DIR/checkpoint-K.h5
   (K: the step's index), which holds what the steps after K need: the finite-element state the step left and the
   saved states later branches start from (model.h, ModelStateWrite), what the solver carries to the next step
   (ModelSolverWrite), the summary's entries of steps 0..K, and a text
   record of the run: the fcclsim version, the rank count, the names of the states, a hash of the distributed mesh and
   the case's resolved options. It is written through a .part name and renamed when complete; the last two are kept,
   and all are removed when the run completes.

   -restart resumes a run in its output directory from its last valid checkpoint: one that is truncated or damaged
   (state-file.h) is skipped with a message, falling back to the one before or to the start. A checkpoint of another
   case (its options or mesh differ) or of another rank count stops the run with one line saying what differs: the
   state is stored in each rank's local layout, which another rank count does not share (and runs on other rank counts
   differ in round-off anyway, so none could be bit-identical to the first).

   Options (block "Checkpoint and restart"):
     -checkpoint true|false        (default true) write checkpoints
     -checkpoint_interval_s S      (default 30, >= 0) after a step, write one when S seconds of wall time have passed
                                   since the run started or since the last checkpoint: short runs write none, and a
                                   killed long run loses at most about S seconds plus one step; 0: after every step
     -restart                      resume as above (no valid checkpoint: start from the first step, and say so)
   The laminate-theory model (-model laminate) has no finite-element state and writes no checkpoints. */
#include "model.h"
#include "summary.h"

typedef struct _n_Checkpoint *Checkpoint;

/* Collective. Reads the options; dir is the run's output directory */
PetscErrorCode CheckpointCreate(MPI_Comm comm, const char dir[], Checkpoint *cp);
PetscErrorCode CheckpointDestroy(Checkpoint *cp);
/* Collective, after the case's options are all in and before the output directory is claimed. With -restart, finds
   the last valid checkpoint of this case in the directory; stops on one of another case or rank count. */
PetscErrorCode CheckpointFind(Checkpoint cp);
/* The step the found checkpoint was written after (-1: none, the run starts from the first step) */
PetscInt       CheckpointResumeStep(Checkpoint cp);
/* The files of dir a restart keeps (NULL-terminated; valid until CheckpointDestroy): the kept states' output files
   and the checkpoints it may fall back to */
const char *const *CheckpointKeptFiles(Checkpoint cp);
/* Collective. Restores the found checkpoint: the model's state, the saved states of steps before it that later steps
   start from (saved[], one per step, NULL where none), and the summary's entries. Checks the mesh first. */
PetscErrorCode CheckpointLoad(Checkpoint cp, Model model, Process process, ModelState saved[], Summary summary);
/* Collective. After step k has been solved and reported (its output files are complete): writes a checkpoint if one
   is due; model NULL (laminate theory) writes none */
PetscErrorCode CheckpointAfterStep(Checkpoint cp, PetscInt k, Model model, Process process, ModelState saved[], Summary summary);
/* Collective. The run is complete: its checkpoints are removed */
PetscErrorCode CheckpointFinish(Checkpoint cp);
