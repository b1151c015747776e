#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include "material.h"
#include "case.h"
#include "option-read.h"

/* Longest table accepted from the options database; real property tables have tens of points. */
#define MATERIAL_TABLE_MAX 256

#define CELSIUS_OFFSET 273.15 /* K at 0 C */
#define GPA            1.0e9
#define PPM            1.0e-6

/* The ranges of the material keys: E from 1 kPa (below any polymer above its Tg) to 10 TPa (above diamond); Poisson's
   ratio short of -1 and 0.5, where the isotropic shear or bulk modulus stops being finite and positive; CTEs within
   +-1000 ppm/K (rubbery polymers reach a few hundred); temperatures from absolute zero to 2000 C. */
#define E_MIN_GPA     1e-6
#define E_MAX_GPA     1e4
#define NU_MIN        -0.99
#define NU_MAX        0.499
#define ALPHA_MAX_PPM 1000.0
#define T_MIN_C       -273.15
#define T_MAX_C       2000.0

/* A table as read from the options, before it is known to be valid */
typedef struct {
  PetscInt  n;
  PetscReal T[MATERIAL_TABLE_MAX];
  PetscReal v[MATERIAL_TABLE_MAX];
} RawTable;

/* What a table is called in the options and in messages */
typedef struct {
  const char *value_key, *temp_key; /* "-E_GPa", "-E_T_C", ... */
  const char *value_help, *temp_help;
  PetscReal   lo, hi; /* range of the values, input units */
  PetscReal   scale;  /* input unit -> SI */
} TableSpec;

static const TableSpec SpecE      = {"-E_GPa", "-E_T_C", "Young's modulus, GPa: one value, or a table over E_T_C", "temperatures of the E table, C, increasing", E_MIN_GPA, E_MAX_GPA, GPA};
static const TableSpec SpecAlpha  = {"-alpha_ppm_per_K", "-alpha_T_C", "in-plane instantaneous CTE, ppm/K: one value, or a table over alpha_T_C", "temperatures of the alpha table, C, increasing", -ALPHA_MAX_PPM, ALPHA_MAX_PPM, PPM};
static const TableSpec SpecAlphaZ = {"-alpha_z_ppm_per_K", "-alpha_z_T_C", "through-thickness CTE, ppm/K (default: the in-plane table)", "temperatures of the alpha_z table, C, increasing", -ALPHA_MAX_PPM, ALPHA_MAX_PPM, PPM};

static const char *const ExtrapolateNames[] = {"none", "constant", NULL};

