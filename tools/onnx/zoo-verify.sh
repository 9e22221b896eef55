#!/usr/bin/env bash
# Verifies the networks tools/onnx/export-torchvision.py wrote, on each device, with the bounds it derived.
#
#   tools/onnx/zoo-verify.sh [MODEL_DIR (default target/onnx-zoo)] [DEVICE... (default cpu opencl)]
#
# For every MODEL_DIR/<name>-opset<N>/: `jdnn onnx verify` against PyTorch's float32 output within the
# first number of bound.txt (11 e_torch), then against the float64 run (reference64/) within the
# second (10 e_torch); e_torch is PyTorch's own float32 error against float64 on that network and input
# (see the exporter's comment). Prints one line per model, device and reference; exit 1 when one fails.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-$root/target/onnx-zoo}"
shift || true
devices=("$@")
[[ ${#devices[@]} -gt 0 ]] || devices=(cpu opencl)
status=0
for m in "$dir"/*/; do
    m="${m%/}"
    [[ -f "$m/model.onnx" && -f "$m/bound.txt" ]] || continue
    read -r b32 b64 < "$m/bound.txt"
    for d in "${devices[@]}"; do
        for ref in float32 float64; do
            if [[ $ref == float32 ]]; then data="$m" bound="$b32"; else data="$m/reference64" bound="$b64"; fi
            line="$("$root/jdnn" onnx verify "$m/model.onnx" --data "$data" --device "$d" --bound "$bound" 2>/dev/null \
                | grep -E 'max error')" || status=1
            printf '%-28s %-8s vs torch %-8s %s\n' "$(basename "$m")" "$d" "$ref" "$(sed -E 's/.*(max error.*)/\1/' <<<"$line")"
            grep -q ' ok$' <<<"$line" || status=1
        done
    done
done
exit $status
