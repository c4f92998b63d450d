package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.aggregate.PrometheusAggregate;
import io.prombeam.model.HistogramBuckets;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * A native-histogram round trip through a real Prometheus 2.42 started with {@code
 * --enable-feature=native-histograms}, on DirectRunner and embedded Flink: one element per
 * observation, in no order, aggregated into native histograms per 10 s window and route, written by
 * remote write 1.0 (2.42 does not speak 2.0); then PromQL's {@code histogram_count} and {@code
 * histogram_sum} must give the exact running counts and sums at every window's end, {@code
 * histogram_quantile} the median to within a bucket's width, and {@code remoteRead()} (HISTOGRAM
 * chunks) must return the very histograms written.
 */
@RunWith(Parameterized.class)
public class NativeHistogramIT {
  @ClassRule
  public static final PrometheusServer PROMETHEUS =
      new PrometheusServer()
          .withFlags("--enable-feature=native-histograms", "--enable-feature=exemplar-storage");

  private static final String METRIC = "prombeam_nh_seconds";
  private static final int EVENTS = 3000;
  private static final int WINDOWS = 3;
  private static final long WINDOW = 10_000;

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  public NativeHistogramIT(String runner) {
    this.runner = runner;
  }

  /**
   * Latencies in seconds as binary fractions (k/256: every sum exact whatever the order of
   * addition), a few of them zero, spread over the windows in a shuffled order.
   */
  private static List<TimestampedValue<KV<String, Double>>> events(long base) {
    List<TimestampedValue<KV<String, Double>>> out = new ArrayList<>();
    for (int k = 0; k < EVENTS; k++) {
      int j = (int) ((k * 7919L) % EVENTS); // a permutation: no order
      String route = j % 5 == 0 ? "/a" : "/b";
      double v = j % 97 == 0 ? 0.0 : ((j * 37) % 2000 + 1) / 256.0;
      long ts = base + (j % WINDOWS) * WINDOW + (j % 9000);
      out.add(TimestampedValue.of(KV.of(route, v), new Instant(ts)));
    }
    return out;
  }

