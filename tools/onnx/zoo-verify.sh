#!/usr/bin/env bash
# Verifies the networks tools/onnx/export-torchvision.py wrote, on each device, with the bounds it derived.
#
#   tools/onnx/zoo-verify.sh [MODEL_DIR (default target/onnx-zoo)] [DEVICE... (default cpu opencl)]
#
# For every MODEL_DIR/<name>-opset<N>/ (a link to such a folder counts too): one `jdnn onnx verify` run
# per device on two data sets, PyTorch's float32 output (test_data_set_0/) within the first number of
# bound.txt (11 e_torch) and the float64 run (reference64/) within the second (10 e_torch); e_torch is
# PyTorch's own float32 error against float64 on that network and input (see the exporter's comment).
# Prints one line per model and device: both errors over their bounds and ok, or FAILED and the
# command's last line (a refusal names the node, op, opset and reason); the whole output of each run is
# kept in MODEL_DIR/<name>-opset<N>/verify-<device>.log. A folder holding export-error.txt (the opset
# torch.onnx could not export) prints its first line. Exit 1 when anything fails.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-$root/target/onnx-zoo}"
shift || true
devices=("$@")
[[ ${#devices[@]} -gt 0 ]] || devices=(cpu opencl)
status=0
sets="$(mktemp -d)"
trap 'rm -rf "$sets"' EXIT
for m in "$dir"/*/; do
    m="$(cd "$m" && pwd -P)"
    name="$(basename "$m")"
    if [[ -f "$m/export-error.txt" ]]; then
        printf '%-28s not exported: %s\n' "$name" "$(head -c 300 "$m/export-error.txt" | head -1)"
        continue
    fi
    [[ -f "$m/model.onnx" && -f "$m/bound.txt" ]] || continue
    read -r b32 b64 < "$m/bound.txt"
    # One run on both references: test_data_set_0 is PyTorch's float32 output, test_data_set_1 the float64 run's.
    rm -rf "${sets:?}"/*
    ln -s "$m/test_data_set_0" "$sets/test_data_set_0"
    ln -s "$m/reference64/test_data_set_0" "$sets/test_data_set_1"
    for d in "${devices[@]}"; do
        log="$m/verify-$d.log"
        "$root/jdnn" onnx verify "$m/model.onnx" --data "$sets" --device "$d" --bound "$b32" >"$log" 2>&1
        e32="$(sed -nE 's/^test_data_set_0 .*max error ([^ ]+) .*/\1/p' "$log")"
        e64="$(sed -nE 's/^test_data_set_1 .*max error ([^ ]+) .*/\1/p' "$log")"
        launches="$(sed -nE 's/.*[^0-9]([0-9]+) launches.*/\1/p' "$log" | head -1)"
        if [[ -n "$e32" && -n "$e64" ]] && awk -v a="$e32" -v b="$b32" -v c="$e64" -v d="$b64" \
                'BEGIN { exit !(a <= b && c <= d) }'; then
            result=ok
        else
            # the refusal or error (jdnn's own lines, the JVM's warning and the stack-trace hint left out)
            result="FAILED: $(grep -v -e '^jdnn: [A-Z]' -e '^WARNING: ' -e '^(run with ' "$log" | tail -1 | head -c 400)"
            status=1
        fi
        printf '%-28s %-7s launches %-4s vs torch float32 %-9s / %-8s vs float64 %-9s / %-8s %s\n' \
            "$name" "$d" "${launches:--}" "${e32:--}" "$b32" "${e64:--}" "$b64" "$result"
    done
done
exit $status
