#!/usr/bin/env bash
# run-owed.sh — the checks owed on a GPU (docs/cuda.md, "Checks still owed on a GPU"), sized for the
# GPU host's sessions: 15 minutes of device time per session, the machine's start (a few minutes)
# included, so about 8 minutes of work per device call; and only 8 files come back from $OUT.
#
# Here, first:   ../shared/gpu/pack                  # every module: builds, then gathers .gpu/
#                 tools/gpu/slim-pack                 # ONNX Runtime's jar to its linux-x64 natives: under 64 MiB
# Then one device call per session (carry [".gpu"], timeout_s = budget + 80), from the project root:
#
#   bash tools/gpu/run-owed.sh --budget 480 call1      # the calls below, one per session
#   bash tools/gpu/run-owed.sh --budget 480 golden-cuda tests-cuda   # or stages and groups by name
#   bash tools/gpu/run-owed.sh --list                  # stages, groups and calls
#   bash tools/gpu/run-owed.sh --dry-run call5         # the steps and commands, without running them
#
# Every step runs under `timeout`, capped by its own limit and by what is left of the budget (default
# 480 s; 20 s are kept back for the archive); a step that cannot get 30 s is skipped and says so.
# The selected stages run in the order of importance below, whatever the order of the arguments.
# Work files go to $WORK (default /tmp/run-owed, emptied first); after every step everything is
# tarred into $OUT/owed.tgz (logs, JUnit XML, bench JSON/CSV/HTML, torch JSON, merged.md/csv) and
# $OUT/summary.txt is updated: one line per step with its exit status (124: timed out), seconds and
# cap. Two files, so a call that is cut off still brings back everything done by then. Exit status 0
# when every step ran and passed, 1 otherwise, 2 on a usage error.
#
# Stages, most important first (CI already runs everything on cpu:0 and on PoCL, so nothing here
# does; TensorCoreSimTest is a CPU emulation that CI runs too):
#   env                        .gpu/remote env (unpacks the JRE, registers NVIDIA's OpenCL) and jdnn devices
#   golden-cuda                jdnn verify --golden on cuda: public.json first, then every other file of
#                              tests/src/test/resources/golden; a failing public.json is rerun with
#                              -Djdnn.cuda.syncLaunches=true, which names the failing launch
#   tests-cuda                 kernels/cuda: CudaBackendTest, CudaDeviceTest, CudaFaultTest, KernelOpsTest on cuda
#   conformance-cuda           tests/ without reliability (conformance, golden, API, training) on cuda
#   golden-opencl-nvidia       jdnn verify --golden, every file, on opencl:nvidia
#   tests-opencl-nvidia        KernelOpsTest (kernels/cuda) and kernels/opencl's tests on opencl:nvidia
#   conformance-opencl-nvidia  tests/ without reliability on opencl:nvidia
#   onnx-gpu                   the onnx module's tests (node tests run, block models against ONNX Runtime,
#                              compiled models, export, fine-tuning) with cuda and opencl required
#   reliability-cuda           tests/ io.jdnn.tests.reliability (fuzz, memory, out of memory, concurrency,
#   reliability-opencl-nvidia  determinism, large tensors) on cuda, on opencl:nvidia
#   train                      jdnn train lenet|resnet|dcgan on cuda and opencl:nvidia (images/s in the summary)
#   bench-quick                jdnn bench --suite quick --device cuda (with the cuDNN/cuBLAS baseline)
#   bench-SUITE, torch-SUITE   jdnn bench --suite SUITE --device cuda, and benchmarks/pytorch/bench_torch.py on
#                              the same problems, for resnet50 mobilenet_v2 dcgan deeplab pooling batchnorm
#                              optimizers resnext vgg16
#   merge                      benchmarks/pytorch/merge.py over this call's bench-*.json and torch-*.json (last)
# Groups: verify = golden-*; tests = tests-* conformance-*; reliability = reliability-*; suite-SUITE =
# bench-SUITE torch-SUITE merge; bench, torch = every suite's; all = everything; callN = below.
# (Earlier versions also had tests-units and PoCL steps, now left to CI; tests-conformance and
# tests-reliability ran every device at once, now one stage per GPU device.)
#
# The calls, one session each, that together run everything owed (estimates: no GPU has timed them
# yet; summary.txt gives each step's seconds, so move stages between calls after the first runs, and
# rerun what a call skipped for lack of time in the next session):
#   call1   env golden-cuda tests-cuda conformance-cuda                          CUDA correctness (owed 1-5)
#   call2   env golden-opencl-nvidia tests-opencl-nvidia conformance-opencl-nvidia   NVIDIA's OpenCL
#   call3   env reliability-cuda reliability-opencl-nvidia
#   call4   env train bench-quick
#   call5   env suite-pooling suite-batchnorm suite-optimizers
#   call6   env suite-dcgan
#   call7   env suite-resnet50        (owed 6: TENSOR_CORE_TF32/BF16 against DIRECT and cuDNN on its 3x3 layers)
#   call8   env suite-mobilenet_v2
#   call9   env suite-resnext
#   call10  env suite-deeplab
#   call11  env suite-vgg16
#   call12  env bench-norm bench-tensor   (issue 15's group/layer/instance norm, LRN and tensor ops; no torch twin yet)
#   call13  env onnx-gpu bench-resample   (issue 16's runner on cuda and NVIDIA's OpenCL; issue 15's resampling)
# A suite that does not fit one call splits by pass across calls: PASSES=fwd, then PASSES=bwd-data,
# then PASSES=bwd-filter (passed to jdnn bench and bench_torch.py as --dir). Merge the fetched
# archives here afterwards: tar xzf owed.tgz -C DIR for each, then
# python3 benchmarks/pytorch/merge.py DIR*/bench-*.json DIR*/torch-*.json --md merged.md.
#
# Environment: OUT (default ./gpu-out), WORK (default /tmp/run-owed), PYTHON (default python3), TAIL
# (lines of each log echoed, default 8), SEED (jqwik and fuzz seed, default 20261123), PASSES,
# BENCH_ARGS and TORCH_ARGS (extra options for jdnn bench and bench_torch.py, e.g. "--tf32").
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
remote="$root/.gpu/remote"
lib="$root/.gpu/lib"
jdnn=(bash "$remote" run io.jdnn.bench.Main)
PYTHON=${PYTHON:-python3}
SEEDS="-Djdnn.test.seed=${SEED:-20261123} -Djdnn.test.fuzz.seed=${SEED:-20261123}"

