#pragma once
/* How fcclsim's programs end on an error.

   A user-input error (PETSC_ERR_USER_INPUT: a bad key, value, file or YAML syntax) is reported as one line on stderr,
     fcclsim: error: cases/x.yaml:7: layers_pi_thickness_um = -5: a thickness must lie in [0.001, 10000] um
   printed once (by rank 0), with no PETSc trace and no MPI abort, and the program exits with status 2 on every rank.
   A linear solve that does not converge (PETSC_ERR_NOT_CONVERGED, after -fcclsim_ksp_* options, say) is reported the
   same way: its message names the options to look at.
   Any other error keeps PETSc's full trace (it is a bug, or a failure the user cannot fix by editing the case) and
   exits with status 1. -fcclsim_debug_errors shows the trace for user errors too.

   Every rank must reach the end of the run with the error for the clean exit: user-input checks are made with the
   same data on every rank. If some ranks fail and others do not reach the end within ERROR_REPORT_WAIT_S, the failing
   ranks print their message and abort the job. OpenMPI's mpirun prints a banner of its own for any non-zero exit
   status; `mpirun -q` (or OMPI_MCA_orte_execute_quiet=1) turns it off (README). */
#include <petscsys.h>

#define ERROR_REPORT_WAIT_S   20.0
#define ERROR_EXIT_USER_INPUT 2
#define ERROR_EXIT_INTERNAL   1

/* A program's main(): takes -help/--help/-h out of argv before PetscInitialize (so that PETSc's generic help list does
   not bury the program's own keys; `-help petsc` is left alone and shows it too), initializes PETSc with the usage
   text, installs the handler (-fcclsim_debug_errors), runs run(argc, argv, help) and ends as above: PETSc finalized,
   the exit status returned. Under -help the options blocks print their keys, and run() computes nothing. */
int ErrorReportMain(int argc, char **argv, const char usage[], PetscErrorCode (*run)(int, char **, PetscBool));

/* Collective. For work that only rank 0 does (writing a mesh, running a program): ierr is its error code there (0 on
   the other ranks). Every rank then fails alike: rank 0 with its own error, which it has reported, the others with
   one of the same kind (user input or not) that names `what`. */
PetscErrorCode ErrorShareFromRankZero(MPI_Comm comm, PetscErrorCode ierr, const char what[]);
