#!/bin/sh
# dmil against PyTorch on the same models, and against this machine's GEMM
# peak. Run from anywhere: sh bench/run.sh   (or: make bench-torch)
# Environment: REPS (repetitions per configuration, default 3),
# CONFIGS (default "default wide many"), MODELS (default "joint dmil").
set -e
cd "$(dirname "$0")/.."
mkdir -p bench/out
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's python3-torch (the reference implementation)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch
  else
    echo "PyTorch is missing: sudo apt-get install -y python3-torch"
    exit 1
  fi
fi
CC=$(R CMD config CC)
$CC -O2 -fopenmp $(pkg-config --cflags openblas) bench/gemm_peak.c -o bench/out/gemm_peak \
  $(pkg-config --libs openblas)
./bench/out/gemm_peak | tee bench/out/gemm_peak.txt
Rscript bench/compare_torch.R
Rscript bench/scaling.R
