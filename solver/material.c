#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include "material.h"

/* Longest table accepted from the options database. Fixed-size buffers let every check run before anything is
   allocated, so a rejected input leaks nothing. Real property tables have tens of points. */
#define MATERIAL_TABLE_MAX 256

#define CELSIUS_OFFSET 273.15 /* K at 0 C */
#define GPA            1.0e9
#define PPM            1.0e-6

/* A table as read from the options, before it is known to be valid. One extra slot detects over-long lists,
   because PetscOptionsGetRealArray silently stops at the buffer size. */
typedef struct {
  PetscInt  n;
  PetscReal T[MATERIAL_TABLE_MAX + 1];
  PetscReal v[MATERIAL_TABLE_MAX + 1];
} RawTable;

/* What a table is called in the options and in messages */
typedef struct {
  const char *property;    /* "E", "alpha", "alpha_z" */
  const char *value_key;   /* "E_GPa", ... */
  const char *temp_key;    /* "E_T_C", ... */
  const char *unit;        /* unit of the input values */
  PetscReal   scale;       /* input unit -> SI */
  PetscBool   positive;    /* values must be > 0 */
} TableSpec;

static const TableSpec SpecE      = {"E", "E_GPa", "E_T_C", "GPa", GPA, PETSC_TRUE};
static const TableSpec SpecAlpha  = {"alpha", "alpha_ppm_per_K", "alpha_T_C", "ppm/K", PPM, PETSC_FALSE};
static const TableSpec SpecAlphaZ = {"alpha_z", "alpha_z_ppm_per_K", "alpha_z_T_C", "ppm/K", PPM, PETSC_FALSE};

static const char *const ExtrapolateNames[] = {"none", "constant"};

static PetscErrorCode MaterialKey(const char name[], const char suffix[], char key[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(key, len, "-material_%s_%s", name, suffix));
  PetscFunctionReturn(0);
}

