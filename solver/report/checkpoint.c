#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "checkpoint.h"
#include "option-read.h"
#include "state-file.h"

#define CHECKPOINT_FORMAT "fcclsim checkpoint 3"
#define CHECKPOINT_MAX_FILES 4096

struct _n_Checkpoint {
  MPI_Comm       comm;
  PetscMPIInt    rank, size;
  char           dir[PETSC_MAX_PATH_LEN];
  PetscBool      enabled, restart;
  PetscReal      interval; /* s */
  PetscLogDouble since;    /* when the run started, or the last checkpoint was written */
  char          *options;  /* this run's resolved options, one "key value" line each, sorted */
  char           build[17]; /* the hash of this executable, once known ("" until then) */
  /* what CheckpointFind found */
  PetscInt       resume;
  char           found[PETSC_MAX_PATH_LEN];
  char          *text; /* its record of the run (every rank) */
  char         **kept;
  PetscInt       nkept;
};

PetscErrorCode CheckpointCreate(MPI_Comm comm, const char dir[], Checkpoint *checkpoint)
{
  Checkpoint cp;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&cp));
  cp->comm     = comm;
  cp->enabled  = PETSC_TRUE;
  cp->interval = 30;
  cp->resume   = -1;
  PetscCallMPI(MPI_Comm_rank(comm, &cp->rank));
  PetscCallMPI(MPI_Comm_size(comm, &cp->size));
  PetscCall(PetscStrncpy(cp->dir, dir, sizeof(cp->dir)));
  PetscCall(PetscTime(&cp->since));
  PetscOptionsBegin(comm, NULL, "Checkpoint and restart (docs/restart.md)", "fcclsim");
  PetscCall(OptionBool(PetscOptionsObject, "-checkpoint", "write checkpoints after completed steps, so that -restart can resume a killed run", cp->enabled, &cp->enabled, NULL));
  PetscCall(OptionReal(PetscOptionsObject, "-checkpoint_interval_s", "write one after a step when this much wall time (s) has passed since the start or the last one; 0: after every step", cp->interval, 0, 1e9, &cp->interval, NULL));
  PetscCall(OptionBool(PetscOptionsObject, "-restart", "resume the run in the output directory from its last valid checkpoint (none: start from the first step)", cp->restart, &cp->restart, NULL));
  PetscOptionsEnd();
  *checkpoint = cp;
  PetscFunctionReturn(0);
}

PetscErrorCode CheckpointDestroy(Checkpoint *cp)
{
  PetscFunctionBeginUser;
  if (!*cp) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < (*cp)->nkept; i++) PetscCall(PetscFree((*cp)->kept[i]));
  PetscCall(PetscFree((*cp)->kept));
  PetscCall(PetscFree((*cp)->options));
  PetscCall(PetscFree((*cp)->text));
  PetscCall(PetscFree(*cp));
  PetscFunctionReturn(0);
}

PetscInt           CheckpointResumeStep(Checkpoint cp) { return cp->resume; }
const char *const *CheckpointKeptFiles(Checkpoint cp) { return (const char *const *)cp->kept; }

/* ---------------------------------------------------------------------------------------------------------------
   What identifies the run: its options and its distributed mesh */

/* Keys that steer the run but not its results: the run's own control, the output directory (the checkpoint lives in
   it), and PETSc's diagnostics (monitors, viewers, logging, debugging) */
static PetscBool IsRunControl(const char key[])
{
  static const char *const exact[]    = {"-restart", "-checkpoint", "-checkpoint_interval_s", "-output", "-case", "-help", "-options_left", "-history", "-no_signal_handler", "-fp_trap", "-skip_petscrc", "-on_error_abort", "-on_error_attach_debugger", NULL};
  static const char *const prefix[]   = {"-log", "-info", "-malloc", "-memory_", "-options_", "-start_in_debugger", "-debugger", NULL};
  static const char *const contains[] = {"_monitor", "monitor_", "_view", "converged_reason", NULL};

  for (const char *const *e = exact; *e; e++)
    if (!strcmp(key, *e)) return PETSC_TRUE;
  for (const char *const *p = prefix; *p; p++)
    if (!strncmp(key, *p, strlen(*p))) return PETSC_TRUE;
  for (const char *const *c = contains; *c; c++)
    if (strstr(key, *c)) return PETSC_TRUE;
  return PETSC_FALSE;
}

