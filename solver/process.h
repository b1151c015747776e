#pragma once
/* The manufacturing history as an ordered list of process steps (docs/process.md): where a bond, a temperature ramp
   and an etch are declared, checked, and applied to a laminate-theory history.

   Options (a YAML case gives `steps:` as a list of one-key maps):
     -steps NAME,NAME,...                the steps in order; each leaves a state of the same name
     -steps_NAME_type bond|cure|temperature|etch
     -steps_NAME_layers A,B               bond: the layers that join; etch: the layers removed
     -steps_NAME_temperature_C T          bond: its temperature (the stack is ramped there first); temperature: the end
     -steps_NAME_mode free|pressed        bond only
     -steps_NAME_increments N             temperature only: N equal increments, 1 to 100000 (default: automatic)
     -steps_NAME_from STEP                start from the state an earlier step left (etch branches)
   Without -steps, the patent's process is built from -process_{cure_C,lamination_C,final_C,lamination_mode,foil1,foil2}.
   -process_increment_C (5) caps automatic increments; -process_tg_model rubbery|none switches the glass transition. */
#include "laminate-history.h"

typedef enum { STEP_BOND, STEP_TEMPERATURE, STEP_ETCH } ProcessStepType;
extern const char *const ProcessStepTypeNames[];

typedef struct {
  char            name[64];
  ProcessStepType type;
  PetscInt        nlayers;
  PetscInt       *layer;      /* layer indices */
  PetscReal       T;          /* K; 0 when not given */
  PetscBool       pressed;
  PetscInt        increments; /* 0: automatic */
  PetscInt        from;       /* index of the step this one starts from; -1: the one before */
} ProcessStep;

typedef struct _n_Process *Process;
struct _n_Process {
  PetscInt     n;
  ProcessStep *step;
  PetscReal    max_increment; /* K */
  PetscBool    tg_rubbery;
};

/* Reads and checks the steps against the stack (bonding twice, etching what is not there, leaving nothing): errors
   name the file and the key. Sets the glass-transition model of the stack's materials. */
PetscErrorCode ProcessCreateFromOptions(MPI_Comm comm, Stack stack, Process *process);
/* Applies step k to a history that holds the state the step starts from */
PetscErrorCode ProcessApplyStep(Process process, PetscInt k, LaminateHistory h);
PetscErrorCode ProcessView(Process process, Stack stack, PetscViewer viewer);
PetscErrorCode ProcessDestroy(Process *process);
