#include <math.h>
#include "pattern.h"
#include "gerber-image.h"
#include "case.h"
#include "option-read.h"

const char *const PatternRepresentationNames[] = {"trace", "conforming", NULL};
static const char *const ShapeTypeNames[]      = {"rectangle", "lines", "circle", "polygon", NULL};
static const char *const ShapeOpNames[]        = {"add", "subtract", NULL};
static const char *const PolarityNames[]       = {"keep", "remove", NULL};
static const char *const DirectionNames[]      = {"x", "y", NULL};
static const char *const MirrorNames[]         = {"none", "x", "y", "xy", NULL};

#define WHERE_LEN          (PETSC_MAX_PATH_LEN + 320)
#define PATTERN_MAX_SHAPES 256
#define POLYGON_MAX_POINTS 4096 /* vertices of one polygon */
#define MM_LIMIT           1e5  /* |coordinate| in mm: far beyond any sample */
#define ON_SAMPLE_TOL      1e-9 /* m: a shape may touch the sample's edge */

typedef enum { SHAPE_RECTANGLE, SHAPE_LINES, SHAPE_CIRCLE, SHAPE_POLYGON } ShapeType;

typedef struct {
  ShapeType  type;
  PetscBool  subtract;
  PetscReal  box[4];       /* m: x0, x1, y0, y1 (rectangle; lines: their region) */
  PetscReal  width, pitch; /* lines, m */
  PetscInt   along;        /* lines run along x (0) or y (1) */
  PetscReal  c[2], r;      /* circle, m */
  PetscInt   n;            /* polygon: vertices xy[2 k], xy[2 k + 1], m */
  PetscReal *xy;
} Shape;

struct _n_Pattern {
  char                  name[CASE_MAX_NAME + 1];
  PetscBool             remove; /* polarity: the region is the copper removed */
  PatternRepresentation representation;
  PetscInt              nshapes;
  Shape                *shape;
  GerberImage           gerber; /* instead of shapes: a Gerber file's copper */
};

const char           *PatternName(Pattern p) { return p->name; }
PatternRepresentation PatternGetRepresentation(Pattern p) { return p->representation; }

/* ---------------------------------------------------------------------------------------------------------------
   Rows: the part of a line y = const that a shape, or the pattern, covers, as sorted disjoint intervals */

typedef struct {
  PetscInt   n, cap;
  PetscReal *a; /* [2 n]: lo, hi */
} Intervals;

static PetscErrorCode IntervalsPush(Intervals *s, PetscReal lo, PetscReal hi)
{
  PetscFunctionBeginUser;
  if (!(hi > lo)) PetscFunctionReturn(0);
  if (s->n == s->cap) {
    PetscReal *a;
    s->cap = PetscMax(16, 2 * s->cap);
    PetscCall(PetscMalloc1(2 * s->cap, &a));
    if (s->n) PetscCall(PetscArraycpy(a, s->a, 2 * s->n));
    PetscCall(PetscFree(s->a));
    s->a = a;
  }
  s->a[2 * s->n]     = lo;
  s->a[2 * s->n + 1] = hi;
  s->n++;
  PetscFunctionReturn(0);
}