static int CompareLines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The options database as "key value" lines, sorted, without the run-control keys. PetscOptionsGetAll gives
   "-key value -key -key value ...": a token that begins with '-' and a letter starts a key. */
static PetscErrorCode ResolvedOptions(char **text)
{
  char    *all, *tok, *save = NULL, **lines;
  PetscInt n = 0, cap = 64;
  size_t   total = 1;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &all));
  PetscCall(PetscMalloc1(cap, &lines));
  for (tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    const PetscBool key = (PetscBool)(tok[0] == '-' && (isalpha((unsigned char)tok[1]) || tok[1] == '_'));
    if (key) {
      if (n == cap) {
        char **grown;
        PetscCall(PetscMalloc1(2 * cap, &grown));
        PetscCall(PetscArraycpy(grown, lines, n));
        PetscCall(PetscFree(lines));
        lines = grown;
        cap *= 2;
      }
      PetscCall(PetscStrallocpy(tok, &lines[n++]));
    } else if (n) { /* the value of the key before it (a value with spaces comes as several tokens) */
      char *joined;
      PetscCall(PetscMalloc1(strlen(lines[n - 1]) + strlen(tok) + 2, &joined));
      sprintf(joined, "%s %s", lines[n - 1], tok);
      PetscCall(PetscFree(lines[n - 1]));
      lines[n - 1] = joined;
    }
  }
  qsort(lines, (size_t)n, sizeof(*lines), CompareLines);
  for (PetscInt i = 0; i < n; i++) {
    char key[256];
    sscanf(lines[i], "%255s", key);
    if (!IsRunControl(key)) total += strlen(lines[i]) + 1;
  }
  PetscCall(PetscMalloc1(total, text));
  (*text)[0] = '\0';
  for (PetscInt i = 0; i < n; i++) {
    char key[256];
    sscanf(lines[i], "%255s", key);
    if (!IsRunControl(key)) strcat(strcat(*text, lines[i]), "\n");
    PetscCall(PetscFree(lines[i]));
  }
  PetscCall(PetscFree(lines));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* The first difference between two sorted option texts, as a phrase ("-key is 12 there, 13 here") */
static void OptionsDifference(const char there[], const char here[], char msg[], size_t len)
{
  const char *a = there, *b = here;

  msg[0] = '\0';
  while (*a || *b) {
    const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
    size_t      la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
    size_t      ka = strcspn(a, " \n"), kb = strcspn(b, " \n");
    int         c  = !*a ? 1 : !*b ? -1 : strncmp(a, b, PetscMin(ka, kb) + 1);
    if (*a && *b && ka == kb && !strncmp(a, b, ka)) { /* the same key */
      if (la != lb || strncmp(a, b, la)) {
        snprintf(msg, len, "%.*s is '%.*s' there, '%.*s' here", (int)ka, a, (int)(la - PetscMin(la, ka + 1)), a + PetscMin(la, ka + 1), (int)(lb - PetscMin(lb, kb + 1)), b + PetscMin(lb, kb + 1));
        return;
      }
    } else if (c < 0) {
      snprintf(msg, len, "%.*s is set there, not here", (int)ka, a);
      return;
    } else {
      snprintf(msg, len, "%.*s is set here, not there", (int)kb, b);
      return;
    }
    a += la + (ea ? 1 : 0);
    b += lb + (eb ? 1 : 0);
  }
}

/* The option text without the materials' keys: they enter the options database only when the stack loads its
   materials (stack.c), after the directory is claimed; CheckpointLoad compares them */
