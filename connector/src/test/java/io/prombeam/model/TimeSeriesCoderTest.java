package io.prombeam.model;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import io.prombeam.sink.FailureReason;
import io.prombeam.sink.WriteFailure;
import io.prombeam.sink.WriteFailureCoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.junit.Test;

public class TimeSeriesCoderTest {
  private static final TimeSeries FULL =
      TimeSeries.builder("http_request_duration_seconds_bucket")
          .label("le", "0.5")
          .label("route", "/api/ü")
          .sample(-5, 1.0)
          .sample(1_700_000_000_000L, Double.POSITIVE_INFINITY)
          .sample(1_700_000_015_000L, -0.0)
          .staleMarker(1_700_000_030_000L)
          .metadata(MetricMetadata.of(MetricType.HISTOGRAM, "Request latency", "seconds"))
          .build();

  @Test
  public void roundTripsEveryField() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(TimeSeriesCoder.of(), FULL);
    CoderProperties.coderDeterministic(TimeSeriesCoder.of(), FULL, FULL.toBuilder().build());
    CoderProperties.coderSerializable(TimeSeriesCoder.of());
    TimeSeries back = org.apache.beam.sdk.util.CoderUtils.clone(TimeSeriesCoder.of(), FULL);
    assertEquals(StaleMarker.BITS, Double.doubleToRawLongBits(back.value(3)));
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.value(2)));
    assertEquals(-5, back.timestamp(0));
    assertEquals("seconds", back.metadata().unit());
  }

  @Test
  public void keepsIllFormedStringsExactlySoValidationStillSeesThem() throws Exception {
    TimeSeries bad = TimeSeries.builder("m").label("v", "a\uD800b").sample(1, 1).build();
    TimeSeries back = org.apache.beam.sdk.util.CoderUtils.clone(TimeSeriesCoder.of(), bad);
    assertEquals("a\uD800b", back.labels().get("v"));
    assertEquals(SeriesRule.INVALID_UTF8, SeriesValidator.DEFAULT.validate(back).get().rule());
  }

  @Test
  public void encodingIsCompactForRegularScrapes() throws Exception {
    TimeSeries.Builder b = TimeSeries.builder("m");
    for (int i = 0; i < 100; i++) {
      b.sample(1_700_000_000_000L + i * 15_000L, i);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TimeSeriesCoder.of().encode(b.build(), out);
    // 8 bytes of value + ~3 bytes of timestamp delta per sample
    assertEquals(true, out.size() < 100 * 12 + 32);
    TimeSeries back = TimeSeriesCoder.of().decode(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(b.build(), back);
  }

  @Test
  public void truncatedOrCorruptBytesFailAsCoderErrors() throws Exception {
    byte[] good = org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(TimeSeriesCoder.of(), FULL);
    for (int cut = 1; cut < good.length; cut++) {
      byte[] truncated = java.util.Arrays.copyOf(good, cut);
      try {
        TimeSeriesCoder.of().decode(new ByteArrayInputStream(truncated));
        org.junit.Assert.fail("decoded a series cut at byte " + cut);
      } catch (java.io.IOException | IllegalArgumentException expected) {
        // CoderException or EOFException, never garbage
      }
    }
  }

  @Test
  public void isTheRegisteredDefaultCoder() throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    Coder<TimeSeries> c = p.getCoderRegistry().getCoder(TypeDescriptor.of(TimeSeries.class));
    assertSame(TimeSeriesCoder.of(), c);
    Coder<WriteFailure> f = p.getCoderRegistry().getCoder(TypeDescriptor.of(WriteFailure.class));
    assertSame(WriteFailureCoder.of(), f);
  }

  @Test
  public void writeFailureRoundTrips() throws Exception {
    WriteFailure f = new WriteFailure(FULL, FailureReason.REJECTED, null, 400, "out of bounds", 1);
    CoderProperties.coderDecodeEncodeEqual(WriteFailureCoder.of(), f);
    WriteFailure g =
        WriteFailure.invalid(FULL, new SeriesViolation(SeriesRule.INVALID_LABEL_NAME, "x"));
    assertArrayEquals(
        new Object[] {SeriesRule.INVALID_LABEL_NAME},
        new Object[] {org.apache.beam.sdk.util.CoderUtils.clone(WriteFailureCoder.of(), g).rule()});
  }
}
