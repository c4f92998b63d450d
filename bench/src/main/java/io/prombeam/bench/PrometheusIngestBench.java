package io.prombeam.bench;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * End to end into a real Prometheus (started here, remote-write receiver on, fresh TSDB): the same
 * pipeline as {@link EndToEndBench}, samples stamped near now so Prometheus stores them all, the
 * stored count checked through its query API. To name the bottleneck it reports the CPU time each
 * side used: the pipeline's JVM and the Prometheus process (from /proc), against the machine's
 * cores × wall time.
 *
 * <p>Usage: {@code PrometheusIngestBench <direct|flink> <series> <samplesPerSeries> <shards>}
 */
public final class PrometheusIngestBench {
  private PrometheusIngestBench() {}

  /** utime + stime of a process, in seconds (Linux /proc, clock ticks of 100 Hz). */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  static double query(String base, String promql) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            base
                                + "/api/v1/query?query="
                                + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    String body = r.body();
    int i = body.indexOf("\"value\":[");
    if (i < 0) {
      return 0;
    }
    String v = body.substring(body.indexOf(",\"", i) + 2);
    return Double.parseDouble(v.substring(0, v.indexOf('"')));
  }

  public static void main(String[] args) throws Exception {
    String runner = args[0];
    long series = Long.parseLong(args[1]);
    int perSeries = Integer.parseInt(args[2]);
    int shards = Integer.parseInt(args[3]);
    Path dir = Files.createTempDirectory("prombeam-bench-prometheus");
    int port = EndToEndBench.freePort();
    Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 15s\n");
    Process prometheus =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-remote-write-receiver",
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    String base = "http://127.0.0.1:" + port;
    int exit = 1;
    try {
      for (int i = 0; i < 300; i++) {
        try {
          if (HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) {
            break;
          }
        } catch (IOException notYet) {
          // starting
        }
        Thread.sleep(100);
      }
      System.out.println(
          "| runner | shards | series x samples | seconds | samples/s | pipeline CPU s | Prometheus"
              + " CPU s | machine CPU s (cores x wall) | stored |");
      System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
      for (String run : List.of("warmup-" + UUID.randomUUID(), UUID.randomUUID().toString())) {
        boolean warmup = run.startsWith("warmup");
        long n = warmup ? Math.min(series, 10_000) : series;
        long t0 = System.currentTimeMillis() - perSeries * 1000L - 60_000;
        Pipeline p = Pipeline.create(EndToEndBench.options(runner));
        p.apply(GenerateSequence.from(0).to(n))
            .apply(ParDo.of(new Workloads.DistinctSeries(run, perSeries, t0)))
            .apply(PrometheusIO.remoteWrite().withUrl(base + "/api/v1/write").withShards(shards));
        double promCpu0 = cpuSeconds(prometheus.pid());
        long jvmCpu0 =
            ((com.sun.management.OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long w0 = System.nanoTime();
        PipelineResult r = p.run();
        r.waitUntilFinish();
        double secs = (System.nanoTime() - w0) / 1e9;
        double jvmCpu =
            (((com.sun.management.OperatingSystemMXBean)
                            ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                    - jvmCpu0)
                / 1e9;
        double promCpu = cpuSeconds(prometheus.pid()) - promCpu0;
        long sent = PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT);
        double stored = query(base, "sum(count_over_time({bench_run=\"" + run + "\"}[1h]))");
        if (sent != n * perSeries || stored != n * perSeries) {
          throw new IllegalStateException(
              "sent " + sent + ", stored " + stored + ", expected " + n * perSeries);
        }
        if (!warmup) {
          System.out.println(
              String.format(
                  Locale.ROOT,
                  "| %s | %d | %,d x %d | %.1f | %,.0f | %.1f | %.1f | %.1f | %,.0f |",
                  runner,
                  shards,
                  n,
                  perSeries,
                  secs,
                  n * perSeries / secs,
                  jvmCpu,
                  promCpu,
                  Runtime.getRuntime().availableProcessors() * secs,
                  stored));
        }
      }
      exit = 0;
    } finally {
      prometheus.destroy();
      prometheus.waitFor();
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    System.exit(exit);
  }
}
