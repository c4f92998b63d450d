package io.prombeam.bench;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWrite;
import io.prombeam.remotewrite.RemoteWriteResult;
import io.prombeam.sink.WriteFailure;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The shape users have: one element per sample, in no order. N series (10 labels each, plus a
 * {@code series_id}) x M samples as N x M single-sample elements, through {@code
 * PrometheusIO.remoteWrite().withUrl(url)} with its defaults, into a {@link CountingReceiver}
 * process that counts the samples it decoded, checks each series' order as Prometheus would, and
 * measures latency. Prints one markdown row: delivered samples/s over the whole run (the receiver's
 * count over wall time), wire bytes per sample, failures by rule, samples the receiver saw out of
 * order, latency p50/p99 (unbounded mode), peak old generation after GC.
 *
 * <p>Modes: {@code batch} (bounded {@code GenerateSequence}, sample order scrambled by a
 * permutation), {@code streaming} (the same bounded input with {@code --streaming=true}), {@code
 * unbounded} (a {@code PeriodicImpulse} emits a round of one sample per series every tick, with the
 * tick as event time, and a {@code Reshuffle} scatters each round over the workers, so samples of a
 * series reach the sink from several upstream workers and out of order).
 *
 * <p>Usage: {@code SingleSampleBench <direct|flink> <batch|streaming|unbounded|unbounded-reshuffle>
 * <series> <samplesPerSeries> [floor]} ({@code SingleSampleBench header} prints the table header):
 * with {@code floor}, the same bounded input into a DoFn that discards it instead of the sink.
 */
public final class SingleSampleBench {
  static final long T0 = 1_700_000_000_000L;

  private SingleSampleBench() {}

  public static final String HEADER =
      "| runner | mode | series x samples | delivered | seconds | delivered samples/s | wire"
          + " B/sample | failures by rule | out of order at receiver | latency p50 / p99 ms | peak"
          + " old gen after GC | CPU s: pipeline / receiver / cores x wall |\n"
          + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

  /** Element k is sample k' / N of series k' % N, with k' = a fixed permutation of k. */
  static final class ScrambledSample extends DoFn<Long, TimeSeries> {
    private final long series;
    private final long total;
    private final long multiplier;

    ScrambledSample(long series, long total) {
      this.series = series;
      this.total = total;
      long m = 2_654_435_761L % total;
      while (gcd(m, total) != 1) {
        m++;
      }
      this.multiplier = m;
    }

    @ProcessElement
    public void process(@Element Long k, OutputReceiver<TimeSeries> out) {
      long p = Math.floorMod(k * multiplier + 12_345, total);
      long id = p % series;
      long j = p / series;
      out.output(sample(id, T0 + j * 15_000L, j));
    }
  }

  /** Sample {@code j} of series {@code id}: 10 labels, a deterministic value. */
  static TimeSeries sample(long id, long timestamp, long j) {
    return Workloads.labelled(id)
        .label("series_id", Long.toString(id))
        .sample(timestamp, (double) ((id * 31 + j * 17) % 100_000))
        .build();
  }

  static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** Each tick: one sample of every series (its number). */
  static final class Round extends DoFn<Instant, Long> {
    private final long series;

    Round(long series) {
      this.series = series;
    }

    @ProcessElement
    public void process(@Element Instant tick, OutputReceiver<Long> out) {
      for (long id = 0; id < series; id++) {
        out.output(id);
      }
    }
  }

  /** A round's element as its single-sample series, at the round's event time. */
  static final class TickSample extends DoFn<Long, TimeSeries> {
    @ProcessElement
    public void process(
        @Element Long id,
        @org.apache.beam.sdk.transforms.DoFn.Timestamp Instant tick,
        OutputReceiver<TimeSeries> out) {
      out.output(sample(id, tick.getMillis(), tick.getMillis() / 1000));
    }
  }

  /** Counts failures by rule (or reason) as Beam counters {@code bench/failed_<RULE>}. */
  static final class CountFailures extends DoFn<WriteFailure, Void> {
    @ProcessElement
    public void process(@Element WriteFailure f) {
      String why = f.rule() != null ? f.rule().name() : f.reason().name();
      Metrics.counter("bench", "failed_" + why).inc(f.series().sampleCount());
    }
  }

