#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gerber-image.h"
#include "error-report.h"

extern char **environ;

#define GERBER_MAX_PIXELS 32767 /* across either side: cairo's image surfaces go no larger */
#define INCH              0.0254

/* The one bridge from libpng's simplified API to PETSc errors: a call returns 0 on failure and leaves its reason in
   the png_image it was given */
#define PetscCallPNG(img, call) \
  do { \
    if (PetscUnlikely(!(call))) { \
      char why_[sizeof((img)->message)]; \
      PetscCall(PetscStrncpy(why_, (img)->message, sizeof(why_))); \
      png_image_free(img); \
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "libpng: %s (%s)", why_, #call); \
    } \
  } while (0)

struct _n_GerberImage {
  PetscInt  nx, ny;  /* pixels across x and y */
  PetscReal x0, y0;  /* the raster's lower-left corner on the sample, m */
  PetscReal pixel;   /* m */
  PetscBool mirror[2]; /* the file's x (y) runs against the sample's */
  char      corner[32], dpi[32]; /* what gerbv is told: -O (mm, the window's lower-left corner in the file) and -D */
  uint32_t *run;     /* row j (from the bottom): run[j (nx + 1) + i] = grey levels of its pixels 0 .. i-1 */
};

/* The window's lower-left corner in the file's coordinates as gerbv is told it, and as a number: gerbv reads "XxY"
   from at most 20 characters, so each value is rounded to the most decimals (up to 6: 1 nm) that fit, down, or up
   where up[a] (a mirrored axis), so that the raster still starts on or before the sample's edge; a value already on
   that grid stays there (to round-off: -5 mm must not become -5.000001) */
