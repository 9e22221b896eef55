#!/usr/bin/env python3
"""Times the problems of `jdnn bench` through PyTorch, on the same machine, for a side-by-side report.

The problem list comes from jdnn itself: this script runs `jdnn bench --print-problems` with the
selection options given here (--suite, --problem, --params, --batch, --dir), so the suites are
defined once, in benchmarks/src/main/java/io/jdnn/bench/perf/Suites.java, and the canonical problem
strings of both outputs are the same. Each pass of each problem runs as PyTorch runs it:

    conv_, deconv_   fwd: F.conv2d / F.conv_transpose2d (no bias); bwd-data and bwd-filter: the
                     backward of that call through torch.autograd.grad with only x (bwd-data) or
                     only the weight (bwd-filter) requiring a gradient, so PyTorch computes that one
                     gradient (aten::convolution_backward with one output enabled)
    maxpool_, avgpool_, adaptiveavgpool_
                     fwd: F.max_pool2d / F.avg_pool2d / F.adaptive_avg_pool2d; bwd: their autograd
                     backward (max pooling's reads the indices its forward saved)
    bn_              fwd-train: F.batch_norm(training=True) (batch statistics, running statistics
                     updated in place); fwd-infer: training=False; bwd: the autograd backward of
                     the training forward (dx, dgamma, dbeta)
    linear_          fwd: F.linear (no bias); bwd-data / bwd-filter: autograd as for convolutions
    sgd_ ... adadelta_
                     step: torch.optim.<Rule>.step() on one parameter tensor of --params elements,
                     once per implementation PyTorch has: foreach=False (the for-loop), foreach=True
                     and fused=True; an implementation this PyTorch lacks (or refuses on this
                     device) is a NOT_SUPPORTED record with the reason

Backward passes run on a graph recorded once (retain_graph=True): each timed run is one call of
torch.autograd.grad, the backward kernels a training step runs plus the autograd engine's per-call
cost. Forward passes run under torch.no_grad(). Tensors are float32, NCHW, contiguous, random normal
(variances uniform in [0.5, 1.5)); outputs are allocated by PyTorch on every call, as in training.

Timing follows jdnn's (Timing.java): an uncounted first run (cuDNN's autotuning under
cudnn.benchmark=True happens there), a warm-up of at least --warmup runs and 100 ms, then at least
--runs samples (>= 20) and --min-time ms of measured time (5 samples at least once sampling has
lasted MAX_TIME_MS); each sample times k consecutive runs,
k chosen so that a sample lasts about 1 ms, between two CUDA events on a GPU (time.perf_counter on
the CPU, where PyTorch's ops are synchronous). Runs rotate over as many input sets as it takes to
exceed twice the last-level cache (--rotate-mb; at most 64 sets), as jdnn's do. Reported: the
median per run, p10 and p90, and every sample.

On CUDA, torch.backends.cudnn.benchmark is True (PyTorch picks its fastest algorithm per shape) and
TF32 is off for cuDNN and for matmuls unless --tf32.

Usage (from the project root; the first call of ./jdnn builds the command line):

    python3 benchmarks/pytorch/bench_torch.py --suite pooling --device cpu --batch 1 --json /tmp/torch.json
    python3 benchmarks/pytorch/bench_torch.py --suite resnet50 --device cuda --json torch-resnet50.json
    python3 benchmarks/pytorch/bench_torch.py --problem conv_mb32ic64ih56oc64kh3ph1 --dir fwd --device cuda
    ./jdnn bench --suite dcgan --print-problems > dcgan.json      # where there is Java ...
    python3 benchmarks/pytorch/bench_torch.py --problems dcgan.json --device cuda --json torch-dcgan.json  # ... and where there is not

On the GPU host (no Java but the packed .gpu/), the listing runs through `bash .gpu/remote run
io.jdnn.bench.Main` when `java` is not on PATH. Then benchmarks/pytorch/merge.py puts this JSON
beside the JSON of `jdnn bench --json` (docs/bench.md, "Side by side with PyTorch").

Exit status: 0 when every record was timed or not supported, 1 when one failed with an ERROR,
2 on a usage error. Works with PyTorch 1.13 and 2.x; needs no numpy.
"""

import argparse
import datetime
import gc
import inspect
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

torch = None  # imported by load_torch(), so that --help works without PyTorch
F = None

ROOT = Path(__file__).resolve().parents[2]

# The settings of jdnn's Timing.Settings.defaults(): warm-up time, sample length, longest sampling.
WARMUP_MS = 100.0
SAMPLE_MS = 1.0
MAX_TIME_MS = 5_000.0  # Timing.Settings.defaults().maxTimeMs()
MIN_SAMPLES = 5  # Timing.MIN_SAMPLES: a slow op's samples once sampling outlasts MAX_TIME_MS
MAX_SETS = 64
UNKNOWN_CACHE = 128 << 20  # jdnn's Peaks.UNKNOWN_CACHE


