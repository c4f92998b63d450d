package io.prombeam.model;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Optional;
import org.junit.Test;

public class SeriesValidatorTest {

  private static SeriesViolation violation(TimeSeries ts) {
    Optional<SeriesViolation> v = SeriesValidator.DEFAULT.validate(ts);
    assertTrue("expected a violation for " + ts, v.isPresent());
    return v.get();
  }

  @Test
  public void acceptsValidSeriesIncludingColonsAndStaleMarkers() {
    TimeSeries ts =
        TimeSeries.builder("job:http_requests:rate5m")
            .label("_x", "1")
            .label("A9", "v")
            .staleMarker(1)
            .build();
    assertFalse(SeriesValidator.DEFAULT.validate(ts).isPresent());
  }

  @Test
  public void missingMetricName() {
    TimeSeries ts = TimeSeries.builder(Labels.of("job", "x")).sample(1, 1).build();
    assertEquals(SeriesRule.MISSING_METRIC_NAME, violation(ts).rule());
    TimeSeries empty = TimeSeries.builder("").sample(1, 1).build();
    assertEquals(SeriesRule.MISSING_METRIC_NAME, violation(empty).rule());
  }

  @Test
  public void invalidMetricName() {
    SeriesViolation v = violation(TimeSeries.builder("http-requests").sample(1, 1).build());
    assertEquals(SeriesRule.INVALID_METRIC_NAME, v.rule());
    assertThat(v.message(), containsString("http-requests"));
    assertThat(v.message(), containsString("[a-zA-Z_:][a-zA-Z0-9_:]*"));
    assertEquals(
        SeriesRule.INVALID_METRIC_NAME,
        violation(TimeSeries.builder("1abc").sample(1, 1).build()).rule());
  }

  @Test
  public void invalidLabelNameNamesTheLabel() {
    SeriesViolation v = violation(TimeSeries.builder("m").label("a:b", "1").sample(1, 1).build());
    assertEquals(SeriesRule.INVALID_LABEL_NAME, v.rule());
    assertThat(v.message(), containsString("\"a:b\""));
    assertEquals(
        SeriesRule.INVALID_LABEL_NAME,
        violation(TimeSeries.builder("m").label("9a", "1").sample(1, 1).build()).rule());
  }

  @Test
  public void reservedLabelName() {
    SeriesViolation v =
        violation(TimeSeries.builder("m").label("__meta_x", "1").sample(1, 1).build());
    assertEquals(SeriesRule.RESERVED_LABEL_NAME, v.rule());
    assertThat(v.message(), containsString("__meta_x"));
  }

  @Test
  public void duplicateLabelName() {
    TimeSeries ts = TimeSeries.builder("m").label("a", "1").label("a", "2").sample(1, 1).build();
    assertEquals(SeriesRule.DUPLICATE_LABEL_NAME, violation(ts).rule());
  }

  @Test
  public void invalidUtf8Value() {
    TimeSeries ts = TimeSeries.builder("m").label("a", "x\uDC00").sample(1, 1).build();
    assertEquals(SeriesRule.INVALID_UTF8, violation(ts).rule());
  }

  @Test
  public void labelValueLimit() {
    TimeSeries ts = TimeSeries.builder("m").label("a", "x".repeat(11)).sample(1, 1).build();
    assertFalse(SeriesValidator.DEFAULT.validate(ts).isPresent());
    SeriesViolation v = SeriesValidator.withMaxLabelValueLength(10).validate(ts).get();
    assertEquals(SeriesRule.LABEL_VALUE_TOO_LONG, v.rule());
    assertThat(v.message(), containsString("11 chars > 10"));
  }

  @Test
  public void noSamples() {
    assertEquals(SeriesRule.NO_SAMPLES, violation(TimeSeries.builder("m").build()).rule());
  }

  @Test
  public void duplicateTimestampWithDifferentValues() {
    TimeSeries ts = TimeSeries.builder("m").sample(5, 1).sample(5, 2).build();
    assertEquals(SeriesRule.DUPLICATE_TIMESTAMP, violation(ts).rule());
    TimeSeries same = TimeSeries.builder("m").sample(5, 1).sample(5, 1).build();
    assertFalse(SeriesValidator.DEFAULT.validate(same).isPresent());
  }

  @Test
  public void farFutureTimestampsAreRefusedWithTheSkewNamed() {
    long now = System.currentTimeMillis();
    TimeSeries soon = TimeSeries.builder("m").sample(now + 60_000, 1).build();
    assertFalse(
        "a minute of clock skew is fine", SeriesValidator.DEFAULT.validate(soon).isPresent());
    TimeSeries future =
        TimeSeries.builder("m")
            .label("k", "v")
            .sample(now - 5, 1)
            .sample(now + 3_600_000, 2)
            .build();
    SeriesViolation v = violation(future);
    assertEquals(SeriesRule.TIMESTAMP_TOO_FAR_IN_FUTURE, v.rule());
    assertThat(v.message(), containsString("limit 600000 ms"));
    assertThat(v.message(), containsString("k=\"v\""));
    assertFalse(
        SeriesValidator.DEFAULT.maxFutureSkewMillis(Long.MAX_VALUE).validate(future).isPresent());
    assertEquals(
        SeriesRule.TIMESTAMP_TOO_FAR_IN_FUTURE,
        SeriesValidator.DEFAULT.maxFutureSkewMillis(0).validate(soon).get().rule());
  }

  /** The byte-level check of decoded label sets agrees with the string check, case by case. */
  @Test
  public void decodedLabelSetsGetTheSameVerdictAsTheStringsTheyCameFrom() throws Exception {
    Labels[] cases = {
      Labels.of("__name__", "up", "job", "node", "instance", "10.0.0.1:9100"),
      Labels.of("__name__", "job:rate:5m", "_x", "1", "A9", "v"),
      Labels.of("job", "no metric name"),
      Labels.of("__name__", ""),
      Labels.of("__name__", "http-requests"),
      Labels.of("__name__", "9lives"),
      Labels.of("__name__", "m", "a:b", "1"),
      Labels.of("__name__", "m", "9a", "1"),
      Labels.of("__name__", "m", "__meta_x", "1"),
      Labels.of("__name__", "m", "_", "1"),
      Labels.of("__name__", "m", "", "empty name"),
      Labels.of("__name__", "m", "a", "1", "a", "2"),
      Labels.of("__name__", "m", "route", "/api/ü"),
      Labels.of("__name__", "m", "long", "x".repeat(300)),
    };
    SeriesValidator strict = SeriesValidator.DEFAULT.maxLabelValueLength(100);
    for (SeriesValidator v : new SeriesValidator[] {SeriesValidator.DEFAULT, strict}) {
      for (Labels l : cases) {
        Labels decoded = org.apache.beam.sdk.util.CoderUtils.clone(LabelsCoder.of(), l);
        assertEquals(
            l.toString(), describe(v.validateLabels(l)), describe(v.validateLabels(decoded)));
      }
    }
    assertTrue(
        strict
            .validateLabels(org.apache.beam.sdk.util.CoderUtils.clone(LabelsCoder.of(), cases[13]))
            .isPresent());
    assertFalse(
        SeriesValidator.DEFAULT
            .validateLabels(org.apache.beam.sdk.util.CoderUtils.clone(LabelsCoder.of(), cases[0]))
            .isPresent());
  }

  private static String describe(java.util.Optional<SeriesViolation> v) {
    return v.map(x -> x.rule() + ": " + x.message()).orElse("valid");
  }
}
