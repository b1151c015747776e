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
  PetscReal       E_z_ratio, nu_zp, G_z_ratio; /* transverse isotropy about z: E_z / E, nu_zp, G_zp / E */
  PetscBool       extrapolate; /* constant extrapolation outside the tables */
  PetscReal       Tg;            /* glass transition, K; 0 when the material declares none */
  PetscReal       rubbery_ratio; /* modulus above Tg / glassy modulus */
  PetscBool       rubbery;       /* apply the drop above Tg (-process_tg_model rubbery) */
};

/* Half-width of the glass transition: the modulus falls log-linearly over [Tg - 5 K, Tg + 5 K] (physics.md 1.2: the
   fall from GPa to MPa happens within about 20 K for amorphous BPADA polyimides; 10 K keeps it inside that). */
#define MATERIAL_TG_HALF_WIDTH 5.0

/* Reads -material_<name>_{E_GPa,E_T_C,nu,E_z_ratio,nu_zp,G_z_ratio,alpha_ppm_per_K,alpha_T_C,alpha_z_ppm_per_K,
   alpha_z_T_C,extrapolate,Tg_C,rubbery_ratio}. */
PetscErrorCode MaterialCreateFromOptions(MPI_Comm comm, const char name[], const char source[], Material *mat);
PetscErrorCode MaterialDestroy(Material *mat);
/* E in Pa at T in K, with the drop above Tg when the material has a Tg and mat->rubbery is set */
PetscErrorCode MaterialGetModulus(Material mat, PetscReal T, PetscReal *E);
/* Temperatures (K) where E(T) has a kink inside (a, b): table breakpoints and the ends of the glass transition.
   Fills at most max values, sorted in the direction from a to b. */
PetscErrorCode MaterialGetModulusBreakpoints(Material mat, PetscReal a, PetscReal b, PetscInt max, PetscInt *n, PetscReal T[]);
/* Exact integral of the instantaneous CTE over [T0, T] (piecewise-linear alpha => trapezoid per segment, splitting
   at the table's breakpoints; sign follows T - T0). eps_in is the in-plane free strain, eps_z the through-thickness one. */
PetscErrorCode MaterialGetThermalStrain(Material mat, PetscReal T0, PetscReal T, PetscReal *eps_in, PetscReal *eps_z);
/* The stiffness for an in-plane modulus E (Pa) in laminate axes: a 6x6 Voigt matrix (xx, yy, zz, yz, xz, xy) acting on
   engineering shear strains, Pa. Transversely isotropic about z, from the compliance
     S_xx = S_yy = 1/E, S_xy = -nu/E, S_xz = S_yz = -nu_zp/E_z, S_zz = 1/E_z, S_yz,yz = S_xz,xz = 1/G_zp,
     S_xy,xy = 2 (1 + nu)/E,
   with E_z = E_z_ratio E and G_zp = G_z_ratio E: every modulus follows E(T). By default E_z_ratio = 1, nu_zp = nu and
   G_z_ratio = 1/(2 (1 + nu)): isotropic. In-plane plane stress then depends on E and nu alone, as laminate theory
   assumes (Q = E/(1 - nu^2) exactly). */
void MaterialStiffness(Material mat, PetscReal E, PetscReal C[6][6]);
/* One readable block, in input units */
PetscErrorCode MaterialView(Material mat, PetscViewer viewer);

/* Value at T. *inside is PETSC_FALSE when T lies outside the table's range (never for a one-point table); *v is then
   the end value if extrapolate, else NaN, so the caller must check *inside and report. */
PetscErrorCode PiecewiseLinearEvaluate(const PiecewiseLinear *f, PetscBool extrapolate, PetscReal T, PetscReal *v, PetscBool *inside);
/* Exact integral over [a, b] (negative if b < a). *inside as for PiecewiseLinearEvaluate, for any part of [a, b]. */
PetscErrorCode PiecewiseLinearIntegrate(const PiecewiseLinear *f, PetscBool extrapolate, PetscReal a, PetscReal b, PetscReal *integral, PetscBool *inside);

#endif
