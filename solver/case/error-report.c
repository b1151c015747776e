#include <stdlib.h>
#include <unistd.h>
#include "error-report.h"
#include "option-read.h"

static struct {
  MPI_Comm  comm;       /* a duplicate of the program's communicator, for the agreement at the end */
  PetscBool installed, debug;
  PetscBool seen;       /* an error has been raised */
  PetscBool user_error; /* and the first one was a user-input error */
  char      message[4096];
} report;

/* The first error decides: a user-input error is kept (printed at the end, once), anything else goes to PETSc's
   traceback handler as it propagates. */
static PetscErrorCode Handler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL && !report.seen) {
    report.seen       = PETSC_TRUE;
    /* a solve that does not converge is reported like bad input: its message says which options to look at */
    report.user_error = (PetscBool)((n == PETSC_ERR_USER_INPUT || n == PETSC_ERR_NOT_CONVERGED) && !report.debug);
    if (report.user_error) (void)PetscStrncpy(report.message, mess ? mess : "", sizeof(report.message));
  }
  if (report.user_error) return n;
  return PetscTraceBackErrorHandler(comm, line, fun, file, n, p, mess, ctx);
}

static void TakeHelp(int *argc, char ***argv, PetscBool *help)
{
  int j = 1;

  *help = PETSC_FALSE;
  for (int i = 1; i < *argc; i++) {
    const char *a    = (*argv)[i];
    PetscBool   flag = (PetscBool)(!strcmp(a, "-help") || !strcmp(a, "--help") || !strcmp(a, "-h"));

    if (flag && i + 1 < *argc && !strcmp((*argv)[i + 1], "petsc")) flag = PETSC_FALSE; /* PETSc's own list too */
    if (flag) *help = PETSC_TRUE;
    else (*argv)[j++] = (*argv)[i];
  }
  *argc = j;
  (*argv)[j] = NULL;
}

static PetscErrorCode Begin(MPI_Comm comm, PetscBool help)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_dup(comm, &report.comm));
  /* main() took -help out of argv to spare the user PETSc's generic list; the options blocks print when it is set */
  if (help) PetscCall(PetscOptionsSetValue(NULL, "-help", NULL));
  /* before the first key is read: a bad value of it is a user error too */
  PetscCall(PetscPushErrorHandler(Handler, NULL));
  report.installed = PETSC_TRUE;
  PetscOptionsBegin(comm, NULL, "Error reporting", "fcclsim");
  PetscCall(OptionBool(PetscOptionsObject, "-fcclsim_debug_errors", "show PETSc's full trace for user-input errors too", report.debug, &report.debug, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/* Whether every rank ended with an error: a non-blocking barrier that only failing ranks enter, given time to
   complete. A rank that never arrives is still computing (or stuck in a collective the failed ones left). */
static PetscBool AllRanksFailed(void)
{
  MPI_Request req;
  int         done = 0, size = 1;
  double      t0   = MPI_Wtime();

  if (report.comm == MPI_COMM_NULL || MPI_Comm_size(report.comm, &size) || size == 1) return PETSC_TRUE;
  if (MPI_Ibarrier(report.comm, &req)) return PETSC_FALSE;
  while (!done && MPI_Wtime() - t0 < ERROR_REPORT_WAIT_S) {
    if (MPI_Test(&req, &done, MPI_STATUS_IGNORE)) return PETSC_FALSE;
    if (!done) usleep(2000);
  }
  return (PetscBool)done;
}

static int End(PetscErrorCode ierr)
{
  const int   code = report.user_error ? ERROR_EXIT_USER_INPUT : ERROR_EXIT_INTERNAL;
  PetscMPIInt rank = 0;

  if (!ierr) {
    if (report.comm != MPI_COMM_NULL && report.installed) (void)MPI_Comm_free(&report.comm);
    (void)PetscOptionsClearValue(NULL, "-help"); /* PetscFinalize would list its -log_view options too */
    return PetscFinalize() ? ERROR_EXIT_INTERNAL : 0;
  }
  (void)MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (!report.installed) return code; /* PetscInitialize itself failed and said why */
  if (!AllRanksFailed()) {
    if (report.user_error) fprintf(stderr, "fcclsim: error (rank %d): %s\n", (int)rank, report.message);
    MPI_Abort(MPI_COMM_WORLD, code);
  }
  if (report.user_error && rank == 0) fprintf(stderr, "fcclsim: error: %s\n", report.message);
  (void)MPI_Comm_free(&report.comm);
  (void)PetscPopErrorHandler();
  (void)PetscFinalize();
  return code;
}

/* A run started without a launcher (no mpirun, no srun with PMI) is an MPI singleton, and OpenMPI 4.1 then probes
   every network transport it was built with (UCX, OFI, PSM), which a single process never uses: MPI_Init took
   0.26 s on this machine (Debian 12's OpenMPI 4.1.4) and 0.07 s on the ob1 point-to-point layer. Sweeps and the
   patent check start hundreds of one-rank runs. The user's own setting wins. Not chosen: an isolated singleton
   (OMPI_MCA_ess_singleton_isolated, 0.02 s), because every isolated singleton of a user takes the same session
   directory and the first to end removes it under the others (MPI-IO's shared-file component then prints errors
   when HDF5 opens a file: seen in ctest -j2 and with 12 runs at once), and inside SLURM it changed how a task dies
   under scancel. A launched job, and any run inside a SLURM job, keeps the site's transports. */
static void SingletonDefaults(void)
{
  static const char *launcher[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_FD", "PMI_SIZE", "SLURM_JOB_ID"};

  for (size_t i = 0; i < sizeof(launcher) / sizeof(launcher[0]); i++)
    if (getenv(launcher[i])) return;
  (void)setenv("OMPI_MCA_pml", "ob1", 0);
}

int ErrorReportMain(int argc, char **argv, const char usage[], PetscErrorCode (*run)(int, char **, PetscBool))
{
  PetscBool      help;
  PetscErrorCode ierr;

  SingletonDefaults();
  TakeHelp(&argc, &argv, &help);
  ierr = PetscInitialize(&argc, &argv, NULL, usage);
  if (ierr) return ierr;
  ierr = Begin(PETSC_COMM_WORLD, help);
  if (!ierr) ierr = run(argc, argv, help);
  return End(ierr);
}

PetscErrorCode ErrorShareFromRankZero(MPI_Comm comm, PetscErrorCode ierr, const char what[])
{
  PetscMPIInt rank;
  int         failed = (int)ierr;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  if (rank == 0) PetscCall(ierr);
  /* the same kind of error as rank 0's, which reports it */
  PetscCheck(!failed, PETSC_COMM_SELF, failed == PETSC_ERR_USER_INPUT ? PETSC_ERR_USER_INPUT : PETSC_ERR_LIB, "%s failed on rank 0 (its message says why)", what);
  PetscFunctionReturn(0);
}
