package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.aggregate.PrometheusAggregate;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Events → PrometheusAggregate (counter, histogram, summary per 10 s window) → remote write → a
 * real Prometheus, where PromQL must give the numbers the events imply. DirectRunner and Flink.
 */
@RunWith(Parameterized.class)
public class AggregationIT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5};
  static final int EVENTS = 6000;

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public AggregationIT(String runner) {
    this.runner = runner;
  }

  static double latency(int i) {
    return ((i * 7919L) % 1000) / 1000.0 * (i % 3 == 0 ? 2.0 : 0.4); // 0..2 s, skewed low
  }

  @Test
  public void promqlAnswersMatchTheEvents() throws Exception {
    String job = "agg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    long now = System.currentTimeMillis();
    long start = now - 8 * 60_000L;
    List<TimestampedValue<KV<String, Double>>> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String route = i % 4 == 0 ? "/b" : "/a";
      events.add(TimestampedValue.of(KV.of(route, latency(i)), new Instant(start + (long) i * 80)));
    }

    Pipeline p = Pipeline.create(Runners.options(runner));
    PCollection<KV<String, Double>> windowed =
        p.apply(
                Create.timestamped(events)
                    .withCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of())))
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))));
    Map<String, String> constant = Map.of("job", job);
    PCollection<TimeSeries> counter =
        windowed.apply(
            "Counter",
            PrometheusAggregate.<KV<String, Double>>counter("it_requests_total")
                .withLabels(kv -> Map.of("route", kv.getKey()))
                .withConstantLabels(constant));
    PCollection<TimeSeries> histogram =
        windowed.apply(
            "Histogram",
            PrometheusAggregate.<KV<String, Double>>histogram("it_latency_seconds", BUCKETS)
                .withValue(KV::getValue)
                .withConstantLabels(constant));
    PCollection<TimeSeries> summary =
        windowed.apply(
            "Summary",
            PrometheusAggregate.<KV<String, Double>>summary("it_latency_summary_seconds", 0.5, 0.9)
                .withValue(KV::getValue)
                .withConstantLabels(constant));
    String bin = "agg-failures-" + job;
    PCollectionList.of(counter)
        .and(histogram)
        .and(summary)
        .apply(Flatten.pCollections())
        .apply(PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()).withShards(2))
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<WriteFailure>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals(List.of(), Runners.Collect.get(bin));

    long at = start + EVENTS * 80L + 20_000; // after the last window's end
    String sel = "{job=\"" + job + "\"}";
    // 1. The counter's latest value is the exact count per route.
    Map<Map<String, String>, Double> totals = PROMETHEUS.instant("it_requests_total" + sel, at);
    assertEquals(2, totals.size());
    for (Map.Entry<Map<String, String>, Double> e : totals.entrySet()) {
      assertEquals(
          e.getKey().toString(),
          e.getKey().get("route").equals("/b") ? EVENTS / 4 : EVENTS * 3 / 4,
          e.getValue(),
          0);
    }
    // 2. increase() over the whole run: Prometheus extrapolates to the range's edges, so allow 5%.
    double increase =
        PROMETHEUS
            .instant("sum(increase(it_requests_total" + sel + "[10m]))", at)
            .values()
            .iterator()
            .next();
    assertEquals(EVENTS, increase, EVENTS * 0.05);
    // 3. rate() over the last 2 minutes: 12.5 events/s (one every 80 ms), within 5%.
    double rate =
        PROMETHEUS
            .instant("sum(rate(it_requests_total" + sel + "[2m]))", at - 20_000)
            .values()
            .iterator()
            .next();
    assertEquals(12.5, rate, 12.5 * 0.05);
    // 4. histogram_quantile over the run lies in the bucket holding the true quantile.
    double[] all = new double[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      all[i] = latency(i);
    }
    Arrays.sort(all);
    for (double q : new double[] {0.5, 0.9}) {
      double exact = all[(int) Math.ceil(q * EVENTS) - 1];
      double est =
          PROMETHEUS
              .instant(
                  "histogram_quantile("
                      + q
                      + ", sum by (le) (increase(it_latency_seconds_bucket"
                      + sel
                      + "[10m])))",
                  at)
              .values()
              .iterator()
              .next();
      int b = 0;
      while (b < BUCKETS.length && BUCKETS[b] < exact) {
        b++;
      }
      double lo = b == 0 ? 0 : BUCKETS[b - 1];
      double hi = b == BUCKETS.length ? Double.POSITIVE_INFINITY : BUCKETS[b];
      assertTrue(
          "q"
              + q
              + ": estimate "
              + est
              + " outside bucket ("
              + lo
              + ", "
              + hi
              + "] of the exact "
              + exact,
          est >= lo && est <= hi);
    }
    // _count and _sum are exact.
    assertEquals(
        EVENTS,
        PROMETHEUS.instant("it_latency_seconds_count" + sel, at).values().iterator().next(),
        0);
    double sum = 0;
    for (double v : all) {
      sum += v;
    }
    assertEquals(
        sum,
        PROMETHEUS.instant("it_latency_seconds_sum" + sel, at).values().iterator().next(),
        1e-6);
    assertEquals(
        EVENTS,
        PROMETHEUS.instant("it_latency_summary_seconds_count" + sel, at).values().iterator().next(),
        0);
    // 5. The summary's median of the last window: a window this small (at most 125 values) is kept
    // whole, so the median is exact (nearest rank), whatever the window holds.
    long lastWindowStart = ((start + (EVENTS - 1) * 80L) / 10_000) * 10_000;
    List<Double> last = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      if (start + (long) i * 80 >= lastWindowStart) {
        last.add(latency(i));
      }
    }
    last.sort(null);
    double median =
        PROMETHEUS
            .instant("it_latency_summary_seconds{quantile=\"0.5\",job=\"" + job + "\"}", at)
            .values()
            .iterator()
            .next();
    assertEquals(
        "median of the last window's " + last.size() + " values",
        last.get((int) Math.ceil(0.5 * last.size()) - 1),
        median,
        0);
  }
}
