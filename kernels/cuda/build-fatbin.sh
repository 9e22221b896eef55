#!/usr/bin/env bash
# build-fatbin.sh: compiles the portable kernels (kernels/src/*.cl) and the CUDA-only kernels
# (kernels/cuda/src/main/cuda/*.cu) with nvcc into one fatbin, the module the CUDA backend loads:
# SASS for sm_80 and sm_90, PTX for compute_90 (JIT-compiled by the driver on newer GPUs).
# Run by Maven (exec-maven-plugin, phase generate-resources); by hand:
#
#   kernels/cuda/build-fatbin.sh SRC_DIR CUDA_SRC_DIR OUT_DIR WORK_DIR
#
# OUT_DIR receives jdnn.fatbin and fatbin.properties (what was built, with which nvcc, or why
# nothing was). All sources go into ONE translation unit (WORK_DIR/jdnn_kernels.cu): the header,
# then each source, each followed by #undef of the macros it defined, so that file-local macros
# cannot leak into the next file (kernel and helper names must be unique across files anyway).
# Each source is compiled with its own defaults of its tuning constants, no -D; and once more for
# each variant it declares with a line "@variant NAME X=value ..." (in a comment): the unit
# defines the variant's X=value and renames every kernel k of the source to k_NAME before it
# includes the source again, inside "namespace jdnn_variant_<source>_NAME { ... }" so that the
# copy's helpers do not clash with the first's. The host launches a variant by that name and
# refuses any define set that is neither the defaults nor a variant
# (io.jdnn.kernels.KernelSources.precompiledName, which reads the same lines).
#
# nvcc is $JDNN_NVCC when that is set ("none": build without nvcc), else the first found on PATH,
# in $CUDA_HOME/bin or in /usr/local/cuda/bin. Without one the build still succeeds:
# fatbin.properties says "status=missing" and the backend reports "unavailable: built without
# nvcc". Nothing is compiled when the fatbin is newer than every input (sources, header, this
# script) and the list of sources is unchanged.
set -euo pipefail

if [ $# -ne 4 ]; then
    echo "usage: $0 SRC_DIR CUDA_SRC_DIR OUT_DIR WORK_DIR" >&2
    exit 2
fi
src_dir=$(cd "$1" && pwd)
cuda_src_dir=$(cd "$2" && pwd)
out_dir=$3
work_dir=$4
mkdir -p "$out_dir" "$work_dir"
fatbin="$out_dir/jdnn.fatbin"
props="$out_dir/fatbin.properties"
script="${BASH_SOURCE[0]}"

# The targets: SASS for Ampere and Hopper, PTX for everything newer.
gencode=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90
         -gencode arch=compute_90,code=compute_90)
targets="sm_80 sm_90 compute_90"

find_nvcc() {
    if [ -n "${JDNN_NVCC:-}" ]; then
        [ "$JDNN_NVCC" != none ] && [ -x "$JDNN_NVCC" ] && { echo "$JDNN_NVCC"; return 0; }
        [ "$JDNN_NVCC" = none ] || echo "build-fatbin.sh: JDNN_NVCC=$JDNN_NVCC is not an executable" >&2
        return 1
    fi
    if command -v nvcc >/dev/null 2>&1; then
        command -v nvcc
        return 0
    fi
    for dir in "${CUDA_HOME:-}" /usr/local/cuda; do
        if [ -n "$dir" ] && [ -x "$dir/bin/nvcc" ]; then
            echo "$dir/bin/nvcc"
            return 0
        fi
    done
    return 1
}

