/* Unit test of solver/pattern/pattern.c: the copper fraction of boxes, against areas known in closed form.
   Silent except for one summary line; each failed check prints what it compared. Exit status 1 on any failure. */
#include <petscsys.h>
#include "pattern.h"

typedef struct {
  PetscInt  nchecks, nfail;
  PetscReal sample; /* the sample's side, m */
} Tally;

/* fraction of box [x0, x1] x [y0, y1] (mm) that pattern `name` keeps, against want, to atol */
static PetscErrorCode ExpectFraction(Tally *t, const char name[], const char opts[], const PetscReal box_mm[4], PetscReal want, PetscReal atol, const char what[])
{
  Pattern         p;
  PetscReal       got;
  const PatternBox box = {box_mm[0] * 1e-3, box_mm[1] * 1e-3, box_mm[2] * 1e-3, box_mm[3] * 1e-3};

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, opts));
  PetscCall(PatternCreateFromOptions(PETSC_COMM_SELF, name, "test-pattern.c", t->sample, t->sample, &p));
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
  Tally           t      = {0, 0, 0.1};
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
  /* A Gerber file (areas.gbr, -test_gerber FILE) rendered by gerbv on a 10 mm sample: its raster's areas against the
     closed forms. The tolerance is an edge offset of pixel / 20 all round: straight edges on a pixel's sample grid
     come out exact, but cairo, which draws for gerbv, samples each pixel on a grid and draws circles as curves; the
     largest offset measured is 0.034 pixel (a 2.5 mm round flash at 25 um; 0.016 at 50 um, 0.007 at 12.5 um;
     regions with slanted edges 0.006) */
  {
    char      file[PETSC_MAX_PATH_LEN], opts[PETSC_MAX_PATH_LEN + 256];
    PetscBool given;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-test_gerber", file, sizeof(file), &given));
    if (given) {
      const PetscReal pixels_um[2] = {25, 10};
      t.sample                     = 0.01;
      for (int k = 0; k < 2; k++) {
        const PetscReal px = pixels_um[k] * 1e-3; /* mm */
        const PetscReal a_box[4] = {-4.1, -0.8, 0.35, 3.05}, b_box[4] = {0.95, 3.45, 0.85, 3.35}, c_box[4] = {-3.15, 3.15, -3.25, -2.95};
        const PetscReal a = 3.3 * 2.7 - 1, b = PETSC_PI * 1.25 * 1.25, c = 6 * 0.3 + PETSC_PI * 0.15 * 0.15;
        const PetscReal a_edges = 2 * (3.3 + 2.7) + 4, b_edges = 2 * PETSC_PI * 1.25, c_edges = 12 + 2 * PETSC_PI * 0.15;
        char            name[8], what[128];
#define TOL(edges, area) ((edges) * px / 20 / (area))
        PetscCall(PetscSNPrintf(name, sizeof(name), "g%d", k));
        PetscCall(PetscSNPrintf(opts, sizeof(opts), "-pattern_%s_gerber %s -pattern_%s_pixel_um %g", name, file, name, (double)pixels_um[k]));
        PetscCall(PetscSNPrintf(what, sizeof(what), "Gerber region with a clear square (%g um pixels)", (double)pixels_um[k]));
        PetscCall(ExpectFraction(&t, name, opts, a_box, a / (3.3 * 2.7), TOL(a_edges, 3.3 * 2.7), what));
        PetscCall(PetscSNPrintf(what, sizeof(what), "Gerber round flash (%g um pixels)", (double)pixels_um[k]));
        PetscCall(ExpectFraction(&t, name, "", b_box, b / 6.25, TOL(b_edges, 6.25), what));
        PetscCall(PetscSNPrintf(what, sizeof(what), "Gerber draw with a round aperture (%g um pixels)", (double)pixels_um[k]));
        PetscCall(ExpectFraction(&t, name, "", c_box, c / (6.3 * 0.3), TOL(c_edges, 6.3 * 0.3), what));
        PetscCall(PetscSNPrintf(what, sizeof(what), "Gerber file over the sample (%g um pixels)", (double)pixels_um[k]));
        PetscCall(ExpectFraction(&t, name, "", (const PetscReal[4]){-5, 5, -5, 5}, (a + b + c) / 100, TOL(a_edges + b_edges + c_edges, 100), what));
        /* the 2D section y = 1.5 mm: the region less its clearance (3.3 - 1 mm) and the flash's chord. A section reads
           the pixel row it lies in, whose mean chord differs from the chord at y by up to (pixel) |d chord / dy|, and
           |d chord / dy| = 2 (0.6 / 1.097) < 2 here */
        PetscCall(PetscSNPrintf(what, sizeof(what), "Gerber file on the section y = 1.5 mm (%g um pixels)", (double)pixels_um[k]));
        PetscCall(ExpectFraction(&t, name, "", (const PetscReal[4]){-5, 5, 1.5, 1.5}, (2.3 + 2 * PetscSqrtReal(1.25 * 1.25 - 0.6 * 0.6)) / 10, (4 * px / 20 + 2 * px) / 10, what));
#undef TOL
      }
      /* mirrored about the file's origin: the flash (2.2, 2.1) lies at (-2.2, 2.1) with mirror x, (2.2, -2.1) with y */
      PetscCall(PetscSNPrintf(opts, sizeof(opts), "-pattern_gx_gerber %s -pattern_gx_mirror x", file));
      PetscCall(ExpectFraction(&t, "gx", opts, (const PetscReal[4]){-3.45, -0.95, 0.85, 3.35}, PETSC_PI / 4, 2 * PETSC_PI * 1.25 * 25e-3 / 20 / 6.25, "Gerber flash mirrored in x"));
      PetscCall(PetscSNPrintf(opts, sizeof(opts), "-pattern_gy_gerber %s -pattern_gy_mirror y", file));
      PetscCall(ExpectFraction(&t, "gy", opts, (const PetscReal[4]){0.95, 3.45, -3.35, -0.85}, PETSC_PI / 4, 2 * PETSC_PI * 1.25 * 25e-3 / 20 / 6.25, "Gerber flash mirrored in y"));
      /* polarity remove and a moved origin: the flash, its centre now at (2.2 - 10, 2.1 + 20) mm */
      t.sample = 0.1;
      PetscCall(PetscSNPrintf(opts, sizeof(opts), "-pattern_gm_gerber %s -pattern_gm_polarity remove -pattern_gm_origin_mm -10,20 -pattern_gm_pixel_um 50", file));
      PetscCall(ExpectFraction(&t, "gm", opts, (const PetscReal[4]){-9.05, -6.55, 20.85, 23.35}, 1 - PETSC_PI / 4, 2 * PETSC_PI * 1.25 * 50e-3 / 20 / 6.25, "Gerber flash, moved and of polarity remove (100 mm sample, 50 um pixels)"));
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "test-pattern: %" PetscInt_FMT " checks, %" PetscInt_FMT " failed\n", t.nchecks, t.nfail));
  PetscCall(PetscFinalize());
  return t.nfail ? 1 : 0;
}
