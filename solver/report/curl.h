#pragma once
/* Where curl is measured: curvature of the deformed bottom, top and mid surfaces of the continuous active stack, from
   least-squares patch fits of the departure's thickness-direction displacement, with the reference state's curvature
   added exactly (reference-state.h), so no digits are lost to the large displacements of a strongly curled sample. A
   quadratic fit reproduces a quadratic surface exactly.

   Sign convention (docs/cases.md): kappa = -d2w/dx2 with z up through the stack, so kappa > 0 means the top (+z)
   face is convex and the bottom layer (the first in -layers) lies on the concave side; the signed curl radius is
   R = 1/kappa. */
#include "model.h"

/* Curvature of a surface, 1/m */
typedef struct {
  PetscReal xx, yy, xy, k1, k2; /* k1: the principal curvature of larger magnitude */
} Curvature;

/* Options block "Curl": patch sizes, m; 0 = automatic */
typedef struct {
  PetscReal fit_radius; /* -curl_fit_radius_mm: half-width of the centre patch of the curvature fit */
  PetscReal map_radius; /* -curl_map_radius_mm: radius of each curl-map node's patch */
} CurlOptions;
PetscErrorCode CurlOptionsRead(MPI_Comm comm, CurlOptions *options);

/* Direction of k1, degrees from the x axis, in (-90, 90] up to round-off: the direction the sample bends in (a
   sample curled into a near-cylinder rolls about the perpendicular axis) */
PetscReal CurvatureAngle(const Curvature *c);

/* Centre curvature of the mid-surface (mean of the bottom and top faces' fits) */
PetscErrorCode CurlCenter(Model model, const CurlOptions *opt, Curvature *mid, Curvature *bottom, Curvature *top);

/* The curl map: at every mid-surface node (mean of the bottom and top faces), curvature from a quadratic fit of the
   nodes within the map radius (default 3.5 largest elements). Held on rank 0 only (n = 0 elsewhere); gathers the
   surface, not the volume. Columns, each of length n: x, y, w (total deflection of the mid-surface, m), kxx, kyy,
   kxy, k1, k2 (1/m), angle (of k1 from x, deg), R1, R2 (cm, INFINITY where flat). */
#define CURL_MAP_COLUMNS 11
typedef struct _n_CurlMap *CurlMap;
struct _n_CurlMap {
  PetscInt   n;
  PetscReal *data;
  union {
    PetscReal *column[CURL_MAP_COLUMNS];
    struct {
      PetscReal *x, *y, *w, *kxx, *kyy, *kxy, *k1, *k2, *angle, *R1, *R2;
    };
  };
};
PetscErrorCode CurlMapCompute(Model model, const CurlOptions *opt, CurlMap *map);
/* CSV on rank 0, written atomically */
PetscErrorCode CurlMapWriteCSV(CurlMap map, MPI_Comm comm, const char path[]);
PetscErrorCode CurlMapDestroy(CurlMap *map);
/* Collective. The warpage of the map's mid-surface: the peak-to-valley distance of w from its least-squares plane
   through the map's nodes (a quarter model's mirrored surface has a level plane, so there it is max w - min w), m.
   Linear theory's w: at curls of centimetres it is the small-deflection shape (issue 15). */
PetscErrorCode CurlMapWarpage(Model model, CurlMap map, PetscReal *warpage);
/* Edge lift of a sample of length L with signed curvature k (arc lying on a flat table), m. */
PetscReal      CurlEdgeLift(PetscReal k, PetscReal L);
