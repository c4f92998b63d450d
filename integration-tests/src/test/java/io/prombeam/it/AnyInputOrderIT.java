package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * The input users have, one element per sample in no order, into a real Prometheus (which refuses
 * out-of-order samples) and a real VictoriaMetrics (which keeps a repeat twice) at once, with the
 * default sink: every sample is stored exactly once with its exact timestamp and value, and the
 * only failures are the conflicting repeats, each named. Bounded input (merged whole per series)
 * and unbounded input (released by the watermark), on DirectRunner and embedded Flink.
 */
@RunWith(Parameterized.class)
public class AnyInputOrderIT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();
  @ClassRule public static final VictoriaMetricsServer VICTORIA = new VictoriaMetricsServer();

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public AnyInputOrderIT(String runner) {
    this.runner = runner;
  }

  private static TimeSeries sample(String run, int series, long t, double v) {
    return TimeSeries.builder("prombeam_it_any_order")
        .label("run", run)
        .label("s", Integer.toString(series))
        .label("job", "it")
        .sample(t, v)
        .build();
  }

  @Test
  public void boundedShuffledSamplesWithRepeatsAreStoredExactlyOnce() throws Exception {
    boundedShuffledSamplesWithRepeats(Runners.options(runner));
  }

  /**
   * The same bounded input with {@code --streaming=true}: on Flink the sink then merges in keyed
   * state (buckets of series appended to a bag, compacted, sent when the input ends); the
   * DirectRunner keeps its own merge, and must deliver everything with the flag set too.
   */
  @Test
  public void boundedShuffledSamplesWithRepeatsAreStoredExactlyOnceInStreamingMode()
      throws Exception {
    boundedShuffledSamplesWithRepeats(Runners.options(runner, "--streaming=true"));
  }

  /**
   * The same in streaming mode with the runner options docs/remote-write.md suggests for a backfill
   * there: bundles spanning the input (the in-bundle merge then sees whole series) and Flink's
   * object reuse (no copy between chained steps, so any step that modified an element it had
   * emitted, or its input, would corrupt what the receivers store). Inert on the DirectRunner.
   */
  @Test
  public void boundedShuffledSamplesWithRepeatsAreStoredExactlyOnceWithTheStreamingBackfillOptions()
      throws Exception {
    boundedShuffledSamplesWithRepeats(
        Runners.options(
            runner,
            "--streaming=true",
            "--objectReuse=true",
            "--maxBundleSize=100000000",
            "--maxBundleTimeMills=600000"));
  }

  @Test
  public void aBoundedSeriesPastMaxSamplesPerSeriesStopsThePipelineAndNoneOfItIsSent()
      throws Exception {
    seriesPastTheBound(Runners.options(runner));
  }

  @Test
  public void aBoundedSeriesPastMaxSamplesPerSeriesStopsThePipelineInStreamingModeToo()
      throws Exception {
    seriesPastTheBound(Runners.options(runner, "--streaming=true"));
  }

  /**
   * One series of 1,500 shuffled samples under {@code withMaxSamplesPerSeries(1_000)}, among small
   * ones: the cross-worker merge (a combine, Flink batch's grouping, or the streaming merge) stops
   * the pipeline with an error naming the series and the bound, and no sample of that series
   * reaches Prometheus (a part of it sent would be a series cut short without anyone told).
   */
  private void seriesPastTheBound(PipelineOptions options) throws Exception {
    String run = UUID.randomUUID().toString();
    long base = System.currentTimeMillis() - 20 * 60_000L;
    List<TimeSeries> input = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      input.add(sample(run, 7, base + i * 500L, i));
    }
    for (int s = 0; s < 20; s++) {
      if (s != 7) {
        input.add(sample(run, s, base, s));
      }
    }
    Collections.shuffle(input, new Random(11));
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(input))
        .apply(
            PrometheusIO.remoteWrite()
                .withUrl(PROMETHEUS.remoteWriteUrl())
                .withMaxSamplesPerSeries(1_000));
    String error = null;
    try {
      p.run().waitUntilFinish();
    } catch (RuntimeException e) {
      StringBuilder chain = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) {
        chain.append(t).append('\n');
      }
      error = chain.toString();
    }
    assertTrue("a series of 1,500 samples passed a bound of 1,000", error != null);
    assertTrue(error, error.contains("s=\"7\""));
    assertTrue(error, error.contains("1,000 samples (withMaxSamplesPerSeries)"));
    Map<Integer, TreeMap<Long, Double>> stored =
        fromPrometheus(
            PROMETHEUS.rawSamples(
                "prombeam_it_any_order{run=\"" + run + "\",s=\"7\"}",
                "30m",
                System.currentTimeMillis()));
    assertEquals("samples of the series past the bound in Prometheus", Map.of(), stored);
  }

  private void boundedShuffledSamplesWithRepeats(PipelineOptions options) throws Exception {
    String run = UUID.randomUUID().toString();
    int series = 300;
    int samples = 40;
    long base = System.currentTimeMillis() - 20 * 60_000L;
    Map<Integer, TreeMap<Long, Double>> expected = new TreeMap<>();
    List<TimeSeries> input = new ArrayList<>();
    for (int s = 0; s < series; s++) {
      for (int i = 0; i < samples; i++) {
        long t = base + i * 15_000L + s;
        double v = s * 1000 + i + 0.5;
        expected.computeIfAbsent(s, k -> new TreeMap<>()).put(t, v);
        input.add(sample(run, s, t, v));
        if ((s + i) % 7 == 0) {
          input.add(sample(run, s, t, v)); // an exact repeat
        }
      }
    }
    int[] conflicted = {7, 77, 177};
    for (int s : conflicted) {
      input.add(sample(run, s, base + 5 * 15_000L + s, -1)); // same timestamp, another value
    }
    Collections.shuffle(input, new Random(7));

    Pipeline p = Pipeline.create(options);
    PCollection<TimeSeries> samplesIn = p.apply(Create.of(input));
    String bin = "any-order-bounded-" + run;
    samplesIn
        .apply("ToPrometheus", PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()))
        .getFailures()
        .apply("CollectP", ParDo.of(new Runners.Collect<WriteFailure>(bin + "-p")));
    samplesIn
        .apply("ToVictoria", PrometheusIO.remoteWrite().withUrl(VICTORIA.remoteWriteUrl()))
        .getFailures()
        .apply("CollectV", ParDo.of(new Runners.Collect<WriteFailure>(bin + "-v")));
    p.run().waitUntilFinish();

    String selector = "prombeam_it_any_order{run=\"" + run + "\"}";
    assertStored(
        "Prometheus",
        withConflicts(expected, Runners.Collect.get(bin + "-p"), conflicted.length, base),
        fromPrometheus(PROMETHEUS.rawSamples(selector, "30m", System.currentTimeMillis())));
    assertStored(
        "VictoriaMetrics",
        withConflicts(expected, Runners.Collect.get(bin + "-v"), conflicted.length, base),
        fromVictoria(VICTORIA.awaitExport(selector, (long) series * samples, 30_000)));
  }

  /**
   * Checks that the failures are exactly the conflicting repeats, and returns what the receiver
   * must then hold: whichever of the two values the sink kept, the failure holding the other.
   */
  private static Map<Integer, TreeMap<Long, Double>> withConflicts(
      Map<Integer, TreeMap<Long, Double>> expected,
      List<WriteFailure> failures,
      int conflicts,
      long base) {
    assertEquals(failures.toString(), conflicts, failures.size());
    Map<Integer, TreeMap<Long, Double>> out = new TreeMap<>();
    expected.forEach((s, samples) -> out.put(s, new TreeMap<>(samples)));
    for (WriteFailure f : failures) {
      assertEquals(SeriesRule.DUPLICATE_TIMESTAMP, f.rule());
      assertTrue(f.message(), f.message().contains("prombeam_it_any_order"));
      int s = Integer.parseInt(f.series().labels().get("s"));
      long t = f.series().timestamp(0);
      assertEquals(base + 5 * 15_000L + s, t);
      double failed = f.series().value(0);
      out.get(s).put(t, failed == -1 ? expected.get(s).get(t) : -1);
    }
    return out;
  }

  /** Sample {@code k} of the one large series, by a permutation of the element number. */
  static final class LargeSeriesSample extends DoFn<Long, TimeSeries> {
    private final String run;
    private final long samples;
    private final long base;

    LargeSeriesSample(String run, long samples, long base) {
      this.run = run;
      this.samples = samples;
      this.base = base;
    }

    @ProcessElement
    public void process(@Element Long i, OutputReceiver<TimeSeries> out) {
      long k = Math.floorMod(i * 7919, samples); // 7919 is prime and does not divide 'samples'
      out.output(sample(run, 0, base + k, k));
    }
  }

  /**
   * One series far larger than a request, as single samples in no order: merged whole on one
   * worker, then sent as consecutive requests in timestamp order, which Prometheus takes only in
   * that order.
   */
  @Test
  public void aSeriesLargerThanManyRequestsArrivesWholeAndInOrder() throws Exception {
    largeSeries(Runners.options(runner));
  }

  /**
   * The same large series with {@code --streaming=true}: on Flink through the keyed-state merge,
   * its bag compacted many times over.
   */
  @Test
  public void aSeriesLargerThanManyRequestsArrivesWholeAndInOrderInStreamingMode()
      throws Exception {
    largeSeries(Runners.options(runner, "--streaming=true"));
  }

  private void largeSeries(PipelineOptions options) throws Exception {
    String run = UUID.randomUUID().toString();
    long samples = 200_000;
    long base = System.currentTimeMillis() - 10 * 60_000L;
    Pipeline p = Pipeline.create(options);
    String bin = "any-order-large-" + run;
    p.apply(org.apache.beam.sdk.io.GenerateSequence.from(0).to(samples))
        .apply(ParDo.of(new LargeSeriesSample(run, samples, base)))
        .apply(PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()))
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<WriteFailure>(bin)));
    p.run().waitUntilFinish();
    assertEquals(List.of(), Runners.Collect.get(bin));
    String selector = "prombeam_it_any_order{run=\"" + run + "\"}";
    long at = base + samples;
    // every sample stored once: the count and the sum of the values 0..n-1, and the first and last
    assertEquals(
        (double) samples,
        PROMETHEUS.instant("count_over_time(" + selector + "[5m])", at).values().iterator().next(),
        0);
    assertEquals(
        (double) samples * (samples - 1) / 2,
        PROMETHEUS.instant("sum_over_time(" + selector + "[5m])", at).values().iterator().next(),
        0);
    assertEquals(
        0.0,
        PROMETHEUS.instant("min_over_time(" + selector + "[5m])", at).values().iterator().next(),
        0);
    assertEquals(
        (double) samples - 1,
        PROMETHEUS.instant("max_over_time(" + selector + "[5m])", at).values().iterator().next(),
        0);
  }

  /** Each tick: one sample of each series at the tick's time, scattered over the workers. */
  static final class Tick extends DoFn<Instant, TimeSeries> {
    private final String run;
    private final int series;

    Tick(String run, int series) {
      this.run = run;
      this.series = series;
    }

    @ProcessElement
    public void process(@Element Instant tick, OutputReceiver<TimeSeries> out) {
      for (int s = 0; s < series; s++) {
        out.output(sample(run, s, tick.getMillis(), s + tick.getMillis() % 100_000));
      }
    }
  }

  @Test
  public void unboundedSamplesFromSeveralWorkersAreStoredExactlyOnce() throws Exception {
    String run = UUID.randomUUID().toString();
    int series = 200;
    int ticks = 10;
    long interval = 300;
    Instant start = Instant.now().plus(Duration.standardSeconds(2));
    Map<Integer, TreeMap<Long, Double>> expected = new TreeMap<>();
    for (int s = 0; s < series; s++) {
      for (int k = 0; k < ticks; k++) {
        long t = start.getMillis() + k * interval;
        expected.computeIfAbsent(s, x -> new TreeMap<>()).put(t, (double) (s + t % 100_000));
      }
    }
    Pipeline p = Pipeline.create(Runners.options(runner));
    PCollection<TimeSeries> samplesIn =
        p.apply(
                PeriodicImpulse.create()
                    .startAt(start)
                    .stopAt(start.plus(Duration.millis(interval * (ticks - 1))))
                    .withInterval(Duration.millis(interval)))
            .apply(ParDo.of(new Tick(run, series)))
            .apply(Reshuffle.viaRandomKey());
    String bin = "any-order-unbounded-" + run;
    samplesIn
        .apply("ToPrometheus", PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()))
        .getFailures()
        .apply("CollectP", ParDo.of(new Runners.Collect<WriteFailure>(bin)));
    samplesIn
        .apply("ToVictoria", PrometheusIO.remoteWrite().withUrl(VICTORIA.remoteWriteUrl()))
        .getFailures()
        .apply("CollectV", ParDo.of(new Runners.Collect<WriteFailure>(bin)));
    p.run().waitUntilFinish();

    assertEquals(List.of(), Runners.Collect.get(bin));
    String selector = "prombeam_it_any_order{run=\"" + run + "\"}";
    assertStored(
        "Prometheus",
        expected,
        fromPrometheus(PROMETHEUS.rawSamples(selector, "5m", System.currentTimeMillis())));
    assertStored(
        "VictoriaMetrics",
        expected,
        fromVictoria(VICTORIA.awaitExport(selector, (long) series * ticks, 30_000)));
  }

  private static Map<Integer, TreeMap<Long, Double>> fromPrometheus(
      Map<Map<String, String>, TreeMap<Long, Double>> stored) {
    Map<Integer, TreeMap<Long, Double>> out = new TreeMap<>();
    stored.forEach((labels, samples) -> out.put(Integer.parseInt(labels.get("s")), samples));
    return out;
  }

  /** VictoriaMetrics' samples by series; a sample stored twice fails here. */
  private static Map<Integer, TreeMap<Long, Double>> fromVictoria(
      Map<Map<String, String>, List<long[]>> stored) {
    Map<Integer, TreeMap<Long, Double>> out = new TreeMap<>();
    stored.forEach(
        (labels, samples) -> {
          TreeMap<Long, Double> byTime = new TreeMap<>();
          for (long[] s : samples) {
            Double before = byTime.put(s[0], Double.longBitsToDouble(s[1]));
            assertEquals(
                "VictoriaMetrics holds sample " + s[0] + " of " + labels + " once", null, before);
          }
          out.put(Integer.parseInt(labels.get("s")), byTime);
        });
    return out;
  }

  /** Every series, every sample, exactly; reports the first series that differs. */
  private static void assertStored(
      String receiver,
      Map<Integer, TreeMap<Long, Double>> expected,
      Map<Integer, TreeMap<Long, Double>> stored) {
    assertEquals(receiver + ": series stored", expected.keySet(), stored.keySet());
    for (Map.Entry<Integer, TreeMap<Long, Double>> e : expected.entrySet()) {
      assertEquals(
          receiver + ": samples of series " + e.getKey(), e.getValue(), stored.get(e.getKey()));
    }
  }
}