def load_torch():
    global torch, F
    try:
        import torch as t
        import torch.nn.functional as f
    except ImportError as e:
        raise SystemExit(f"bench_torch.py: {sys.executable} cannot import PyTorch ({e}); run it with a Python "
                         "that has torch (e.g. /usr/bin/python3 on Debian with python3-torch)")
    torch, F = t, f


# ====================================================================== problem strings

_COMPACT = re.compile(r"([a-z]+)(\d+)")


def split_problem(text):
    """The grammar of io.jdnn.ProblemString: KIND [_COMPACT] {_KEY=VALUE}; returns (kind, ints, values)."""
    s = text.strip()
    if not s:
        raise ValueError("problem string: expected KIND_..., got an empty string")
    raw = s.split("_")
    # Keys of key=value settings may hold underscores (weight_decay): a part made only of letters
    # belongs to the part after it. Compact parts always hold digits.
    parts, pending = [], None
    for i in range(1, len(raw)):
        part = raw[i] if pending is None else pending + "_" + raw[i]
        if re.fullmatch(r"[a-z_]+", part) and i + 1 < len(raw):
            pending = part
        else:
            parts.append(part)
            pending = None
    ints, values = {}, {}
    for part in parts:
        eq = part.find("=")
        if eq > 0:
            key = part[:eq]
            if key in values:
                raise ValueError(f"problem string '{s}': key '{key}' given twice")
            values[key] = part[eq + 1:]
            continue
        end = 0
        for m in _COMPACT.finditer(part):
            if m.start() != end:
                break
            if m.group(1) in ints:
                raise ValueError(f"problem string '{s}': key '{m.group(1)}' given twice")
            ints[m.group(1)] = int(m.group(2))
            end = m.end()
        if end != len(part):
            raise ValueError(f"problem string '{s}': cannot read '{part[end:]}' "
                             "(expected letters followed by digits, or key=value)")
    return raw[0], ints, values


class Spec:
    """A parsed problem string: kind, integer extents and settings with the Java parsers' defaults."""

    def __init__(self, text):
        self.text = text
        self.kind, self._ints, self._values = split_problem(text)

    def has(self, key):
        return key in self._ints

    def req(self, key):
        if key not in self._ints:
            raise ValueError(f"problem string '{self.text}': missing '{key}'")
        return self._ints[key]

    def integer(self, key, fallback):
        return self._ints.get(key, fallback)

    def real(self, key, fallback):
        return float(self._values[key]) if key in self._values else fallback

    def flag(self, key, fallback):
        v = self._values.get(key, self._ints.get(key))
        if v is None:
            return fallback
        v = str(v).lower()
        if v in ("1", "true"):
            return True
        if v in ("0", "false"):
            return False
        raise ValueError(f"problem string '{self.text}': {key}: expected 0 or 1, got '{v}'")


def conv_params(s):
    """ConvProblem.parse: iw = ih, kw = kh, stride 1, padding 0, dilation 1, groups 1."""
    ih, kh = s.req("ih"), s.req("kh")
    sh, ph, dh, oph = s.integer("sh", 1), s.integer("ph", 0), s.integer("dh", 1), s.integer("oph", 0)
    return dict(transposed=s.kind == "deconv", mb=s.integer("mb", 1), ic=s.req("ic"), ih=ih, iw=s.integer("iw", ih),
                oc=s.req("oc"), kh=kh, kw=s.integer("kw", kh), sh=sh, sw=s.integer("sw", sh), ph=ph, pw=s.integer("pw", ph),
                dh=dh, dw=s.integer("dw", dh), g=s.integer("g", 1), oph=oph, opw=s.integer("opw", oph))


def pool_params(s):
    """PoolProblem.parse: iw = ih, kw = kh, stride = kernel, padding 0, dilation 1, ceil 0, cip 1."""
    ih = s.req("ih")
    p = dict(mode=s.kind, mb=s.integer("mb", 1), ic=s.req("ic"), ih=ih, iw=s.integer("iw", ih))
    if s.kind == "adaptiveavgpool":
        oh = s.req("oh")
        p.update(oh=oh, ow=s.integer("ow", oh))
        return p
    kh = s.req("kh")
    kw = s.integer("kw", kh)
    sh = s.integer("sh", kh)
    sw = s.integer("sw", sh if s.has("sh") else kw)
    ph, dh = s.integer("ph", 0), s.integer("dh", 1)
    p.update(kh=kh, kw=kw, sh=sh, sw=sw, ph=ph, pw=s.integer("pw", ph), dh=dh, dw=s.integer("dw", dh),
             ceil=s.flag("ceil", False), cip=s.kind == "avgpool" and s.flag("cip", True))
    return p


