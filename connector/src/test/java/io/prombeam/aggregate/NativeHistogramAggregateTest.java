package io.prombeam.aggregate;

import static org.junit.Assert.assertEquals;

import io.prombeam.model.HistogramBuckets;
import io.prombeam.model.MetricType;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * Native histograms out of {@link PrometheusAggregate#nativeHistogram}: buckets, totals, limits.
 */
public class NativeHistogramAggregateTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static TimestampedValue<KV<String, Double>> ev(double v, long ms) {
    return TimestampedValue.of(KV.of("a", v), new Instant(ms));
  }

  private PCollection<KV<String, Double>> events(List<TimestampedValue<KV<String, Double>>> evs) {
    return p.apply(
        Create.timestamped(evs).withCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of())));
  }

  /** "ts count sum schema zero buckets(index:count) hint type" per histogram point. */
  private static PCollection<String> lines(PCollection<TimeSeries> series) {
    return series.apply(
        FlatMapElements.into(TypeDescriptors.strings())
            .via(
                ts -> {
                  List<String> out = new ArrayList<>();
                  if (SeriesValidator.DEFAULT
                      .maxFutureSkewMillis(Long.MAX_VALUE)
                      .validate(ts)
                      .isPresent()) {
                    out.add("INVALID " + ts);
                  }
                  for (int i = 0; i < ts.sampleCount(); i++) {
                    NativeHistogram h = ts.histogram(i);
                    if (h == null) {
                      out.add(
                          ts.timestamp(i)
                              + (StaleMarker.isStale(ts.value(i)) ? " stale" : " float"));
                      continue;
                    }
                    StringBuilder sb =
                        new StringBuilder()
                            .append(ts.timestamp(i))
                            .append(" count=")
                            .append(h.count())
                            .append(" sum=")
                            .append(h.sum())
                            .append(" schema=")
                            .append(h.schema())
                            .append(" zero=")
                            .append(h.zeroCount())
                            .append(" pos=");
                    buckets(sb, h.positive());
                    sb.append(" neg=");
                    buckets(sb, h.negative());
                    out.add(
                        sb.append(' ')
                            .append(h.resetHint())
                            .append(' ')
                            .append(ts.metadata().type())
                            .toString());
                  }
                  return out;
                }));
  }

  private static void buckets(StringBuilder sb, HistogramBuckets b) {
    for (int i = 0; i < b.bucketCount(); i++) {
      if (b.count(i) != 0) {
        sb.append(b.index(i)).append(':').append((long) b.count(i)).append(',');
      }
    }
  }

  private NativeHistogramAggregate<KV<String, Double>> histogram() {
    return PrometheusAggregate.<KV<String, Double>>nativeHistogram("rpc_seconds")
        .withLabels(kv -> Map.of("route", kv.getKey()))
        .withValue(KV::getValue);
  }

  @Test
  public void bucketsFollowTheSchemaAndTotalsAreMonotonicAcrossWindows() {
    PCollection<TimeSeries> out =
        events(
                List.of(
                    ev(1.0, 1000), // schema 0: bucket 0 = (0.5, 1]
                    ev(3.0, 2000), // bucket 2 = (2, 4]
                    ev(0.0, 3000), // zero bucket
                    ev(-3.0, 4000), // negative bucket 2
                    ev(4.0, 12_000))) // bucket 2 again, in the next window
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
            .apply(histogram().withSchema(0));
    PAssert.that(lines(out))
        .containsInAnyOrder(
            "9999 count=4.0 sum=1.0 schema=0 zero=1.0 pos=0:1,2:1, neg=2:1, UNKNOWN HISTOGRAM",
            "19999 count=5.0 sum=5.0 schema=0 zero=1.0 pos=0:1,2:2, neg=2:1, UNKNOWN HISTOGRAM");
    p.run();
  }

  @Test
  public void tooManyBucketsHalveTheResolution() {
    List<TimestampedValue<KV<String, Double>>> evs = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      evs.add(ev(Math.pow(2, i / 8.0 + 0.01), 1000)); // 64 buckets at schema 3
    }
    PCollection<TimeSeries> out =
        events(evs)
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
            .apply(histogram().withSchema(3).withMaxBuckets(10).withPerWindowCounts());
    // 64 buckets at schema 3 span 8 powers of two: schema 0 has 8 buckets (one per power), <= 10
    PAssert.that(lines(out))
        .satisfies(
            it -> {
              String line = it.iterator().next();
              assertEquals(
                  line.substring(line.indexOf("schema"), line.indexOf(" neg")),
                  "schema=0 zero=0.0 pos=1:8,2:8,3:8,4:8,5:8,6:8,7:8,8:8,");
              assertEquals(true, line.endsWith("GAUGE GAUGEHISTOGRAM"));
              return null;
            });
    p.run();
  }

  private static TimestampedValue<KV<String, Double>> traced(String trace, double v, long ms) {
    return TimestampedValue.of(KV.of(trace, v), new Instant(ms));
  }

  @Test
  public void eachBucketKeepsItsLatestTracedObservationAsAnExemplarPerWindow() {
    PCollection<TimeSeries> out =
        events(
                List.of(
                    traced("a", 1.0, 1000),
                    traced("b", 1.0, 2000), // later in the same bucket: replaces a
                    traced("c", 3.0, 1500),
                    traced("", 0.0, 1700), // no trace id: no exemplar
                    traced("d", 4.0, 12_000)))
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
            .apply(
                PrometheusAggregate.<KV<String, Double>>nativeHistogram("rpc_seconds")
                    .withValue(KV::getValue)
                    .withSchema(0)
                    .withExemplars(KV::getKey));
    PAssert.that(
            out.apply(
                FlatMapElements.into(TypeDescriptors.strings())
                    .via(
                        ts -> {
                          List<String> got = new ArrayList<>();
                          for (int i = 0; i < ts.exemplarCount(); i++) {
                            got.add(
                                ts.exemplar(i).labels()
                                    + " "
                                    + ts.exemplar(i).value()
                                    + "@"
                                    + ts.exemplar(i).timestamp());
                          }
                          return got;
                        })))
        .containsInAnyOrder(
            "{trace_id=\"b\"} 1.0@2000", "{trace_id=\"c\"} 3.0@1500", "{trace_id=\"d\"} 4.0@12000");
    p.run();
  }

  @Test
  public void indexesMatchPrometheusBucketBoundaries() {
    // upper bounds are inclusive: 2^(i * 2^-schema) belongs to bucket i
    assertEquals(0, NativeBuckets.index(1.0, 3));
    assertEquals(8, NativeBuckets.index(2.0, 3));
    assertEquals(5, NativeBuckets.index(1.5, 3)); // 2^(4/8)=1.414 < 1.5 <= 2^(5/8)=1.542
    assertEquals(1, NativeBuckets.index(2.0, 0));
    assertEquals(2, NativeBuckets.index(3.0, 0));
    assertEquals(1, NativeBuckets.index(3.0, -1)); // base 4: (1, 4]
    assertEquals(0, NativeBuckets.index(0.3, -1)); // (0.25, 1]
    assertEquals(-8, NativeBuckets.index(0.5, 3));
    assertEquals(MetricType.HISTOGRAM, MetricType.valueOf("HISTOGRAM"));
  }
}
