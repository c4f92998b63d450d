package io.prombeam.model;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Optional;
import org.junit.Test;

/** Native histograms, exemplars and start timestamps in the model: shape, coding, validation. */
public class NativeHistogramTest {

  /**
   * Schema 3, count 8, sum 12.5, zero bucket 1 at 1e-128, positive {0:2, 1:3, 9:1}, negative {5:1}.
   */
  public static NativeHistogram example() {
    return NativeHistogram.builder(3)
        .count(8)
        .sum(12.5)
        .zeroThreshold(1e-128)
        .zeroCount(1)
        .positiveBucket(0, 2)
        .positiveBucket(1, 3)
        .positiveBucket(9, 1)
        .negativeBucket(5, 1)
        .build();
  }

  @Test
  public void theBuilderWorksOutSpansAndDeltasFromCountsByIndex() {
    NativeHistogram h = example();
    HistogramBuckets p = h.positive();
    assertEquals(2, p.spanCount());
    assertEquals(0, p.spanOffset(0));
    assertEquals(2, p.spanLength(0));
    assertEquals(7, p.spanOffset(1)); // indexes 2..8 empty
    assertEquals(1, p.spanLength(1));
    assertEquals(2, p.delta(0));
    assertEquals(1, p.delta(1));
    assertEquals(-2, p.delta(2));
    assertEquals(9, p.index(2));
    assertEquals(1.0, p.count(2), 0);
    assertEquals(5, h.negative().index(0));
    assertFalse(h.isFloat());
  }

  @Test
  public void smallGapsAreFilledWithZeroBucketsNotNewSpans() {
    NativeHistogram h =
        NativeHistogram.builder(0).positiveBucket(0, 2).positiveBucket(3, 1).build();
    assertEquals(1, h.positive().spanCount());
    assertEquals(4, h.positive().spanLength(0));
    assertEquals(2, h.positive().delta(0));
    assertEquals(-2, h.positive().delta(1));
    assertEquals(0, h.positive().delta(2));
    assertEquals(1, h.positive().delta(3));
    assertEquals(3.0, h.count(), 0); // the count defaults to the buckets' total
  }

  @Test
  public void integerAndFloatCountsDoNotMix() {
    try {
      NativeHistogram.builder(0).count(2).positiveBucket(0, 1.5);
      throw new AssertionError("mixed counts accepted");
    } catch (IllegalStateException expected) {
      assertThat(expected.getMessage(), containsString("integer or float"));
    }
  }

  @Test
  public void theCoderCarriesHistogramsExemplarsAndStartTimestampsBitExactly() throws Exception {
    NativeHistogram floats =
        NativeHistogram.builder(-53)
            .count(3.5)
            .sum(Double.longBitsToDouble(0x7ff8000000000123L)) // a NaN payload survives
            .positiveBucket(0, 1.25)
            .positiveBucket(2, 2.25)
            .customValues(0.1, 0.5, 1.0)
            .resetHint(NativeHistogram.ResetHint.GAUGE)
            .build();
    TimeSeries histograms =
        TimeSeries.builder("rpc_seconds")
            .label("job", "api")
            .histogram(2000, example())
            .histogram(1000, floats)
            .staleMarker(3000)
            .exemplar(Exemplar.of(Labels.of("trace_id", "abc"), 0.42, 1500))
            .metadata(MetricMetadata.of(MetricType.HISTOGRAM, "RPC latency.", "seconds"))
            .build();
    TimeSeries counter =
        TimeSeries.builder("jobs_total").sample(2000, 5, 1000).sample(1000, 3, 1000).build();
    for (TimeSeries ts : new TimeSeries[] {histograms, counter}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TimeSeriesCoder.of().encode(ts, out);
      TimeSeries back = TimeSeriesCoder.of().decode(new ByteArrayInputStream(out.toByteArray()));
      assertEquals(ts, back);
      assertEquals(
          Double.doubleToRawLongBits(ts.histogram(0) == null ? 0 : ts.histogram(0).sum()),
          Double.doubleToRawLongBits(back.histogram(0) == null ? 0 : back.histogram(0).sum()));
    }
    // points sorted by timestamp, each keeping its own histogram and start timestamp
    assertEquals(1000, histograms.timestamp(0));
    assertTrue(histograms.histogram(0).isFloat());
    assertNull(histograms.histogram(2));
    assertEquals(1000, counter.startTimestamp(0));
    assertEquals(3.0, counter.value(0), 0);
  }

  @Test
  public void slicingKeepsEachExemplarOnce() {
    TimeSeries ts =
        TimeSeries.builder("x")
            .sample(1000, 1)
            .sample(2000, 2)
            .sample(3000, 3)
            .exemplar(Exemplar.of(Labels.of("trace_id", "a"), 1, 500))
            .exemplar(Exemplar.of(Labels.of("trace_id", "b"), 2, 2500))
            .exemplar(Exemplar.of(Labels.of("trace_id", "c"), 3, 9000))
            .build();
    assertEquals(1, ts.slice(0, 1).exemplarCount());
    assertEquals(1, ts.slice(1, 2).exemplarCount());
    assertEquals(1, ts.slice(2, 3).exemplarCount());
    assertEquals("c", ts.slice(2, 3).exemplar(0).labels().get("trace_id"));
  }

