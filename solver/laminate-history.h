#pragma once
/* The laminate-theory process reference: a stack taken through bonds, temperature ramps and etches, layer by layer.

   State: for every layer, whether it is active, its modulus and its eigenstrain (LayerLoad); for the stack, the total
   strain of its active layers (LaminateStrain) and the temperature. Each operation ends with the stack in equilibrium
   in the history's mode (LAMINATE_PLATE for the 3D model, LAMINATE_CYLINDER for the 2D one).

   - Bond: new layers are stress-free on the stack as it is (free: its current strain, curvature included, extended
     through the new layer) or as a press holds it (pressed: the stack brought to zero curvature with its in-plane
     stretch free). Then the press, if any, releases and the stack re-equilibrates.
   - Ramp: the temperature changes in increments; in each, a layer's stress grows by C(T_mid) (d eps - alpha dT), with
     the thermal strain integrated exactly. With moduli that do not change, the eigenstrain just accumulates the thermal
     strain, so how a ramp is split cannot matter; where they change (E(T) tables, a glass transition), the stress
     carried over is kept as it is and only new increments see the new modulus.
   - Etch: layers leave; the rest re-equilibrate with the eigenstrains they carry.

   The finite-element models take their layers' eigenstrains from this reference: the state carried from step to step is
   the plate-theory (far-field) state; the free-edge boundary layers are solved at every step but not inherited. */
#include "model.h"

typedef struct _n_LaminateHistory *LaminateHistory;
struct _n_LaminateHistory {
  Stack          stack;
  LaminateMode   mode;
  PetscReal      T;       /* K; 0 before the first bond */
  LayerLoad     *load;    /* per layer */
  PetscBool     *bonded;  /* ever bonded (a layer cannot be bonded twice, even after an etch) */
  LaminateStrain strain;  /* of the active layers */
  PetscInt       increments; /* temperature increments taken so far */
};

PetscErrorCode LaminateHistoryCreate(Stack stack, LaminateMode mode, LaminateHistory *h);
PetscErrorCode LaminateHistoryCopy(LaminateHistory from, LaminateHistory to);
PetscErrorCode LaminateHistoryDestroy(LaminateHistory *h);
/* Bond layers idx[0..n-1] at T (K): the first bond sets the temperature; later ones need the stack at T (ramp first). */
PetscErrorCode LaminateHistoryBond(LaminateHistory h, PetscInt n, const PetscInt idx[], PetscReal T, PetscBool pressed);
/* Ramp to T_end (K) in nincr equal increments, or, for nincr = 0, split at every modulus breakpoint of the active
   layers and into increments of at most max_increment (K). */
PetscErrorCode LaminateHistoryRamp(LaminateHistory h, PetscReal T_end, PetscInt nincr, PetscReal max_increment);
PetscErrorCode LaminateHistoryEtch(LaminateHistory h, PetscInt n, const PetscInt idx[]);
/* Bottom and top heights of the active layers (m) */
PetscErrorCode LaminateHistoryActiveRange(LaminateHistory h, PetscReal *z_bottom, PetscReal *z_top);
/* Largest |in-plane stress| per layer at its faces (Pa; NaN for inactive layers) */
PetscErrorCode LaminateHistoryMaxStress(LaminateHistory h, PetscReal smax[]);
/* The active layers as LaminateLayer (bottom first); the caller frees *layer */
PetscErrorCode StackActiveLayers(Stack stack, const LayerLoad load[], PetscInt *n, LaminateLayer **layer);
