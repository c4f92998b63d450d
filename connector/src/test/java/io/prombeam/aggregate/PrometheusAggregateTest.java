package io.prombeam.aggregate;

import io.prombeam.model.MetricType;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import java.util.Map;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/** Exact series out of each kind, window type and pane timing (DirectRunner, TestStream). */
public class PrometheusAggregateTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final Duration TEN_S = Duration.standardSeconds(10);

  /** (route, value) events. */
  private static TimestampedValue<KV<String, Double>> ev(String route, double v, long ms) {
    return TimestampedValue.of(KV.of(route, v), new Instant(ms));
  }

  @SafeVarargs
  private final PCollection<KV<String, Double>> events(
      TimestampedValue<KV<String, Double>>... evs) {
    return p.apply(
        Create.timestamped(java.util.Arrays.asList(evs))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of())));
  }

  /** One "name{labels} ts=value TYPE" line per sample (a series may carry several samples). */
  private static PCollection<String> lines(PCollection<TimeSeries> series) {
    return series.apply(
        FlatMapElements.into(TypeDescriptors.strings())
            .via(
                ts -> {
                  java.util.List<String> out = new java.util.ArrayList<>();
                  for (int i = 0; i < ts.sampleCount(); i++) {
                    double v = ts.value(i);
                    out.add(
                        ts.labels()
                            + " "
                            + ts.timestamp(i)
                            + "="
                            + (StaleMarker.isStale(v) ? "stale" : String.valueOf(v))
                            + " "
                            + ts.metadata().type());
                  }
                  return out;
                }));
  }

  private static CounterAggregate<KV<String, Double>> counter() {
    return PrometheusAggregate.<KV<String, Double>>counter("req_total")
        .withLabels(kv -> Map.of("route", kv.getKey()));
  }

  @Test
  public void counterIsMonotonicAcrossFixedWindowsStampedAtWindowEnd() {
    PCollection<TimeSeries> out =
        events(
                ev("a", 1, 1000),
                ev("a", 1, 2000),
                ev("a", 1, 3000),
                ev("a", 1, 12_000),
                ev("a", 1, 13_000),
                ev("b", 1, 15_000))
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(counter().withConstantLabels(Map.of("job", "t")));
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{job=\"t\",route=\"a\"} 9999=3.0 COUNTER",
            "req_total{job=\"t\",route=\"a\"} 19999=5.0 COUNTER",
            "req_total{job=\"t\",route=\"b\"} 19999=1.0 COUNTER");
    p.run();
  }

  @Test
  public void counterWithValuesAndCreatedSeries() {
    PCollection<TimeSeries> out =
        events(ev("a", 2.5, 1000), ev("a", 0.5, 11_000))
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(counter().withValue(KV::getValue).withCreatedSeries());
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{route=\"a\"} 9999=2.5 COUNTER",
            "req_total{route=\"a\"} 19999=3.0 COUNTER",
            "req_created{route=\"a\"} 9999=0.0 GAUGE",
            "req_created{route=\"a\"} 19999=0.0 GAUGE");
    p.run();
  }

  @Test
  public void runningTotalsCarryTheirFirstWindowsStartAsStartTimestamp() {
    PCollection<TimeSeries> out =
        events(ev("a", 1, 21_000), ev("a", 1, 32_000))
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(counter());
    PAssert.that(
            out.apply(
                FlatMapElements.into(TypeDescriptors.strings())
                    .via(
                        ts -> {
                          java.util.List<String> starts = new java.util.ArrayList<>();
                          for (int i = 0; i < ts.sampleCount(); i++) {
                            starts.add(ts.timestamp(i) + " from " + ts.startTimestamp(i));
                          }
                          return starts;
                        })))
        .containsInAnyOrder("29999 from 20000", "39999 from 20000");
    p.run();
  }

  @Test
  public void slidingWindowsCountEachEventOnce() {
    PCollection<TimeSeries> out =
        events(ev("a", 1, 1000), ev("a", 1, 12_000))
            .apply(Window.into(SlidingWindows.of(Duration.standardSeconds(30)).every(TEN_S)))
            .apply(counter());
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{route=\"a\"} 9999=1.0 COUNTER", "req_total{route=\"a\"} 19999=2.0 COUNTER");
    p.run();
  }

  @Test
  public void sessionsAddUp() {
    PCollection<TimeSeries> out =
        events(ev("a", 1, 1000), ev("a", 1, 3000), ev("a", 1, 20_000))
            .apply(Window.into(Sessions.withGapDuration(Duration.standardSeconds(5))))
            .apply(counter());
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{route=\"a\"} 7999=2.0 COUNTER", "req_total{route=\"a\"} 24999=3.0 COUNTER");
    p.run();
  }

  @Test
  public void globalWindowWithTriggerStampsTheLatestEventTime() {
    PCollection<TimeSeries> out =
        p.apply(
                TestStream.create(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()))
                    .addElements(ev("a", 1, 1000), ev("a", 1, 2000))
                    .addElements(ev("a", 1, 5000), ev("a", 1, 7000))
                    .advanceWatermarkToInfinity())
            .apply(
                Window.<KV<String, Double>>into(new GlobalWindows())
                    .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(2)))
                    .discardingFiredPanes())
            .apply(counter());
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{route=\"a\"} 2000=2.0 COUNTER", "req_total{route=\"a\"} 7000=4.0 COUNTER");
    p.run();
  }

  private PCollection<KV<String, Double>> earlyOnTimeLate(boolean accumulating) {
    TestStream<KV<String, Double>> stream =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()))
            .addElements(ev("a", 5, 1000))
            .addElements(ev("a", 7, 2000))
            .advanceWatermarkTo(new Instant(10_000))
            .addElements(ev("a", 1, 3000)) // late, within allowed lateness
            .addElements(ev("a", 4, 12_000))
            .advanceWatermarkToInfinity();
    Window<KV<String, Double>> w =
        Window.<KV<String, Double>>into(FixedWindows.of(TEN_S))
            .triggering(
                AfterWatermark.pastEndOfWindow()
                    .withEarlyFirings(AfterPane.elementCountAtLeast(1))
                    .withLateFirings(AfterPane.elementCountAtLeast(1)))
            .withAllowedLateness(Duration.standardMinutes(1));
    return p.apply(stream)
        .apply(accumulating ? w.accumulatingFiredPanes() : w.discardingFiredPanes());
  }

  @Test
  public void earlyOnTimeAndLatePanesGetDistinctTimestampsCountersStayExact() {
    // Accumulating panes re-deliver the window; the counter must still count each event once.
    PCollection<TimeSeries> out = earlyOnTimeLate(true).apply(counter());
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{route=\"a\"} 9999=1.0 COUNTER", // early
            "req_total{route=\"a\"} 10000=2.0 COUNTER", // early, restamped after the first
            "req_total{route=\"a\"} 10001=3.0 COUNTER", // late pane: right after the latest
            "req_total{route=\"a\"} 19999=4.0 COUNTER");
    p.run();
  }

  @Test
  public void discardingPanesGiveTheSameCounter() {
    PCollection<TimeSeries> out = earlyOnTimeLate(false).apply(counter());
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{route=\"a\"} 9999=1.0 COUNTER",
            "req_total{route=\"a\"} 10000=2.0 COUNTER",
            "req_total{route=\"a\"} 10001=3.0 COUNTER",
            "req_total{route=\"a\"} 19999=4.0 COUNTER");
    p.run();
  }

  @Test
  public void gaugeOfDiscardingPanesReducesEachPaneAlone() {
    PCollection<TimeSeries> out =
        earlyOnTimeLate(false)
            .apply(
                PrometheusAggregate.<KV<String, Double>>gauge("temp")
                    .withValue(KV::getValue)
                    .withReduction(GaugeReduction.MAX));
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "temp 9999=5.0 GAUGE",
            "temp 10000=7.0 GAUGE",
            "temp 10001=1.0 GAUGE",
            "temp 19999=4.0 GAUGE");
    p.run();
  }

  @Test
  public void gaugeLatePanesUnderFoldIntoNextAreNotEmitted() {
    PCollection<TimeSeries> out =
        earlyOnTimeLate(true)
            .apply(
                PrometheusAggregate.<KV<String, Double>>gauge("temp")
                    .withValue(KV::getValue)
                    .withReduction(GaugeReduction.MAX)
                    .withLatePanePolicy(LatePanePolicy.FOLD_INTO_NEXT));
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "temp 9999=5.0 GAUGE", // first early pane; the second (max 7) and late pane are folded
            "temp 19999=4.0 GAUGE");
    p.run();
  }

  @Test
  public void gaugeReductions() {
    for (GaugeReduction r : GaugeReduction.values()) {
      PCollection<TimeSeries> out =
          p.apply(
                  "In" + r,
                  Create.timestamped(
                          java.util.List.of(ev("a", 3, 1000), ev("a", 9, 5000), ev("a", 6, 2000)))
                      .withCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of())))
              .apply("W" + r, Window.into(FixedWindows.of(TEN_S)))
              .apply(
                  "G" + r,
                  PrometheusAggregate.<KV<String, Double>>gauge("g_" + r.name().toLowerCase())
                      .withValue(KV::getValue)
                      .withReduction(r));
      double want =
          r == GaugeReduction.LAST
              ? 9
              : r == GaugeReduction.MIN
                  ? 3
                  : r == GaugeReduction.MAX ? 9 : r == GaugeReduction.SUM ? 18 : 6;
      PAssert.that(
              "reduction " + r,
              out.apply(
                  "L" + r,
                  MapElements.into(TypeDescriptors.strings())
                      .via(
                          ts ->
                              ts.labels()
                                  + " "
                                  + ts.timestamp(0)
                                  + "="
                                  + ts.value(0)
                                  + " "
                                  + ts.metadata().type())))
          .containsInAnyOrder("g_" + r.name().toLowerCase() + " 9999=" + want + " GAUGE");
    }
    p.run();
  }

  @Test
  public void histogramBucketsAreCumulativeOverLeAndAcrossWindows() {
    PCollection<TimeSeries> out =
        events(ev("a", 0.5, 1000), ev("a", 3, 2000), ev("a", 7, 3000), ev("a", 1, 11_000))
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(
                PrometheusAggregate.<KV<String, Double>>histogram("lat_seconds", 1, 5)
                    .withValue(KV::getValue));
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "lat_seconds_bucket{le=\"1\"} 9999=1.0 HISTOGRAM",
            "lat_seconds_bucket{le=\"5\"} 9999=2.0 HISTOGRAM",
            "lat_seconds_bucket{le=\"+Inf\"} 9999=3.0 HISTOGRAM",
            "lat_seconds_sum 9999=10.5 HISTOGRAM",
            "lat_seconds_count 9999=3.0 HISTOGRAM",
            "lat_seconds_bucket{le=\"1\"} 19999=2.0 HISTOGRAM", // 1 <= le=1: bounds are inclusive
            "lat_seconds_bucket{le=\"5\"} 19999=3.0 HISTOGRAM",
            "lat_seconds_bucket{le=\"+Inf\"} 19999=4.0 HISTOGRAM",
            "lat_seconds_sum 19999=11.5 HISTOGRAM",
            "lat_seconds_count 19999=4.0 HISTOGRAM");
    p.run();
  }

  @Test
  public void perWindowHistogramStartsOverEachWindow() {
    PCollection<TimeSeries> out =
        events(ev("a", 0.5, 1000), ev("a", 3, 11_000))
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(
                PrometheusAggregate.<KV<String, Double>>histogram("h", 1)
                    .withValue(KV::getValue)
                    .withPerWindowCounts());
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "h_bucket{le=\"1\"} 9999=1.0 GAUGEHISTOGRAM",
                "h_bucket{le=\"+Inf\"} 9999=1.0 GAUGEHISTOGRAM",
            "h_sum 9999=0.5 GAUGEHISTOGRAM", "h_count 9999=1.0 GAUGEHISTOGRAM",
            "h_bucket{le=\"1\"} 19999=0.0 GAUGEHISTOGRAM",
                "h_bucket{le=\"+Inf\"} 19999=1.0 GAUGEHISTOGRAM",
            "h_sum 19999=3.0 GAUGEHISTOGRAM", "h_count 19999=1.0 GAUGEHISTOGRAM");
    p.run();
  }

  @Test
  public void summaryQuantilesPerWindowAndRunningSumCount() {
    TimestampedValue<KV<String, Double>>[] evs = new TimestampedValue[101];
    for (int i = 0; i < 101; i++) {
      evs[i] = ev("a", i + 1, 1000 + i);
    }
    PCollection<TimeSeries> out =
        events(evs)
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(
                PrometheusAggregate.<KV<String, Double>>summary("rt", 0.5, 0.9)
                    .withValue(KV::getValue));
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "rt{quantile=\"0.5\"} 9999=51.0 SUMMARY",
            "rt{quantile=\"0.9\"} 9999=91.0 SUMMARY",
            "rt_sum 9999=5151.0 SUMMARY",
            "rt_count 9999=101.0 SUMMARY");
    p.run();
  }

  @Test
  public void staleMarkersEndSilentLabelSets() {
    PCollection<TimeSeries> out =
        events(ev("a", 1, 1000), ev("b", 1, 1000), ev("b", 1, 45_000))
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(counter().withStaleAfter(Duration.standardSeconds(30)));
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "req_total{route=\"a\"} 9999=1.0 COUNTER",
            "req_total{route=\"a\"} 39999=stale COUNTER",
            "req_total{route=\"b\"} 9999=1.0 COUNTER",
            "req_total{route=\"b\"} 39999=stale COUNTER",
            "req_total{route=\"b\"} 49999=2.0 COUNTER", // resumes from the kept total
            "req_total{route=\"b\"} 79999=stale COUNTER");
    p.run();
  }

  @Test
  public void cardinalityGuardSendsTheExcessToTheOverflowSeries() {
    PCollection<TimeSeries> out =
        events(
                ev("a", 1, 1000),
                ev("b", 1, 1000),
                ev("c", 1, 1000),
                ev("c", 1, 2000),
                ev("a", 1, 3000))
            .apply(Window.into(FixedWindows.of(TEN_S)))
            .apply(counter().withMaxSeriesPerWindow(2));
    // Which two label sets are admitted depends on arrival order; the totals must add up to 5
    // and the overflow series must exist with the rest.
    PAssert.that(out)
        .satisfies(
            all -> {
              double total = 0;
              int seriesCount = 0;
              boolean overflow = false;
              for (TimeSeries ts : all) {
                total += ts.value(ts.sampleCount() - 1);
                seriesCount++;
                overflow |= "true".equals(ts.labels().get("prombeam_overflow"));
                org.junit.Assert.assertEquals(MetricType.COUNTER, ts.metadata().type());
              }
              org.junit.Assert.assertEquals(5.0, total, 0);
              org.junit.Assert.assertEquals(3, seriesCount);
              org.junit.Assert.assertTrue(overflow);
              return null;
            });
    p.run();
  }
}
