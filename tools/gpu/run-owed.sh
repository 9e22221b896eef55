#!/usr/bin/env bash
# run-owed.sh — the checks owed on a GPU (docs/cuda.md, "Checks still owed on a GPU"), in one script
# for the GPU host (one NVIDIA H100 or H200, NVIDIA's OpenCL and PoCL, Python with PyTorch, no Java
# but the packed .gpu/; see ../shared/gpu/README.md).
#
# Here, first:   ../shared/gpu/pack          # every module: builds, then gathers .gpu/
# There, from the project root (with .gpu/ sent along):
#
#   bash tools/gpu/run-owed.sh                    # every stage, in the order below
#   bash tools/gpu/run-owed.sh tests verify       # stages or groups by name
#   bash tools/gpu/run-owed.sh --list             # the stages and groups
#
# Everything goes under $OUT (default ./gpu-out): one log per step (<step>.log), JUnit reports
# (junit-<step>/), jdnn bench's JSON, CSV, HTML and table (bench-<suite>.*), bench_torch.py's JSON
# and table (torch-<suite>.*), the merged report (merged.md, merged.csv), and summary.txt: one line
# per step with its exit status, seconds and log (a train step adds its images/s line). A failing
# step does not stop the later ones; the script exits 1 when any step failed, 2 on a usage error.
# Each step's last lines are echoed, so a command's output tail says how it went.
#
# Stages (groups: tests = the five tests-*; bench = every bench-<suite>; torch = every torch-<suite>;
# suite-<suite> = bench-<suite> torch-<suite> merge; all = everything):
#   env                bash .gpu/remote env: the GPU, the OpenCL platforms, the CUDA libraries
#   tests-units        java-api, fallback-cpu, kernels/common and benchmarks tests
#   tests-cuda         kernels/cuda (CudaBackendTest, CudaDeviceTest, CudaFaultTest, KernelOpsTest with
#                      -Djdnn.test.kernels=cuda,opencl: on CUDA and on NVIDIA's OpenCL)
#   tests-opencl       kernels/opencl on NVIDIA's OpenCL and again on PoCL (-Djdnn.test.opencl), and
#                      KernelOpsTest on PoCL
#   tests-conformance  tests/: conformance, golden, API and training tests on every device (cpu:0,
#                      each opencl:N of both platforms, cuda:0)
#   tests-reliability  tests/: fuzz, memory, out-of-memory, concurrency, determinism, large tensors
#   verify             jdnn verify --golden on each file of tests/src/test/resources/golden, on cuda,
#                      opencl:nvidia and opencl:pocl
#   train              jdnn train lenet|resnet|dcgan on cuda and opencl:nvidia (images/s)
#   bench-<suite>      jdnn bench --suite <suite> --device cuda --json $OUT/bench-<suite>.json (with the
#                      cuDNN/cuBLAS baseline), for resnet50 mobilenet_v2 dcgan deeplab pooling batchnorm
#                      optimizers resnext vgg16
#   torch-<suite>      benchmarks/pytorch/bench_torch.py --suite <suite> --device cuda (the same
#                      problems, listed by jdnn bench --print-problems through .gpu/remote)
#   merge              benchmarks/pytorch/merge.py over every bench-*.json and torch-*.json in $OUT
# Every test step runs with -Djdnn.test.require (cuda,opencl; opencl alone for the kernels/opencl
# and PoCL steps), so a backend that does not load fails instead of skipping. merge always runs last.
#
# One device command may run 10 minutes at most and a session has 30 minutes of GPU time, so split
# the work into calls such as these. The split is an estimate, not yet measured on the GPU:
# summary.txt gives each step's seconds, so adjust it after the first calls; a call that hits its
# limit still brings back what $OUT holds by then. A bench suite that overruns can be cut with
# BENCH_ARGS="--algo auto" (AUTO's choice instead of every algorithm) or "--dir fwd". $OUT is fresh
# in every call: keep each suite's bench and torch stages in one call (suite-<suite>), so that each
# ratio comes from one run on one machine, and merge the fetched files here afterwards with
# python3 benchmarks/pytorch/merge.py DIR/bench-*.json DIR/torch-*.json --md merged.md.
#    1. env tests-units tests-cuda tests-opencl
#    2. tests-conformance
#    3. tests-reliability
#    4. verify train
#    5. suite-pooling suite-batchnorm suite-optimizers suite-dcgan
#    6. suite-resnet50
#    7. suite-mobilenet_v2 suite-resnext
#    8. suite-deeplab
#    9. suite-vgg16
# Calls 1-4 fit in one session's 30 minutes only if they are quick; plan two sessions for 1-9.
#
# Environment: OUT (default ./gpu-out), PYTHON (default python3), TAIL (lines of each log echoed,
# default 15), TORCH_ARGS (extra options for bench_torch.py, e.g. "--tf32"), BENCH_ARGS (extra
# options for jdnn bench, e.g. "--tf32").
# shellcheck disable=SC2317 # the stage functions are called indirectly, as stage_NAME
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
OUT=${OUT:-$root/gpu-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PYTHON=${PYTHON:-python3}
remote="$root/.gpu/remote"
jdnn=(bash "$remote" run io.jdnn.bench.Main)

SUITES=(resnet50 mobilenet_v2 dcgan deeplab pooling batchnorm optimizers resnext vgg16)
TEST_STAGES=(tests-units tests-cuda tests-opencl tests-conformance tests-reliability)
GOLDEN_DEVICES=(cuda opencl:nvidia opencl:pocl)
TRAIN_DEVICES=(cuda opencl:nvidia)
TRAIN_EXAMPLES=(lenet resnet dcgan)

failed=0

# step NAME COMMAND...: runs one command with its output in $OUT/NAME.log, records it in summary.txt.
step() {
    local name=$1; shift
    local log="$OUT/$name.log" start rc secs extra=""
    start=$(date +%s)
    echo "== $name: $*"
    "$@" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [[ $name == train-* ]]; then
        extra=$(grep -m1 '^images/s' "$log" || true)
    fi
    printf '%-48s rc=%-3s %6ss  %s%s\n' "$name" "$rc" "$secs" "${log#"$root"/}" "${extra:+  $extra}" >>"$OUT/summary.txt"
    tail -n "${TAIL:-15}" "$log" | sed 's/^/   | /'
    echo "== $name: exit $rc after ${secs} s"
    [[ $rc -eq 0 ]] || failed=1
    return 0
}

# junit NAME MODULE JAVA_OPTS [JUNIT OPTIONS...]: the packed tests of one module, run from the module's
# folder (tests read files relative to it, as under Maven); without options, every test class it has.
junit() {
    local name=$1 module=$2 opts=$3; shift 3
    local classes="$root/.gpu/lib/${module//\//_}-test-classes"
    if [[ $# -eq 0 ]]; then
        set -- "--scan-class-path=$classes"
    fi
    step "$name" in_dir "$root/$module" env OUT="$OUT/junit-$name" JAVA_OPTS="$opts" bash "$remote" test "$@"
}

# in_dir DIR COMMAND...: runs the command in DIR.
in_dir() {
    (cd "$1" && shift && "$@")
}

stage_env() {
    step env bash "$remote" env
}

stage_tests-units() {
    local m
    for m in java-api fallback-cpu kernels/common benchmarks; do
        junit "tests-units-${m//\//_}" "$m" "-Djdnn.test.require=cuda,opencl"
    done
}

stage_tests-cuda() {
    junit tests-cuda kernels/cuda \
        "-Djdnn.test.require=cuda,opencl -Djdnn.test.kernels=cuda,opencl -Djdnn.test.opencl=opencl:nvidia"
}

stage_tests-opencl() {
    junit tests-opencl-nvidia kernels/opencl "-Djdnn.test.require=opencl -Djdnn.test.opencl=opencl:nvidia"
    junit tests-opencl-pocl kernels/opencl "-Djdnn.test.require=opencl -Djdnn.test.opencl=opencl:pocl"
    junit tests-kernelops-pocl kernels/cuda \
        "-Djdnn.test.require=opencl -Djdnn.test.kernels=opencl -Djdnn.test.opencl=opencl:pocl" \
        --select-class io.jdnn.cuda.KernelOpsTest
}

stage_tests-conformance() {
    junit tests-conformance tests "-Djdnn.test.require=cuda,opencl" \
        "--scan-class-path=$root/.gpu/lib/tests-test-classes" --exclude-package io.jdnn.tests.reliability
}

stage_tests-reliability() {
    junit tests-reliability tests "-Djdnn.test.require=cuda,opencl" \
        "--scan-class-path=$root/.gpu/lib/tests-test-classes" --include-package io.jdnn.tests.reliability
}

stage_verify() {
    local file device
    for file in tests/src/test/resources/golden/*.json; do
        for device in "${GOLDEN_DEVICES[@]}"; do
            step "verify-$(basename "$file" .json)-${device//:/-}" "${jdnn[@]}" verify --golden "$file" --device "$device"
        done
    done
}

stage_train() {
    local example device
    for device in "${TRAIN_DEVICES[@]}"; do
        for example in "${TRAIN_EXAMPLES[@]}"; do
            step "train-$example-${device//:/-}" "${jdnn[@]}" train "$example" --device "$device" --progress never
        done
    done
}

bench_suite() {
    local suite=$1
    # shellcheck disable=SC2086 # BENCH_ARGS holds several words on purpose
    step "bench-$suite" "${jdnn[@]}" bench --suite "$suite" --device cuda --json "$OUT/bench-$suite.json" \
        --csv "$OUT/bench-$suite.csv" --html "$OUT/bench-$suite.html" ${BENCH_ARGS:-}
}

torch_suite() {
    local suite=$1
    # shellcheck disable=SC2086 # TORCH_ARGS holds several words on purpose
    step "torch-$suite" "$PYTHON" benchmarks/pytorch/bench_torch.py --suite "$suite" --device cuda \
        --jdnn "bash $remote run io.jdnn.bench.Main" --json "$OUT/torch-$suite.json" ${TORCH_ARGS:-}
}

stage_merge() {
    local files=()
    shopt -s nullglob
    files=("$OUT"/bench-*.json "$OUT"/torch-*.json)
    shopt -u nullglob
    step merge "$PYTHON" benchmarks/pytorch/merge.py "${files[@]}" --md "$OUT/merged.md" --csv "$OUT/merged.csv"
}

# The stages a name stands for, in run order.
expand() {
    local s
    case $1 in
        all) echo env "${TEST_STAGES[@]}" verify train
             for s in "${SUITES[@]}"; do echo "bench-$s"; done
             for s in "${SUITES[@]}"; do echo "torch-$s"; done
             echo merge ;;
        tests) echo "${TEST_STAGES[@]}" ;;
        bench) for s in "${SUITES[@]}"; do echo "bench-$s"; done ;;
        torch) for s in "${SUITES[@]}"; do echo "torch-$s"; done ;;
        suite-*) echo "bench-${1#suite-}" "torch-${1#suite-}" merge ;;
        *) echo "$1" ;;
    esac
}

valid() {
    local s
    case $1 in
        env|verify|train|merge) return 0 ;;
        bench-*|torch-*) for s in "${SUITES[@]}" quick; do [[ ${1#*-} == "$s" ]] && return 0; done; return 1 ;;
        *) for s in "${TEST_STAGES[@]}"; do [[ $1 == "$s" ]] && return 0; done; return 1 ;;
    esac
}

if [[ ${1:-} == --list || ${1:-} == -h || ${1:-} == --help ]]; then
    echo "stages: env ${TEST_STAGES[*]} verify train bench-SUITE torch-SUITE merge"
    echo "suites: ${SUITES[*]} (and quick)"
    echo "groups: all, tests, bench, torch, suite-SUITE (= bench-SUITE torch-SUITE merge)"
    exit 0
fi
if [[ ! -f $remote ]]; then
    echo "run-owed.sh: no .gpu/remote in $root: run ../shared/gpu/pack on the build machine and send .gpu/ along" >&2
    exit 2
fi

# Expand the arguments (default: all) into stages, each once, in the order given.
stages=()
for arg in "${@:-all}"; do
    for s in $(expand "$arg"); do
        if ! valid "$s"; then
            echo "run-owed.sh: unknown stage '$s' (from '$arg'); see --list" >&2
            exit 2
        fi
        [[ " ${stages[*]} " == *" $s "* ]] || stages+=("$s")
    done
done
# merge reads what the other stages wrote: it runs last, once.
if [[ " ${stages[*]} " == *" merge "* ]]; then
    kept=()
    for s in "${stages[@]}"; do
        [[ $s == merge ]] || kept+=("$s")
    done
    stages=("${kept[@]}" merge)
fi

echo "# run-owed.sh ${*:-all} on $(hostname) at $(date -Is): ${stages[*]}" >>"$OUT/summary.txt"
for s in "${stages[@]}"; do
    case $s in
        bench-*) bench_suite "${s#bench-}" ;;
        torch-*) torch_suite "${s#torch-}" ;;
        *) "stage_$s" ;;
    esac
done
echo
echo "== summary ($OUT/summary.txt)"
cat "$OUT/summary.txt"
exit $failed
