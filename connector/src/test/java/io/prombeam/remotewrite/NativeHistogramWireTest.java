package io.prombeam.remotewrite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.NativeHistogramTest;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import io.prombeam.remotewrite.proto.RemoteWriteV2;
import java.util.List;
import org.junit.Test;

/**
 * Native histograms, exemplars and start timestamps on the wire, checked against messages built
 * with protobuf-java's generated classes from the spec's field values (1.0: byte-identical to
 * protobuf's own serialization) and decoded by them (2.0), sharing nothing with the encoder.
 */
public class NativeHistogramWireTest {
  private static final Labels SERIES = Labels.of("__name__", "rpc_seconds", "job", "api");

  /** The model's example histogram, with the NO reset hint. */
  private static NativeHistogram integerHistogram() {
    return NativeHistogramTest.example().withResetHint(NativeHistogram.ResetHint.NO);
  }

  private static PrometheusRemote.BucketSpan span(int offset, int length) {
    return PrometheusRemote.BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
  }

  /** The same histogram written by hand from the spec's meaning of each field. */
  private static PrometheusRemote.Histogram expectedIntegerHistogram(long timestamp) {
    return PrometheusRemote.Histogram.newBuilder()
        .setCountInt(8)
        .setSum(12.5)
        .setSchema(3)
        .setZeroThreshold(1e-128)
        .setZeroCountInt(1)
        .addNegativeSpans(span(5, 1))
        .addNegativeDeltas(1)
        .addPositiveSpans(span(0, 2))
        .addPositiveSpans(span(7, 1))
        .addPositiveDeltas(2)
        .addPositiveDeltas(1)
        .addPositiveDeltas(-2)
        .setResetHint(PrometheusRemote.Histogram.ResetHint.NO)
        .setTimestamp(timestamp)
        .build();
  }

  private static PrometheusRemote.Label label(String name, String value) {
    return PrometheusRemote.Label.newBuilder().setName(name).setValue(value).build();
  }

  @Test
  public void oneOhWritesHistogramsAndExemplarsAsProtobufDoes() throws Exception {
    TimeSeries ts =
        TimeSeries.builder(SERIES)
            .histogram(1000, integerHistogram())
            .histogram(2000, integerHistogram())
            .staleMarker(3000)
            .exemplar(Exemplar.of(Labels.of("trace_id", "abc"), 0.42, 1500))
            .build();
    PrometheusRemote.TimeSeries.Builder histograms =
        PrometheusRemote.TimeSeries.newBuilder()
            .addLabels(label("__name__", "rpc_seconds"))
            .addLabels(label("job", "api"))
            .addHistograms(expectedIntegerHistogram(1000))
            .addHistograms(expectedIntegerHistogram(2000));
    // the staleness marker is a float sample: an entry of its own, after the histograms, and the
    // exemplars go with the last entry (Prometheus appends them once the series exists)
    PrometheusRemote.TimeSeries.Builder stale =
        PrometheusRemote.TimeSeries.newBuilder()
            .addLabels(label("__name__", "rpc_seconds"))
            .addLabels(label("job", "api"))
            .addSamples(
                PrometheusRemote.Sample.newBuilder().setValue(StaleMarker.VALUE).setTimestamp(3000))
            .addExemplars(
                PrometheusRemote.Exemplar.newBuilder()
                    .addLabels(label("trace_id", "abc"))
                    .setValue(0.42)
                    .setTimestamp(1500));
    byte[] expected =
        PrometheusRemote.WriteRequest.newBuilder()
            .addTimeseries(histograms)
            .addTimeseries(stale)
            .build()
            .toByteArray();
    assertArrayEquals(expected, RemoteWriteCodec.encodeV1(List.of(ts)));
    // and back: the codec (remote-read SAMPLES and receive() use it) restores the series
    assertEquals(
        ts,
        TimeSeries.builder(SERIES)
            .histogram(1000, integerHistogram())
            .histogram(2000, integerHistogram())
            .exemplar(Exemplar.of(Labels.of("trace_id", "abc"), 0.42, 1500))
            .build()
            .toBuilder()
            .staleMarker(3000)
            .build());
    List<TimeSeries> back =
        RemoteWriteCodec.decodeWriteRequestUncompressed(RemoteWriteCodec.encodeV1(List.of(ts)));
    assertEquals(2, back.size());
    assertEquals(integerHistogram(), back.get(0).histogram(1));
    assertEquals(ts.exemplar(0), back.get(1).exemplar(0));
  }

  @Test
  public void aHistogramSeriesExemplarsFollowItsHistogramsInAnEntryOfTheirOwn() throws Exception {
    TimeSeries ts =
        TimeSeries.builder(SERIES)
            .histogram(1000, integerHistogram())
            .exemplar(Exemplar.of(Labels.of("trace_id", "abc"), 0.42, 900))
            .build();
    PrometheusRemote.WriteRequest req =
        PrometheusRemote.WriteRequest.parseFrom(RemoteWriteCodec.encodeV1(List.of(ts)));
    assertEquals(2, req.getTimeseriesCount());
    assertEquals(1, req.getTimeseries(0).getHistogramsCount());
    assertEquals(0, req.getTimeseries(0).getExemplarsCount());
    assertEquals(0, req.getTimeseries(1).getHistogramsCount());
    assertEquals(0, req.getTimeseries(1).getSamplesCount());
    assertEquals("abc", req.getTimeseries(1).getExemplars(0).getLabels(0).getValue());
  }