static PetscErrorCode CornerChoose(const PetscReal want[2], const PetscBool up[2], char text[], size_t len, PetscReal mm[2])
{
  PetscFunctionBeginUser;
  for (int digits = 6; digits >= 0; digits--) {
    const PetscReal scale = PetscPowRealInt(10, digits);
    for (int a = 0; a < 2; a++) mm[a] = (up[a] ? PetscCeilReal(want[a] * scale - 1e-6) : PetscFloorReal(want[a] * scale + 1e-6)) / scale;
    PetscCall(PetscSNPrintf(text, len, "%.*fx%.*f", digits, (double)mm[0], digits, (double)mm[1]));
    if (strlen(text) <= 20) PetscFunctionReturn(0);
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the sample's corner lies %g, %g mm from the Gerber file's origin: too far for gerbv", (double)want[0], (double)want[1]);
}

/* The first line of gerbv's log that reports an error, without GLib's "** (process:N): CRITICAL **: time: " */
static void GerbvError(const char log[], char msg[], size_t len)
{
  FILE *fp = fopen(log, "r");
  char  line[1024];

  msg[0] = 0;
  if (!fp) return;
  while (fgets(line, sizeof(line), fp)) {
    char *m = strstr(line, "CRITICAL **");
    if (!m) continue;
    for (int colons = 0; *m && colons < 4; m++) colons += *m == ':'; /* past "**:" and the time's "HH:MM:SS.mmm:" */
    while (*m == ' ') m++;
    m[strcspn(m, "\n")] = 0;
    (void)PetscStrncpy(msg, m, len);
    break;
  }
  fclose(fp);
}

/* Runs gerbv on rank 0 into dir/copper.png; a missing gerbv, a file it cannot read and any error it logs are the
   user's to fix, and name the key */
static PetscErrorCode Render(const char key[], const char file[], const GerberImage g, const char png[], const char log[])
{
  char                       w[96], msg[512];
  const char                *argv[] = {"gerbv", "-x", "png", "-a", "-u", "mm", "-B", "0", "-b", "#000000", "-f", "#FFFFFFFF", "-O", g->corner, "-W", w, "-D", g->dpi, "-o", png, file, NULL};
  posix_spawn_file_actions_t io;
  pid_t                      pid;
  int                        status = 0, err;
  FILE                      *fp    = fopen(file, "r");
  const char                *gerbv = getenv("FCCLSIM_GERBV") && getenv("FCCLSIM_GERBV")[0] ? getenv("FCCLSIM_GERBV") : "gerbv";

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s = %s: cannot read the Gerber file (%s)", key, file, strerror(errno));
  fclose(fp);
  /* the window's size in inches, half a pixel over so that rounding cannot drop the last pixel; its corner and the
     pixels per inch are GerberImageCreate's, which placed the raster by them */
  PetscCall(PetscSNPrintf(w, sizeof(w), "%.6fx%.6f", (double)((g->nx + 0.5) * g->pixel / INCH), (double)((g->ny + 0.5) * g->pixel / INCH)));
  PetscCheck(!posix_spawn_file_actions_init(&io), PETSC_COMM_SELF, PETSC_ERR_SYS, "posix_spawn_file_actions_init failed");
  err = posix_spawn_file_actions_addopen(&io, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!err) err = posix_spawn_file_actions_adddup2(&io, 1, 2);
  if (!err) err = posix_spawnp(&pid, gerbv, &io, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&io);
  PetscCheck(err != ENOENT, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s = %s: reading a Gerber file needs gerbv, which is not installed (no %s; Debian package gerbv, bash scripts/setup-debian.sh; or FCCLSIM_GERBV=PATH)", key, file, gerbv);
  PetscCheck(!err, PETSC_COMM_SELF, PETSC_ERR_SYS, "%s: cannot start gerbv (%s)", key, strerror(err));
  PetscCheck(waitpid(pid, &status, 0) == pid, PETSC_COMM_SELF, PETSC_ERR_SYS, "%s: waiting for gerbv failed (%s)", key, strerror(errno));
  GerbvError(log, msg, sizeof(msg));
  /* gerbv exits 0 even when it could not read the file: its log says so */
  PetscCheck(!msg[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s = %s: not a Gerber file gerbv can read: %s", key, file, msg);
  PetscCheck(WIFEXITED(status) && !WEXITSTATUS(status), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s = %s: gerbv failed on it (exit status %d)", key, file, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  PetscFunctionReturn(0);
}

/* Reads the PNG into the row sums. Unmirrored, the image's bottom-left pixel is the raster's first (its rows run from
   the top, so raster row j is image row h-1-j); a mirrored axis reads the first nx (ny) pixels from the other end */
static PetscErrorCode ReadRaster(const char png[], GerberImage g)
{
  png_image img;
  png_bytep rgb;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&img, sizeof(img)));
  img.version = PNG_IMAGE_VERSION;
  PetscCallPNG(&img, png_image_begin_read_from_file(&img, png));
  img.format = PNG_FORMAT_RGB;
  PetscCheck(img.width >= (png_uint_32)g->nx && img.height >= (png_uint_32)g->ny, PETSC_COMM_SELF, PETSC_ERR_LIB, "gerbv made a %ux%u image, %" PetscInt_FMT "x%" PetscInt_FMT " were asked for", img.width, img.height, g->nx, g->ny);
  PetscCall(PetscMalloc1(PNG_IMAGE_SIZE(img), &rgb));
  PetscCallPNG(&img, png_image_finish_read(&img, NULL, rgb, 0, NULL));
  for (PetscInt j = 0; j < g->ny; j++) {
    const size_t    from_bottom = g->mirror[1] ? (size_t)(g->ny - 1 - j) : (size_t)j;
    const png_bytep row         = rgb + (img.height - 1 - from_bottom) * PNG_IMAGE_ROW_STRIDE(img);
    uint32_t       *run         = g->run + (size_t)j * (g->nx + 1);
    run[0]                      = 0;
    for (PetscInt i = 0; i < g->nx; i++) run[i + 1] = run[i] + row[3 * (g->mirror[0] ? g->nx - 1 - i : i)]; /* red = green = blue */
  }
  PetscCall(PetscFree(rgb));
  PetscFunctionReturn(0);
}

/* Rank 0: render into a temporary directory and read the raster back; the temporary files go whatever happens */
static PetscErrorCode RenderAndRead(const char key[], const char file[], GerberImage g)
{
  char           dir[PETSC_MAX_PATH_LEN], png[PETSC_MAX_PATH_LEN + 16], log[PETSC_MAX_PATH_LEN + 16];
  const char    *tmp = getenv("TMPDIR");
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/fcclsim-gerber-XXXXXX", tmp && tmp[0] ? tmp : "/tmp"));
  PetscCheck(mkdtemp(dir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "%s: cannot make a temporary directory %s (%s)", key, dir, strerror(errno));
  PetscCall(PetscSNPrintf(png, sizeof(png), "%s/copper.png", dir));
  PetscCall(PetscSNPrintf(log, sizeof(log), "%s/gerbv.log", dir));
  ierr = Render(key, file, g, png, log);
  if (!ierr) ierr = ReadRaster(png, g);
  (void)unlink(png);
  (void)unlink(log);
  (void)rmdir(dir);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

PetscErrorCode GerberImageCreate(MPI_Comm comm, const char key[], const char file[], const PatternBox *sample, const PetscReal origin[2], const PetscBool mirror[2], PetscReal pixel, GerberImage *image)
{
  GerberImage g;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscNew(&g));
  g->mirror[0] = mirror[0];
  g->mirror[1] = mirror[1];
  /* the pixel as gerbv takes it from the dpi printed to 6 decimals */
  PetscCall(PetscSNPrintf(g->dpi, sizeof(g->dpi), "%.6f", (double)(INCH / pixel)));
  g->pixel = INCH / atof(g->dpi);
  /* one pixel more than the sample needs, for the corner's move to what gerbv can be told */
  g->nx = (PetscInt)PetscCeilReal((sample->x1 - sample->x0) / g->pixel - 1e-9) + 1;
  g->ny = (PetscInt)PetscCeilReal((sample->y1 - sample->y0) / g->pixel - 1e-9) + 1;
  {
    /* sample coordinate s is file coordinate s - origin; mirrored, origin - s, and the raster's far edge is the corner */
    const PetscReal lo[2] = {sample->x0, sample->y0}, n[2] = {(PetscReal)g->nx, (PetscReal)g->ny};
    PetscReal       want[2], mm[2];
    for (int a = 0; a < 2; a++) want[a] = (mirror[a] ? origin[a] - (lo[a] + n[a] * g->pixel) : lo[a] - origin[a]) * 1e3;
    PetscCall(CornerChoose(want, mirror, g->corner, sizeof(g->corner), mm));
    g->x0 = mirror[0] ? origin[0] - mm[0] * 1e-3 - n[0] * g->pixel : origin[0] + mm[0] * 1e-3;
    g->y0 = mirror[1] ? origin[1] - mm[1] * 1e-3 - n[1] * g->pixel : origin[1] + mm[1] * 1e-3;
  }
  PetscCheck(g->nx <= GERBER_MAX_PIXELS && g->ny <= GERBER_MAX_PIXELS, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " x %" PetscInt_FMT " pixels of %g um over the sample; at most %d across (give a larger pixel_um)", key, g->nx - 1, g->ny - 1, (double)(pixel * 1e6), GERBER_MAX_PIXELS);
  PetscCall(PetscMalloc1((size_t)g->ny * (g->nx + 1), &g->run));
  {
    char what[PETSC_MAX_PATH_LEN + 64];
    PetscCall(PetscSNPrintf(what, sizeof(what), "%s: reading the Gerber file", key));
    PetscCall(ErrorShareFromRankZero(comm, rank == 0 ? RenderAndRead(key, file, g) : 0, what));
  }
  PetscCallMPI(MPI_Bcast(g->run, (PetscMPIInt)((size_t)g->ny * (g->nx + 1)), MPI_UINT32_T, 0, comm));
  *image = g;
  PetscFunctionReturn(0);
}

PetscErrorCode GerberImageDestroy(GerberImage *image)
{
  PetscFunctionBeginUser;
  if (!*image) PetscFunctionReturn(0);
  PetscCall(PetscFree((*image)->run));
  PetscCall(PetscFree(*image));
  PetscFunctionReturn(0);
}

/* Grey levels of row j over [u0, u1] (pixel units, within [0, nx]): the running sum is linear inside a pixel */
static PetscReal RowCopper(GerberImage g, PetscInt j, PetscReal u0, PetscReal u1)
{
  const uint32_t *run = g->run + (size_t)j * (g->nx + 1);
  PetscReal       at[2];
  const PetscReal u[2] = {u0, u1};

  for (int k = 0; k < 2; k++) {
    const PetscInt i = PetscMin((PetscInt)u[k], g->nx - 1);
    at[k]            = run[i] + (u[k] - i) * (PetscReal)(run[i + 1] - run[i]);
  }
  return at[1] - at[0];
}

PetscReal GerberImageCopper(GerberImage g, const PatternBox *box)
{
  const PetscReal u0 = PetscClipInterval((box->x0 - g->x0) / g->pixel, 0, g->nx), u1 = PetscClipInterval((box->x1 - g->x0) / g->pixel, 0, g->nx);
  const PetscReal v0 = PetscClipInterval((box->y0 - g->y0) / g->pixel, 0, g->ny), v1 = PetscClipInterval((box->y1 - g->y0) / g->pixel, 0, g->ny);
  PetscReal       sum = 0;

  if (!(u1 > u0)) return 0;
  if (box->y1 <= box->y0) { /* a segment: the row it runs along */
    const PetscInt j = PetscMin((PetscInt)v0, g->ny - 1);
    return RowCopper(g, j, u0, u1) / 255 * g->pixel;
  }
  for (PetscInt j = (PetscInt)v0; j < g->ny && j < v1; j++) sum += (PetscMin(v1, j + 1) - PetscMax(v0, j)) * RowCopper(g, j, u0, u1);
  return sum / 255 * g->pixel * g->pixel;
}
