#pragma once
/* Typed reads of fcclsim's keys inside an options block (PetscOptionsBegin/End), so that `-help` lists every key
   with its help text, unit and range, and a bad value is a one-line user error naming where the key was set, the key,
   the value and what is allowed:
     cases/x.yaml:7: layers_pi_thickness_um = -5: must lie in [0.001, 10000] (thickness, um)
   PETSc's own readers would wrap a huge integer, truncate a long string or a long list, and report a non-number
   without the key; these check the raw text first. Ranges are closed intervals; they are not checked under -help
   (a case's values are shown as they are). `text` is the help line and holds the unit. */
#include <petscsys.h>

PetscErrorCode OptionReal(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscReal dflt, PetscReal lo, PetscReal hi, PetscReal *value, PetscBool *set);
PetscErrorCode OptionInt(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscInt dflt, PetscInt lo, PetscInt hi, PetscInt *value, PetscBool *set);
PetscErrorCode OptionBool(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscBool dflt, PetscBool *value, PetscBool *set);
/* names: the choices, NULL-terminated; *value is the index of the one given */
PetscErrorCode OptionChoice(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char *const names[], PetscInt dflt, PetscInt *value, PetscBool *set);
/* A string of at most len - 1 characters (value may be dflt) */
PetscErrorCode OptionString(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char dflt[], char value[], size_t len, PetscBool *set);
/* Comma-separated lists of at most *n items (in: the capacity; out: the number given). Strings are allocated and
   freed by the caller with PetscFree; every item must be non-empty. */
PetscErrorCode OptionStringList(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], char *value[], PetscInt *n, PetscBool *set);
PetscErrorCode OptionRealList(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscReal lo, PetscReal hi, PetscReal value[], PetscInt *n, PetscBool *set);
/* The full key of opt in the current block ("-layers_pi_thickness_um"), and "<origin>: <key without '-'>" for
   messages about it; both in buffers the caller owns */
void           OptionKey(PetscOptionItems *PetscOptionsObject, const char opt[], char key[], size_t len);
void           OptionWhere(const char key[], char where[], size_t len);
