#!/bin/sh
# System packages dmil builds against: a C compiler, make, pkg-config and
# OpenBLAS's development files; pandoc builds the vignettes. With the
# argument "check", also the tools R CMD check --as-cran calls: qpdf (to
# check compressed PDFs), checkbashisms (devscripts, for configure) and
# HTML Tidy (for the HTML manual); with "valgrind", valgrind.
# Installed with apt-get when running as root;
# otherwise the exact command is printed. dmil still builds without OpenBLAS
# (it falls back to a slower built-in matrix product).
need=""
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v pandoc >/dev/null 2>&1 || need="$need pandoc"
if ! pkg-config --exists openblas 2>/dev/null; then
  need="$need libopenblas-dev"
fi
if [ "$1" = "valgrind" ]; then
  command -v valgrind >/dev/null 2>&1 || need="$need valgrind"
fi
if [ "$1" = "check" ]; then
  command -v qpdf >/dev/null 2>&1 || need="$need qpdf"
  command -v checkbashisms >/dev/null 2>&1 || need="$need devscripts"
  command -v tidy >/dev/null 2>&1 || need="$need tidy"
fi
[ -z "$need" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages:$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $need
else
  echo "dmil needs these system packages:$need"
  echo "Install them with:"
  echo "  sudo apt-get install -y --no-install-recommends$need"
  echo "Continuing; without OpenBLAS dmil uses its slower built-in matrix product."
fi
exit 0