static PetscErrorCode WithoutMaterials(const char text[], char **out)
{
  char *o;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(strlen(text) + 1, &o));
  *out = o;
  for (const char *l = text; *l;) {
    const size_t len = strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0);
    if (strncmp(l, "-material_", 10)) {
      memcpy(o, l, len);
      o += len;
    }
    l += len;
  }
  *o = '\0';
  PetscFunctionReturn(0);
}

/* FNV-1a, 64 bits */
static uint64_t Hash(uint64_t h, const void *data, size_t n)
{
  const unsigned char *p = (const unsigned char *)data;

  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

/* The executable, by the hash of its bytes (rank 0 reads it, every rank gets it): the version number does not change
   between builds, and a checkpoint of another build may hold another state layout or come from other physics */
static PetscErrorCode BuildHash(Checkpoint cp)
{
  PetscFunctionBeginUser;
  if (cp->build[0]) PetscFunctionReturn(0);
  if (cp->rank == 0) {
    FILE         *fp = fopen("/proc/self/exe", "rb");
    uint64_t      h  = 0xcbf29ce484222325ULL;
    unsigned char buf[65536];
    size_t        got;
    if (fp) {
      while ((got = fread(buf, 1, sizeof(buf), fp)) > 0) h = Hash(h, buf, got);
      fclose(fp);
    }
    snprintf(cp->build, sizeof(cp->build), "%016llx", (unsigned long long)h);
  }
  PetscCallMPI(MPI_Bcast(cp->build, sizeof(cp->build), MPI_CHAR, 0, cp->comm));
  PetscFunctionReturn(0);
}

/* The distributed mesh: every rank's vertex coordinates and cell cones in its local numbering, so that the same mesh
   distributed differently has another hash */
static PetscErrorCode MeshHash(Model model, uint64_t *hash)
{
  MPI_Comm           comm = ModelComm(model);
  DM                 dm   = ModelDM(model);
  Vec                coords;
  const PetscScalar *x;
  PetscInt           n, cStart, cEnd;
  PetscMPIInt        rank, size;
  uint64_t           h = 0xcbf29ce484222325ULL, *all = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(VecGetLocalSize(coords, &n));
  PetscCall(VecGetArrayRead(coords, &x));
  h = Hash(h, x, (size_t)n * sizeof(*x));
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  for (PetscInt c = cStart; c < cEnd; c++) {
    const PetscInt *cone;
    PetscInt        size_c;
    PetscCall(DMPlexGetConeSize(dm, c, &size_c));
    PetscCall(DMPlexGetCone(dm, c, &cone));
    h = Hash(h, cone, (size_t)size_c * sizeof(*cone));
  }
  if (rank == 0) PetscCall(PetscMalloc1(size, &all));
  PetscCallMPI(MPI_Gather(&h, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, 0, comm));
  if (rank == 0) {
    h = Hash(0xcbf29ce484222325ULL, all, (size_t)size * sizeof(*all));
    PetscCall(PetscFree(all));
  }
  PetscCallMPI(MPI_Bcast(&h, 1, MPI_UINT64_T, 0, comm));
  *hash = h;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   The record of the run, a text of lines "key value" up to the line "options", after which the options follow */

static const char *RecordValue(const char text[], const char key[], size_t *len)
{
  const size_t kl = strlen(key);

  for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    if (!strncmp(l, "options\n", 8)) break;
    if (!strncmp(l, key, kl) && l[kl] == ' ') {
      *len = strcspn(l + kl + 1, "\n");
      return l + kl + 1;
    }
  }
  return NULL;
}

static const char *RecordOptions(const char text[])
{
  const char *o = strstr(text, "\noptions\n");
  return o ? o + 9 : "";
}

/* The states the record names, in order: (name, step type) pairs; *n of them */
static PetscErrorCode RecordStates(const char text[], PetscInt *n, char ***names, char ***types)
{
  PetscInt cnt = 0;

  PetscFunctionBeginUser;
  for (const char *l = text; l && *l && strncmp(l, "options\n", 8); l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    if (!strncmp(l, "state ", 6)) cnt++;
  PetscCall(PetscCalloc2(cnt + 1, names, cnt + 1, types));
  *n = 0;
  for (const char *l = text; l && *l && strncmp(l, "options\n", 8); l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    char name[128], type[64];
    if (strncmp(l, "state ", 6) || sscanf(l + 6, "%127s %63s", name, type) != 2) continue;
    PetscCall(PetscStrallocpy(name, &(*names)[*n]));
    PetscCall(PetscStrallocpy(type, &(*types)[*n]));
    (*n)++;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode FreeStates(PetscInt n, char **names, char **types)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    PetscCall(PetscFree(names[i]));
    PetscCall(PetscFree(types[i]));
  }
  PetscCall(PetscFree2(names, types));
  PetscFunctionReturn(0);
}

/* Whether a later step than k starts from the state step j left (j < k), so that the checkpoint after k needs it */
static PetscBool NeededAfter(Process process, PetscInt j, PetscInt k)
{
  for (PetscInt i = k + 1; i < ProcessSize(process); i++)
    if (ProcessStepStart(process, i) == j) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* ---------------------------------------------------------------------------------------------------------------
   Finding the checkpoint to resume from */

static PetscErrorCode CheckpointPath(Checkpoint cp, PetscInt k, const char suffix[], char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "%s/checkpoint-%03" PetscInt_FMT ".h5%s", cp->dir, k, suffix));
  PetscFunctionReturn(0);
}

/* The steps of the checkpoint files in dir, newest first (rank 0) */
static int ListCheckpoints(const char dir[], PetscInt steps[], PetscInt *n)
{
  DIR           *d = opendir(dir);
  struct dirent *e;

  *n = 0;
  if (!d) return errno == ENOENT ? 0 : errno;
  while ((e = readdir(d)) && *n < CHECKPOINT_MAX_FILES) {
    long k;
    char tail[8];
    if (sscanf(e->d_name, "checkpoint-%ld.h%7s", &k, tail) == 2 && !strcmp(tail, "5") && k >= 0) steps[(*n)++] = (PetscInt)k;
  }
  closedir(d);
  for (PetscInt i = 0; i < *n; i++) /* a handful of files: insertion sort */
    for (PetscInt j = i; j > 0 && steps[j] > steps[j - 1]; j--) {
      PetscInt t   = steps[j];
      steps[j]     = steps[j - 1];
      steps[j - 1] = t;
    }
  return 0;
}

/* Rank 0: the newest valid checkpoint of this run, or none; *err a message when one is of another run */
static PetscErrorCode FindOnRankZero(Checkpoint cp, PetscInt steps[], PetscInt nsteps, char err[], size_t len)
{
  PetscFunctionBeginUser;
  err[0] = '\0';
  for (PetscInt i = 0; i < nsteps; i++) {
    char        path[PETSC_MAX_PATH_LEN], why[512], ours[64], diff[512];
    char       *text = NULL;
    const char *v;
    size_t      vl;
    PetscBool   ok;

    PetscCall(CheckpointPath(cp, steps[i], "", path, sizeof(path)));
    PetscCall(StateFileVerify(path, "run", &ok, why, sizeof(why), &text));
    if (!ok) {
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "restart: %s skipped: %s\n", path, why));
      continue;
    }
    if (strncmp(text, CHECKPOINT_FORMAT "\n", strlen(CHECKPOINT_FORMAT) + 1)) {
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "restart: %s skipped: not an fcclsim checkpoint of this format (%s)\n", path, CHECKPOINT_FORMAT));
      free(text);
      continue;
    }
    PetscCall(PetscSNPrintf(ours, sizeof(ours), "%d", (int)cp->size));
    {
      char *there, *here;
      PetscCall(WithoutMaterials(RecordOptions(text), &there));
      PetscCall(WithoutMaterials(cp->options, &here));
      OptionsDifference(there, here, diff, sizeof(diff));
      PetscCall(PetscFree(there));
      PetscCall(PetscFree(here));
    }
    if (!(v = RecordValue(text, "version", &vl)) || vl != strlen(FCCLSIM_VERSION) || strncmp(v, FCCLSIM_VERSION, vl)) snprintf(err, len, "%s was written by fcclsim %.*s, this is %s: restart with that version, or run without -restart", path, v ? (int)vl : 1, v ? v : "?", FCCLSIM_VERSION);
    else if (!(v = RecordValue(text, "build", &vl)) || vl != strlen(cp->build) || strncmp(v, cp->build, vl)) snprintf(err, len, "%s was written by another build of fcclsim (executable hash %.*s, this one %s), whose state may differ: run without -restart, or restart with that executable", path, v ? (int)vl : 1, v ? v : "?", cp->build);
    else if (!(v = RecordValue(text, "ranks", &vl)) || vl != strlen(ours) || strncmp(v, ours, vl)) snprintf(err, len, "%s was written by %.*s rank(s), this run has %s: a checkpoint holds each rank's part of the state, so restart on %.*s rank(s) (docs/restart.md)", path, v ? (int)vl : 1, v ? v : "?", ours, v ? (int)vl : 1, v ? v : "?");
    else if (diff[0]) snprintf(err, len, "%s is of another case: %s; run without -restart, or with the case it was written for", path, diff);
    else if (!(v = RecordValue(text, "step", &vl))) snprintf(err, len, "%s has no step", path);
    if (err[0]) {
      free(text);
      break;
    }
    cp->resume = (PetscInt)strtol(v, NULL, 10);
    PetscCall(PetscStrncpy(cp->found, path, sizeof(cp->found)));
    PetscCall(PetscStrallocpy(text, &cp->text));
    free(text);
    break;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode CheckpointFind(Checkpoint cp)
{
  PetscInt *steps, nsteps = 0, tl = 0;
  char      err[2 * PETSC_MAX_PATH_LEN + 1024] = "";
  int       ioerr     = 0;

  PetscFunctionBeginUser;
  PetscCall(ResolvedOptions(&cp->options));
  if (!cp->restart) PetscFunctionReturn(0);
  PetscCall(BuildHash(cp));
  PetscCall(PetscMalloc1(CHECKPOINT_MAX_FILES, &steps));
  if (cp->rank == 0) {
    ioerr = ListCheckpoints(cp->dir, steps, &nsteps);
    if (!ioerr) PetscCall(FindOnRankZero(cp, steps, nsteps, err, sizeof(err)));
    else snprintf(err, sizeof(err), "-output %s: cannot list the directory (%s)", cp->dir, strerror(ioerr));
    tl = cp->text ? (PetscInt)strlen(cp->text) + 1 : 0;
  }
  PetscCallMPI(MPI_Bcast(err, sizeof(err), MPI_CHAR, 0, cp->comm));
  PetscCheck(!err[0], cp->comm, PETSC_ERR_USER_INPUT, "restart: %s", err);
  PetscCallMPI(MPI_Bcast(&cp->resume, 1, MPIU_INT, 0, cp->comm));
  PetscCallMPI(MPI_Bcast(&nsteps, 1, MPIU_INT, 0, cp->comm));
  PetscCallMPI(MPI_Bcast(steps, (PetscMPIInt)nsteps, MPIU_INT, 0, cp->comm));
  PetscCallMPI(MPI_Bcast(&tl, 1, MPIU_INT, 0, cp->comm));
  PetscCallMPI(MPI_Bcast(cp->found, sizeof(cp->found), MPI_CHAR, 0, cp->comm));
  if (cp->resume < 0) {
    PetscCall(PetscPrintf(cp->comm, "restart: no valid checkpoint of this run in %s: starting from the first step\n", cp->dir));
    PetscCall(PetscFree(steps));
    PetscFunctionReturn(0);
  }
  if (cp->rank) PetscCall(PetscMalloc1(tl, &cp->text));
  PetscCallMPI(MPI_Bcast(cp->text, (PetscMPIInt)tl, MPI_CHAR, 0, cp->comm));
  { /* what the claim of the directory keeps: the kept states' output files, and the checkpoints up to this one */
    PetscInt n;
    char   **names, **types;
    PetscCall(RecordStates(cp->text, &n, &names, &types));
    PetscCall(PetscCalloc1(3 * n + nsteps + 2, &cp->kept));
    for (PetscInt i = 0; i < n; i++) {
      const char *kinds[3] = {"curlmap-%s.csv", "fields-%s.h5", "curlmap-%s.h5"};
      for (PetscInt j = 0; j < 3; j++) {
        char file[PETSC_MAX_PATH_LEN];
        PetscCall(PetscSNPrintf(file, sizeof(file), kinds[j], names[i]));
        PetscCall(PetscStrallocpy(file, &cp->kept[cp->nkept++]));
      }
    }
    PetscCall(PetscStrallocpy("fields-mesh.h5", &cp->kept[cp->nkept++]));
    for (PetscInt i = nsteps - 1; i >= 0; i--) {
      char path[PETSC_MAX_PATH_LEN];
      if (steps[i] > cp->resume) continue;
      PetscCall(PetscSNPrintf(path, sizeof(path), "checkpoint-%03" PetscInt_FMT ".h5", steps[i]));
      PetscCall(PetscStrallocpy(path, &cp->kept[cp->nkept++]));
    }
    PetscCall(FreeStates(n, names, types));
  }
  PetscCall(PetscFree(steps));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------------------------
   Loading and writing */

PetscErrorCode CheckpointLoad(Checkpoint cp, Model model, Process process, ModelState saved[], Summary summary)
{
  PetscViewer    viewer;
  PetscLogDouble t0, t1;
  ModelState     current;
  uint64_t       hash, stored = 0;
  const char    *v;
  size_t         vl;
  PetscInt       n;
  char         **names, **types;

  PetscFunctionBeginUser;
  if (cp->resume < 0) PetscFunctionReturn(0);
  PetscCall(PetscTime(&t0));
  PetscCheck(model, cp->comm, PETSC_ERR_USER_INPUT, "restart: %s holds a finite-element state, and this run has no finite-element model", cp->found);
  { /* now with the materials' keys */
    char diff[1024];
    PetscCall(PetscFree(cp->options));
    PetscCall(ResolvedOptions(&cp->options));
    OptionsDifference(RecordOptions(cp->text), cp->options, diff, sizeof(diff));
    PetscCheck(!diff[0], cp->comm, PETSC_ERR_USER_INPUT, "restart: %s is of another case: %s (a material's data changed); run without -restart, or with the data it was written for", cp->found, diff);
  }
  PetscCall(MeshHash(model, &hash));
  if ((v = RecordValue(cp->text, "mesh", &vl))) stored = strtoull(v, NULL, 16);
  PetscCheck(stored == hash, cp->comm, PETSC_ERR_USER_INPUT, "restart: %s is of another mesh, or of this mesh distributed otherwise (mesh hash %016llx there, %016llx here): the mesh file or the mesher changed; run without -restart", cp->found, (unsigned long long)stored, (unsigned long long)hash);
  PetscCall(PetscViewerHDF5Open(cp->comm, cp->found, FILE_MODE_READ, &viewer));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/current"));
  PetscCall(ModelStateRead(model, viewer, &current));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(ModelStateRestore(model, current));
  for (PetscInt j = 0; j <= cp->resume && j < ProcessSize(process); j++) {
    char key[32], group[64];
    PetscCall(PetscSNPrintf(key, sizeof(key), "saved_%" PetscInt_FMT, j));
    if (!RecordValue(cp->text, key, &vl)) continue;
    if (j == cp->resume) PetscCall(ModelStateSave(model, &saved[j]));
    else {
      PetscCall(PetscSNPrintf(group, sizeof(group), "/saved/%" PetscInt_FMT, j));
      PetscCall(PetscViewerHDF5PushGroup(viewer, group));
      PetscCall(ModelStateRead(model, viewer, &saved[j]));
      PetscCall(PetscViewerHDF5PopGroup(viewer));
    }
  }
  PetscCall(ModelStateDestroy(&current));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/solver"));
  PetscCall(ModelSolverRead(model, viewer));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(RecordStates(cp->text, &n, &names, &types));
  PetscCheck(n == cp->resume + 1, cp->comm, PETSC_ERR_FILE_UNEXPECTED, "restart: %s names %" PetscInt_FMT " states, and step %" PetscInt_FMT " needs %" PetscInt_FMT ": the checkpoint is damaged; run without -restart", cp->found, n, cp->resume, cp->resume + 1);
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/summary"));
  PetscCall(SummaryReadRecords(summary, viewer, n, names, types));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(FreeStates(n, names, types));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscCall(PetscTime(&t1));
  PetscCall(PetscPrintf(cp->comm, "restart: resuming after step %" PetscInt_FMT " (%s) from %s, read in %.3f s\n", cp->resume, SummaryState(summary, cp->resume)->name, cp->found, t1 - t0));
  PetscCall(PetscTime(&cp->since));
  PetscFunctionReturn(0);
}

/* The record of the run after step k */
static PetscErrorCode RunRecord(Checkpoint cp, PetscInt k, Model model, Process process, ModelState saved[], Summary summary, char **text)
{
  uint64_t hash;
  size_t   len;
  char    *t;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(cp->options)); /* now with the materials' keys */
  PetscCall(ResolvedOptions(&cp->options));
  len = strlen(cp->options) + 4096;
  PetscCall(MeshHash(model, &hash));
  PetscCall(BuildHash(cp));
  for (PetscInt i = 0; i < SummarySize(summary); i++) len += strlen(SummaryState(summary, i)->name) + strlen(SummaryState(summary, i)->step_type) + 8;
  len += (size_t)(k + 1) * 32; /* the saved_J lines */
  PetscCall(PetscMalloc1(len, &t));
  t[0] = '\0';
  snprintf(t + strlen(t), len - strlen(t), "%s\nversion %s\nbuild %s\nranks %d\nstep %d\nmesh %016llx\n", CHECKPOINT_FORMAT, FCCLSIM_VERSION, cp->build, (int)cp->size, (int)k, (unsigned long long)hash);
  for (PetscInt i = 0; i < SummarySize(summary); i++) snprintf(t + strlen(t), len - strlen(t), "state %s %s\n", SummaryState(summary, i)->name, SummaryState(summary, i)->step_type);
  for (PetscInt j = 0; j <= k; j++)
    if (saved[j] && NeededAfter(process, j, k)) snprintf(t + strlen(t), len - strlen(t), "saved_%d yes\n", (int)j);
  snprintf(t + strlen(t), len - strlen(t), "options\n");
  PetscCall(PetscStrlcat(t, cp->options, len));
  *text = t;
  PetscFunctionReturn(0);
}

