#pragma once
/* The manufacturing history as an ordered list of process steps (docs/process.md): where a bond, a temperature ramp
   and an etch are declared and checked, how a ramp is split into increments, and the order in which a step's
   operations reach the laminate-theory history and, through ProcessHooks, the finite-element model.

   Options (blocks "Process" and "Step NAME"; a YAML case gives `steps:` as a list of one-key maps):
     -steps NAME,NAME,...                the steps in order; each leaves a state of the same name
     -steps_NAME_type bond|cure|temperature|etch
     -steps_NAME_layers A,B               bond: the layers that join; etch: the layers removed
     -steps_NAME_temperature_C T          bond: its temperature (the stack is ramped there first); temperature: the end
     -steps_NAME_gradient_C_per_mm GX,GY  temperature only: the end temperature varies as T + GX x + GY y in plane
     -steps_NAME_mode free|pressed        bond only
     -steps_NAME_increments N             temperature only: N equal increments, 1 to 100000 (default: automatic)
     -steps_NAME_from STEP                start from the state an earlier step left (etch branches)
     -steps_NAME_pattern P                etch only: etch the layers to pattern P (pattern.h) instead of removing them
   Without -steps, the patent's process is built from -process_{cure_C,lamination_C,final_C,lamination_mode,foil1,foil2}.
   -process_increment_C (5) caps automatic increments; -process_tg_model rubbery|none switches the glass transition. */
#include "laminate-history.h"
#include "pattern.h"

typedef enum { STEP_BOND, STEP_TEMPERATURE, STEP_ETCH } ProcessStepType;
extern const char *const ProcessStepTypeNames[];

typedef struct {
  char            name[64];
  ProcessStepType type;
  PetscInt        nlayers;
  PetscInt       *layer;       /* layer indices */
  PetscReal       T;           /* K; 0 when not given */
  PetscReal       gradient[2]; /* K/m: the end temperature's in-plane gradient (temperature steps) */
  PetscBool       pressed;
  PetscInt        increments;  /* 0: automatic */
  PetscInt        from;        /* index of the step this one starts from; -1: the one before */
  Pattern         pattern;     /* etch: the copper it leaves (NULL: the layers go whole) */
  PetscReal       kept;        /* etch: the fraction of the modelled area the pattern keeps (laminate theory's) */
} ProcessStep;

typedef struct _n_Process *Process;

/* Reads and checks the steps against the stack (bonding twice, etching what is not there, leaving nothing, too many
   increments): errors name the file and the key. lx, ly: the sample's size (m), which a temperature gradient spans
   and a pattern must lie on; modelled: the part of the sample the model covers (y0 = y1 = 0: the 2D section, which
   has no y extent), over which laminate theory averages a pattern.
   Sets the glass-transition model of the stack's materials. */
PetscErrorCode     ProcessCreateFromOptions(MPI_Comm comm, Stack stack, PetscReal lx, PetscReal ly, const PatternBox *modelled, Process *process);
/* Whether the case etches to a pattern (read before the process, to choose the plate's default symmetry) */
PetscErrorCode     ProcessOptionsHavePattern(MPI_Comm comm, PetscBool *patterned);
PetscInt           ProcessSize(Process process);
const ProcessStep *ProcessGetStep(Process process, PetscInt k);
/* The step whose state step k starts from (-1 for the first) */
PetscInt           ProcessStepStart(Process process, PetscInt k);
/* Whether a later step starts from the state step k leaves (other than the one right after it) */
PetscBool          ProcessStepIsBranchPoint(Process process, PetscInt k);

/* What a finite-element model does in step with the laminate history h, which has already taken the operation:
   bond: the layers, the temperature they bond at, and for a pressed bond onto a stack the strain the press held it
   at (NULL for a free bond); increment: the field the temperature reaches; etch: the layers removed, or etched to
   st->pattern. */
typedef struct {
  PetscErrorCode (*bond)(void *ctx, const ProcessStep *st, const TemperatureField *T, const LaminateStrain *pressed, LaminateHistory h);
  PetscErrorCode (*increment)(void *ctx, const TemperatureField *T, LaminateHistory h);
  PetscErrorCode (*etch)(void *ctx, const ProcessStep *st, LaminateHistory h);
} ProcessHooks;

/* Applies step k to a history that holds the state the step starts from; hooks (may be NULL) follow each operation */
PetscErrorCode ProcessApplyStep(Process process, PetscInt k, LaminateHistory h, const ProcessHooks *hooks, void *ctx);
PetscErrorCode ProcessView(Process process, Stack stack, PetscViewer viewer);
PetscErrorCode ProcessDestroy(Process *process);
