#!/bin/sh
# Runs the comparison (see docs/cpu.md "Benchmarks against DJL, ND4J and ONNX Runtime"); arguments go to
# CpuCompare: [quick] [-f forks] [-wi warm-ups] [-i iterations] [-r ms] [-p provider=a,b] [-p kase=c,d].
# Build first, inside the reactor (from the repository root; never `mvn install`):
#   mvn -B -o -Pcpu-compare -pl benchmarks/cpu-compare -am package -DskipTests
# The build copies jdnn's own jars to target/lib and writes the other jars' class path to target/classpath.txt.
cd "$(dirname "$0")" || exit 1
if [ ! -f target/classpath.txt ] || [ ! -d target/lib ]; then
    echo "run.sh: no build found: run from the repository root: mvn -B -o -Pcpu-compare -pl benchmarks/cpu-compare -am package -DskipTests" >&2
    exit 1
fi
# ND4J's and PyTorch's OpenMP teams get as many threads as jdnn's pool and ONNX Runtime's intra-op pool.
OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OMP_NUM_THREADS
exec java -cp "target/classes:target/lib/*:$(cat target/classpath.txt)" io.jdnn.bench.cpucompare.CpuCompare "$@"