  @Test
  public void aggregatedHistogramsAreQueriedExactlyAndReadBack() throws Exception {
    long base = (System.currentTimeMillis() - 5 * 60_000) / WINDOW * WINDOW;
    List<TimestampedValue<KV<String, Double>>> input = events(base);
    String writtenBin = "nh-written-" + runner + run;
    Pipeline p = Pipeline.create(Runners.options(runner));
    PCollection<TimeSeries> histograms =
        p.apply(
                Create.timestamped(input)
                    .withCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of())))
            .apply(Window.into(FixedWindows.of(Duration.millis(WINDOW))))
            .apply(
                PrometheusAggregate.<KV<String, Double>>nativeHistogram(METRIC)
                    .withLabels(kv -> Map.of("route", kv.getKey()))
                    .withConstantLabels(Map.of("run", run))
                    .withValue(KV::getValue)
                    // the slow ones carry a trace id: an exemplar per bucket and window
                    .withExemplars(kv -> kv.getValue() > 6 ? "trace-" + kv.getValue() : null));
    histograms.apply("Keep", ParDo.of(new Runners.Collect<>(writtenBin)));
    histograms
        .apply(
            PrometheusIO.remoteWrite()
                .withUrl(PROMETHEUS.remoteWriteUrl())
                .withProtocol(RemoteWriteProtocol.V1))
        .getFailures()
        .apply("Failures", ParDo.of(new Runners.Collect<>("nh-failed-" + runner + run)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals(List.of(), Runners.Collect.get("nh-failed-" + runner + run));

    // what the input says, window by window: running counts and sums per route
    String selector = METRIC + "{run=\"" + run + "\"}";
    for (int w = 0; w < WINDOWS; w++) {
      long end = base + (w + 1) * WINDOW - 1;
      Map<String, double[]> expected = new TreeMap<>();
      List<Double> bValues = new ArrayList<>();
      for (TimestampedValue<KV<String, Double>> e : input) {
        if (e.getTimestamp().getMillis() <= end) {
          double[] cs = expected.computeIfAbsent(e.getValue().getKey(), k -> new double[2]);
          cs[0]++;
          cs[1] += e.getValue().getValue();
          if (e.getValue().getKey().equals("/b")) {
            bValues.add(e.getValue().getValue());
          }
        }
      }
      Map<String, Double> counts =
          byRoute(PROMETHEUS.instant("histogram_count(" + selector + ")", end));
      Map<String, Double> sums =
          byRoute(PROMETHEUS.instant("histogram_sum(" + selector + ")", end));
      for (Map.Entry<String, double[]> e : expected.entrySet()) {
        assertEquals(
            "count of " + e.getKey() + " at " + end, e.getValue()[0], counts.get(e.getKey()), 0);
        assertEquals(
            "sum of " + e.getKey() + " at " + end, e.getValue()[1], sums.get(e.getKey()), 0);
      }
      // the median from the buckets, within one bucket's width (schema 3: a factor 2^(1/8))
      double[] sorted = bValues.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = sorted[sorted.length / 2];
      double q =
          byRoute(PROMETHEUS.instant("histogram_quantile(0.5, " + selector + ")", end)).get("/b");
      assertTrue(
          "median " + q + " vs " + median, Math.abs(q / median - 1) < Math.pow(2, 1 / 8.0) - 1);
    }

    // remote read returns the histograms written (Prometheus may add empty buckets when it
    // merges span layouts in a chunk, and knows resets only by chunk: compare the rest)
    String readBin = "nh-read-" + runner + run;
    Pipeline read = Pipeline.create(Runners.options(runner));
    read.apply(
            PrometheusIO.remoteRead()
                .withUrl(PROMETHEUS.baseUrl())
                .withSelector(selector)
                .withTimeRange(new Instant(base - 60_000), new Instant(base + 60_000))
                .withStreamedChunks())
        .apply(ParDo.of(new Runners.Collect<>(readBin)));
    assertEquals(PipelineResult.State.DONE, read.run().waitUntilFinish());
    Map<String, String> written = points(Runners.Collect.get(writtenBin));
    Map<String, String> readBack = points(Runners.Collect.get(readBin));
    assertEquals(2 * WINDOWS, written.size());
    assertEquals(written, readBack);

    // the query API gives histograms as bucket boundaries: read() refuses them by name
    io.prombeam.source.PrometheusApiClient api =
        new io.prombeam.source.PrometheusApiClient(
            io.prombeam.http.HttpEndpoint.create().withUrl(PROMETHEUS.baseUrl()),
            io.prombeam.http.RetryPolicy.forSinks());
    java.io.IOException refused =
        org.junit.Assert.assertThrows(
            java.io.IOException.class,
            () -> api.queryRange(selector, base, base + WINDOWS * WINDOW, 5_000));
    assertTrue(refused.getMessage(), refused.getMessage().contains("returned native histograms"));

    // every exemplar written is stored, and none else
    List<String> sentExemplars = new ArrayList<>();
    for (TimeSeries ts : Runners.Collect.<TimeSeries>get(writtenBin)) {
      for (int i = 0; i < ts.exemplarCount(); i++) {
        sentExemplars.add(
            new TreeMap<>(ts.exemplar(i).labels().asMap())
                + " "
                + ts.exemplar(i).value()
                + "@"
                + ts.exemplar(i).timestamp());
      }
    }
    List<String> stored = PROMETHEUS.exemplars(selector, base - 60_000, base + 60_000);
    java.util.Collections.sort(sentExemplars);
    java.util.Collections.sort(stored);
    assertTrue("some exemplars", sentExemplars.size() >= 2 * WINDOWS);
    assertEquals(sentExemplars, stored);
  }

  private static Map<String, Double> byRoute(Map<Map<String, String>, Double> result) {
    Map<String, Double> out = new TreeMap<>();
    result.forEach((labels, v) -> out.put(labels.get("route"), v));
    return out;
  }

  /** "route@ts" to the histogram's count, sum, schema, zero bucket and non-empty buckets. */
  private static Map<String, String> points(List<TimeSeries> series) {
    Map<String, String> out = new TreeMap<>();
    for (TimeSeries ts : series) {
      for (int i = 0; i < ts.sampleCount(); i++) {
        NativeHistogram h = ts.histogram(i);
        String key = ts.labels().get("route") + "@" + ts.timestamp(i);
        out.put(
            key,
            h == null
                ? "float " + ts.value(i)
                : "count="
                    + h.count()
                    + " sum="
                    + h.sum()
                    + " schema="
                    + h.schema()
                    + " zero="
                    + h.zeroCount()
                    + "@"
                    + h.zeroThreshold()
                    + " +"
                    + buckets(h.positive())
                    + " -"
                    + buckets(h.negative()));
      }
    }
    return out;
  }

  private static String buckets(HistogramBuckets b) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < b.bucketCount(); i++) {
      if (b.count(i) != 0) {
        out.add(b.index(i) + ":" + (long) b.count(i));
      }
    }
    return Arrays.toString(out.toArray());
  }
}