static PetscErrorCode IsRealNumber(const char s[], PetscBool *ok)
{
  char *end;

  PetscFunctionBeginUser;
  (void)strtod(s, &end);
  while (*end && isspace((unsigned char)*end)) end++;
  *ok = (end != s && *end == '\0') ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* PetscOptionsGetRealArray's own message for a non-number does not name the option, so the list is checked first */
static PetscErrorCode CheckNumberList(MPI_Comm comm, const char name[], const char source[], const char key[], const char value[])
{
  PetscToken token;
  char      *item, bad[64] = "";
  PetscBool  ok = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(PetscTokenCreate(value, ',', &token));
  PetscCall(PetscTokenFind(token, &item));
  while (item && ok) {
    PetscCall(IsRealNumber(item, &ok));
    if (!ok) PetscCall(PetscStrncpy(bad, item, sizeof(bad)));
    else PetscCall(PetscTokenFind(token, &item));
  }
  PetscCall(PetscTokenDestroy(&token));
  PetscCheck(ok, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s = %s: '%s' is not a number; give one number or a comma-separated list of numbers", name, source, key, value, bad);
  PetscFunctionReturn(0);
}

/* Reads a comma-separated list of reals; *n = 0 when the key is absent. */
static PetscErrorCode ReadRealList(MPI_Comm comm, const char name[], const char source[], const char key[], PetscReal values[], PetscInt *n)
{
  const char *value;
  PetscInt    nread = MATERIAL_TABLE_MAX + 1;
  PetscBool   set;

  PetscFunctionBeginUser;
  *n = 0;
  PetscCall(PetscOptionsFindPair(NULL, NULL, key, &value, &set));
  if (!set) PetscFunctionReturn(0);
  PetscCheck(value && value[0], comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s is given without a value; give one number or a comma-separated list", name, source, key);
  PetscCall(CheckNumberList(comm, name, source, key, value));
  PetscCall(PetscOptionsGetRealArray(NULL, NULL, key, values, &nread, &set));
  PetscCheck(nread <= MATERIAL_TABLE_MAX, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s has more than %d values; at most %d are allowed", name, source, key, MATERIAL_TABLE_MAX, MATERIAL_TABLE_MAX);
  *n = nread;
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckValues(MPI_Comm comm, const char name[], const char source[], const char key[], const TableSpec *spec, const RawTable *tab)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < tab->n; k++) {
    PetscCheck(!PetscIsInfOrNanReal(tab->v[k]), comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s entry %" PetscInt_FMT " is %.6g; values must be finite numbers in %s", name, source, key, k, (double)tab->v[k], spec->unit);
    PetscCheck(!spec->positive || tab->v[k] > 0, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s entry %" PetscInt_FMT " is %.6g %s; it must be > 0", name, source, key, k, (double)tab->v[k], spec->unit);
  }
  PetscFunctionReturn(0);
}

/* Temperatures are checked in C, as given, so the messages quote the user's numbers. */
static PetscErrorCode CheckTemperatures(MPI_Comm comm, const char name[], const char source[], const char key[], const RawTable *tab)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < tab->n; k++) {
    PetscCheck(tab->T[k] > -CELSIUS_OFFSET && !PetscIsInfOrNanReal(tab->T[k]), comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s entry %" PetscInt_FMT " is %.6g C; temperatures must be finite and above -273.15 C", name, source, key, k, (double)tab->T[k]);
    PetscCheck(k == 0 || tab->T[k] > tab->T[k - 1], comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s must be strictly increasing, but entry %" PetscInt_FMT " is %.6g C after %.6g C", name, source, key, k, (double)tab->T[k], (double)tab->T[k - 1]);
  }
  PetscFunctionReturn(0);
}

/* Reads one property table, validates it and converts it to SI. *set = PETSC_FALSE if the value key is absent. */
static PetscErrorCode ReadTable(MPI_Comm comm, const char name[], const char source[], const TableSpec *spec, RawTable *tab, PetscBool *set)
{
  char     vkey[PETSC_MAX_PATH_LEN], tkey[PETSC_MAX_PATH_LEN];
  PetscInt nT;

  PetscFunctionBeginUser;
  PetscCall(MaterialKey(name, spec->value_key, vkey, sizeof(vkey)));
  PetscCall(MaterialKey(name, spec->temp_key, tkey, sizeof(tkey)));
  PetscCall(ReadRealList(comm, name, source, vkey, tab->v, &tab->n));
  PetscCall(ReadRealList(comm, name, source, tkey, tab->T, &nT));
  *set = tab->n > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscCheck(*set || nT == 0, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s is given (%" PetscInt_FMT " values) but %s is missing; give the %s values in %s", name, source, tkey, nT, vkey, spec->property, spec->unit);
  if (!*set) PetscFunctionReturn(0);
  PetscCheck(tab->n == 1 || nT > 0, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s has %" PetscInt_FMT " values, so %s (temperatures in C, same length) is required", name, source, vkey, tab->n, tkey);
  PetscCheck(nT == 0 || nT == tab->n, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s has %" PetscInt_FMT " values but %s has %" PetscInt_FMT "; the lengths must match", name, source, tkey, nT, vkey, tab->n);
  PetscCall(CheckValues(comm, name, source, vkey, spec, tab));
  if (nT == 0) tab->T[0] = 20.0; /* unused for a constant, kept only so the table is fully defined */
  PetscCall(CheckTemperatures(comm, name, source, tkey, tab));
  for (PetscInt k = 0; k < tab->n; k++) {
    tab->T[k] += CELSIUS_OFFSET;
    tab->v[k] *= spec->scale;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadRequiredTable(MPI_Comm comm, const char name[], const char source[], const TableSpec *spec, RawTable *tab)
{
  PetscBool set;
  char      vkey[PETSC_MAX_PATH_LEN], tkey[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(ReadTable(comm, name, source, spec, tab, &set));
  PetscCall(MaterialKey(name, spec->value_key, vkey, sizeof(vkey)));
  PetscCall(MaterialKey(name, spec->temp_key, tkey, sizeof(tkey)));
  PetscCheck(set, comm, PETSC_ERR_USER_INPUT, "material %s (%s): required option %s is missing; give %s in %s as one value, or as a list together with %s", name, source, vkey, spec->property, spec->unit, tkey);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadPoisson(MPI_Comm comm, const char name[], const char source[], PetscReal *nu)
{
  char      key[PETSC_MAX_PATH_LEN];
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(MaterialKey(name, "nu", key, sizeof(key)));
  PetscCall(PetscOptionsGetReal(NULL, NULL, key, nu, &set));
  PetscCheck(set, comm, PETSC_ERR_USER_INPUT, "material %s (%s): required option %s (Poisson ratio, in (-1, 0.5)) is missing", name, source, key);
  /* Written so that NaN fails too; the bounds are where the isotropic bulk or shear modulus stops being positive */
  PetscCheck(*nu > -1.0 && *nu < 0.5, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s = %.6g; the Poisson ratio must lie in the open interval (-1, 0.5)", name, source, key, (double)*nu);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadExtrapolate(MPI_Comm comm, const char name[], const char source[], PetscBool *extrapolate)
{
  char      key[PETSC_MAX_PATH_LEN], value[64] = "none";
  PetscInt  choice;
  PetscBool found;

  PetscFunctionBeginUser;
  PetscCall(MaterialKey(name, "extrapolate", key, sizeof(key)));
  PetscCall(PetscOptionsGetString(NULL, NULL, key, value, sizeof(value), NULL));
  PetscCall(PetscEListFind(2, ExtrapolateNames, value, &choice, &found));
  PetscCheck(found, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s = %s; allowed values are none and constant", name, source, key, value);
  *extrapolate = choice == 1 ? PETSC_TRUE : PETSC_FALSE;
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

/* -material_<name>_Tg_C (optional) and -material_<name>_rubbery_ratio (default 1e-3, assumed: glassy GPa to rubbery
   MPa, physics.md 1.2) */
static PetscErrorCode ReadGlassTransition(MPI_Comm comm, const char name[], const char source[], PetscReal *Tg, PetscReal *ratio)
{
  char      key[PETSC_MAX_PATH_LEN];
  PetscReal Tg_C = 0;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(MaterialKey(name, "Tg_C", key, sizeof(key)));
  PetscCall(PetscOptionsGetReal(NULL, NULL, key, &Tg_C, &set));
  PetscCheck(!set || (Tg_C > -CELSIUS_OFFSET && !PetscIsInfOrNanReal(Tg_C)), comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s = %.6g C; it must lie above -273.15 C", name, source, key, (double)Tg_C);
  *Tg = set ? Tg_C + CELSIUS_OFFSET : 0;
  PetscCall(MaterialKey(name, "rubbery_ratio", key, sizeof(key)));
  PetscCall(PetscOptionsGetReal(NULL, NULL, key, ratio, NULL));
  PetscCheck(*ratio > 0 && *ratio <= 1, comm, PETSC_ERR_USER_INPUT, "material %s (%s): %s = %.6g; the rubbery-to-glassy modulus ratio must lie in (0, 1]", name, source, key, (double)*ratio);
  PetscFunctionReturn(0);
}

PetscErrorCode MaterialCreateFromOptions(MPI_Comm comm, const char name[], const char source[], Material *mat)
{
  RawTable        E, alpha, alpha_z;
  PetscReal       nu          = 0.0;
  PetscBool       extrapolate = PETSC_FALSE, zset = PETSC_FALSE;
  PetscReal       Tg = 0, rubbery_ratio = 1e-3;
  const char     *src = source ? source : "options database";
  Material        m;

  PetscFunctionBeginUser;
  PetscCheck(mat, comm, PETSC_ERR_ARG_NULL, "material.c: MaterialCreateFromOptions needs a non-NULL output pointer");
  *mat = NULL;
  PetscCheck(name && name[0], comm, PETSC_ERR_USER_INPUT, "material.c: a material needs a non-empty name (the <name> in -material_<name>_E_GPa); source %s", src);
  PetscCall(ReadRequiredTable(comm, name, src, &SpecE, &E));
  PetscCall(ReadPoisson(comm, name, src, &nu));
  PetscCall(ReadRequiredTable(comm, name, src, &SpecAlpha, &alpha));
  PetscCall(ReadTable(comm, name, src, &SpecAlphaZ, &alpha_z, &zset));
  PetscCall(ReadExtrapolate(comm, name, src, &extrapolate));
  if (!zset) alpha_z = alpha; /* default: isotropic expansion */
  PetscCall(ReadGlassTransition(comm, name, src, &Tg, &rubbery_ratio));

  PetscCall(PetscNew(&m));
  PetscCall(PetscStrncpy(m->name, name, sizeof(m->name)));
  PetscCall(PetscStrncpy(m->source, src, sizeof(m->source)));
  PetscCall(PiecewiseLinearCreateFromRaw(&E, &m->E));
  PetscCall(PiecewiseLinearCreateFromRaw(&alpha, &m->alpha));
  PetscCall(PiecewiseLinearCreateFromRaw(&alpha_z, &m->alpha_z));
  m->nu          = nu;
  m->extrapolate   = extrapolate;
  m->Tg            = Tg;
  m->rubbery_ratio = rubbery_ratio;
  m->rubbery       = Tg > 0;
  *mat             = m;
  PetscFunctionReturn(0);
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
