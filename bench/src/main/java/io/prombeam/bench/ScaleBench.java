package io.prombeam.bench;

import io.prombeam.PrometheusIO;
import io.prombeam.aggregate.PrometheusAggregate;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import io.prombeam.model.TimeSeries;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Memory and scale: many distinct series through the sink, and {@code PrometheusAggregate} with
 * many label sets in one window, each into a {@link CountingReceiver} process that counts what it
 * decoded. Run it in a JVM with a small heap ({@code -Xmx2g}); it prints one markdown row with the
 * peak old-generation use after GC, which is what a bounded design keeps flat.
 *
 * <p>Usage: {@code ScaleBench <sink|slow|aggregate> <direct|flink> <count>}: {@code slow} is {@code
 * sink} against a receiver that answers each request after 50 ms, so the sink must hold the
 * pipeline back (backpressure) rather than buffer.
 */
public final class ScaleBench {
  private ScaleBench() {}

  /** Largest tenured/old-generation occupancy seen after a collection, in MiB. */
  static long peakOldGenAfterGcMiB() {
    long max = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP
          && pool.getCollectionUsage() != null
          && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
        max = Math.max(max, pool.getCollectionUsage().getUsed());
      }
    }
    return max >> 20;
  }

  public static void main(String[] args) {
    // Headroom to report a runner's OutOfMemoryError: released before the row is formatted.
    byte[] reserve = new byte[32 << 20];
    int status = 1;
    try {
      run(args);
      status = 0;
    } catch (Throwable t) {
      reserve = null;
      try {
        System.out.println(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | failed: %s | | | %,d MiB | %,d MiB |",
                args[0],
                args[1],
                args[2],
                t.toString().replace('|', '/'),
                Runtime.getRuntime().maxMemory() >> 20,
                peakOldGenAfterGcMiB()));
        t.printStackTrace();
      } catch (Throwable again) {
        System.out.println(
            "| "
                + String.join(" | ", args)
                + " | failed: "
                + t.getClass().getSimpleName()
                + " | | | | |");
      }
    } finally {
      System.out.flush();
      // The runner's worker threads may still be alive after a failure: exit regardless.
      Runtime.getRuntime().halt(status);
    }
  }

  static void run(String[] args) throws Exception {
    String what = args[0];
    String runner = args[1];
    long count = Long.parseLong(args[2]);
    int port = EndToEndBench.freePort();
    // "slow": the sink workload against a receiver that takes 50 ms per request
    Process receiver = EndToEndBench.startReceiver(port, what.equals("slow") ? 50 : 0);
    String url = "http://127.0.0.1:" + port;
    try {
      EndToEndBench.reset(url);
      Pipeline p = Pipeline.create(EndToEndBench.options(runner));
      long now = System.currentTimeMillis();
      PCollection<TimeSeries> series;
      long expectedSeries;
      if (what.equals("sink") || what.equals("slow")) {
        series =
            p.apply(GenerateSequence.from(0).to(count))
                .apply(ParDo.of(new Workloads.DistinctSeries("scale", 1, now)));
        expectedSeries = count;
      } else {
        // 3 events per label set, all in one 1-minute window (windows align to the epoch minute)
        long windowStart = (now / 60_000 - 2) * 60_000;
        series =
            p.apply(GenerateSequence.from(0).to(3 * count))
                .apply(WithTimestamps.of((Long i) -> new Instant(windowStart + (i % 60_000))))
                .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))))
                .apply(
                    PrometheusAggregate.<Long>counter("bench_requests_total")
                        .withLabels(i -> Map.of("label_set", Long.toString(i % count))));
        expectedSeries = count;
      }
      series.apply(PrometheusIO.remoteWrite().withUrl(url + "/api/v1/write").withShards(4));
      long t0 = System.nanoTime();
      PipelineResult r = p.run();
      r.waitUntilFinish();
      double secs = (System.nanoTime() - t0) / 1e9;
      long[] stats = EndToEndBench.stats(url);
      long sent = PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SERIES_SENT);
      if (stats[1] != expectedSeries) {
        throw new IllegalStateException(
            "received " + stats[1] + " samples, expected " + expectedSeries);
      }
      System.out.println(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d | %,d | %.1f | %,.0f | %,d MiB | %,d MiB |",
              what,
              runner,
              expectedSeries,
              stats[1],
              secs,
              stats[1] / secs,
              Runtime.getRuntime().maxMemory() >> 20,
              peakOldGenAfterGcMiB()));
      if (sent < expectedSeries && !runner.equals("flink")) {
        throw new IllegalStateException("sink counted " + sent + " series sent");
      }
    } finally {
      receiver.destroy();
    }
  }
}
