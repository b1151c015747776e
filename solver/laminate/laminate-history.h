#pragma once
/* The laminate-theory process reference: a stack taken through bonds, temperature increments and etches, layer by
   layer. It is the smooth reference the finite-element models solve their departure from (fe/reference-state.h), the
   whole of -model laminate, and the check that a process can be carried out before any finite-element solve.

   State: for every layer, whether it is active, its modulus and its eigenstrain (LayerState); for the stack, the total
   strain of its active layers (LaminateStrain) and the temperature field. Each operation ends with the stack in
   equilibrium in the history's mode (LAMINATE_PLATE for the 3D model, LAMINATE_CYLINDER for the 2D one).

   - Bond: new layers are stress-free on the stack as it is (free: its current strain, curvature included, extended
     through the new layer) or as a press holds it (pressed: the stack brought to zero curvature with its in-plane
     stretch free). Then the press, if any, releases and the stack re-equilibrates.
   - Increment: the temperature changes from Ta to Tb; a layer's stress grows by C(T_mid) (d eps - alpha dT), with the
     thermal strain integrated exactly. With moduli that do not change, the eigenstrain just accumulates the thermal
     strain, so how a ramp is split cannot matter; where they change (E(T) tables, a glass transition), the stress
     carried over is kept as it is and only new increments see the new modulus. process.c decides the increments.
   - Etch: layers leave; the rest re-equilibrate with the eigenstrains they carry. An etch to a pattern leaves a
     fraction of the layer, which laminate theory takes as the layer with its stiffness in that proportion (Voigt's
     rule, eigenstrain unchanged): the smooth reference of a patterned stack, not its answer.

   The temperature is a field T + gx x + gy y over the sample (x, y from its centre); laminate theory takes its mean T,
   the finite elements the field itself. */
#include "stack.h"
#include "laminate.h"

/* One layer as laminate theory carries it: an inactive layer (not bonded yet, or etched) carries nothing */
typedef struct {
  PetscReal E, nu;          /* Pa, -: the in-plane modulus at the layer's temperature */
  PetscReal ex, gx, ey, gy; /* eigenstrain eps*_x(z) = ex + gx z, eps*_y(z) = ey + gy z (z from the stack's bottom) */
  PetscReal ez;             /* through-thickness eigenstrain (moves the layer's thickness only) */
  PetscReal kept;           /* the fraction of the layer a patterned etch left (1: whole); its stiffness is E kept */
  PetscBool active;
} LayerState;

/* A temperature field over the sample: T + gx x + gy y, K and K/m, (x, y) from the sample's centre */
typedef struct {
  PetscReal T, gx, gy;
} TemperatureField;

typedef struct _n_LaminateHistory *LaminateHistory;

PetscErrorCode LaminateHistoryCreate(Stack stack, LaminateMode mode, LaminateHistory *h);
PetscErrorCode LaminateHistoryCopy(LaminateHistory from, LaminateHistory to);
PetscErrorCode LaminateHistoryDestroy(LaminateHistory *h);
/* Bond layers idx[0..n-1] at the field T: the first bond sets the temperature; later ones need the stack at T. */
PetscErrorCode LaminateHistoryBond(LaminateHistory h, PetscInt n, const PetscInt idx[], const TemperatureField *T, PetscBool pressed);
/* One temperature increment from the current field to Tb */
PetscErrorCode LaminateHistoryIncrement(LaminateHistory h, const TemperatureField *Tb);
/* kept: the fraction of each layer that remains (0: the layers leave) */
PetscErrorCode LaminateHistoryEtch(LaminateHistory h, PetscInt n, const PetscInt idx[], PetscReal kept);
/* The strain a press holds the active layers at: zero curvature, in-plane stretch free (LAMINATE_FLAT) */
PetscErrorCode LaminateHistoryPressedStrain(LaminateHistory h, LaminateStrain *s);

Stack                   LaminateHistoryStack(LaminateHistory h);
LaminateMode            LaminateHistoryMode(LaminateHistory h);
const TemperatureField *LaminateHistoryTemperature(LaminateHistory h);
const LaminateStrain   *LaminateHistoryStrain(LaminateHistory h); /* of the active layers */
const LayerState       *LaminateHistoryLayer(LaminateHistory h, PetscInt i);
PetscBool               LaminateHistoryAnyActive(LaminateHistory h);
/* Bottom and top heights of the active layers (m) */
PetscErrorCode LaminateHistoryActiveRange(LaminateHistory h, PetscReal *z_bottom, PetscReal *z_top);
/* Largest |in-plane stress| per layer at its faces (Pa; NaN for inactive layers) */
PetscErrorCode LaminateHistoryMaxStress(LaminateHistory h, PetscReal smax[]);
/* The active layers as LaminateLayer (bottom first); the caller frees *layer */
PetscErrorCode LaminateHistoryActiveLayers(LaminateHistory h, PetscInt *n, LaminateLayer **layer);