def bn_params(s):
    """BatchNormProblem.parse: iw = ih, PyTorch's eps and momentum."""
    ih = s.integer("ih", 1)
    return dict(mb=s.integer("mb", 1), ic=s.req("ic"), ih=ih, iw=s.integer("iw", ih), eps=s.real("eps", 1e-5),
                momentum=s.real("momentum", 0.1))


def linear_params(s):
    return dict(mb=s.integer("mb", 1), ic=s.req("ic"), oc=s.req("oc"))


# Each rule's torch.optim class and keyword arguments, with the defaults of io.jdnn.optim.*.parse.
def optimizer_args(s):
    k = s.kind
    if k == "sgd":
        return "SGD", dict(lr=s.real("lr", 0.001), momentum=s.real("momentum", 0.0),
                           dampening=s.real("dampening", 0.0), nesterov=s.flag("nesterov", False),
                           weight_decay=s.real("weight_decay", 0.0))
    if k == "adagrad":
        return "Adagrad", dict(lr=s.real("lr", 0.01), lr_decay=s.real("lr_decay", 0.0),
                               weight_decay=s.real("weight_decay", 0.0),
                               initial_accumulator_value=s.real("initial_accumulator_value", 0.0),
                               eps=s.real("eps", 1e-10))
    if k == "rmsprop":
        return "RMSprop", dict(lr=s.real("lr", 0.01), alpha=s.real("alpha", 0.99), eps=s.real("eps", 1e-8),
                               weight_decay=s.real("weight_decay", 0.0), momentum=s.real("momentum", 0.0),
                               centered=s.flag("centered", False))
    if k in ("adam", "adamw"):
        return ("Adam" if k == "adam" else "AdamW"), dict(
            lr=s.real("lr", 0.001), betas=(s.real("beta1", 0.9), s.real("beta2", 0.999)), eps=s.real("eps", 1e-8),
            weight_decay=s.real("weight_decay", 0.0 if k == "adam" else 0.01), amsgrad=s.flag("amsgrad", False))
    if k == "adadelta":
        return "Adadelta", dict(lr=s.real("lr", 1.0), rho=s.real("rho", 0.9), eps=s.real("eps", 1e-6),
                                weight_decay=s.real("weight_decay", 0.0))
    raise ValueError(f"problem string '{s.text}': not an optimizer rule")


# ====================================================================== ops

class NotSupported(Exception):
    """PyTorch refuses this implementation here (the message says why): a NOT_SUPPORTED record, not an error."""


def first_line(e):
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


class Instance:
    """One set of tensors of an op, ready to run: run() issues one run; nbytes is what the set holds."""

    def __init__(self, run, nbytes):
        self.run = run
        self.nbytes = nbytes


def nbytes(*tensors):
    return sum(t.numel() * t.element_size() for t in tensors)


class Ctx:
    """The device and how inputs are made."""

    def __init__(self, device):
        self.device = device

    def normal(self, *shape):
        return torch.randn(*shape, device=self.device, dtype=torch.float32)

    def positive(self, *shape):
        return torch.rand(*shape, device=self.device, dtype=torch.float32) + 0.5


def backward_instance(forward, inputs, wrt, dy_shape, ctx):
    """The autograd backward of forward(*inputs) with respect to inputs[i] for i in wrt, recorded once."""
    leaves = [t.requires_grad_(i in wrt) for i, t in enumerate(inputs)]
    with torch.enable_grad():
        y = forward(*leaves)
    dy = ctx.normal(*dy_shape)
    targets = [leaves[i] for i in wrt]

    def run():
        torch.autograd.grad(y, targets, grad_outputs=dy, retain_graph=True)

    grads = sum(nbytes(t) for t in targets)
    return Instance(run, nbytes(*leaves, y, dy) + grads)


def forward_instance(forward, inputs, out_shape):
    def run():
        forward(*inputs)

    out = 4 * math.prod(out_shape)
    return Instance(run, nbytes(*inputs) + out)