/* Rank 0: the .part file to disk and into place, and the directory entry to disk */
static int Commit(const char part[], const char path[], const char dir[])
{
  int fd, err = 0;

  if ((fd = open(part, O_RDONLY)) < 0) return errno;
  if (fsync(fd)) err = errno;
  close(fd);
  if (!err && rename(part, path)) err = errno;
  if (!err && (fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  return err;
}

PetscErrorCode CheckpointAfterStep(Checkpoint cp, PetscInt k, Model model, Process process, ModelState saved[], Summary summary)
{
  char           path[PETSC_MAX_PATH_LEN], part[PETSC_MAX_PATH_LEN + 8], *text = NULL;
  PetscViewer    viewer;
  PetscLogDouble now, t0, t1;
  ModelState     current;
  PetscBool      due;
  int            err = 0;
  struct stat    st;

  PetscFunctionBeginUser;
  if (!cp->enabled || !model || k == ProcessSize(process) - 1) PetscFunctionReturn(0); /* after the last step the run is done: nothing to resume */
  PetscCall(PetscTime(&now));
  due = (PetscBool)(now - cp->since >= cp->interval);
  PetscCallMPI(MPI_Bcast(&due, 1, MPIU_BOOL, 0, cp->comm)); /* rank 0's clock decides for all */
  if (!due) PetscFunctionReturn(0);
  t0 = now;
  PetscCall(CheckpointPath(cp, k, "", path, sizeof(path)));
  PetscCall(CheckpointPath(cp, k, ".part", part, sizeof(part)));
  PetscCall(RunRecord(cp, k, model, process, saved, summary, &text));
  PetscCall(PetscViewerHDF5Open(cp->comm, part, FILE_MODE_WRITE, &viewer));
  PetscCall(StateFileWriteText(viewer, "run", text));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/current"));
  PetscCall(ModelStateSave(model, &current));
  PetscCall(ModelStateWrite(model, current, viewer));
  PetscCall(ModelStateDestroy(&current));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/solver"));
  PetscCall(ModelSolverWrite(model, viewer));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  for (PetscInt j = 0; j < k; j++) {
    char group[64];
    if (!saved[j] || !NeededAfter(process, j, k)) continue;
    PetscCall(PetscSNPrintf(group, sizeof(group), "/saved/%" PetscInt_FMT, j));
    PetscCall(PetscViewerHDF5PushGroup(viewer, group));
    PetscCall(ModelStateWrite(model, saved[j], viewer));
    PetscCall(PetscViewerHDF5PopGroup(viewer));
  }
  PetscCall(PetscViewerHDF5PushGroup(viewer, "/summary"));
  PetscCall(SummaryWriteRecords(summary, viewer));
  PetscCall(PetscViewerHDF5PopGroup(viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscCall(PetscFree(text));
  if (cp->rank == 0) err = Commit(part, path, cp->dir);
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, cp->comm));
  PetscCheck(!err, cp->comm, PETSC_ERR_FILE_WRITE, "-output %s: cannot write the checkpoint %s (%s)", cp->dir, path, strerror(err));
  /* keep the last two: the older one is the fallback should this one be damaged */
  if (cp->rank == 0) {
    PetscInt *steps, n = 0, older = 0;
    PetscCall(PetscMalloc1(CHECKPOINT_MAX_FILES, &steps));
    if (!ListCheckpoints(cp->dir, steps, &n))
      for (PetscInt i = 0; i < n; i++) {
        char old[PETSC_MAX_PATH_LEN];
        if (steps[i] == k || (steps[i] < k && older++ == 0)) continue;
        PetscCall(CheckpointPath(cp, steps[i], "", old, sizeof(old)));
        (void)unlink(old);
      }
    PetscCall(PetscFree(steps));
  }
  PetscCall(PetscTime(&t1));
  cp->since = t1;
  if (cp->rank == 0 && stat(path, &st)) st.st_size = 0;
  PetscCallMPI(MPI_Bcast(&st.st_size, sizeof(st.st_size), MPI_BYTE, 0, cp->comm));
  PetscCall(PetscPrintf(cp->comm, "    checkpoint %s: %.3g MB in %.3f s\n", path, (double)st.st_size / 1e6, t1 - t0));
  PetscFunctionReturn(0);
}

PetscErrorCode CheckpointFinish(Checkpoint cp)
{
  PetscInt *steps, n = 0;

  PetscFunctionBeginUser;
  if (cp->rank == 0) {
    PetscCall(PetscMalloc1(CHECKPOINT_MAX_FILES, &steps));
    if (!ListCheckpoints(cp->dir, steps, &n))
      for (PetscInt i = 0; i < n; i++) {
        char path[PETSC_MAX_PATH_LEN];
        PetscCall(CheckpointPath(cp, steps[i], "", path, sizeof(path)));
        (void)unlink(path);
      }
    PetscCall(PetscFree(steps));
  }
  PetscCallMPI(MPI_Barrier(cp->comm));
  PetscFunctionReturn(0);
}