shopt -s nullglob
sources=("$src_dir"/*.cl "$cuda_src_dir"/*.cu)
header="$src_dir/jdnn_portable.h"
if [ ${#sources[@]} -eq 0 ] || [ ! -f "$header" ]; then
    echo "build-fatbin.sh: no kernel sources under $src_dir (or no jdnn_portable.h)" >&2
    exit 2
fi
names=""
for f in "${sources[@]}"; do
    names="$names $(basename "$f")"
done
names=${names# }

if ! nvcc=$(find_nvcc); then
    rm -f "$fatbin"
    {
        echo "# written by kernels/cuda/build-fatbin.sh"
        echo "status=missing"
        if [ "${JDNN_NVCC:-}" = none ]; then
            echo "reason=built without nvcc (JDNN_NVCC=none when this jar was built)"
        else
            echo "reason=built without nvcc (none on PATH, in \$CUDA_HOME/bin or /usr/local/cuda/bin when this jar was built)"
        fi
        echo "sources=$names"
    } > "$props"
    echo "build-fatbin.sh: nvcc not found (PATH, CUDA_HOME, /usr/local/cuda): the CUDA backend will report itself unavailable" >&2
    exit 0
fi

up_to_date() {
    [ -f "$fatbin" ] && [ -f "$props" ] && grep -qx 'status=built' "$props" || return 1
    grep -qx "sources=$names" "$props" || return 1
    for f in "${sources[@]}" "$header" "$script"; do
        [ "$f" -nt "$fatbin" ] && return 1
    done
    return 0
}
if up_to_date; then
    echo "build-fatbin.sh: $fatbin is up to date"
    exit 0
fi

# the macros a file defines: undefined again after each inclusion (the header's are kept)
undef_macros() {
    sed -n 's/^[[:space:]]*#[[:space:]]*define[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$1" | sort -u \
        | sed 's/^/#undef /'
}
# a file's variants, one "NAME X=value ..." a line (the same lines KernelSources.variants reads)
variants_of() {
    sed -n 's/^[[:space:]]*\*\{0,1\}[[:space:]]*@variant[[:space:]]\{1,\}//p' "$1"
}
# a file's kernel names (KERNEL void NAME(...), as KernelSources.kernels reads them)
kernels_of() {
    sed -n 's/^.*\bKERNEL[[:space:]]\{1,\}void[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*(.*$/\1/p' "$1"
}

unit="$work_dir/jdnn_kernels.cu"
variant_list=""
{
    echo "/* Generated by kernels/cuda/build-fatbin.sh: every kernel source in one translation unit. */"
    echo "#include \"jdnn_portable.h\""
    for f in "${sources[@]}"; do
        echo "#include \"$f\""
        undef_macros "$f"
        base=$(basename "$f")
        while read -r vname vdefines; do
            [ -n "$vname" ] || continue
            if ! [[ "$vname" =~ ^[A-Za-z0-9_]+$ ]] || [ -z "$vdefines" ]; then
                echo "build-fatbin.sh: $base: malformed variant line '@variant $vname $vdefines'" >&2
                exit 1
            fi
            echo "/* $base, variant $vname: $vdefines */"
            for d in $vdefines; do
                echo "#define ${d%%=*} ${d#*=}"
            done
            kernels=$(kernels_of "$f")
            for k in $kernels; do
                echo "#define $k ${k}_$vname"
            done
            echo "namespace jdnn_variant_${base//[^A-Za-z0-9_]/_}_$vname {"
            echo "#include \"$f\""
            echo "}"
            undef_macros "$f"
            for k in $kernels; do
                echo "#undef $k"
            done
            variant_list="$variant_list $base:$vname"
        done < <(variants_of "$f")
    done
} > "$unit"
variant_list=${variant_list# }

version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\), V\([0-9.]*\).*/\2/p')
echo "build-fatbin.sh: $nvcc ($version): ${#sources[@]} sources and $(wc -w <<< "$variant_list") variants ($variant_list) -> $fatbin ($targets)"
start=$(date +%s)
tmp="$fatbin.tmp"
"$nvcc" -x cu -fatbin -O3 -lineinfo --threads 0 "${gencode[@]}" -I "$src_dir" -Xptxas -v \
    -o "$tmp" "$unit" 2> "$work_dir/nvcc.log" || {
    cat "$work_dir/nvcc.log" >&2
    rm -f "$tmp"
    echo "build-fatbin.sh: nvcc failed on $unit (sources: $names)" >&2
    exit 1
}
grep -v '^ptxas info\|bytes stack frame' "$work_dir/nvcc.log" >&2 || true
mv "$tmp" "$fatbin"
{
    echo "# written by kernels/cuda/build-fatbin.sh"
    echo "status=built"
    echo "nvcc=$nvcc"
    echo "nvcc.version=$version"
    echo "targets=$targets"
    echo "sources=$names"
    echo "variants=$variant_list"
} > "$props"
echo "build-fatbin.sh: $(wc -c < "$fatbin") bytes in $(( $(date +%s) - start )) s (register and shared-memory use: $work_dir/nvcc.log)"