/* out = a op b (union, or a minus b); a, b sorted and disjoint, so is out */
static PetscErrorCode IntervalsCombine(const Intervals *a, const Intervals *b, PetscBool subtract, Intervals *out)
{
  PetscInt i = 0, j = 0;

  PetscFunctionBeginUser;
  out->n = 0;
  if (!subtract) { /* merge by start, joining overlaps */
    PetscReal lo = 0, hi = 0;
    PetscBool open = PETSC_FALSE;
    while (i < a->n || j < b->n) {
      const PetscReal *next = (j >= b->n || (i < a->n && a->a[2 * i] <= b->a[2 * j])) ? &a->a[2 * i++] : &b->a[2 * j++];
      if (open && next[0] <= hi) hi = PetscMax(hi, next[1]);
      else {
        if (open) PetscCall(IntervalsPush(out, lo, hi));
        lo   = next[0];
        hi   = next[1];
        open = PETSC_TRUE;
      }
    }
    if (open) PetscCall(IntervalsPush(out, lo, hi));
    PetscFunctionReturn(0);
  }
  for (i = 0; i < a->n; i++) {
    PetscReal lo = a->a[2 * i];
    const PetscReal hi = a->a[2 * i + 1];
    while (j < b->n && b->a[2 * j + 1] <= lo) j++;
    for (PetscInt k = j; k < b->n && b->a[2 * k] < hi; k++) {
      PetscCall(IntervalsPush(out, lo, PetscMin(hi, b->a[2 * k])));
      lo = PetscMax(lo, b->a[2 * k + 1]);
    }
    PetscCall(IntervalsPush(out, lo, hi));
  }
  PetscFunctionReturn(0);
}

static int CompareReal(const void *a, const void *b)
{
  const PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return (x > y) - (x < y);
}

/* The part of [x0, x1] on the line y that shape s covers */
static PetscErrorCode ShapeRow(const Shape *s, PetscReal y, PetscReal x0, PetscReal x1, PetscReal *scratch, Intervals *out)
{
  PetscFunctionBeginUser;
  out->n = 0;
  switch (s->type) {
  case SHAPE_RECTANGLE:
    if (y >= s->box[2] && y <= s->box[3]) PetscCall(IntervalsPush(out, PetscMax(x0, s->box[0]), PetscMin(x1, s->box[1])));
    break;
  case SHAPE_LINES:
    if (y < s->box[2] || y > s->box[3]) break;
    if (s->along == 0) { /* lines along x: strips in y */
      const PetscReal k = PetscFloorReal((y - s->box[2]) / s->pitch), y_in = y - s->box[2] - k * s->pitch;
      if (y_in <= s->width) PetscCall(IntervalsPush(out, PetscMax(x0, s->box[0]), PetscMin(x1, s->box[1])));
    } else { /* lines along y: strips in x, starting at the region's low edge */
      const PetscReal lo = PetscMax(x0, s->box[0]), hi = PetscMin(x1, s->box[1]);
      for (PetscReal k = PetscMax(0, PetscFloorReal((lo - s->box[0]) / s->pitch)); s->box[0] + k * s->pitch < hi; k++) {
        const PetscReal a = s->box[0] + k * s->pitch;
        PetscCall(IntervalsPush(out, PetscMax(lo, a), PetscMin(hi, PetscMin(a + s->width, s->box[1]))));
      }
    }
    break;
  case SHAPE_CIRCLE:
    if (PetscAbsReal(y - s->c[1]) < s->r) {
      const PetscReal h = PetscSqrtReal(s->r * s->r - (y - s->c[1]) * (y - s->c[1]));
      PetscCall(IntervalsPush(out, PetscMax(x0, s->c[0] - h), PetscMin(x1, s->c[0] + h)));
    }
    break;
  case SHAPE_POLYGON: { /* even-odd crossings of the line with the edges, each edge taken half-open in y */
    PetscInt m = 0;
    for (PetscInt k = 0; k < s->n; k++) {
      const PetscReal *p = &s->xy[2 * k], *q = &s->xy[2 * ((k + 1) % s->n)];
      if ((p[1] <= y && y < q[1]) || (q[1] <= y && y < p[1])) scratch[m++] = p[0] + (y - p[1]) * (q[0] - p[0]) / (q[1] - p[1]);
    }
    qsort(scratch, (size_t)m, sizeof(PetscReal), CompareReal);
    for (PetscInt k = 0; k + 1 < m; k += 2) PetscCall(IntervalsPush(out, PetscMax(x0, scratch[k]), PetscMin(x1, scratch[k + 1])));
  } break;
  }
  PetscFunctionReturn(0);
}

typedef struct {
  Intervals  region, shape, tmp;
  PetscReal *scratch; /* polygon crossings */
} RowWork;

