#!/usr/bin/env bash
# Installs what fcclsim needs on Debian 12, only what is missing; as root (or through sudo), never prompting.
#   bash scripts/setup-debian.sh          the build, the tests and post/
#   bash scripts/setup-debian.sh slurm    also Debian's SLURM and munge, for the live SLURM test (tests/slurm)
# Services are not started here: Debian's packages start theirs only where the init system allows it, and the
# SLURM test starts its own daemons with its own configuration.
set -euo pipefail
packages=(
  build-essential cmake pkg-config    # compiler and build
  petsc-dev                           # PETSc 3.18 with HDF5, MUMPS, hypre, PT-Scotch
  libgmsh-dev                         # Gmsh 4.8 C API (gmshc.h)
  libyaml-dev                         # libyaml, which PETSc links too: case files are checked with it
  libhdf5-openmpi-dev openmpi-bin     # parallel HDF5 and MPI
  gerbv libpng-dev                    # Gerber patterns: gerbv renders them, libpng reads the raster back
  libopenblas0                        # MUMPS factorises ~2.3x faster than with the reference BLAS
  python3 python3-h5py python3-numpy python3-yaml python3-matplotlib  # petsc_gen_xdmf.py and post/
  paraview python3-paraview xvfb xauth  # pvpython for post/render-curl.py and the output tests (Xvfb if offscreen fails)
  calculix-ccx                        # CalculiX 2.20, the peer code of bench/vs-calculix and bench/calculix-nlgeom.py
  valgrind                            # memcheck runs of tests/sanitizers (ASan/UBSan come with gcc)
)
for group in "$@"; do
  case $group in
    slurm) packages+=(slurmctld slurmd slurm-client munge) ;;  # SLURM 22.05 (with its pmix plugin) and munge
    *) echo "setup-debian.sh: unknown group '$group' (known: slurm)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  [[ $p == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
