/* Unit test of solver/pattern/pattern.c: the copper fraction of boxes, against areas known in closed form.
   Silent except for one summary line; each failed check prints what it compared. Exit status 1 on any failure. */
#include <petscsys.h>
#include "pattern.h"

typedef struct {
  PetscInt nchecks, nfail;
} Tally;

/* fraction of box [x0, x1] x [y0, y1] (mm) that pattern `name` keeps, against want, to atol */
static PetscErrorCode ExpectFraction(Tally *t, const char name[], const char opts[], const PetscReal box_mm[4], PetscReal want, PetscReal atol, const char what[])
{
  Pattern         p;
  PetscReal       got;
  const PatternBox box = {box_mm[0] * 1e-3, box_mm[1] * 1e-3, box_mm[2] * 1e-3, box_mm[3] * 1e-3};

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, opts));
  PetscCall(PatternCreateFromOptions(PETSC_COMM_SELF, name, "test-pattern.c", 0.1, 0.1, &p));
  PetscCall(PatternCopperFraction(p, &box, &got));
  PetscCall(PatternDestroy(&p));
  t->nchecks++;
  if (!(PetscAbsReal(got - want) <= atol)) {
    t->nfail++;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-pattern FAILED: %s: got %.17g, want %.17g (|difference| %.3g > %.3g)\n", what, (double)got, (double)want, (double)PetscAbsReal(got - want), (double)atol));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Tally           t      = {0, 0};
  const PetscReal all[4] = {-50, 50, -50, 50}, cell[4] = {0.3, 1.7, -0.25, 0.55}, row[4] = {-50, 50, 0, 0};
  const PetscReal round  = 1e-14; /* the band integration is exact for straight edges: round-off of sums of ~1e2 terms */

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  /* a rectangle: its area over the sample, and its overlap with a cell it cuts on two sides */
  PetscCall(ExpectFraction(&t, "r", "-pattern_r_shapes a -pattern_r_a_type rectangle -pattern_r_a_box_mm -10,30,-20,5", all, 40.0 * 25 / 1e4, round, "rectangle over the sample"));
  PetscCall(ExpectFraction(&t, "r", "", (const PetscReal[4]){25, 35, 0, 10}, 0.25, round, "rectangle over a cell it cuts"));
  /* polarity remove: the complement */
  PetscCall(ExpectFraction(&t, "rr", "-pattern_rr_shapes a -pattern_rr_polarity remove -pattern_rr_a_type rectangle -pattern_rr_a_box_mm -10,30,-20,5", all, 1 - 40.0 * 25 / 1e4, round, "polarity remove"));
  /* lines along y, 0.3 wide, 0.2 apart, over [-5, 5]: 20 whole lines, 60 %; a cell cut at arbitrary places:
     lines start at -5 + 0.5 k, so over x in [0.3, 1.7] copper lies in [0.3, 0.3] u [0.5, 0.8] u [1.0, 1.3] u [1.5, 1.7] */
  PetscCall(ExpectFraction(&t, "l", "-pattern_l_shapes a -pattern_l_a_type lines -pattern_l_a_box_mm -5,5,-5,5 -pattern_l_a_width_mm 0.3 -pattern_l_a_space_mm 0.2", (const PetscReal[4]){-5, 5, -5, 5}, 0.6, round, "lines along y over their region"));
  PetscCall(ExpectFraction(&t, "l", "", cell, (0.3 + 0.3 + 0.2) / 1.4, round, "lines along y over a cell they cut"));
  PetscCall(ExpectFraction(&t, "l", "", row, 0.6 * 10 / 100, round, "lines along y on the 2D section"));
  /* lines along x: the same numbers with x and y swapped */
  PetscCall(ExpectFraction(&t, "lx", "-pattern_lx_shapes a -pattern_lx_a_type lines -pattern_lx_a_box_mm -5,5,-5,5 -pattern_lx_a_width_mm 0.3 -pattern_lx_a_space_mm 0.2 -pattern_lx_a_direction x", (const PetscReal[4]){-0.25, 0.55, 0.3, 1.7}, (0.3 + 0.3 + 0.2) / 1.4, round, "lines along x over a cell they cut"));
  /* a circle: pi r^2; the breakpoints make the band integration accurate to ~1e-10 (PETSc's option names ignore case:
     every pattern here has a name of its own) */
  PetscCall(ExpectFraction(&t, "c", "-pattern_c_shapes a -pattern_c_a_type circle -pattern_c_a_center_mm 3,-2 -pattern_c_a_radius_mm 7", all, PETSC_PI * 49 / 1e4, 1e-9 * PETSC_PI * 49 / 1e4, "circle over the sample (to 1e-9)"));
  /* a polygon: a triangle of area 1/2 * 20 * 10, and an L shape (concave) of area 3 */
  PetscCall(ExpectFraction(&t, "t", "-pattern_t_shapes a -pattern_t_a_type polygon -pattern_t_a_points_mm -10,-5,10,-5,3,5", all, 100.0 / 1e4, round, "triangle"));
  PetscCall(ExpectFraction(&t, "ell", "-pattern_ell_shapes a -pattern_ell_a_type polygon -pattern_ell_a_points_mm 0,0,2,0,2,1,1,1,1,2,0,2", (const PetscReal[4]){0, 2, 0, 2}, 3.0 / 4, round, "concave polygon"));
  /* union and difference in order: two overlapping rectangles (area 4 + 4 - 1) minus a square inside both's union */
  PetscCall(ExpectFraction(&t, "u", "-pattern_u_shapes a,b,c -pattern_u_a_type rectangle -pattern_u_a_box_mm 0,2,0,2 -pattern_u_b_type rectangle -pattern_u_b_box_mm 1,3,1,3 -pattern_u_c_type rectangle -pattern_u_c_op subtract -pattern_u_c_box_mm 0.5,1.5,0.25,0.75", (const PetscReal[4]){0, 4, 0, 4}, (7 - 0.5) / 16, round, "union then difference"));
  /* order matters: subtracting first from nothing, then adding, keeps the added shape whole */
  PetscCall(ExpectFraction(&t, "o", "-pattern_o_shapes c,a -pattern_o_c_type rectangle -pattern_o_c_op subtract -pattern_o_c_box_mm 0.5,1.5,0.25,0.75 -pattern_o_a_type rectangle -pattern_o_a_box_mm 0,2,0,2", (const PetscReal[4]){0, 4, 0, 4}, 4.0 / 16, round, "a subtraction before an addition cuts nothing"));
  /* lines minus a disc: the disc's copper is what it covers of the lines (checked against the same lines' own
     fraction inside the disc's bounding square is not exact, so compare with a fine midpoint sum instead) */
  {
    const PetscInt n = 2000;
    PetscReal      sum = 0;
    for (PetscInt j = 0; j < n; j++)
      for (PetscInt i = 0; i < n; i++) {
        const PetscReal x = -5 + 10 * (i + 0.5) / n, y = -5 + 10 * (j + 0.5) / n;
        const PetscReal u = x + 5 - 0.5 * PetscFloorReal((x + 5) / 0.5);
        if (u <= 0.3 && !(x * x + y * y < 4)) sum += 1;
      }
    PetscCall(ExpectFraction(&t, "ld", "-pattern_ld_shapes a,b -pattern_ld_a_type lines -pattern_ld_a_box_mm -5,5,-5,5 -pattern_ld_a_width_mm 0.3 -pattern_ld_a_space_mm 0.2 -pattern_ld_b_type circle -pattern_ld_b_op subtract -pattern_ld_b_center_mm 0,0 -pattern_ld_b_radius_mm 2", (const PetscReal[4]){-5, 5, -5, 5}, sum / (n * n), 2e-4, "lines minus a disc against a 2000 x 2000 midpoint sum (its own error ~1e-4)"));
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-pattern: %" PetscInt_FMT " checks, %" PetscInt_FMT " failed\n", t.nchecks, t.nfail));
  PetscCall(PetscFinalize());
  return t.nfail ? 1 : 0;
}