/* Length of [x0, x1] on the line y that keeps its copper */
static PetscErrorCode CopperLength(Pattern p, RowWork *w, PetscReal y, PetscReal x0, PetscReal x1, PetscReal *len)
{
  PetscReal covered = 0;

  PetscFunctionBeginUser;
  w->region.n = 0;
  for (PetscInt k = 0; k < p->nshapes; k++) {
    Intervals t;
    PetscCall(ShapeRow(&p->shape[k], y, x0, x1, w->scratch, &w->shape));
    PetscCall(IntervalsCombine(&w->region, &w->shape, p->shape[k].subtract, &w->tmp));
    t         = w->region;
    w->region = w->tmp;
    w->tmp    = t;
  }
  for (PetscInt k = 0; k < w->region.n; k++) covered += w->region.a[2 * k + 1] - w->region.a[2 * k];
  *len = p->remove ? (x1 - x0) - covered : covered;
  PetscFunctionReturn(0);
}

/* Heights in (y0, y1) where a row's covered length stops being linear in y */
static PetscErrorCode AddBreaks(const Shape *s, PetscReal y0, PetscReal y1, PetscReal **b, PetscInt *n, PetscInt *cap)
{
  PetscReal add[80];
  PetscInt  na = 0;

  PetscFunctionBeginUser;
#define PUSH_BREAK(v) \
  do { \
    const PetscReal v_ = (v); \
    if (v_ > y0 && v_ < y1) { \
      if (*n == *cap) { \
        PetscReal *nb; \
        *cap = PetscMax(64, 2 * *cap); \
        PetscCall(PetscMalloc1(*cap, &nb)); \
        if (*n) PetscCall(PetscArraycpy(nb, *b, *n)); \
        PetscCall(PetscFree(*b)); \
        *b = nb; \
      } \
      (*b)[(*n)++] = v_; \
    } \
  } while (0)
  switch (s->type) {
  case SHAPE_RECTANGLE:
    add[na++] = s->box[2];
    add[na++] = s->box[3];
    break;
  case SHAPE_LINES:
    add[na++] = s->box[2];
    add[na++] = s->box[3];
    if (s->along == 0)
      for (PetscReal k = PetscMax(0, PetscFloorReal((y0 - s->box[2]) / s->pitch)); s->box[2] + k * s->pitch < PetscMin(y1, s->box[3]); k++) {
        PUSH_BREAK(s->box[2] + k * s->pitch);
        PUSH_BREAK(s->box[2] + k * s->pitch + s->width);
      }
    break;
  case SHAPE_CIRCLE: /* the chord's length is smooth between these, and bands that halve toward the top and bottom
                        contain its square-root ends; Gauss points then integrate it to ~1e-10 */
    for (PetscInt k = 0; k <= 32; k++) add[na++] = s->c[1] + s->r * PetscCosReal(PETSC_PI * k / 32);
    for (PetscInt k = 1; k <= 16; k++) {
      const PetscReal h = s->r * (1 - PetscCosReal(PETSC_PI / 32 / PetscPowRealInt(2, k)));
      add[na++] = s->c[1] + s->r - h;
      add[na++] = s->c[1] - s->r + h;
    }
    break;
  case SHAPE_POLYGON:
    for (PetscInt k = 0; k < s->n; k++) PUSH_BREAK(s->xy[2 * k + 1]);
    break;
  }
  for (PetscInt k = 0; k < na; k++) PUSH_BREAK(add[k]);
#undef PUSH_BREAK
  PetscFunctionReturn(0);
}