def conv_op(p, pass_name, ctx):
    g = p["g"]
    x_shape = (p["mb"], p["ic"], p["ih"], p["iw"])
    if p["transposed"]:
        oh = (p["ih"] - 1) * p["sh"] - 2 * p["ph"] + p["dh"] * (p["kh"] - 1) + p["oph"] + 1
        ow = (p["iw"] - 1) * p["sw"] - 2 * p["pw"] + p["dw"] * (p["kw"] - 1) + p["opw"] + 1
        w_shape = (p["ic"], p["oc"] // g, p["kh"], p["kw"])

        def forward(x, w):
            return F.conv_transpose2d(x, w, None, (p["sh"], p["sw"]), (p["ph"], p["pw"]), (p["oph"], p["opw"]), g,
                                      (p["dh"], p["dw"]))
        name = "F.conv_transpose2d"
    else:
        oh = (p["ih"] + 2 * p["ph"] - p["dh"] * (p["kh"] - 1) - 1) // p["sh"] + 1
        ow = (p["iw"] + 2 * p["pw"] - p["dw"] * (p["kw"] - 1) - 1) // p["sw"] + 1
        w_shape = (p["oc"], p["ic"] // g, p["kh"], p["kw"])

        def forward(x, w):
            return F.conv2d(x, w, None, (p["sh"], p["sw"]), (p["ph"], p["pw"]), (p["dh"], p["dw"]), g)
        name = "F.conv2d"
    y_shape = (p["mb"], p["oc"], oh, ow)
    return gemm_like(forward, name, x_shape, w_shape, y_shape, pass_name, ctx)


def linear_op(p, pass_name, ctx):
    def forward(x, w):
        return F.linear(x, w)
    return gemm_like(forward, "F.linear", (p["mb"], p["ic"]), (p["oc"], p["ic"]), (p["mb"], p["oc"]), pass_name, ctx)


def gemm_like(forward, name, x_shape, w_shape, y_shape, pass_name, ctx):
    """fwd, bwd-data, bwd-filter of y = forward(x, w): the impl name and a builder of instances."""
    if pass_name == "fwd":
        return name, lambda: forward_instance(forward, [ctx.normal(*x_shape), ctx.normal(*w_shape)], y_shape)
    wrt = {"bwd-data": 0, "bwd-filter": 1}[pass_name]
    label = f"{name} + autograd d{'x' if wrt == 0 else 'w'}"
    return label, lambda: backward_instance(forward, [ctx.normal(*x_shape), ctx.normal(*w_shape)], {wrt}, y_shape,
                                            ctx)


def pool_op(p, pass_name, ctx):
    x_shape = (p["mb"], p["ic"], p["ih"], p["iw"])
    if p["mode"] == "adaptiveavgpool":
        out = (p["oh"], p["ow"])

        def forward(x):
            return F.adaptive_avg_pool2d(x, out)
        name = "F.adaptive_avg_pool2d"
    elif p["mode"] == "maxpool":
        def forward(x):
            return F.max_pool2d(x, (p["kh"], p["kw"]), (p["sh"], p["sw"]), (p["ph"], p["pw"]), (p["dh"], p["dw"]),
                                ceil_mode=p["ceil"])
        name = "F.max_pool2d"
    else:
        def forward(x):
            return F.avg_pool2d(x, (p["kh"], p["kw"]), (p["sh"], p["sw"]), (p["ph"], p["pw"]), ceil_mode=p["ceil"],
                                count_include_pad=p["cip"])
        name = "F.avg_pool2d"
    with torch.no_grad():
        y_shape = tuple(forward(torch.empty(1, 1, p["ih"], p["iw"], device=ctx.device)).shape)
    y_shape = x_shape[:2] + y_shape[2:]
    if pass_name == "fwd":
        return name, lambda: forward_instance(forward, [ctx.normal(*x_shape)], y_shape)
    return name + " + autograd dx", lambda: backward_instance(forward, [ctx.normal(*x_shape)], {0}, y_shape, ctx)


def bn_op(p, pass_name, ctx):
    x_shape = (p["mb"], p["ic"], p["ih"], p["iw"])
    c = p["ic"]

    def make():
        return [ctx.normal(*x_shape), ctx.positive(c), ctx.normal(c), ctx.normal(c), ctx.positive(c)]

    if pass_name in ("fwd-train", "fwd-infer"):
        training = pass_name == "fwd-train"

        def build():
            x, gamma, beta, mean, var = make()

            def run():
                F.batch_norm(x, mean, var, gamma, beta, training, p["momentum"], p["eps"])
            return Instance(run, nbytes(x, gamma, beta, mean, var) + nbytes(x))  # and y, the size of x
        return f"F.batch_norm(training={training})", build

    def build_backward():
        x, gamma, beta, mean, var = make()

        def forward(x_, g_, b_):
            return F.batch_norm(x_, mean, var, g_, b_, True, p["momentum"], p["eps"])
        return backward_instance(forward, [x, gamma, beta], {0, 1, 2}, x_shape, ctx)
    return "F.batch_norm(training=True) + autograd dx, dgamma, dbeta", build_backward


def optimizer_variants(s, parameters, ctx):
    """(impl name, builder or None, why not) for each implementation: foreach=False, foreach=True, fused=True."""
    cls_name, kwargs = optimizer_args(s)
    cls = getattr(torch.optim, cls_name)
    accepted = inspect.signature(cls.__init__).parameters
    out = []
    for key, value in (("foreach", False), ("foreach", True), ("fused", True)):
        impl = f"{cls_name}({key}={value})"
        if key not in accepted:
            out.append((impl, None, f"torch {torch.__version__}: torch.optim.{cls_name} has no '{key}' argument"))
            continue

        def build(key=key, value=value):
            param = ctx.normal(parameters)
            param.grad = ctx.normal(parameters)
            try:
                opt = cls([param], **kwargs, **{key: value})
            except RuntimeError as e:  # e.g. fused=True on a device this PyTorch has no fused kernel for
                raise NotSupported(first_line(e)) from e
            opt.step()  # creates the state
            state = [t for t in opt.state[param].values() if torch.is_tensor(t)]
            return Instance(opt.step, nbytes(param, param.grad, *state))
        out.append((impl, build, None))
    return out


def variants(problem, parameters, pass_name, ctx):
    """(impl, builder, why not) for each PyTorch implementation of one pass of a problem."""
    s = Spec(problem)
    if s.kind in ("conv", "deconv"):
        return [(*conv_op(conv_params(s), pass_name, ctx), None)]
    if s.kind in ("maxpool", "avgpool", "adaptiveavgpool"):
        return [(*pool_op(pool_params(s), pass_name, ctx), None)]
    if s.kind == "bn":
        return [(*bn_op(bn_params(s), pass_name, ctx), None)]
    if s.kind == "linear":
        return [(*linear_op(linear_params(s), pass_name, ctx), None)]
    if s.kind in ("sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta"):
        return optimizer_variants(s, parameters, ctx)
    raise ValueError(f"problem string '{problem}': unknown kind '{s.kind}'")


# ====================================================================== timing

class Stats:
    def __init__(self, samples, runs_per_sample):
        self.samples = samples
        self.runs_per_sample = runs_per_sample
        s = sorted(samples)
        self.median, self.p10, self.p90 = quantile(s, 0.5), quantile(s, 0.1), quantile(s, 0.9)
        self.min, self.max, self.mean = s[0], s[-1], statistics.fmean(s)

    def spread(self):
        return (self.p90 - self.p10) / self.median if self.median > 0 else 0.0


def quantile(sorted_values, q):
    """Linear interpolation between the closest ranks, as Timing.Stats.quantile."""
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


def make_timer(instances, device):
    """time(k): runs k instances in rotation and returns the elapsed milliseconds."""
    nxt = [0]

    def issue(k):
        n = len(instances)
        for _ in range(k):
            instances[nxt[0] % n].run()
            nxt[0] += 1

    if device.type == "cuda":
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)

        def time_cuda(k):
            start.record()
            issue(k)
            end.record()
            end.synchronize()
            return start.elapsed_time(end)
        return time_cuda

    def time_cpu(k):
        t0 = time.perf_counter()
        issue(k)
        return (time.perf_counter() - t0) * 1e3
    return time_cpu


def measure(timer, runs, warmup_runs, min_time_ms):
    """Timing.measure: first run uncounted, warm-up, then samples of k runs lasting about SAMPLE_MS."""
    wall = time.perf_counter()
    timer(1)
    warm = []
    while not warm or not warmed_up(len(warm), (time.perf_counter() - wall) * 1e3, warmup_runs):
        warm.append(timer(1))
    estimate = max(quantile(sorted(warm), 0.5), 1e-6)
    k = int(max(1, min(100_000, math.ceil(SAMPLE_MS / estimate))))
    samples, measured = [], 0.0
    begin = time.perf_counter()
    while len(samples) < 100_000:
        enough = len(samples) >= runs and measured >= min_time_ms
        out_of_time = (time.perf_counter() - begin) * 1e3 >= MAX_TIME_MS and len(samples) >= min(runs, MIN_SAMPLES)
        if enough or out_of_time:
            break
        t = timer(k)
        measured += t
        samples.append(t / k)
    return Stats(samples, k)


def warmed_up(runs, elapsed_ms, warmup_runs):
    return (runs >= warmup_runs and elapsed_ms >= WARMUP_MS) or elapsed_ms >= 10 * WARMUP_MS or runs >= 10_000


def is_oom(e):
    text = str(e).lower()
    return isinstance(e, MemoryError) or any(m in text for m in ("out of memory", "can't allocate memory",
                                                                  "not enough memory"))


# ====================================================================== the device

def cache_bytes(device):
    """(bytes, source) of the last-level cache the rotation must exceed twice, as jdnn's Peaks finds it."""
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        l2 = getattr(props, "L2_cache_size", 0)
        if l2:
            return l2, f"L2 {l2 >> 20} MiB (torch.cuda.get_device_properties)"
        return UNKNOWN_CACHE, f"unknown: assumed {UNKNOWN_CACHE >> 20} MiB"
    best, level = -1, 0
    for i in range(8):
        d = Path(f"/sys/devices/system/cpu/cpu0/cache/index{i}")
        try:
            m = re.fullmatch(r"(\d+)([KMG]?)", (d / "size").read_text().strip())
            if not m:
                continue
            v = int(m.group(1)) << {"K": 10, "M": 20, "G": 30, "": 0}[m.group(2)]
            if v > best:
                best, level = v, int((d / "level").read_text().strip())
        except (OSError, ValueError):
            continue
    if best > 0:
        return best, f"L{level} {best >> 20} MiB (sysfs)" if best >= 1 << 20 else f"L{level} {best >> 10} KiB (sysfs)"
    return UNKNOWN_CACHE, f"unknown: assumed {UNKNOWN_CACHE >> 20} MiB"


def available_bytes(device):
    """Memory the rotation sets may take: half of what the driver or the system reports free."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0] // 2
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024 // 2
    except OSError:
        pass
    return 4 << 30


def device_description(device):
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        details = (f"compute capability {props.major}.{props.minor}, {props.multi_processor_count} SMs, "
                   f"{props.total_memory / 2**30:.1f} GiB")
        return torch.cuda.get_device_name(device), details
    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return name, (f"{os.cpu_count()} logical CPUs, torch threads {torch.get_num_threads()}, "
                  f"BLAS {blas.group(1) if blas else 'unknown'}")


def configure_tf32(allow):
    """Allows or forbids TF32 in cuDNN convolutions and in matmuls; returns the flags as set.

    PyTorch 2.9 and newer have the fp32_precision flags and refuse a mix of them with the legacy
    allow_tf32 ones (RuntimeError when cuDNN's conv and RNN flags then disagree), so each version
    gets only its own API.
    """
    mode = "tf32" if allow else "ieee"
    if hasattr(torch.backends, "fp32_precision"):
        owners = ["", "cuda.matmul", "cudnn", "cudnn.conv", "cudnn.rnn"]
        flags = []
        for name in owners:
            owner = torch.backends
            for part in filter(None, name.split(".")):
                owner = getattr(owner, part, None)
            if owner is not None and hasattr(owner, "fp32_precision"):
                owner.fp32_precision = mode
                flags.append(f"{('backends.' + name) if name else 'backends'}.fp32_precision={owner.fp32_precision!r}")
        return ", ".join(flags)
    torch.backends.cudnn.allow_tf32 = allow
    torch.backends.cuda.matmul.allow_tf32 = allow
    return (f"cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}, "
            f"cuda.matmul.allow_tf32={torch.backends.cuda.matmul.allow_tf32}")


# ====================================================================== the problem list from jdnn

def jdnn_command(option):
    """The command that runs jdnn's Main: --jdnn, else ./jdnn where Java is, else the packed .gpu/remote."""
    if option:
        return shlex.split(option)
    if shutil.which("java") and (ROOT / "jdnn").exists():
        return [str(ROOT / "jdnn")]
    remote = ROOT / ".gpu" / "remote"
    if remote.exists():
        return ["bash", str(remote), "run", "io.jdnn.bench.Main"]
    raise SystemExit("bench_torch.py: no way to ask jdnn for the problems: no java on PATH for ./jdnn and no "
                     ".gpu/remote; give --jdnn CMD or --problems FILE (the output of jdnn bench --print-problems)")


def list_problems(args):
    """The problems and passes jdnn bench would run with these selection options."""
    if args.problems:
        listing = json.loads(Path(args.problems).read_text())
        source = f"file {args.problems}"
    else:
        cmd = jdnn_command(args.jdnn) + ["bench", "--print-problems"]
        for s in args.suite:
            cmd += ["--suite", s]
        for p in args.problem:
            cmd += ["--problem", p]
        if args.params:
            cmd += ["--params", str(args.params)]
        if args.batch:
            cmd += ["--batch", str(args.batch)]
        if args.dir:
            cmd += ["--dir", args.dir]
        done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench_torch.py: {shlex.join(cmd)} failed with status {done.returncode}")
        listing = json.loads(done.stdout)
        source = shlex.join(cmd)
    if listing.get("tool") != "jdnn bench --print-problems":
        raise SystemExit("bench_torch.py: expected the output of jdnn bench --print-problems, got tool="
                         f"{listing.get('tool')!r}")
    return listing["problems"], source


# ====================================================================== main

def ms_text(ms):
    if ms < 0.1:
        return f"{ms:.5f}"
    if ms < 10:
        return f"{ms:.4f}"
    if ms < 1000:
        return f"{ms:.2f}"
    return f"{ms:.0f}"


ROW = "  {:<10} {:<58} {:<13} {:>10} {:>6} {:>5}  {}"


def run_variant(entry, pass_name, impl, build, why_not, args, device, rotate):
    """One record: builds the rotation sets, times them, or says why not."""
    rec = {"suite": entry["suite"], "name": entry["name"], "kind": entry["kind"], "problem": entry["problem"],
           "parameters": entry.get("parameters", 0), "pass": pass_name, "impl": impl}
    if build is None:
        rec.update(status="NOT_SUPPORTED", reason=why_not)
        return rec
    instances = []
    try:
        torch.manual_seed(args.seed)
        instances.append(build())
        set_bytes = max(1, instances[0].nbytes)
        sets = max(1, min(MAX_SETS, -(-rotate // set_bytes), available_bytes(device) // set_bytes))
        while len(instances) < sets:
            try:
                instances.append(build())
            except RuntimeError as e:
                if not is_oom(e):
                    raise
                break
        stats = measure(make_timer(instances, device), args.runs, args.warmup, args.min_time)
        rec.update(status="TIMED", reason="", ms_median=stats.median, ms_p10=stats.p10, ms_p90=stats.p90,
                   ms_min=stats.min, ms_max=stats.max, ms_mean=stats.mean, runs_per_sample=stats.runs_per_sample,
                   rotation_sets=len(instances), samples_ms=stats.samples)
    except NotSupported as e:
        rec.update(status="NOT_SUPPORTED", reason=str(e))
    except Exception as e:  # one record fails, the run goes on
        if is_oom(e):
            rec.update(status="NOT_SUPPORTED", reason="memory: " + first_line(e))
        else:
            rec.update(status="ERROR", reason=f"{type(e).__name__}: {first_line(e)}")
    finally:
        instances.clear()
        gc.collect()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
            torch.cuda.empty_cache()
    return rec


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Times the problems of jdnn bench through PyTorch (see the module docstring).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu (default: cuda)")
    ap.add_argument("--suite", action="append", default=[], metavar="NAME",
                    help="a suite of jdnn bench (repeatable or comma-separated; see ./jdnn bench --list)")
    ap.add_argument("--problem", action="append", default=[], metavar="STRING",
                    help="a problem string, as jdnn bench --problem takes it (repeatable)")
    ap.add_argument("--params", type=int, default=0, metavar="N", help="parameters of an optimizer --problem")
    ap.add_argument("--batch", type=int, default=0, metavar="N", help="batch of every problem (default: the suite's)")
    ap.add_argument("--dir", metavar="DIRS", help="passes, as jdnn bench --dir takes them (default: all)")
    ap.add_argument("--problems", metavar="FILE",
                    help="read the problems from this output of jdnn bench --print-problems instead of running jdnn")
    ap.add_argument("--jdnn", metavar="CMD",
                    help="command that runs jdnn's Main (default: ./jdnn where java is on PATH, else "
                         "'bash .gpu/remote run io.jdnn.bench.Main')")
    ap.add_argument("--json", metavar="FILE", help="write every record (with every sample) as JSON")
    ap.add_argument("--tf32", action="store_true", help="let cuDNN and matmuls use TF32 tensor cores (default: off)")
    ap.add_argument("--runs", type=int, default=20, metavar="N", help="timed samples at least, >= 20 (default: 20)")
    ap.add_argument("--warmup", type=int, default=3, metavar="N", help="warm-up runs at least (default: 3)")
    ap.add_argument("--min-time", type=float, default=100.0, metavar="MS",
                    help="measured time per record at least, in ms (default: 100)")
    ap.add_argument("--rotate-mb", type=float, default=0, metavar="MIB",
                    help="rotate inputs over at least this much memory (default: twice the last-level cache, "
                         "as jdnn bench)")
    ap.add_argument("--threads", type=int, default=0, metavar="N",
                    help="torch.set_num_threads(N) on the CPU (default: PyTorch's own choice)")
    ap.add_argument("--seed", type=int, default=1, metavar="N", help="torch.manual_seed of every input (default: 1)")
    args = ap.parse_args(argv)
    if args.runs < 20:
        ap.error("--runs: expected a value >= 20 (fewer samples give no trustworthy median and spread)")
    if args.warmup < 1:
        ap.error("--warmup: expected a value >= 1")
    if not (args.suite or args.problem or args.problems):
        args.suite = ["quick"]

    load_torch()
    device = torch.device(args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            ap.error(f"--device {args.device}: torch {torch.__version__} sees no CUDA device")
        if device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        torch.cuda.set_device(device)
        torch.backends.cudnn.benchmark = True
        tf32_note = configure_tf32(args.tf32)
    elif device.type != "cpu":
        ap.error(f"--device: expected cuda, cuda:N or cpu, got '{args.device}'")
    else:
        tf32_note = "float32 (no TF32 on the CPU)"
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)

    problems, source = list_problems(args)
    cache, cache_source = cache_bytes(device)
    rotate = int(args.rotate_mb * (1 << 20)) if args.rotate_mb > 0 else 2 * cache
    name, details = device_description(device)
    ctx = Ctx(device)
    cudnn = torch.backends.cudnn.version() if device.type == "cuda" else None
    algo_note = ("cudnn.benchmark=True: PyTorch autotunes and picks its fastest cuDNN algorithm per shape"
                 if device.type == "cuda" else
                 f"oneDNN (mkldnn) {'available' if torch.backends.mkldnn.is_available() else 'not available'}")

    print(f"bench_torch.py on {device} ({name})")
    print(f"  torch:        {torch.__version__}" + (f", CUDA {torch.version.cuda}, cuDNN {cudnn}" if cudnn else "")
          + f"; Python {platform.python_version()}")
    print(f"  device:       {details}")
    print(f"  algorithms:   {algo_note}; {tf32_note}")
    print(f"  timing:       median of >= {args.runs} samples after a warm-up of >= {args.warmup} runs and "
          f"{WARMUP_MS:.0f} ms; samples of k runs lasting about {SAMPLE_MS:.1f} ms; inputs rotated over >= "
          f"{rotate / 2**20:.1f} MiB ({'--rotate-mb' if args.rotate_mb > 0 else 'twice ' + cache_source}); "
          f"random normal data")
    print(f"  problems:     {len(problems)} from {source}")
    sys.stdout.flush()

    records = []
    t0 = time.perf_counter()
    for i, entry in enumerate(problems):
        label = (entry["suite"] + "/" + entry["name"] + " ") if entry["suite"] else ""
        print(f"[{i + 1}/{len(problems)}] {label}{entry['problem']} ({time.perf_counter() - t0:.0f} s)",
              file=sys.stderr, flush=True)
        params = entry.get("parameters", 0)
        print()
        print(f"{label}{entry['problem']}" + (f" x {params} parameters" if params else ""))
        print(ROW.format("pass", "PyTorch", "status", "ms", "+-%", "sets", "note"))
        for pass_name in entry["passes"]:
            try:
                impls = variants(entry["problem"], params, pass_name, ctx)
            except (ValueError, KeyError) as e:
                impls = [("-", None, f"cannot read the problem: {e}")]
            for impl, build, why_not in impls:
                rec = run_variant(entry, pass_name, impl, build, why_not, args, device, rotate)
                records.append(rec)
                timed = rec["status"] == "TIMED"
                spread = (rec["ms_p90"] - rec["ms_p10"]) / rec["ms_median"] * 100 if timed and rec["ms_median"] else 0
                print(ROW.format(pass_name, impl, rec["status"], ms_text(rec["ms_median"]) if timed else "-",
                                 f"{spread:.1f}" if timed else "-", rec.get("rotation_sets", "-"), rec["reason"]),
                      flush=True)

    counts = {}
    for r in records:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    print()
    print(f"summary: {len(records)} records, " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if args.json:
        doc = dict(
            tool="bench_torch.py",
            command=shlex.join([sys.executable, *sys.argv]),
            date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            host=platform.node(),
            python=platform.python_version(),
            torch=torch.__version__,
            cuda=torch.version.cuda if device.type == "cuda" else None,
            cudnn=cudnn,
            device=dict(spec=str(device), type=device.type, name=name, details=details),
            settings=dict(cudnn_benchmark=device.type == "cuda", tf32=args.tf32, tf32_flags=tf32_note,
                          algorithms=algo_note, runs_min=args.runs, warmup_runs_min=args.warmup,
                          warmup_ms_min=WARMUP_MS, sample_ms=SAMPLE_MS, measured_ms_min=args.min_time,
                          rotation_bytes_min=rotate, rotation_source=("--rotate-mb" if args.rotate_mb > 0
                                                                      else "twice " + cache_source),
                          threads=torch.get_num_threads(), seed=args.seed),
            problems_from=source,
            results=records)
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {args.json}")
    return 1 if counts.get("ERROR") else 0


if __name__ == "__main__":
    sys.exit(main())
