package io.jdnn.bench.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report with a vendor column that ran: ratios, the vendor's own line, the chart's vendor bar. */
class ReportTest {

    static Timing.Stats stats(double ms) {
        return Timing.Stats.of(List.of(ms, ms, ms), 1);
    }

    @Test
    void vendorRatiosAndLines(@TempDir Path dir) throws Exception {
        VendorResult cudnn = new VendorResult("cuDNN", Disposition.PASSED, "IMPLICIT_PRECOMP_GEMM (FMA)", "", 1e-7,
                "full", stats(2.0));
        String problem = "conv_mb32ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1dh1dw1g1";
        BenchResult fast = new BenchResult("resnet50", "res2_3x3", problem, 0, "conv", "fwd", "IMPLICIT_GEMM",
                Disposition.PASSED, "", 1e-7, 1e-5, 1, "full", stats(1.0), 3, 7_398_752_256L, 25_839_616L, 11.0, "FP32", cudnn,
                "./jdnn bench --device cuda:0 --problem " + problem + " --dir fwd --algo IMPLICIT_GEMM");
        BenchResult tf32 = new BenchResult("resnet50", "res2_3x3", problem, 0, "conv", "fwd", "TENSOR_CORE_TF32",
                Disposition.PASSED, "", 1e-4, 5e-3, 1, "sample of 3000", stats(0.5), 3, 7_398_752_256L, 25_839_616L, 3.0, "TF32", cudnn,
                "./jdnn bench --device cuda:0 --problem " + problem + " --dir fwd --algo TENSOR_CORE_TF32");
        BenchResult wrong = new BenchResult("resnet50", "res2_3x3", problem, 0, "conv", "fwd", "WINOGRAD",
                Disposition.INCORRECT, "max |out - ref| / max |ref| = 3e-02 in 'y' > bound 1e-04", 3e-2, 1e-4, 1, "full", null, 0,
                7_398_752_256L, 25_839_616L, Double.NaN, "", cudnn, "./jdnn bench ...");
        List<BenchResult> rows = List.of(fast, tf32, wrong);
        Report.Header header = new Report.Header("jdnn bench --suite resnet50", "cuda:0", "NVIDIA H100 80GB HBM3", "", "cuda",
                "", new Peaks(67e12, 494.7e12, 989.4e12, "datasheet", 3e12, "measured", 50L << 20, "datasheet", true),
                "cuDNN 9.14.0 + cuBLAS 13.0.0 on NVIDIA H100 80GB HBM3", true, BenchConfig.defaults("cuda"), "Java", "now");
        StringWriter text = new StringWriter();
        Report report = new Report(header, new PrintWriter(text), false);
        report.printHeader();
        report.printPass(rows);
        report.printSummary(rows, 0.2, new BenchRunner.Phases(100, 5, 10, 80));
        String out = text.toString();
        assertTrue(out.contains("2.00x"), out);
        assertTrue(out.contains("time: 100 s in all: reference outputs 5.0 s, verification runs and comparison 10.0 s, "
                + "timing 80 s, other (peaks, AUTO's choice, vendor, set-up) 5 s"), out);
        assertTrue(out.contains("[cuDNN]"), out);
        assertTrue(out.contains("IMPLICIT_PRECOMP_GEMM (FMA)"), out);
        assertTrue(out.contains("the vendor ran FP32"), out);
        assertTrue(out.contains("INCORRECT"), out);
        assertTrue(out.contains("at batch 1, verified: full"), out);
        assertTrue(out.contains("at batch 1, verified: sample of 3000"), out);
        assertTrue(out.contains("err 1.0e-07, verified: full"), out);
        report.writeHtml(dir.resolve("r.html"), rows);
        String html = Files.readString(dir.resolve("r.html"));
        assertTrue(html.contains("cuDNN IMPLICIT_PRECOMP_GEMM (FMA)"), html);
        assertTrue(html.contains("<td class=l>sample of 3000</td>"), html);
        report.writeCsv(dir.resolve("r.csv"), rows);
        String csv = Files.readString(dir.resolve("r.csv"));
        assertTrue(csv.contains(",2.0,"));
        assertTrue(csv.contains(",verify_batch,verified,"), csv);
        assertTrue(csv.contains(",1,sample of 3000,"), csv);
        report.writeJson(dir.resolve("r.json"), rows);
        String json = Files.readString(dir.resolve("r.json"));
        assertTrue(json.contains("\"verified\": \"sample of 3000\""), json);
        assertTrue(json.contains("\"verify_mode\": \"auto\""), json);
    }

    @Test
    void tensorCoreRowsUseTheirPrecisionsPeak() {
        Peaks.Gpu h100 = Peaks.lookup("NVIDIA H100 80GB HBM3");
        assertEquals(494.7, h100.tf32());
        assertEquals(989.4, h100.bf16()); // dense BF16, float32 accumulation: twice TF32's
        assertTrue(Double.isNaN(Peaks.lookup("Tesla V100-SXM2-16GB").bf16()), "no BF16 tensor cores before Ampere");
        for (Peaks.Gpu g : Peaks.GPUS) {
            assertTrue(Double.isNaN(g.bf16()) == Double.isNaN(g.tf32()) && !(g.bf16() < g.tf32()), g.label());
        }
        Peaks p = new Peaks(67e12, 494.7e12, 989.4e12, "datasheet", 3e12, "measured", 50L << 20, "datasheet", true);
        assertEquals(989.4e12, p.flopsFor("TENSOR_CORE_BF16"));
        assertEquals(494.7e12, p.flopsFor("TENSOR_CORE_TF32"));
        assertEquals(67e12, p.flopsFor("IMPLICIT_GEMM"));
    }
}