  static PipelineOptions options(String runner, String mode) {
    PipelineOptions o = EndToEndBench.options(runner);
    if (!mode.equals("batch")) {
      o.as(StreamingOptions.class).setStreaming(true);
    }
    return o;
  }

  /** Consumes elements and does nothing: the pipeline's cost without the sink. */
  static final class Discard extends DoFn<TimeSeries, Void> {
    @ProcessElement
    public void process(@Element TimeSeries ts) {
      Metrics.counter("bench", "discarded").inc();
    }
  }

  /**
   * The same input into a sink that discards: what the runner and the element-making code cost
   * alone, the floor under the sink's figures. Prints seconds and elements/s.
   */
  public static String floor(String runner, String mode, long series, int perSeries) {
    long total = series * perSeries;
    Pipeline p = Pipeline.create(options(runner, mode));
    p.apply(GenerateSequence.from(0).to(total))
        .apply(ParDo.of(new ScrambledSample(series, total)))
        .apply(ParDo.of(new Discard()));
    double cpu0 = processCpuSeconds();
    long t0 = System.nanoTime();
    p.run().waitUntilFinish();
    double secs = (System.nanoTime() - t0) / 1e9;
    double cpu = processCpuSeconds() - cpu0;
    String flags = System.getProperty("bench.options", "").trim();
    return String.format(
        Locale.ROOT,
        "| %s | %s, no sink (floor)%s | %,d x %,d | - | %.1f | %,.0f elements/s | | | | | %,d MiB"
            + " | %.1f / - / %.1f |",
        runner,
        mode,
        flags.isEmpty() ? "" : " " + flags,
        series,
        perSeries,
        secs,
        total / secs,
        ScaleBench.peakOldGenAfterGcMiB(),
        cpu,
        Runtime.getRuntime().availableProcessors() * secs);
  }

  /** CPU time this process has used, all threads, in seconds. */
  static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  public static String run(String runner, String mode, String url, long series, int perSeries)
      throws Exception {
    return run(runner, mode, url, series, perSeries, -1);
  }

