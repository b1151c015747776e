#pragma once
/* A pattern: the copper an etch leaves of a foil, as shapes in the sample's plane (docs/cases.md, "Patterns").

   Options (block "Pattern NAME", prefix pattern_NAME_; a YAML case gives `pattern_NAME: {...}`):
     -shapes A,B,...              the shapes, combined in order: each adds to (op add) or cuts from (op subtract) the
                                  region of the ones before it; required
     -polarity keep|remove        the region is the copper kept (default) or the copper removed
     -representation trace|conforming
                                  trace (default): each cell takes the fraction of its footprint the copper covers;
                                  conforming: every cell must be all copper or none (a mesh whose lines fall on the
                                  pattern's edges), and the run stops on the first cell the pattern cuts
   and per shape (block "Pattern NAME shape A", prefix pattern_NAME_A_):
     -type rectangle|lines|circle|polygon, -op add|subtract
     -box_mm XMIN,XMAX,YMIN,YMAX  rectangle; lines: the region the lines fill
     -width_mm W, -space_mm S, -direction x|y
                                  lines: copper W wide, S apart, running along x or y; the first line starts at the
                                  region's low edge, the last is cut by its high edge
     -center_mm X,Y, -radius_mm R circle
     -points_mm X1,Y1,X2,Y2,...   polygon: 3 or more vertices, in order, not crossing itself
   or, instead of shapes, a Gerber file of the copper (solver/pattern/gerber-image.h):
     -gerber FILE                 RS-274X, rendered by gerbv; relative to the case file's folder
     -origin_mm X,Y               where the file's (0, 0) lies (default 0,0); the sample is cut out of the file's
                                  image, so copper beyond the sample's edge is not on it
     -mirror none|x|y|xy          the file's axes that run against the sample's (x: a layer drawn as seen from below)
     -pixel_um P                  the raster's pixel (default 25)
   Coordinates are mm from the sample's centre; every shape must lie on the sample. A quarter model is the quadrant
   x, y >= 0 mirrored on both planes, so it sees the pattern's part in that quadrant, mirrored.

   Areas are exact for rectangles, lines and polygons (the covered length of a line y = const is piecewise linear in y
   between the shapes' vertices, and is integrated band by band with Gauss points), and to ~1e-10 for circles; a
   Gerber file's to its raster (tests/pattern/test-pattern.c measures it). */
#include <petscsys.h>

typedef struct _n_Pattern *Pattern;

typedef enum { PATTERN_TRACE, PATTERN_CONFORMING } PatternRepresentation;
extern const char *const PatternRepresentationNames[];

/* An axis-aligned rectangle of the sample's plane, m; y0 == y1 is the line y = y0 (the 2D model's section) */
typedef struct {
  PetscReal x0, x1, y0, y1;
} PatternBox;

/* Collective. Reads pattern `name`; named_by: the key that named it (for messages); lx, ly: the sample, m. */
PetscErrorCode        PatternCreateFromOptions(MPI_Comm comm, const char name[], const char named_by[], PetscReal lx, PetscReal ly, Pattern *pattern);
PetscErrorCode        PatternDestroy(Pattern *pattern);
const char           *PatternName(Pattern pattern);
PatternRepresentation PatternGetRepresentation(Pattern pattern);
/* The fraction of box that keeps its copper, in [0, 1] */
PetscErrorCode        PatternCopperFraction(Pattern pattern, const PatternBox *box, PetscReal *fraction);