PetscErrorCode PatternCopperFraction(Pattern p, const PatternBox *box, PetscReal *fraction)
{
  /* 5-point Gauss-Legendre on [-1, 1]: exact for the piecewise-linear lengths of straight-edged shapes */
  static const PetscReal gx[5] = {-0.9061798459386640, -0.5384693101056831, 0, 0.5384693101056831, 0.9061798459386640};
  static const PetscReal gw[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891};
  RowWork                w     = {{0, 0, NULL}, {0, 0, NULL}, {0, 0, NULL}, NULL};
  PetscInt               nmax  = 4, n = 0, cap = 0;
  PetscReal             *b     = NULL, area = 0, len;

  PetscFunctionBeginUser;
  if (p->gerber) {
    const PetscReal copper = GerberImageCopper(p->gerber, box), size = box->y1 <= box->y0 ? box->x1 - box->x0 : (box->x1 - box->x0) * (box->y1 - box->y0);
    *fraction = PetscMin(1, PetscMax(0, p->remove ? 1 - copper / size : copper / size));
    PetscFunctionReturn(0);
  }
  for (PetscInt k = 0; k < p->nshapes; k++) nmax = PetscMax(nmax, p->shape[k].n + 4);
  PetscCall(PetscMalloc1(nmax, &w.scratch));
  if (box->y1 <= box->y0) {
    PetscCall(CopperLength(p, &w, box->y0, box->x0, box->x1, &len));
    *fraction = len / (box->x1 - box->x0);
  } else {
    for (PetscInt k = 0; k < p->nshapes; k++) PetscCall(AddBreaks(&p->shape[k], box->y0, box->y1, &b, &n, &cap));
    if (n) qsort(b, (size_t)n, sizeof(PetscReal), CompareReal);
    for (PetscInt k = 0; k <= n; k++) {
      const PetscReal lo = k ? b[k - 1] : box->y0, hi = k < n ? b[k] : box->y1;
      if (!(hi > lo)) continue;
      for (PetscInt g = 0; g < 5; g++) {
        PetscCall(CopperLength(p, &w, 0.5 * (lo + hi) + 0.5 * (hi - lo) * gx[g], box->x0, box->x1, &len));
        area += 0.5 * (hi - lo) * gw[g] * len;
      }
    }
    *fraction = area / ((box->x1 - box->x0) * (box->y1 - box->y0));
  }
  *fraction = PetscMin(1, PetscMax(0, *fraction));
  PetscCall(PetscFree(b));
  PetscCall(PetscFree(w.scratch));
  PetscCall(PetscFree(w.region.a));
  PetscCall(PetscFree(w.shape.a));
  PetscCall(PetscFree(w.tmp.a));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   Reading and checking */

/* Do segments pq and rs meet (touching counts)? */
static PetscBool SegmentsMeet(const PetscReal p[], const PetscReal q[], const PetscReal r[], const PetscReal s[])
{
  const PetscReal d1 = (s[0] - r[0]) * (p[1] - r[1]) - (s[1] - r[1]) * (p[0] - r[0]);
  const PetscReal d2 = (s[0] - r[0]) * (q[1] - r[1]) - (s[1] - r[1]) * (q[0] - r[0]);
  const PetscReal d3 = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  const PetscReal d4 = (q[0] - p[0]) * (s[1] - p[1]) - (q[1] - p[1]) * (s[0] - p[0]);

  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return PETSC_TRUE;
  if (d1 == 0 && d2 == 0) /* collinear: do they overlap? */
    return (PetscBool)(PetscMax(PetscMin(p[0], q[0]), PetscMin(r[0], s[0])) <= PetscMin(PetscMax(p[0], q[0]), PetscMax(r[0], s[0])) && PetscMax(PetscMin(p[1], q[1]), PetscMin(r[1], s[1])) <= PetscMin(PetscMax(p[1], q[1]), PetscMax(r[1], s[1])));
  return PETSC_FALSE;
}

static PetscErrorCode CheckOnSample(MPI_Comm comm, const char where[], PetscReal x0, PetscReal x1, PetscReal y0, PetscReal y1, PetscReal lx, PetscReal ly)
{
  PetscFunctionBeginUser;
  PetscCheck(x0 >= -lx / 2 - ON_SAMPLE_TOL && x1 <= lx / 2 + ON_SAMPLE_TOL && y0 >= -ly / 2 - ON_SAMPLE_TOL && y1 <= ly / 2 + ON_SAMPLE_TOL, comm, PETSC_ERR_USER_INPUT, "%s: the shape reaches x %g to %g mm, y %g to %g mm, outside the sample (x and y within +-%g and +-%g mm of its centre)", where, (double)(x0 * 1e3), (double)(x1 * 1e3), (double)(y0 * 1e3), (double)(y1 * 1e3), (double)(lx / 2 * 1e3), (double)(ly / 2 * 1e3));
  PetscFunctionReturn(0);
}

/* Block "Pattern NAME shape A" */
static PetscErrorCode ReadShape(MPI_Comm comm, const char pattern[], const char name[], PetscReal lx, PetscReal ly, Shape *s)
{
  char      prefix[2 * CASE_MAX_NAME + 16], title[2 * CASE_MAX_NAME + 64], key[256], where[WHERE_LEN];
  PetscInt  type = 0, op = 0, along = 1, nbox = 4, ncenter = 2, npts = 2 * POLYGON_MAX_POINTS;
  PetscReal box[4] = {0, 0, 0, 0}, center[2] = {0, 0}, width = 0, space = 0, radius = 0, *pts;
  PetscBool type_set, box_set, width_set, space_set, dir_set, center_set, radius_set, pts_set;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(npts, &pts));
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "pattern_%s_%s_", pattern, name));
  PetscCall(PetscSNPrintf(title, sizeof(title), "Pattern %s shape %s (docs/cases.md)", pattern, name));
  PetscOptionsBegin(comm, prefix, title, "fcclsim");
  PetscCall(OptionChoice(PetscOptionsObject, "-type", "rectangle, lines, circle or polygon; required", ShapeTypeNames, type, &type, &type_set));
  PetscCall(OptionChoice(PetscOptionsObject, "-op", "add: joins the region of the shapes before it; subtract: is cut from it", ShapeOpNames, op, &op, NULL));
  PetscCall(OptionRealList(PetscOptionsObject, "-box_mm", "rectangle, lines: XMIN,XMAX,YMIN,YMAX, mm from the sample's centre", -MM_LIMIT, MM_LIMIT, box, &nbox, &box_set));
  PetscCall(OptionReal(PetscOptionsObject, "-width_mm", "lines: the copper width of each line, mm", width, 1e-6, MM_LIMIT, &width, &width_set));
  PetscCall(OptionReal(PetscOptionsObject, "-space_mm", "lines: the gap between lines, mm", space, 1e-6, MM_LIMIT, &space, &space_set));
  PetscCall(OptionChoice(PetscOptionsObject, "-direction", "lines: the direction they run, x or y", DirectionNames, along, &along, &dir_set));
  PetscCall(OptionRealList(PetscOptionsObject, "-center_mm", "circle: its centre X,Y, mm from the sample's centre", -MM_LIMIT, MM_LIMIT, center, &ncenter, &center_set));
  PetscCall(OptionReal(PetscOptionsObject, "-radius_mm", "circle: its radius, mm", radius, 1e-6, MM_LIMIT, &radius, &radius_set));
  PetscCall(OptionRealList(PetscOptionsObject, "-points_mm", "polygon: its vertices X1,Y1,X2,Y2,... in order, mm from the sample's centre", -MM_LIMIT, MM_LIMIT, pts, &npts, &pts_set));
  PetscOptionsEnd();
  if (CaseHelp()) {
    PetscCall(PetscFree(pts));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscSNPrintf(key, sizeof(key), "-pattern_%s_%s_type", pattern, name));
  OptionWhere(key, where, sizeof(where));
  PetscCheck(type_set, comm, PETSC_ERR_USER_INPUT, "%s: pattern_%s_%s_type is required: rectangle, lines, circle or polygon", CaseSource(), pattern, name);
  s->type     = (ShapeType)type;
  s->subtract = (PetscBool)(op == 1);
  {
    const struct {
      PetscBool   set, allowed;
      const char *key;
    } keys[] = {
      {box_set,    s->type == SHAPE_RECTANGLE || s->type == SHAPE_LINES, "box_mm"   },
      {width_set,  s->type == SHAPE_LINES,                               "width_mm" },
      {space_set,  s->type == SHAPE_LINES,                               "space_mm" },
      {dir_set,    s->type == SHAPE_LINES,                               "direction"},
      {center_set, s->type == SHAPE_CIRCLE,                              "center_mm"},
      {radius_set, s->type == SHAPE_CIRCLE,                              "radius_mm"},
      {pts_set,    s->type == SHAPE_POLYGON,                             "points_mm"}
    };
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
      PetscCheck(!keys[k].set || keys[k].allowed, comm, PETSC_ERR_USER_INPUT, "%s = %s: a %s takes no %s; remove pattern_%s_%s_%s", where, ShapeTypeNames[type], ShapeTypeNames[type], keys[k].key, pattern, name, keys[k].key);
      PetscCheck(keys[k].set || !keys[k].allowed || (s->type == SHAPE_LINES && k == 3), comm, PETSC_ERR_USER_INPUT, "%s = %s: pattern_%s_%s_%s is required", where, ShapeTypeNames[type], pattern, name, keys[k].key);
    }
  }
  switch (s->type) {
  case SHAPE_RECTANGLE:
  case SHAPE_LINES:
    PetscCall(PetscSNPrintf(key, sizeof(key), "-pattern_%s_%s_box_mm", pattern, name));
    OptionWhere(key, where, sizeof(where));
    PetscCheck(nbox == 4, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " values; it takes four, XMIN,XMAX,YMIN,YMAX (mm)", where, nbox);
    PetscCheck(box[1] > box[0] && box[3] > box[2], comm, PETSC_ERR_USER_INPUT, "%s = %g,%g,%g,%g: the box has no area (XMIN < XMAX and YMIN < YMAX are needed)", where, (double)box[0], (double)box[1], (double)box[2], (double)box[3]);
    for (PetscInt k = 0; k < 4; k++) s->box[k] = box[k] * 1e-3;
    PetscCall(CheckOnSample(comm, where, s->box[0], s->box[1], s->box[2], s->box[3], lx, ly));
    s->width = width * 1e-3;
    s->pitch = (width + space) * 1e-3;
    s->along = along;
    break;
  case SHAPE_CIRCLE:
    PetscCall(PetscSNPrintf(key, sizeof(key), "-pattern_%s_%s_center_mm", pattern, name));
    OptionWhere(key, where, sizeof(where));
    PetscCheck(ncenter == 2, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " values; it takes two, X,Y (mm)", where, ncenter);
    s->c[0] = center[0] * 1e-3;
    s->c[1] = center[1] * 1e-3;
    s->r    = radius * 1e-3;
    PetscCall(CheckOnSample(comm, where, s->c[0] - s->r, s->c[0] + s->r, s->c[1] - s->r, s->c[1] + s->r, lx, ly));
    break;
  case SHAPE_POLYGON: {
    PetscReal area2 = 0, xmin = PETSC_MAX_REAL, xmax = -PETSC_MAX_REAL, ymin = PETSC_MAX_REAL, ymax = -PETSC_MAX_REAL, scale;
    PetscCall(PetscSNPrintf(key, sizeof(key), "-pattern_%s_%s_points_mm", pattern, name));
    OptionWhere(key, where, sizeof(where));
    PetscCheck(npts % 2 == 0 && npts >= 6, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " values; it takes X,Y pairs of 3 or more vertices", where, npts);
    s->n = npts / 2;
    PetscCall(PetscMalloc1(npts, &s->xy));
    for (PetscInt k = 0; k < npts; k++) s->xy[k] = pts[k] * 1e-3;
    for (PetscInt k = 0; k < s->n; k++) {
      const PetscReal *p = &s->xy[2 * k], *q = &s->xy[2 * ((k + 1) % s->n)];
      area2 += p[0] * q[1] - q[0] * p[1];
      xmin = PetscMin(xmin, p[0]);
      xmax = PetscMax(xmax, p[0]);
      ymin = PetscMin(ymin, p[1]);
      ymax = PetscMax(ymax, p[1]);
    }
    scale = (xmax - xmin) * (ymax - ymin);
    PetscCheck(PetscAbsReal(area2) > 1e-12 * scale && scale > 0, comm, PETSC_ERR_USER_INPUT, "%s: the polygon has no area", where);
    for (PetscInt i = 0; i < s->n; i++)
      for (PetscInt j = i + 1; j < s->n; j++) {
        const PetscInt i1 = (i + 1) % s->n, j1 = (j + 1) % s->n;
        if (j == i1 || i == j1) continue; /* neighbours share a vertex */
        PetscCheck(!SegmentsMeet(&s->xy[2 * i], &s->xy[2 * i1], &s->xy[2 * j], &s->xy[2 * j1]), comm, PETSC_ERR_USER_INPUT, "%s: the polygon crosses itself (edge %" PetscInt_FMT " meets edge %" PetscInt_FMT "); give its vertices in order around it", where, i + 1, j + 1);
      }
    PetscCall(CheckOnSample(comm, where, xmin, xmax, ymin, ymax, lx, ly));
  } break;
  }
  PetscCall(PetscFree(pts));
  PetscFunctionReturn(0);
}

