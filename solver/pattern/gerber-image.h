#pragma once
/* A Gerber RS-274X copper layer, as the fraction of each pixel of the sample that copper covers (docs/cases.md,
   "Gerber files").

   fcclsim does not parse Gerber: Debian's gerbv (the one on PATH, or $FCCLSIM_GERBV) renders the file to an antialiased PNG (white copper on black, one
   pixel `pixel` m square, its lower-left corner at the sample's), and libpng reads it back. A pixel's grey level /
   255 is the part of it the copper covers, so the file's own polarity layers, regions and aperture flashes are what
   gerbv makes of them. Each pixel row keeps running sums; the copper of any box is then exact for the raster (every
   pixel uniformly covered), at one lookup per row the box spans. The raster costs 4 bytes per pixel on every rank
   (64 MB for a 100 mm sample at 25 um), rendered once on rank 0 and broadcast. */
#include "pattern.h"

typedef struct _n_GerberImage *GerberImage;

/* Collective. Renders `file` (named by option `key`, for messages) over `sample`, the sample's rectangle in m from its
   centre; origin: where the file's (0, 0) lies on the sample, m; mirror: the file's x (y) axis runs against the
   sample's (a layer drawn as seen from below); pixel: the raster's pixel, m. */
PetscErrorCode GerberImageCreate(MPI_Comm comm, const char key[], const char file[], const PatternBox *sample, const PetscReal origin[2], const PetscBool mirror[2], PetscReal pixel, GerberImage *image);
PetscErrorCode GerberImageDestroy(GerberImage *image);
/* The copper area of box, m^2 (of the segment y0 = y1, its copper length, m); the box may reach off the raster */
PetscReal      GerberImageCopper(GerberImage image, const PatternBox *box);