SUITES=(pooling batchnorm optimizers dcgan resnet50 mobilenet_v2 resnext deeplab vgg16)
# Suites bench_torch.py has no PyTorch twin for yet (issue 15's ops): jdnn bench alone.
JDNN_SUITES=(norm tensor resample)
STAGES=(env golden-cuda tests-cuda conformance-cuda golden-opencl-nvidia tests-opencl-nvidia conformance-opencl-nvidia
        onnx-gpu reliability-cuda reliability-opencl-nvidia train bench-quick)
for s in "${SUITES[@]}"; do STAGES+=("bench-$s" "torch-$s"); done
for s in "${JDNN_SUITES[@]}"; do STAGES+=("bench-$s"); done
STAGES+=(merge)
CALLS=("env golden-cuda tests-cuda conformance-cuda"
       "env golden-opencl-nvidia tests-opencl-nvidia conformance-opencl-nvidia"
       "env reliability-cuda reliability-opencl-nvidia"
       "env train bench-quick"
       "env suite-pooling suite-batchnorm suite-optimizers"
       "env suite-dcgan" "env suite-resnet50" "env suite-mobilenet_v2" "env suite-resnext" "env suite-deeplab"
       "env suite-vgg16" "env bench-norm bench-tensor" "env onnx-gpu bench-resample")

usage() {
    echo "usage: run-owed.sh [--budget SECONDS] [--dry-run] STAGE|GROUP|callN ... | --list" >&2
    exit 2
}

list() {
    echo "stages (in run order): ${STAGES[*]}"
    echo "groups: verify tests reliability bench torch suite-SUITE all callN"
    local i
    for i in "${!CALLS[@]}"; do
        echo "call$((i + 1)): ${CALLS[$i]}"
    done
}

# The stages a name stands for.
expand() {
    local s
    case $1 in
        all) echo "${STAGES[@]}" ;;
        verify) echo golden-cuda golden-opencl-nvidia ;;
        tests) echo tests-cuda conformance-cuda tests-opencl-nvidia conformance-opencl-nvidia ;;
        reliability) echo reliability-cuda reliability-opencl-nvidia ;;
        bench) for s in "${SUITES[@]}" "${JDNN_SUITES[@]}"; do echo "bench-$s"; done ;;
        torch) for s in "${SUITES[@]}"; do echo "torch-$s"; done ;;
        suite-*) echo "bench-${1#suite-}" "torch-${1#suite-}" merge ;;
        call[0-9]*) local n=${1#call}
            if [[ $n =~ ^[0-9]+$ ]] && (( n >= 1 && n <= ${#CALLS[@]} )); then
                for s in ${CALLS[$((n - 1))]}; do expand "$s"; done
            else
                echo "$1"
            fi ;;
        *) echo "$1" ;;
    esac
}

budget=480 dry=0 args=()
while (( $# )); do
    case $1 in
        --list|-h|--help) list; exit 0 ;;
        --budget) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; budget=$2; shift ;;
        --budget=*) budget=${1#--budget=}; [[ $budget =~ ^[0-9]+$ ]] || usage ;;
        --dry-run) dry=1 ;;
        -*) usage ;;
        *) args+=("$1") ;;
    esac
    shift