PetscErrorCode PatternCreateFromOptions(MPI_Comm comm, const char name[], const char named_by[], PetscReal lx, PetscReal ly, Pattern *pattern)
{
  char      prefix[CASE_MAX_NAME + 16], title[CASE_MAX_NAME + 48], key[256], where[WHERE_LEN], *names[PATTERN_MAX_SHAPES];
  char      gerber[PETSC_MAX_PATH_LEN] = "", gerber_key[CASE_MAX_NAME + 24], path[2 * PETSC_MAX_PATH_LEN];
  PetscInt  n = PATTERN_MAX_SHAPES, polarity = 0, representation = PATTERN_TRACE, norigin = 2, mirror = 0;
  PetscReal origin[2] = {0, 0}, pixel_um = 25;
  PetscBool set, gerber_set, origin_set;
  Pattern   p;

  PetscFunctionBeginUser;
  PetscCall(CaseCheckName(comm, "pattern", named_by, name));
  PetscCall(PetscNew(&p));
  PetscCall(PetscStrncpy(p->name, name, sizeof(p->name)));
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "pattern_%s_", name));
  PetscCall(PetscSNPrintf(title, sizeof(title), "Pattern %s (docs/cases.md)", name));
  PetscOptionsBegin(comm, prefix, title, "fcclsim");
  PetscCall(OptionStringList(PetscOptionsObject, "-shapes", "the shapes, combined in order (each adds to or cuts from those before it); required", names, &n, &set));
  PetscCall(OptionChoice(PetscOptionsObject, "-polarity", "keep: the shapes are the copper kept; remove: the copper removed", PolarityNames, polarity, &polarity, NULL));
  PetscCall(OptionChoice(PetscOptionsObject, "-representation", "trace: cells take the fraction of copper over them; conforming: each cell all copper or none", PatternRepresentationNames, representation, &representation, NULL));
  PetscCall(OptionString(PetscOptionsObject, "-gerber", "instead of shapes: a Gerber RS-274X file of the copper (rendered by gerbv; a relative name is from the case file's folder)", gerber, gerber, sizeof(gerber), &gerber_set));
  PetscCall(OptionRealList(PetscOptionsObject, "-origin_mm", "gerber: where the file's (0, 0) lies, mm from the sample's centre", -MM_LIMIT, MM_LIMIT, origin, &norigin, &origin_set));
  PetscCall(OptionChoice(PetscOptionsObject, "-mirror", "gerber: the file's axes that run against the sample's (x: a layer drawn as seen from below)", MirrorNames, mirror, &mirror, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-pixel_um", "gerber: the raster's pixel, um (4 bytes per pixel of the sample, on every rank)", pixel_um, 0.1, 1e4, &pixel_um, NULL));
  PetscOptionsEnd();
  p->remove         = (PetscBool)(polarity == 1);
  p->representation = (PatternRepresentation)representation;
  PetscCall(PetscSNPrintf(key, sizeof(key), "-pattern_%s_shapes", name));
  OptionWhere(key, where, sizeof(where));
  PetscCall(PetscSNPrintf(gerber_key, sizeof(gerber_key), "-pattern_%s_gerber", name));
  PetscCheck(!(set && gerber_set), comm, PETSC_ERR_USER_INPUT, "%s and pattern_%s_gerber: give a pattern its shapes or a Gerber file, not both", where, name);
  if (gerber_set) {
    const PatternBox sample     = {-lx / 2, lx / 2, -ly / 2, ly / 2};
    const PetscBool  mirrors[2] = {(PetscBool)(mirror == 1 || mirror == 3), (PetscBool)(mirror == 2 || mirror == 3)};
    char             gwhere[WHERE_LEN];
    OptionWhere(gerber_key, gwhere, sizeof(gwhere));
    PetscCheck(!origin_set || norigin == 2, comm, PETSC_ERR_USER_INPUT, "pattern_%s_origin_mm: %" PetscInt_FMT " values; give X,Y", name, norigin);
    PetscCall(CaseFilePath(gerber_key, gerber, path, sizeof(path)));
    origin[0] *= 1e-3;
    origin[1] *= 1e-3;
    PetscCall(GerberImageCreate(comm, gwhere, path, &sample, origin, mirrors, pixel_um * 1e-6, &p->gerber));
    /* an image with no copper on the sample is a misplaced file, not an etch: that would be an etch without a pattern */
    PetscCheck(GerberImageCopper(p->gerber, &sample) > 0, comm, PETSC_ERR_USER_INPUT, "%s = %s: the file puts no copper on the sample (its origin is at %g, %g mm from the sample's centre: pattern_%s_origin_mm)", gwhere, path, (double)(origin[0] * 1e3), (double)(origin[1] * 1e3), name);
    *pattern = p;
    PetscFunctionReturn(0);
  }
  PetscCheck(set || CaseHelp(), comm, PETSC_ERR_USER_INPUT, "%s names pattern '%s', but neither pattern_%s_shapes nor pattern_%s_gerber is given: a pattern needs its shapes or a Gerber file (docs/cases.md)", named_by, name, name, name);
  p->nshapes = set ? n : 0;
  if (!set && CaseHelp()) { /* -help without the pattern's shapes: the keys of a shape called SHAPE */
    PetscCall(PetscStrallocpy("SHAPE", &names[0]));
    p->nshapes = 1;
  }
  PetscCall(PetscCalloc1(p->nshapes + 1, &p->shape));
  for (PetscInt k = 0; k < p->nshapes; k++) {
    PetscCall(CaseCheckName(comm, "shape", where, names[k]));
    for (PetscInt j = 0; j < k; j++) {
      PetscBool same;
      PetscCall(PetscStrcasecmp(names[j], names[k], &same));
      PetscCheck(!same, comm, PETSC_ERR_USER_INPUT, "%s names shape '%s' twice", where, names[k]);
    }
    PetscCall(ReadShape(comm, name, names[k], lx, ly, &p->shape[k]));
  }
  for (PetscInt k = 0; k < p->nshapes; k++) PetscCall(PetscFree(names[k]));
  *pattern = p;
  PetscFunctionReturn(0);
}

PetscErrorCode PatternDestroy(Pattern *pattern)
{
  PetscFunctionBeginUser;
  if (!*pattern) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < (*pattern)->nshapes; k++) PetscCall(PetscFree((*pattern)->shape[k].xy));
  PetscCall(GerberImageDestroy(&(*pattern)->gerber));
  PetscCall(PetscFree((*pattern)->shape));
  PetscCall(PetscFree(*pattern));
  PetscFunctionReturn(0);
}
