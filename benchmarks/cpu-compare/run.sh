#!/bin/sh
# Runs the comparison (see docs/cpu.md); arguments go to CpuCompare (quick, -p provider=..., -p kase=...).
# Build first: mvn -B -q -Pcpu-compare -pl fallback-cpu,benchmarks/cpu-compare -am install -DskipTests
cd "$(dirname "$0")" || exit 1
exec java -cp "target/classes:target/lib/*:$(cat target/classpath.txt)" io.jdnn.bench.cpucompare.CpuCompare "$@"