done
(( ${#args[@]} )) || usage

# The selected stages, each once, in the order of STAGES.
declare -A chosen=()
for arg in "${args[@]}"; do
    for s in $(expand "$arg"); do
        [[ " ${STAGES[*]} " == *" $s "* ]] || { echo "run-owed.sh: unknown stage '$s' (from '$arg'); see --list" >&2; exit 2; }
        chosen[$s]=1
    done
done
stages=()
for s in "${STAGES[@]}"; do [[ -n ${chosen[$s]:-} ]] && stages+=("$s"); done

if (( !dry )) && [[ ! -f $remote ]]; then
    echo "run-owed.sh: no .gpu/remote in $root: run ../shared/gpu/pack and tools/gpu/slim-pack here first and carry .gpu along" >&2
    exit 2
fi
OUT=${OUT:-$root/gpu-out}
W=${WORK:-/tmp/run-owed}
if (( !dry )); then
    mkdir -p "$OUT" && rm -rf "$W" && mkdir -p "$W" || exit 2
fi
end=$(( $(date +%s) + budget ))
failed=0 capped=0

save() {
    tar czf "$OUT/owed.tgz" -C "$W" . && cp "$W/summary.txt" "$OUT/summary.txt"
}

# step NAME CAP DIR COMMAND...: runs COMMAND in DIR under timeout (CAP, or what the budget has left),
# its output in NAME.log; a line in summary.txt; then the archive. Returns the command's status.
step() {
    local name=$1 cap=$2 dir=$3; shift 3
    if (( dry )); then
        local rel=${dir#"$root"} cmd
        rel=${rel#/}
        printf -v cmd '%q ' "$@"
        printf '%-40s cap %4ss  (cd %s && %s)\n' "$name" "$cap" "${rel:-.}" "${cmd% }"
        capped=$(( capped + cap ))
        return 0
    fi
    local start left rc secs extra=""
    start=$(date +%s)
    left=$(( end - start - 20 ))
    if (( left < 30 )); then
        printf '%-40s skipped: out of time (budget %ss)\n' "$name" "$budget" | tee -a "$W/summary.txt"
        failed=1
        save
        return 1
    fi
    (( cap > left )) && cap=$left
    # Signal chaining for every JVM of the step, once .gpu/remote has unpacked the JRE (docs/opencl.md, "PoCL
    # and signal chaining": PoCL's in-process LLVM otherwise takes the JVM's SIGSEGV handler).
    if [[ -f $root/.gpu/jre/lib/libjsig.so && ":${LD_PRELOAD:-}:" != *":$root/.gpu/jre/lib/libjsig.so:"* ]]; then
        export LD_PRELOAD="$root/.gpu/jre/lib/libjsig.so${LD_PRELOAD:+:$LD_PRELOAD}"
    fi
    echo "== $name (cap ${cap}s): $*"
    (cd "$dir" && timeout -k 10 "$cap" "$@") >"$W/$name.log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    [[ $name == train-* ]] && extra=$(grep -m1 '^images/s' "$W/$name.log")
    printf '%-40s rc=%-3s %5ss of %4ss%s\n' "$name" "$rc" "$secs" "$cap" "${extra:+  $extra}" >>"$W/summary.txt"
    tail -n "${TAIL:-8}" "$W/$name.log" | sed 's/^/   | /'
    echo "== $name: exit $rc after ${secs}s"
    (( rc == 0 )) || failed=1
    save
    return $rc
}

# junit NAME CAP MODULE JAVA_OPTS JUNIT_OPTIONS...: packed tests of one module, run from its folder (tests read
# files relative to it, as under Maven), JUnit XML under junit-NAME/.
junit() {
    local name=$1 cap=$2 module=$3 opts=$4; shift 4
    step "$name" "$cap" "$root/$module" env OUT="$W/junit-$name" JAVA_OPTS="$opts" bash "$remote" test "$@"
}

golden_files() {
    local f
    echo tests/src/test/resources/golden/public.json
    for f in tests/src/test/resources/golden/*.json; do
        [[ $f == */public.json ]] || echo "$f"
    done
}

# The tests module: conformance (without reliability) or reliability, on one device.
suite() {
    local name=$1 cap=$2 device=$3 backend=${3%%:*} selection=$4
    junit "$name" "$cap" tests "-Djdnn.test.require=$backend -Djdnn.test.devices=$device $SEEDS" \
        "--scan-class-path=$lib/tests-test-classes" "$selection" io.jdnn.tests.reliability
}

stage_env() {
    step env 120 "$root" bash "$remote" env
    step devices 60 "$root" "${jdnn[@]}" devices
}

stage_golden() {  # stage_golden DEVICE
    local device=$1 f n rc
    for f in $(golden_files); do
        n=$(basename "$f" .json)
        step "golden-${device//:/-}-$n" 120 "$root" "${jdnn[@]}" verify --golden "$f" --device "$device"
        rc=$?
        # only when it failed (a dry run lists it)
        if [[ $device == cuda && $n == public ]] && (( rc != 0 || dry )); then
            step "golden-cuda-sync-$n" 90 "$root" env JAVA_OPTS=-Djdnn.cuda.syncLaunches=true \
                "${jdnn[@]}" verify --golden "$f" --device cuda
        fi
    done
}

stage_tests-cuda() {
    local k=io.jdnn.cuda
    junit tests-cuda 240 kernels/cuda "-Djdnn.test.require=cuda -Djdnn.test.kernels=cuda" \
        --select-class $k.CudaBackendTest --select-class $k.CudaDeviceTest --select-class $k.CudaFaultTest \
        --select-class $k.KernelOpsTest
}

stage_tests-opencl-nvidia() {
    local opts="-Djdnn.test.require=opencl -Djdnn.test.kernels=opencl -Djdnn.test.opencl=opencl:nvidia"
    junit kernelops-opencl-nvidia 180 kernels/cuda "$opts" --select-class io.jdnn.cuda.KernelOpsTest
    junit opencl-unit-nvidia 180 kernels/opencl "$opts" "--scan-class-path=$lib/kernels_opencl-test-classes"
}

stage_train() {
    local device example
    for device in cuda opencl:nvidia; do
        for example in lenet resnet dcgan; do
            step "train-$example-${device//:/-}" 120 "$root" "${jdnn[@]}" train "$example" --device "$device" \
                --progress never
        done
    done
}

bench_suite() {  # bench_suite SUITE CAP
    local s=$1
    # shellcheck disable=SC2086 # BENCH_ARGS holds several words on purpose
    step "bench-$s" "$2" "$root" "${jdnn[@]}" bench --suite "$s" --device cuda --json "$W/bench-$s.json" \
        --csv "$W/bench-$s.csv" --html "$W/bench-$s.html" ${PASSES:+--dir "$PASSES"} ${BENCH_ARGS:-}
}

torch_suite() {  # torch_suite SUITE
    local s=$1
    # shellcheck disable=SC2086 # TORCH_ARGS holds several words on purpose
    step "torch-$s" 300 "$root" "$PYTHON" benchmarks/pytorch/bench_torch.py --suite "$s" --device cuda \
        --jdnn "bash $remote run io.jdnn.bench.Main" --json "$W/torch-$s.json" ${PASSES:+--dir "$PASSES"} ${TORCH_ARGS:-}
}

stage_merge() {
    local files=()
    shopt -s nullglob
    files=("$W"/bench-*.json "$W"/torch-*.json)
    shopt -u nullglob
    step merge 60 "$root" "$PYTHON" benchmarks/pytorch/merge.py "${files[@]}" --md "$W/merged.md" --csv "$W/merged.csv"
}

run_stage() {
    case $1 in
        env) stage_env ;;
        golden-cuda) stage_golden cuda ;;
        golden-opencl-nvidia) stage_golden opencl:nvidia ;;
        conformance-cuda) suite conformance-cuda 240 cuda --exclude-package ;;
        conformance-opencl-nvidia) suite conformance-opencl-nvidia 240 opencl:nvidia --exclude-package ;;
        onnx-gpu) junit onnx-gpu 300 onnx "-Djdnn.test.require=cuda,opencl $SEEDS" "--scan-class-path=$lib/onnx-test-classes" ;;
        reliability-cuda) suite reliability-cuda 300 cuda --include-package ;;
        reliability-opencl-nvidia) suite reliability-opencl-nvidia 300 opencl:nvidia --include-package ;;
        bench-quick) bench_suite quick 300 ;;
        bench-*) bench_suite "${1#bench-}" 420 ;;
        torch-*) torch_suite "${1#torch-}" ;;
        *) "stage_$1" ;;
    esac
}

if (( dry )); then
    echo "# dry run, budget ${budget}s: ${stages[*]}"
else
    echo "# run-owed.sh ${args[*]} on $(hostname) at $(date -Is), budget ${budget}s: ${stages[*]}" | tee "$W/summary.txt"
fi
for s in "${stages[@]}"; do
    run_stage "$s"
done
if (( dry )); then
    echo "# the caps add up to ${capped}s against a budget of ${budget}s: caps are limits, not estimates"
    exit 0
fi
echo
echo "== summary ($OUT/summary.txt; everything in $OUT/owed.tgz)"
cat "$W/summary.txt"
exit $failed