/* Reads one table (values and temperatures) inside the material's options block; *set: the value key was given */
static PetscErrorCode ReadTable(PetscOptionItems *PetscOptionsObject, const TableSpec *spec, RawTable *tab, PetscBool *set)
{
  PetscInt  nT = MATERIAL_TABLE_MAX;
  PetscBool Tset;
  char      vkey[256], tkey[256], where[PETSC_MAX_PATH_LEN + 320];
  MPI_Comm  comm = PetscOptionsObject->comm;

  PetscFunctionBeginUser;
  tab->n = MATERIAL_TABLE_MAX;
  PetscCall(OptionRealList(PetscOptionsObject, spec->value_key, spec->value_help, spec->lo, spec->hi, tab->v, &tab->n, set));
  PetscCall(OptionRealList(PetscOptionsObject, spec->temp_key, spec->temp_help, T_MIN_C, T_MAX_C, tab->T, &nT, &Tset));
  if (!*set) tab->n = 0;
  if (!Tset) nT = 0;
  if (CaseHelp()) PetscFunctionReturn(0);
  OptionKey(PetscOptionsObject, spec->value_key, vkey, sizeof(vkey));
  OptionKey(PetscOptionsObject, spec->temp_key, tkey, sizeof(tkey));
  OptionWhere(tkey, where, sizeof(where));
  PetscCheck(*set || !nT, comm, PETSC_ERR_USER_INPUT, "%s is given (%" PetscInt_FMT " values) but %s is missing", where, nT, vkey + 1);
  if (!*set) PetscFunctionReturn(0);
  OptionWhere(vkey, where, sizeof(where));
  PetscCheck(tab->n == 1 || nT > 0, comm, PETSC_ERR_USER_INPUT, "%s has %" PetscInt_FMT " values, so %s (temperatures in C, same length) is required", where, tab->n, tkey + 1);
  PetscCheck(nT == 0 || nT == tab->n, comm, PETSC_ERR_USER_INPUT, "%s has %" PetscInt_FMT " values but %s has %" PetscInt_FMT "; the lengths must match", where, tab->n, tkey + 1, nT);
  OptionWhere(tkey, where, sizeof(where));
  for (PetscInt k = 1; k < nT; k++) PetscCheck(tab->T[k] > tab->T[k - 1], comm, PETSC_ERR_USER_INPUT, "%s must be strictly increasing, but entry %" PetscInt_FMT " is %.6g C after %.6g C", where, k, (double)tab->T[k], (double)tab->T[k - 1]);
  if (nT == 0) tab->T[0] = 20.0; /* unused for a constant, kept only so the table is fully defined */
  for (PetscInt k = 0; k < tab->n; k++) {
    tab->T[k] += CELSIUS_OFFSET;
    tab->v[k] *= spec->scale;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode PiecewiseLinearCreateFromRaw(const RawTable *tab, PiecewiseLinear *f)
{
  PetscFunctionBeginUser;
  f->n = tab->n;
  PetscCall(PetscMalloc2(tab->n, &f->T, tab->n, &f->v));
  PetscCall(PetscArraycpy(f->T, tab->T, tab->n));
  PetscCall(PetscArraycpy(f->v, tab->v, tab->n));
  PetscFunctionReturn(0);
}

static PetscErrorCode PiecewiseLinearDestroy(PiecewiseLinear *f)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree2(f->T, f->v));
  f->n = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode MaterialCreateFromOptions(MPI_Comm comm, const char name[], const char source[], Material *mat)
{
  RawTable  *E, *alpha, *alpha_z;
  PetscReal  nu = 0.3, Tg_C = 0, rubbery_ratio = 1e-3, E_z_ratio = 1, nu_zp = 0, G_z_ratio = 0;
  PetscInt   extrapolate = 0;
  PetscBool  Eset, aset, zset, nuset, Tgset, nuzp_set, Gz_set;
  char       prefix[PETSC_MAX_PATH_LEN], title[PETSC_MAX_PATH_LEN], key[PETSC_MAX_PATH_LEN + 64];
  Material   m;

  PetscFunctionBeginUser;
  PetscCheck(mat, comm, PETSC_ERR_ARG_NULL, "material.c: MaterialCreateFromOptions needs a non-NULL output pointer");
  *mat = NULL;
  PetscCall(PetscCalloc3(1, &E, 1, &alpha, 1, &alpha_z));
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "material_%s_", name));
  PetscCall(PetscSNPrintf(title, sizeof(title), "Material %s (docs/cases.md)", name));
  PetscOptionsBegin(comm, prefix, title, "fcclsim");
  PetscCall(ReadTable(PetscOptionsObject, &SpecE, E, &Eset));
  PetscCall(OptionReal(PetscOptionsObject, "-nu", "Poisson's ratio; required", nu, NU_MIN, NU_MAX, &nu, &nuset));
  PetscCall(OptionReal(PetscOptionsObject, "-E_z_ratio", "through-thickness / in-plane Young's modulus (transverse isotropy; 1: isotropic)", E_z_ratio, 1e-3, 1e3, &E_z_ratio, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-nu_zp", "Poisson's ratio of in-plane contraction under through-thickness stress (default: nu)", nu_zp, NU_MIN, 0.99, &nu_zp, &nuzp_set));
  PetscCall(OptionReal(PetscOptionsObject, "-G_z_ratio", "through-thickness shear modulus / in-plane Young's modulus (default: 1/(2 (1 + nu)), isotropic)", G_z_ratio, 1e-4, 1e2, &G_z_ratio, &Gz_set));
  PetscCall(ReadTable(PetscOptionsObject, &SpecAlpha, alpha, &aset));
  PetscCall(ReadTable(PetscOptionsObject, &SpecAlphaZ, alpha_z, &zset));
  PetscCall(OptionChoice(PetscOptionsObject, "-extrapolate", "outside a table: none (an error) or constant (its end value)", ExtrapolateNames, extrapolate, &extrapolate, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-Tg_C", "glass transition, C; above it the modulus drops by rubbery_ratio (docs/process.md)", Tg_C, T_MIN_C + 1, T_MAX_C, &Tg_C, &Tgset));
  PetscCall(OptionReal(PetscOptionsObject, "-rubbery_ratio", "rubbery / glassy modulus above Tg (1e-3 assumed: GPa to MPa, physics.md 1.2)", rubbery_ratio, 1e-9, 1, &rubbery_ratio, NULL));
  PetscOptionsEnd();
  if (CaseHelp()) {
    PetscCall(PetscFree3(E, alpha, alpha_z));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscSNPrintf(key, sizeof(key), "%s: material %s", source, name));
  PetscCheck(Eset, comm, PETSC_ERR_USER_INPUT, "%s: material_%s_E_GPa is missing (Young's modulus, GPa)", key, name);
  PetscCheck(nuset, comm, PETSC_ERR_USER_INPUT, "%s: material_%s_nu is missing (Poisson's ratio)", key, name);
  PetscCheck(aset, comm, PETSC_ERR_USER_INPUT, "%s: material_%s_alpha_ppm_per_K is missing (in-plane CTE, ppm/K)", key, name);
  PetscCall(PetscNew(&m));
  PetscCall(PetscStrncpy(m->name, name, sizeof(m->name)));
  PetscCall(PetscStrncpy(m->source, source, sizeof(m->source)));
  PetscCall(PiecewiseLinearCreateFromRaw(E, &m->E));
  PetscCall(PiecewiseLinearCreateFromRaw(alpha, &m->alpha));
  PetscCall(PiecewiseLinearCreateFromRaw(zset ? alpha_z : alpha, &m->alpha_z)); /* default: isotropic expansion */
  m->nu            = nu;
  m->E_z_ratio     = E_z_ratio;
  m->nu_zp         = nuzp_set ? nu_zp : nu;
  m->G_z_ratio     = Gz_set ? G_z_ratio : 1 / (2 * (1 + nu));
  /* the normal block of the compliance is positive definite iff E_z_ratio (1 - nu) > 2 nu_zp^2 (nu < 0.5 when isotropic) */
  PetscCheck(m->E_z_ratio * (1 - m->nu) > 2 * m->nu_zp * m->nu_zp, comm, PETSC_ERR_USER_INPUT, "%s: material_%s_nu_zp = %g with nu = %g and E_z_ratio = %g: the stiffness is not positive definite (need E_z_ratio (1 - nu) > 2 nu_zp^2)", key, name, (double)m->nu_zp, (double)m->nu, (double)m->E_z_ratio);
  m->extrapolate   = extrapolate == 1 ? PETSC_TRUE : PETSC_FALSE;
  m->Tg            = Tgset ? Tg_C + CELSIUS_OFFSET : 0;
  m->rubbery_ratio = rubbery_ratio;
  m->rubbery       = (PetscBool)(m->Tg > 0);
  PetscCall(PetscFree3(E, alpha, alpha_z));
  *mat = m;
  PetscFunctionReturn(0);
}

void MaterialStiffness(Material mat, PetscReal E, PetscReal C[6][6])
{
  const PetscReal Ez = mat->E_z_ratio * E, G = mat->G_z_ratio * E;
  PetscReal       S[3][3], det;

  for (PetscInt i = 0; i < 6; i++)
    for (PetscInt j = 0; j < 6; j++) C[i][j] = 0;
  S[0][0] = S[1][1] = 1 / E;
  S[0][1] = S[1][0] = -mat->nu / E;
  S[0][2] = S[2][0] = S[1][2] = S[2][1] = -mat->nu_zp / Ez;
  S[2][2] = 1 / Ez;
  /* the normal block's inverse (cofactors) */
  det = S[0][0] * (S[1][1] * S[2][2] - S[1][2] * S[2][1]) - S[0][1] * (S[1][0] * S[2][2] - S[1][2] * S[2][0]) + S[0][2] * (S[1][0] * S[2][1] - S[1][1] * S[2][0]);
  for (PetscInt i = 0; i < 3; i++)
    for (PetscInt j = 0; j < 3; j++) {
      const PetscInt i1 = (i + 1) % 3, i2 = (i + 2) % 3, j1 = (j + 1) % 3, j2 = (j + 2) % 3;
      C[j][i] = (S[i1][j1] * S[i2][j2] - S[i1][j2] * S[i2][j1]) / det;
    }
  C[3][3] = C[4][4] = G;
  C[5][5] = E / (2 * (1 + mat->nu));
}

PetscErrorCode MaterialDestroy(Material *mat)
{
  PetscFunctionBeginUser;
  if (!mat || !*mat) PetscFunctionReturn(0);
  PetscCall(PiecewiseLinearDestroy(&(*mat)->E));
  PetscCall(PiecewiseLinearDestroy(&(*mat)->alpha));
  PetscCall(PiecewiseLinearDestroy(&(*mat)->alpha_z));
  PetscCall(PetscFree(*mat));
  PetscFunctionReturn(0);
}

/* Linear interpolation on segment k, valid for T in [T_k, T_{k+1}] */
static PetscErrorCode SegmentValue(const PiecewiseLinear *f, PetscInt k, PetscReal T, PetscReal *v)
{
  PetscFunctionBeginUser;
  *v = f->v[k] + (f->v[k + 1] - f->v[k]) * ((T - f->T[k]) / (f->T[k + 1] - f->T[k]));
  PetscFunctionReturn(0);
}

PetscErrorCode PiecewiseLinearEvaluate(const PiecewiseLinear *f, PetscBool extrapolate, PetscReal T, PetscReal *v, PetscBool *inside)
{
  const PetscInt n = f->n;
  PetscInt       k = 0;

  PetscFunctionBeginUser;
  *inside = PETSC_TRUE;
  if (n == 1) {
    *v = f->v[0];
    PetscFunctionReturn(0);
  }
  if (!(T >= f->T[0] && T <= f->T[n - 1])) { /* also catches NaN */
    *inside = PETSC_FALSE;
    if (!extrapolate || PetscIsNanReal(T)) *v = NAN;
    else *v = T < f->T[0] ? f->v[0] : f->v[n - 1];
    PetscFunctionReturn(0);
  }
  while (k < n - 2 && T > f->T[k + 1]) k++;
  PetscCall(SegmentValue(f, k, T, v));
  PetscFunctionReturn(0);
}

/* Integral over [a, b] with a <= b. Outside the table the value is the nearest end value (constant extension). */
static PetscErrorCode PiecewiseLinearIntegrateOrdered(const PiecewiseLinear *f, PetscReal a, PetscReal b, PetscReal *integral)
{
  const PetscInt n   = f->n;
  PetscReal      sum = 0.0;

  PetscFunctionBeginUser;
  if (a < f->T[0]) sum += f->v[0] * (PetscMin(b, f->T[0]) - a);
  for (PetscInt k = 0; k < n - 1; k++) {
    const PetscReal x0 = PetscMax(a, f->T[k]), x1 = PetscMin(b, f->T[k + 1]);
    PetscReal       f0, f1;

    if (!(x1 > x0)) continue;
    PetscCall(SegmentValue(f, k, x0, &f0));
    PetscCall(SegmentValue(f, k, x1, &f1));
    sum += 0.5 * (x1 - x0) * (f0 + f1); /* trapezoid is exact for a linear integrand */
  }
  if (b > f->T[n - 1]) sum += f->v[n - 1] * (b - PetscMax(a, f->T[n - 1]));
  *integral = sum;
  PetscFunctionReturn(0);
}

PetscErrorCode PiecewiseLinearIntegrate(const PiecewiseLinear *f, PetscBool extrapolate, PetscReal a, PetscReal b, PetscReal *integral, PetscBool *inside)
{
  const PetscReal lo = PetscMin(a, b), hi = PetscMax(a, b);

  PetscFunctionBeginUser;
  *inside = PETSC_TRUE;
  if (PetscIsNanReal(a) || PetscIsNanReal(b)) {
    *inside = PETSC_FALSE;
    *integral = NAN;
    PetscFunctionReturn(0);
  }
  if (f->n == 1) {
    *integral = f->v[0] * (b - a);
    PetscFunctionReturn(0);
  }
  if (lo < f->T[0] || hi > f->T[f->n - 1]) {
    *inside = PETSC_FALSE;
    if (!extrapolate) {
      *integral = NAN;
      PetscFunctionReturn(0);
    }
  }
  PetscCall(PiecewiseLinearIntegrateOrdered(f, lo, hi, integral));
  if (b < a) *integral = -*integral;
  PetscFunctionReturn(0);
}

/* Errors here rather than in PiecewiseLinear*, because only the material knows its name, file and option keys.
   Ta, Tb: the temperatures asked for; the message quotes the first one outside the table. */
static PetscErrorCode MaterialCheckInside(Material mat, const char property[], const PiecewiseLinear *f, PetscBool inside, PetscReal Ta, PetscReal Tb)
{
  const PetscReal Tq = (Ta >= f->T[0] && Ta <= f->T[f->n - 1]) ? Tb : Ta;

  PetscFunctionBeginUser;
  PetscCheck(inside || mat->extrapolate, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "material %s (%s): %s table covers %.6g..%.6g C, asked for %.6g C; set -material_%s_extrapolate constant to extend it", mat->name, mat->source, property, (double)(f->T[0] - CELSIUS_OFFSET), (double)(f->T[f->n - 1] - CELSIUS_OFFSET), (double)(Tq - CELSIUS_OFFSET), mat->name);
  PetscFunctionReturn(0);
}

PetscErrorCode MaterialGetModulus(Material mat, PetscReal T, PetscReal *E)
{
  PetscBool inside;

  PetscFunctionBeginUser;
  PetscCheck(mat && E, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "material.c: MaterialGetModulus needs a material and an output pointer");
  PetscCall(PiecewiseLinearEvaluate(&mat->E, mat->extrapolate, T, E, &inside));
  PetscCall(MaterialCheckInside(mat, "E", &mat->E, inside, T, T));
  if (mat->rubbery && mat->Tg > 0) {
    const PetscReal s = (T - (mat->Tg - MATERIAL_TG_HALF_WIDTH)) / (2 * MATERIAL_TG_HALF_WIDTH);
    *E *= PetscPowReal(mat->rubbery_ratio, PetscMin(1, PetscMax(0, s)));
  }
  PetscFunctionReturn(0);
}

static int CompareReal(const void *a, const void *b)
{
  const PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return x < y ? -1 : (x > y ? 1 : 0);
}

PetscErrorCode MaterialGetModulusBreakpoints(Material mat, PetscReal a, PetscReal b, PetscInt max, PetscInt *n, PetscReal T[])
{
  const PetscReal lo = PetscMin(a, b), hi = PetscMax(a, b);
  PetscReal       cand[MATERIAL_TABLE_MAX + 2];
  PetscInt        nc = 0, m = 0;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < mat->E.n && nc < MATERIAL_TABLE_MAX; k++) cand[nc++] = mat->E.T[k];
  if (mat->rubbery && mat->Tg > 0) {
    cand[nc++] = mat->Tg - MATERIAL_TG_HALF_WIDTH;
    cand[nc++] = mat->Tg + MATERIAL_TG_HALF_WIDTH;
  }
  qsort(cand, (size_t)nc, sizeof(PetscReal), CompareReal);
  for (PetscInt k = 0; k < nc && m < max; k++)
    if (cand[k] > lo && cand[k] < hi) T[m++] = cand[k];
  if (b < a)
    for (PetscInt k = 0; k < m / 2; k++) {
      const PetscReal t = T[k];
      T[k]              = T[m - 1 - k];
      T[m - 1 - k]      = t;
    }
  *n = m;
  PetscFunctionReturn(0);
}

PetscErrorCode MaterialGetThermalStrain(Material mat, PetscReal T0, PetscReal T, PetscReal *eps_in, PetscReal *eps_z)
{
  PetscBool inside;

  PetscFunctionBeginUser;
  PetscCheck(mat, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "material.c: MaterialGetThermalStrain needs a material");
  if (eps_in) {
    PetscCall(PiecewiseLinearIntegrate(&mat->alpha, mat->extrapolate, T0, T, eps_in, &inside));
    PetscCall(MaterialCheckInside(mat, "alpha", &mat->alpha, inside, T0, T));
  }
  if (eps_z) {
    PetscCall(PiecewiseLinearIntegrate(&mat->alpha_z, mat->extrapolate, T0, T, eps_z, &inside));
    PetscCall(MaterialCheckInside(mat, "alpha_z", &mat->alpha_z, inside, T0, T));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode PiecewiseLinearView(const PiecewiseLinear *f, const char label[], PetscReal unit, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  if (f->n == 1) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s: %.6g (constant)\n", label, (double)(f->v[0] / unit)));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "%s:\n", label));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  for (PetscInt k = 0; k < f->n; k++) PetscCall(PetscViewerASCIIPrintf(viewer, "%8.6g C  %.6g\n", (double)(f->T[k] - CELSIUS_OFFSET), (double)(f->v[k] / unit)));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode MaterialView(Material mat, PetscViewer viewer)
{
  PetscBool ascii;

  PetscFunctionBeginUser;
  PetscCheck(mat, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "material.c: MaterialView needs a material");
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(PETSC_COMM_SELF, &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (!ascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "Material %s (from %s)\n", mat->name, mat->source));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "nu: %.6g\n", (double)mat->nu));
  PetscCall(PiecewiseLinearView(&mat->E, "E (GPa)", GPA, viewer));
  PetscCall(PiecewiseLinearView(&mat->alpha, "alpha in-plane (ppm/K)", PPM, viewer));
  PetscCall(PiecewiseLinearView(&mat->alpha_z, "alpha through-thickness (ppm/K)", PPM, viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "outside the tables: %s\n", mat->extrapolate ? "constant extrapolation" : "error"));
  if (mat->Tg > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "Tg: %.6g C; above it E x %.3g (%s)\n", (double)(mat->Tg - CELSIUS_OFFSET), (double)mat->rubbery_ratio, mat->rubbery ? "on" : "off: -process_tg_model none"));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}