  private static Optional<SeriesViolation> validate(TimeSeries ts) {
    return SeriesValidator.DEFAULT.validate(ts);
  }

  private static void assertBroken(SeriesRule rule, String detail, TimeSeries ts) {
    Optional<SeriesViolation> v = validate(ts);
    assertTrue("expected " + rule + " for " + ts, v.isPresent());
    assertEquals(v.get().message(), rule, v.get().rule());
    assertThat(v.get().message(), containsString(detail));
    assertThat(v.get().message(), containsString("rpc_seconds"));
  }

  private static TimeSeries series(NativeHistogram h) {
    return TimeSeries.builder("rpc_seconds").histogram(1000, h).build();
  }

  @Test
  public void validHistogramSeriesPass() {
    assertFalse(validate(series(example())).isPresent());
    // a staleness marker may end a histogram series
    assertFalse(
        validate(
                TimeSeries.builder("rpc_seconds")
                    .histogram(1000, example())
                    .staleMarker(2000)
                    .build())
            .isPresent());
  }

  @Test
  public void theSpecsHistogramRulesAreChecked() {
    assertBroken(
        SeriesRule.INVALID_HISTOGRAM,
        "schema 9",
        series(NativeHistogram.builder(9).count(0).build()));
    assertBroken(
        SeriesRule.INVALID_HISTOGRAM,
        "observations in buckets but a count of 5",
        series(NativeHistogram.builder(0).count(5).positiveBucket(1, 2).build()));
    assertBroken(
        SeriesRule.INVALID_HISTOGRAM,
        "spans cover 3 buckets, 2 given",
        series(
            NativeHistogram.builder(0)
                .count(3)
                .positive(HistogramBuckets.ofDeltas(new int[] {0, 3}, new long[] {1, 1}))
                .build()));
    assertBroken(
        SeriesRule.INVALID_HISTOGRAM,
        "negative offset",
        series(
            NativeHistogram.builder(0)
                .count(2)
                .positive(HistogramBuckets.ofDeltas(new int[] {0, 1, -1, 1}, new long[] {1, 0}))
                .build()));
    assertBroken(
        SeriesRule.INVALID_HISTOGRAM,
        "bucket 1 has count -1",
        series(
            NativeHistogram.builder(0)
                .count(0)
                .positive(HistogramBuckets.ofDeltas(new int[] {0, 2}, new long[] {1, -2}))
                .build()));
    assertBroken(
        SeriesRule.INVALID_HISTOGRAM,
        "custom bound",
        series(NativeHistogram.builder(-53).count(0).customValues(1, 0.5).build()));
    assertBroken(
        SeriesRule.INVALID_HISTOGRAM,
        "zero threshold",
        series(NativeHistogram.builder(0).count(0).zeroThreshold(-1).build()));
  }

  @Test
  public void aSinkWhoseFormatHasNoHistogramsRefusesThemByName() {
    Optional<SeriesViolation> v = SeriesValidator.DEFAULT.floatsOnly().validate(series(example()));
    assertEquals(SeriesRule.HISTOGRAM_NOT_PUSHABLE, v.get().rule());
    assertThat(v.get().message(), containsString("rpc_seconds"));
    assertFalse(
        SeriesValidator.DEFAULT
            .floatsOnly()
            .validate(TimeSeries.builder("x").sample(1000, 1).build())
            .isPresent());
  }

  @Test
  public void floatsAndHistogramsDoNotShareASeries() {
    assertBroken(
        SeriesRule.MIXED_SAMPLES_AND_HISTOGRAMS,
        "float sample at 2000",
        TimeSeries.builder("rpc_seconds").histogram(1000, example()).sample(2000, 1).build());
  }

  @Test
  public void exemplarsAndStartTimestampsAreChecked() {
    assertBroken(
        SeriesRule.INVALID_EXEMPLAR,
        "exemplar label name \"1x\"",
        TimeSeries.builder("rpc_seconds")
            .sample(1000, 1)
            .exemplar(Exemplar.of(Labels.of("1x", "y"), 1, 1000))
            .build());
    assertBroken(
        SeriesRule.INVALID_EXEMPLAR,
        "129 characters",
        TimeSeries.builder("rpc_seconds")
            .sample(1000, 1)
            .exemplar(Exemplar.of(Labels.of("trace_id", "x".repeat(121)), 1, 1000))
            .build());
    assertBroken(
        SeriesRule.INVALID_START_TIMESTAMP,
        "start timestamp 5000 after the sample's timestamp 1000",
        TimeSeries.builder("rpc_seconds").sample(1000, 1, 5000).build());
  }

  @Test
  public void repeatsOfAHistogramAreDuplicatesOnlyWhenIdentical() {
    NativeHistogram other = NativeHistogram.builder(3).count(1).positiveBucket(0, 1).build();
    TimeSeries same =
        TimeSeries.builder("rpc_seconds")
            .histogram(1000, example())
            .histogram(1000, example())
            .build();
    assertFalse(validate(same).isPresent());
    assertBroken(
        SeriesRule.DUPLICATE_TIMESTAMP,
        "timestamp 1000",
        TimeSeries.builder("rpc_seconds")
            .histogram(1000, example())
            .histogram(1000, other)
            .build());
    assertArrayEquals(
        new double[] {0.1},
        NativeHistogram.builder(-53).customValues(0.1).build().customValues(),
        0);
  }
}