  @Test
  public void oneOhWritesFloatAndCustomBucketHistograms() throws Exception {
    NativeHistogram h =
        NativeHistogram.builder(NativeHistogram.CUSTOM_BUCKETS_SCHEMA)
            .count(3.5)
            .sum(1.75)
            .positiveBucket(0, 1.25)
            .positiveBucket(2, 2.25)
            .customValues(0.1, 0.5, 1.0)
            .resetHint(NativeHistogram.ResetHint.GAUGE)
            .build();
    TimeSeries ts = TimeSeries.builder(SERIES).histogram(7000, h).build();
    PrometheusRemote.Histogram expected =
        PrometheusRemote.Histogram.newBuilder()
            .setCountFloat(3.5)
            .setSum(1.75)
            .setSchema(-53)
            .setZeroCountFloat(0)
            .addPositiveSpans(span(0, 3))
            .addPositiveCounts(1.25)
            .addPositiveCounts(0)
            .addPositiveCounts(2.25)
            .setResetHint(PrometheusRemote.Histogram.ResetHint.GAUGE)
            .setTimestamp(7000)
            .addCustomValues(0.1)
            .addCustomValues(0.5)
            .addCustomValues(1.0)
            .build();
    PrometheusRemote.WriteRequest req =
        PrometheusRemote.WriteRequest.parseFrom(RemoteWriteCodec.encodeV1(List.of(ts)));
    assertEquals(expected, req.getTimeseries(0).getHistograms(0));
    assertArrayEquals(
        PrometheusRemote.WriteRequest.newBuilder()
            .addTimeseries(
                PrometheusRemote.TimeSeries.newBuilder()
                    .addLabels(label("__name__", "rpc_seconds"))
                    .addLabels(label("job", "api"))
                    .addHistograms(expected))
            .build()
            .toByteArray(),
        RemoteWriteCodec.encodeV1(List.of(ts)));
  }

  @Test
  public void twoOhFollowsTheSpecForHistogramsExemplarsAndStartTimestamps() throws Exception {
    TimeSeries histograms =
        TimeSeries.builder(SERIES)
            .histogram(1000, integerHistogram())
            .staleMarker(2000)
            .exemplar(Exemplar.of(Labels.of("trace_id", "abc"), 0.42, 900))
            .metadata(MetricMetadata.of(MetricType.HISTOGRAM, "RPC latency.", "seconds"))
            .build();
    TimeSeries counter =
        TimeSeries.builder("jobs_total")
            .label("job", "api")
            .sample(1000, 3, 500)
            .sample(2000, 5, 500)
            .exemplar(Exemplar.of(Labels.of("trace_id", "def"), 1, 1999))
            .build();
    RemoteWriteV2.Request req =
        RemoteWriteV2.Request.parseFrom(RemoteWriteCodec.encodeV2(List.of(histograms, counter)));
    List<String> symbols = req.getSymbolsList();
    assertEquals("", symbols.get(0));
    assertEquals(symbols.size(), symbols.stream().distinct().count());
    assertEquals(3, req.getTimeseriesCount());
    for (RemoteWriteV2.TimeSeries ts : req.getTimeseriesList()) {
      // never samples and histograms in one entry
      assertTrue(ts.getSamplesCount() == 0 || ts.getHistogramsCount() == 0);
      assertEquals(0, ts.getLabelsRefsCount() % 2);
    }
    RemoteWriteV2.TimeSeries h = req.getTimeseries(0);
    assertEquals("rpc_seconds", symbols.get(h.getLabelsRefs(1)));
    assertEquals(
        expectedIntegerHistogram(1000),
        PrometheusRemote.Histogram.parseFrom(h.getHistograms(0).toByteString()));
    RemoteWriteV2.TimeSeries last = req.getTimeseries(1); // exemplars go with the last entry
    assertEquals(0, h.getExemplarsCount());
    assertEquals(1, last.getExemplarsCount());
    assertEquals("trace_id", symbols.get(last.getExemplars(0).getLabelsRefs(0)));
    assertEquals("abc", symbols.get(last.getExemplars(0).getLabelsRefs(1)));
    assertEquals(0.42, last.getExemplars(0).getValue(), 0);
    assertEquals(900, last.getExemplars(0).getTimestamp());
    assertEquals(
        RemoteWriteV2.Metadata.MetricType.METRIC_TYPE_HISTOGRAM, h.getMetadata().getType());
    assertEquals("seconds", symbols.get(h.getMetadata().getUnitRef()));
    RemoteWriteV2.TimeSeries stale = req.getTimeseries(1);
    assertEquals(2000, stale.getSamples(0).getTimestamp());
    assertTrue(StaleMarker.isStale(stale.getSamples(0).getValue()));
    RemoteWriteV2.TimeSeries c = req.getTimeseries(2);
    assertEquals(2, c.getSamplesCount());
    for (RemoteWriteV2.Sample s : c.getSamplesList()) {
      assertEquals(500, s.getStartTimestamp());
      assertTrue(s.getStartTimestamp() <= s.getTimestamp());
    }
    assertEquals("def", symbols.get(c.getExemplars(0).getLabelsRefs(1)));
    // and our decoder (receive() uses it) restores both series
    List<TimeSeries> back =
        RemoteWriteCodec.decodeV2Request(
            RemoteWriteCodec.encodeV2Compressed(List.of(histograms, counter)));
    assertEquals(integerHistogram(), back.get(0).histogram(0));
    assertEquals(counter, back.get(2));
  }
}