  /**
   * As above; with the receiver's process id ({@code -1}: unknown), the row also gives the CPU time
   * the pipeline's and the receiver's processes used during the run, beside what the machine's
   * cores could give in that wall time: where they add up to it, the run is CPU-bound.
   */
  public static String run(
      String runner, String mode, String url, long series, int perSeries, long receiverPid)
      throws Exception {
    EndToEndBench.reset(url);
    long total = series * perSeries;
    Pipeline p = Pipeline.create(options(runner, mode));
    PCollection<TimeSeries> input;
    if (mode.startsWith("unbounded")) {
      // one round per 200 ms: 5 rounds/s, from a source whose splits take turns at the rounds (so
      // each series' samples reach the sink from all splits, in no guaranteed order) and whose
      // watermark follows the rounds; "unbounded-reshuffle": PeriodicImpulse and a Reshuffle.
      Instant start = Instant.now().plus(Duration.standardSeconds(3));
      Duration tick = Duration.millis(200);
      if (mode.equals("unbounded-reshuffle")) {
        input =
            p.apply(
                    PeriodicImpulse.create()
                        .startAt(start)
                        .stopAt(start.plus(tick.multipliedBy(perSeries - 1)))
                        .withInterval(tick))
                .apply(ParDo.of(new Round(series)))
                .apply(Reshuffle.viaRandomKey())
                .apply(ParDo.of(new TickSample()));
      } else {
        input =
            p.apply(
                    org.apache.beam.sdk.io.Read.from(
                        new RoundsSource(
                            start.getMillis(), tick.getMillis(), perSeries, (int) series)))
                .apply(ParDo.of(new TickSample()));
      }
    } else {
      input =
          p.apply(GenerateSequence.from(0).to(total))
              .apply(ParDo.of(new ScrambledSample(series, total)));
    }
    RemoteWrite sink = PrometheusIO.remoteWrite().withUrl(url + "/api/v1/write");
    // -Dbench.protocol=V2: remote-write 2.0 (the receiver decodes both and counts alike)
    sink =
        sink.withProtocol(
            io.prombeam.remotewrite.RemoteWriteProtocol.valueOf(
                System.getProperty("bench.protocol", "V1")));
    // defaults, unless an experiment sets the reorder delay (-Dbench.maxReorderDelayMs=0: no
    // buffer)
    String delay = System.getProperty("bench.maxReorderDelayMs");
    if (delay != null) {
      sink = sink.withMaxReorderDelay(Duration.millis(Long.parseLong(delay)));
    }
    RemoteWriteResult result = input.apply(sink);
    result.getFailures().apply(ParDo.of(new CountFailures()));
    double receiverCpu0 = receiverPid < 0 ? 0 : PrometheusIngestBench.cpuSeconds(receiverPid);
    double cpu0 = processCpuSeconds();
    long t0 = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    PipelineResult r = p.run();
    r.waitUntilFinish();
    double secs = (System.nanoTime() - t0) / 1e9;
    String cpu =
        String.format(
            Locale.ROOT,
            "%.1f / %s / %.1f",
            processCpuSeconds() - cpu0,
            receiverPid < 0
                ? "-"
                : String.format(
                    Locale.ROOT,
                    "%.1f",
                    PrometheusIngestBench.cpuSeconds(receiverPid) - receiverCpu0),
            Runtime.getRuntime().availableProcessors() * secs);
    long[] stats = EndToEndBench.stats(url);
    long received = stats[1];
    Map<String, Long> failures = failuresByRule(r);
    long sent = PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT);
    System.err.printf(
        Locale.ROOT,
        "run %.1f s; receiver busy from %.1f s to %.1f s after start%n",
        secs,
        (stats[3] - startMillis) / 1e3,
        (stats[4] - startMillis) / 1e3);
    String latency = mode.startsWith("unbounded") ? stats[6] + " / " + stats[7] : "n/a";
    String flags = System.getProperty("bench.options", "").trim();
    String row =
        String.format(
            Locale.ROOT,
            "| %s | %s | %,d x %,d | %,d | %.1f | %,.0f | %.2f | %s | %,d | %s | %,d MiB | %s |",
            runner,
            flags.isEmpty() ? mode : mode + " " + flags,
            series,
            perSeries,
            received,
            secs,
            received / secs,
            (double) stats[2] / Math.max(1, received),
            failures.isEmpty() ? "0" : failures.toString(),
            stats[5],
            latency,
            ScaleBench.peakOldGenAfterGcMiB(),
            cpu);
    // with the runner's metrics off (-Dbench.options=--disableMetrics=true) the receiver's count
    // alone decides
    boolean metricsOn = !System.getProperty("bench.options", "").contains("disableMetrics=true");
    boolean lossAllowed =
        "0".equals(System.getProperty("bench.maxReorderDelayMs")); // the experiment shows the loss
    if (!lossAllowed
        && (received != total
            || (metricsOn && sent != total)
            || !failures.isEmpty()
            || stats[5] != 0)) {
      System.out.println(row);
      throw new IllegalStateException(
          "not every sample delivered once and in order: generated "
              + total
              + ", sink sent "
              + sent
              + ", receiver got "
              + received
              + ", failures "
              + failures
              + ", out of order "
              + stats[5]);
    }
    return row;
  }

  static Map<String, Long> failuresByRule(PipelineResult r) {
    Map<String, Long> out = new TreeMap<>();
    MetricQueryResults q = r.metrics().queryMetrics(MetricsFilter.builder().build());
    for (MetricResult<Long> c : q.getCounters()) {
      if (c.getName().getNamespace().equals("bench")
          && c.getName().getName().startsWith("failed_")) {
        long n = c.getAttempted();
        if (n > 0) {
          out.merge(c.getName().getName().substring("failed_".length()), n, Long::sum);
        }
      }
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("header")) {
      System.out.println(HEADER);
      return;
    }
    String runner = args[0];
    String mode = args[1];
    long series = Long.parseLong(args[2]);
    int perSeries = Integer.parseInt(args[3]);
    if (args.length > 4 && args[4].equals("floor")) {
      System.out.println(floor(runner, mode, series, perSeries));
      System.exit(0);
    }
    int port = EndToEndBench.freePort();
    Process receiver = EndToEndBench.startReceiver(port, 0, true);
    int status = 1;
    try {
      System.out.println(
          run(runner, mode, "http://127.0.0.1:" + port, series, perSeries, receiver.pid()));
      status = 0;
    } catch (Throwable t) {
      t.printStackTrace();
    } finally {
      receiver.destroy();
      System.out.flush();
      System.exit(status); // a runner's threads may linger
    }
  }
}
