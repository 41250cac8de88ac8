#!/usr/bin/env bash
# Builds and runs the OpenBLAS sgemm peer at mlm4j's GEMM benchmark shapes, on 1 and 2 threads.
# Needs Debian's libopenblas-dev (apt-get install -y libopenblas-dev). Comparison only.
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for this command only, so OpenBLAS picks its own kernel
# (printed as core=...); PEER_CORETYPE=Haswell forces its AVX2 kernel (to pair with mlm4j under -XX:UseAVX=2 on an
# AVX-512 machine).
set -euo pipefail
cd "$(dirname "$0")"
REPS=${REPS:-15}
SHAPES=${SHAPES:-"128,768,768 128,768,3072 128,3072,768 16,384,384 4096,384,1536 1,768,3072"}
out=${TMPDIR:-/tmp}/mlm4j-sgemm-bench
gcc -O2 -o "$out" sgemm_bench.c -I/usr/include/x86_64-linux-gnu -lopenblas
for t in ${THREADS:-1 2}; do
  # shellcheck disable=SC2086
  if [ -n "${PEER_CORETYPE:-}" ]; then
    env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$PEER_CORETYPE" OPENBLAS_NUM_THREADS="$t" "$out" "$REPS" $SHAPES
  else
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$t" "$out" "$REPS" $SHAPES
  fi
done
