/* Unit tests for solver/laminate/material.c: exact CTE integration, constant tables, range handling, option validation
   and the (transversely isotropic) stiffness.
   Silent except for one summary line; each failed check prints what it compared. Exit status 1 on any failure.
   Run with -view to see the materials as MaterialView prints them. */
#include <petscsys.h>
#include "material.h"

#define C2K(TC) ((TC) + 273.15)

typedef struct {
  PetscInt nchecks, nfail;
  PetscBool view;
} Tally;

static PetscErrorCode Expect(Tally *t, PetscBool ok, const char what[])
{
  PetscFunctionBeginUser;
  t->nchecks++;
  if (!ok) {
    t->nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-material FAILED: %s\n", what));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpectClose(Tally *t, PetscReal got, PetscReal want, PetscReal rtol, const char what[])
{
  const PetscReal err = PetscAbsReal(got - want) / PetscAbsReal(want);

  PetscFunctionBeginUser;
  t->nchecks++;
  if (!(err <= rtol)) {
    t->nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-material FAILED: %s: got %.17g, want %.17g, relative error %.3g > %.3g\n", what, (double)got, (double)want, (double)err, (double)rtol));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpectUserInputError(Tally *t, PetscErrorCode ierr, const char what[])
{
  PetscFunctionBeginUser;
  t->nchecks++;
  if (ierr != PETSC_ERR_USER_INPUT) {
    t->nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-material FAILED: %s: error code %d, want PETSC_ERR_USER_INPUT (%d)\n", what, (int)ierr, (int)PETSC_ERR_USER_INPUT));
  }
  PetscFunctionReturn(0);
}

/* Exercises MaterialView; output only with -view, so the test stays silent */
static PetscErrorCode ViewMaterial(Tally *t, Material mat)
{
  PetscViewer viewer;

  PetscFunctionBeginUser;
  if (t->view) {
    PetscCall(MaterialView(mat, PETSC_VIEWER_STDOUT_SELF));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscViewerASCIIOpen(PETSC_COMM_SELF, "/dev/null", &viewer));
  PetscCall(MaterialView(mat, viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscFunctionReturn(0);
}

/* Copper as in physics.md 1.1: alpha 16.5 / 19.0 / 19.3 ppm/K at 20 / 350 / 400 C, E 128 -> 110 GPa over 20..400 C */
static PetscErrorCode InsertCopper(const char name[], const char extra[])
{
  char opts[1024];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(opts, sizeof(opts), "-material_%s_E_GPa 128,110 -material_%s_E_T_C 20,400 -material_%s_nu 0.34 -material_%s_alpha_ppm_per_K 16.5,19.0,19.3 -material_%s_alpha_T_C 20,350,400 %s", name, name, name, name, name, extra));
  PetscCall(PetscOptionsInsertString(NULL, opts));
  PetscFunctionReturn(0);
}

/* (a) Exact integral of a piecewise-linear alpha.
   Hand integrals (ppm), alpha(T) = 16.5 + 2.5 (T - 20)/330 on 20..350 C and 19.0 + 0.3 (T - 350)/50 on 350..400 C:
   - 25 -> 350 C: alpha(25) = 16.5 + 12.5/330 = 2183/132; trapezoid 325 (2183/132 + 19)/2 = 325 * 4691/264
                  = 1524575/264 = 5774.9053...
   - 100 -> 400 C: alpha(100) = 16.5 + 200/330 = 1129/66; 100..350: 250 (1129/66 + 19)/2 = 297875/66;
                  350..400: 50 (19 + 19.3)/2 = 957.5 = 63195/66; sum 361070/66 = 180535/33 = 5470.7575...
   Going down in temperature (350 -> 25, 400 -> 100) gives the negatives.
   Tolerance 1e-14 relative: the only error is round-off, mainly the C -> K shift (273.15 is not a binary fraction),
   which perturbs a 300 K interval by ~1e-13 K, i.e. a few 1e-16 relative. */
static PetscErrorCode TestExactIntegral(Tally *t)
{
  const PetscReal I_25_350 = 1524575.0 / 264.0 * 1e-6, I_100_400 = 180535.0 / 33.0 * 1e-6;
  Material        mat;
  PetscReal       ein, ez, E;

  PetscFunctionBeginUser;
  PetscCall(InsertCopper("cu", ""));
  PetscCall(MaterialCreateFromOptions(PETSC_COMM_SELF, "cu", "test-material.c", &mat));
  PetscCall(ViewMaterial(t, mat));
  PetscCall(MaterialGetThermalStrain(mat, C2K(350.0), C2K(25.0), &ein, &ez));
  PetscCall(ExpectClose(t, ein, -I_25_350, 1e-14, "(a) in-plane strain 350 -> 25 C"));
  PetscCall(ExpectClose(t, ez, -I_25_350, 1e-14, "(a) alpha_z defaults to alpha: strain 350 -> 25 C"));
  PetscCall(MaterialGetThermalStrain(mat, C2K(400.0), C2K(100.0), &ein, NULL));
  PetscCall(ExpectClose(t, ein, -I_100_400, 1e-14, "(a) in-plane strain 400 -> 100 C (crosses the 350 C breakpoint)"));
  PetscCall(MaterialGetThermalStrain(mat, C2K(100.0), C2K(400.0), &ein, NULL));
  PetscCall(ExpectClose(t, ein, I_100_400, 1e-14, "(a) reversed limits 100 -> 400 C give the positive integral"));
  PetscCall(MaterialGetThermalStrain(mat, C2K(25.0), C2K(350.0), &ein, NULL));
  PetscCall(ExpectClose(t, ein, I_25_350, 1e-14, "(a) reversed limits 25 -> 350 C give the positive integral"));
  PetscCall(MaterialGetThermalStrain(mat, C2K(123.0), C2K(123.0), &ein, NULL));
  PetscCall(Expect(t, ein == 0.0 ? PETSC_TRUE : PETSC_FALSE, "(a) empty interval gives zero strain"));
  /* E(200 C) = 128 + (110 - 128) 180/380 = 2270/19 GPa; same round-off argument as above */
  PetscCall(MaterialGetModulus(mat, C2K(200.0), &E));
  PetscCall(ExpectClose(t, E, 2270.0 / 19.0 * 1e9, 1e-14, "(a) E(200 C) interpolated"));
  PetscCall(MaterialDestroy(&mat));
  PetscFunctionReturn(0);
}

/* (b) One-value tables are constants with no range: 20 ppm/K from 350 to 25 C is -20e-6 * 325 = -6.5e-3 exactly in
   decimal; alpha_z 81 ppm/K (Kapton, physics.md 1.2) over 1000 -> -200 C is -81e-6 * 1200. Tolerance as in (a). */
static PetscErrorCode TestConstantTable(Tally *t)
{
  Material  mat;
  PetscReal ein, ez, E;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, "-material_pi_E_GPa 2.5 -material_pi_nu 0.34 -material_pi_alpha_ppm_per_K 20 -material_pi_alpha_z_ppm_per_K 81"));
  PetscCall(MaterialCreateFromOptions(PETSC_COMM_SELF, "pi", "test-material.c", &mat));
  PetscCall(ViewMaterial(t, mat));
  PetscCall(MaterialGetThermalStrain(mat, C2K(350.0), C2K(25.0), &ein, &ez));
  PetscCall(ExpectClose(t, ein, -6.5e-3, 1e-14, "(b) constant alpha, 350 -> 25 C"));
  PetscCall(ExpectClose(t, ez, -81e-6 * 325.0, 1e-14, "(b) constant alpha_z, 350 -> 25 C"));
  PetscCall(MaterialGetThermalStrain(mat, C2K(1000.0), C2K(-200.0), NULL, &ez));
  PetscCall(ExpectClose(t, ez, -81e-6 * 1200.0, 1e-14, "(b) a constant table has no range: 1000 -> -200 C"));
  PetscCall(MaterialGetModulus(mat, C2K(-100.0), &E));
  PetscCall(ExpectClose(t, E, 2.5e9, 1e-15, "(b) constant E"));
  PetscCall(Expect(t, mat->nu == (PetscReal)0.34 ? PETSC_TRUE : PETSC_FALSE, "(b) nu read as given"));
  PetscCall(MaterialDestroy(&mat));
  PetscFunctionReturn(0);
}

/* (c) Leaving a table's range is an error unless -material_<name>_extrapolate constant.
   Hand integral with constant extension, 450 -> 25 C: 1524575/264 (25..350, see (a)) + 957.5 (350..400)
   + 19.3 * 50 = 965 (400..450), total 2032115/264 ppm; 0 -> 20 C: 16.5 * 20 = 330 ppm. Tolerance as in (a). */
static PetscErrorCode TestOutOfRange(Tally *t)
{
  Material       mat;
  PetscReal      ein, E;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(MaterialCreateFromOptions(PETSC_COMM_SELF, "cu", "test-material.c", &mat));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = MaterialGetThermalStrain(mat, C2K(450.0), C2K(25.0), &ein, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(ExpectUserInputError(t, ierr, "(c) strain from 450 C with a 20..400 C table and no extrapolation"));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = MaterialGetThermalStrain(mat, C2K(350.0), C2K(0.0), NULL, &ein);
  PetscCall(PetscPopErrorHandler());
  PetscCall(ExpectUserInputError(t, ierr, "(c) alpha_z strain down to 0 C with a 20..400 C table"));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = MaterialGetModulus(mat, C2K(401.0), &E);
  PetscCall(PetscPopErrorHandler());
  PetscCall(ExpectUserInputError(t, ierr, "(c) E at 401 C with a 20..400 C table"));
  PetscCall(MaterialDestroy(&mat));

  PetscCall(InsertCopper("cux", "-material_cux_extrapolate constant"));
  PetscCall(MaterialCreateFromOptions(PETSC_COMM_SELF, "cux", "test-material.c", &mat));
  PetscCall(Expect(t, mat->extrapolate, "(c) -material_cux_extrapolate constant is read"));
  PetscCall(MaterialGetThermalStrain(mat, C2K(450.0), C2K(25.0), &ein, NULL));
  PetscCall(ExpectClose(t, ein, -2032115.0 / 264.0 * 1e-6, 1e-14, "(c) constant extension above the table, 450 -> 25 C"));
  PetscCall(MaterialGetThermalStrain(mat, C2K(0.0), C2K(20.0), &ein, NULL));
  PetscCall(ExpectClose(t, ein, 330e-6, 1e-14, "(c) constant extension below the table, 0 -> 20 C"));
  PetscCall(MaterialGetModulus(mat, C2K(500.0), &E));
  PetscCall(ExpectClose(t, E, 110e9, 1e-15, "(c) E held at its 400 C value beyond the table"));
  PetscCall(MaterialDestroy(&mat));
  PetscFunctionReturn(0);
}

/* Creates material <name> from the options given, expecting PETSC_ERR_USER_INPUT and no object */
static PetscErrorCode ExpectCreateFails(Tally *t, const char name[], const char options[], const char what[])
{
  Material       mat = NULL;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, options));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = MaterialCreateFromOptions(PETSC_COMM_SELF, name, "test-material.c", &mat);
  PetscCall(PetscPopErrorHandler());
  PetscCall(ExpectUserInputError(t, ierr, what));
  PetscCall(Expect(t, mat ? PETSC_FALSE : PETSC_TRUE, "(d) a rejected material returns no object"));
  PetscCall(MaterialDestroy(&mat));
  PetscFunctionReturn(0);
}

/* (d) Option parsing: a good material is converted to SI; each malformed input is rejected as user input. */
static PetscErrorCode TestOptions(Tally *t)
{
  Material mat;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-material_good_E_GPa", "128,110"));
  PetscCall(PetscOptionsSetValue(NULL, "-material_good_E_T_C", "20,400"));
  PetscCall(PetscOptionsSetValue(NULL, "-material_good_nu", "0.34"));
  PetscCall(PetscOptionsSetValue(NULL, "-material_good_alpha_ppm_per_K", "17"));
  PetscCall(PetscOptionsSetValue(NULL, "-material_good_alpha_z_ppm_per_K", "50,80"));
  PetscCall(PetscOptionsSetValue(NULL, "-material_good_alpha_z_T_C", "-50,300"));
  PetscCall(MaterialCreateFromOptions(PETSC_COMM_SELF, "good", "good.yaml", &mat));
  PetscCall(Expect(t, mat->E.n == 2 && mat->alpha.n == 1 && mat->alpha_z.n == 2 ? PETSC_TRUE : PETSC_FALSE, "(d) table lengths"));
  /* Unit conversions are single multiplications/additions, so 1 ulp is the tolerance */
  PetscCall(ExpectClose(t, mat->E.v[1], 110e9, 2e-16, "(d) E converted from GPa"));
  PetscCall(ExpectClose(t, mat->E.T[0], 293.15, 2e-16, "(d) E temperatures converted from C to K"));
  PetscCall(ExpectClose(t, mat->alpha.v[0], 17e-6, 2e-16, "(d) alpha converted from ppm/K"));
  PetscCall(ExpectClose(t, mat->alpha_z.T[0], 223.15, 2e-16, "(d) alpha_z temperatures converted"));
  PetscCall(Expect(t, mat->extrapolate ? PETSC_FALSE : PETSC_TRUE, "(d) extrapolation defaults to none"));
  PetscCall(MaterialDestroy(&mat));
  PetscCall(Expect(t, mat ? PETSC_FALSE : PETSC_TRUE, "(d) MaterialDestroy clears the handle"));

  PetscCall(ExpectCreateFails(t, "b1", "-material_b1_E_GPa 128,110 -material_b1_E_T_C 20,20 -material_b1_nu 0.3 -material_b1_alpha_ppm_per_K 17", "(d) repeated temperature in E_T_C"));
  PetscCall(ExpectCreateFails(t, "b2", "-material_b2_E_GPa 1 -material_b2_nu 0.3 -material_b2_alpha_ppm_per_K 17,18 -material_b2_alpha_T_C 400,20", "(d) decreasing alpha_T_C"));
  PetscCall(ExpectCreateFails(t, "b3", "-material_b3_E_GPa 1 -material_b3_nu 0.5 -material_b3_alpha_ppm_per_K 17", "(d) nu = 0.5"));
  PetscCall(ExpectCreateFails(t, "b4", "-material_b4_E_GPa 1 -material_b4_nu -1.2 -material_b4_alpha_ppm_per_K 17", "(d) nu = -1.2"));
  PetscCall(ExpectCreateFails(t, "b5", "-material_b5_E_GPa 128,110 -material_b5_E_T_C 20,200,400 -material_b5_nu 0.3 -material_b5_alpha_ppm_per_K 17", "(d) E_GPa and E_T_C lengths differ"));
  PetscCall(ExpectCreateFails(t, "b6", "-material_b6_nu 0.3 -material_b6_alpha_ppm_per_K 17", "(d) E_GPa missing"));
  PetscCall(ExpectCreateFails(t, "b7", "-material_b7_E_GPa 1 -material_b7_alpha_ppm_per_K 17", "(d) nu missing"));
  PetscCall(ExpectCreateFails(t, "b8", "-material_b8_E_GPa 1 -material_b8_nu 0.3", "(d) alpha_ppm_per_K missing"));
  PetscCall(ExpectCreateFails(t, "b9", "-material_b9_E_GPa 128,110 -material_b9_nu 0.3 -material_b9_alpha_ppm_per_K 17", "(d) two E values without E_T_C"));
  PetscCall(ExpectCreateFails(t, "b10", "-material_b10_E_GPa 0 -material_b10_nu 0.3 -material_b10_alpha_ppm_per_K 17", "(d) E = 0"));
  PetscCall(ExpectCreateFails(t, "b11", "-material_b11_E_GPa 1 -material_b11_nu 0.3 -material_b11_alpha_ppm_per_K 17 -material_b11_extrapolate linear", "(d) unknown extrapolate value"));
  PetscCall(ExpectCreateFails(t, "b12", "-material_b12_E_GPa 1 -material_b12_nu 0.3 -material_b12_alpha_ppm_per_K 17 -material_b12_alpha_z_T_C 20,300", "(d) alpha_z_T_C without alpha_z values"));
  PetscCall(ExpectCreateFails(t, "b13", "-material_b13_E_GPa 1,2 -material_b13_E_T_C -300,20 -material_b13_nu 0.3 -material_b13_alpha_ppm_per_K 17", "(d) temperature below absolute zero"));
  PetscCall(ExpectCreateFails(t, "b14", "-material_b14_E_GPa 128,1x0 -material_b14_E_T_C 20,400 -material_b14_nu 0.3 -material_b14_alpha_ppm_per_K 17", "(d) a list entry that is not a number"));
  PetscCall(ExpectCreateFails(t, "b15", "-material_b15_E_GPa 1 -material_b15_nu 0.3 -material_b15_alpha_ppm_per_K -material_b15_extrapolate none", "(d) alpha_ppm_per_K given without a value"));
  PetscFunctionReturn(0);
}

/* MaterialStiffness against the closed forms of a transversely isotropic solid (z the axis of symmetry), written here
   from the engineering constants rather than by inverting the compliance as material.c does. With nu_pz = nu_zp E/E_z
   and D = 1 - nu - 2 nu_zp nu_pz:
     C11 = E (1 - nu_zp nu_pz) / ((1 + nu) D), C12 = E (nu + nu_zp nu_pz) / ((1 + nu) D), C13 = E nu_zp / D,
     C33 = E_z (1 - nu) / D, C44 = C55 = G_zp, C66 = E / (2 (1 + nu)),
   which reduce to Lame's isotropic moduli when E_z = E and nu_zp = nu; and plane stress in the layer's plane
   (sigma_zz = 0) leaves Q11 = C11 - C13^2/C33 = E/(1 - nu^2), Q12 = nu E/(1 - nu^2), laminate theory's moduli.
   1e-13: a 3 x 3 inverse of O(1/E) entries, a few ulps. */
static PetscErrorCode TestStiffness(Tally *t)
{
  const PetscReal E = 7e9, cases[2][4] = {{0.34, 1, 0.34, 1 / (2 * 1.34)}, {0.30, 0.45, 0.18, 0.12}};

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < 2; k++) {
    struct _n_Material mat;
    PetscReal          C[6][6];
    const PetscReal    nu = cases[k][0], Ez = cases[k][1] * E, nu_zp = cases[k][2], nu_pz = nu_zp * E / Ez;
    const PetscReal    D = 1 - nu - 2 * nu_zp * nu_pz;
    char               what[128];

    PetscCall(PetscMemzero(&mat, sizeof(mat)));
    mat.nu        = nu;
    mat.E_z_ratio = cases[k][1];
    mat.nu_zp     = nu_zp;
    mat.G_z_ratio = cases[k][3];
    MaterialStiffness(&mat, E, C);
    PetscCall(PetscSNPrintf(what, sizeof(what), "stiffness case %" PetscInt_FMT ": C11", k));
    PetscCall(ExpectClose(t, C[0][0], E * (1 - nu_zp * nu_pz) / ((1 + nu) * D), 1e-13, what));
    PetscCall(ExpectClose(t, C[1][1], C[0][0], 1e-13, "stiffness: C22 = C11"));
    PetscCall(ExpectClose(t, C[0][1], E * (nu + nu_zp * nu_pz) / ((1 + nu) * D), 1e-13, "stiffness: C12"));
    PetscCall(ExpectClose(t, C[0][2], E * nu_zp / D, 1e-13, "stiffness: C13"));
    PetscCall(ExpectClose(t, C[2][0], C[0][2], 1e-13, "stiffness: symmetric"));
    PetscCall(ExpectClose(t, C[2][2], Ez * (1 - nu) / D, 1e-13, "stiffness: C33"));
    PetscCall(ExpectClose(t, C[3][3], cases[k][3] * E, 1e-13, "stiffness: C44 = G_zp"));
    PetscCall(ExpectClose(t, C[5][5], E / (2 * (1 + nu)), 1e-13, "stiffness: C66"));
    PetscCall(ExpectClose(t, C[0][0] - C[0][2] * C[0][2] / C[2][2], E / (1 - nu * nu), 1e-13, "stiffness: plane-stress Q11"));
    PetscCall(ExpectClose(t, C[0][1] - C[0][2] * C[1][2] / C[2][2], nu * E / (1 - nu * nu), 1e-13, "stiffness: plane-stress Q12"));
    PetscCall(Expect(t, (PetscBool)(C[0][3] == 0 && C[0][5] == 0 && C[3][4] == 0), "stiffness: no normal-shear coupling"));
    if (k == 0) {
      const PetscReal lambda = E * nu / ((1 + nu) * (1 - 2 * nu)), mu = E / (2 * (1 + nu));
      PetscCall(ExpectClose(t, C[0][0], lambda + 2 * mu, 1e-13, "stiffness: isotropic C11 = lambda + 2 mu"));
      PetscCall(ExpectClose(t, C[0][2], lambda, 1e-13, "stiffness: isotropic C13 = lambda"));
      PetscCall(ExpectClose(t, C[3][3], mu, 1e-13, "stiffness: isotropic C44 = mu"));
    }
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Tally t = {0, 0, PETSC_FALSE};

  PetscCall(PetscInitialize(&argc, &argv, NULL, "Unit tests for material.c"));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-view", &t.view));
  PetscCall(TestExactIntegral(&t));
  PetscCall(TestConstantTable(&t));
  PetscCall(TestOutOfRange(&t));
  PetscCall(TestOptions(&t));
  PetscCall(TestStiffness(&t));
  if (t.nfail) PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-material: %" PetscInt_FMT " of %" PetscInt_FMT " checks FAILED\n", t.nfail, t.nchecks));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "test-material: all %" PetscInt_FMT " checks passed\n", t.nchecks));
  PetscCall(PetscFinalize());
  return t.nfail ? 1 : 0;
}
