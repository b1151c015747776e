#ifndef FCCLSIM_MATERIAL_H
#define FCCLSIM_MATERIAL_H

/* Temperature-dependent linear-elastic material with transversely isotropic thermal expansion.
   Everything stored here is SI: temperatures in K, moduli in Pa, CTEs in 1/K. The options database
   keys carry the input units in their names (GPa, ppm/K, C); conversion happens once, on reading. */

#include <petscsys.h>
#include <petscviewer.h>

/* Piecewise-linear function of temperature; n == 1 means a constant. T in K (strictly increasing), v in SI. */
typedef struct {
  PetscInt   n;
  PetscReal *T;
  PetscReal *v;
} PiecewiseLinear;

typedef struct _n_Material *Material;
struct _n_Material {
  char            name[PETSC_MAX_PATH_LEN];
  char            source[PETSC_MAX_PATH_LEN]; /* file the values came from, for error messages */
  PiecewiseLinear E, alpha, alpha_z;
  PetscReal       nu;
  PetscBool       extrapolate; /* constant extrapolation outside the tables */
};

/* Reads -material_<name>_{E_GPa,E_T_C,nu,alpha_ppm_per_K,alpha_T_C,alpha_z_ppm_per_K,alpha_z_T_C,extrapolate}. */
PetscErrorCode MaterialCreateFromOptions(MPI_Comm comm, const char name[], const char source[], Material *mat);
PetscErrorCode MaterialDestroy(Material *mat);
/* E in Pa at T in K */
PetscErrorCode MaterialGetModulus(Material mat, PetscReal T, PetscReal *E);
/* Exact integral of the instantaneous CTE over [T0, T] (piecewise-linear alpha => trapezoid per segment, splitting
   at the table's breakpoints; sign follows T - T0). eps_in is the in-plane free strain, eps_z the through-thickness one. */
PetscErrorCode MaterialGetThermalStrain(Material mat, PetscReal T0, PetscReal T, PetscReal *eps_in, PetscReal *eps_z);
/* One readable block, in input units */
PetscErrorCode MaterialView(Material mat, PetscViewer viewer);

/* Value at T. *inside is PETSC_FALSE when T lies outside the table's range (never for a one-point table); *v is then
   the end value if extrapolate, else NaN, so the caller must check *inside and report. */
PetscErrorCode PiecewiseLinearEvaluate(const PiecewiseLinear *f, PetscBool extrapolate, PetscReal T, PetscReal *v, PetscBool *inside);
/* Exact integral over [a, b] (negative if b < a). *inside as for PiecewiseLinearEvaluate, for any part of [a, b]. */
PetscErrorCode PiecewiseLinearIntegrate(const PiecewiseLinear *f, PetscBool extrapolate, PetscReal a, PetscReal b, PetscReal *integral, PetscBool *inside);

#endif
