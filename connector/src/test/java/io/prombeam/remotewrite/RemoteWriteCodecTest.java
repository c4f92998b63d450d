package io.prombeam.remotewrite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.IOException;
import java.util.List;
import org.junit.Test;
import org.xerial.snappy.Snappy;

public class RemoteWriteCodecTest {
  private static final List<TimeSeries> SERIES =
      List.of(
          TimeSeries.builder("http_requests_total")
              .label("job", "api")
              .label("route", "/ü/x")
              .sample(1_700_000_000_000L, 42.0)
              .sample(1_700_000_015_000L, 0.0) // proto3 default: omitted on the wire
              .staleMarker(1_700_000_030_000L)
              .type(MetricType.COUNTER)
              .help("Requests served.")
              .build(),
          TimeSeries.builder("temperature_celsius").sample(0, -3.5).build(), // timestamp 0 omitted
          TimeSeries.builder("latency_seconds_bucket")
              .label("le", "+Inf")
              .sample(1_700_000_000_000L, 7)
              .metadata(MetricMetadata.of(MetricType.HISTOGRAM, "Latency.", "seconds"))
              .build());

  @Test
  public void encodesTheSameBytesAsProtobufsOwnSerializer() {
    byte[] ours = new RemoteWriteV1Encoder().encode(SERIES);
    PrometheusRemote.WriteRequest.Builder reference = reference(SERIES).toBuilder();
    reference.addMetadata(
        PrometheusRemote.MetricMetadata.newBuilder()
            .setType(PrometheusRemote.MetricMetadata.MetricType.COUNTER)
            .setMetricFamilyName("http_requests_total")
            .setHelp("Requests served."));
    reference.addMetadata(
        PrometheusRemote.MetricMetadata.newBuilder()
            .setType(PrometheusRemote.MetricMetadata.MetricType.HISTOGRAM)
            .setMetricFamilyName("latency_seconds")
            .setHelp("Latency.")
            .setUnit("seconds"));
    assertArrayEquals(reference.build().toByteArray(), ours);
  }

  /**
   * The one-pass encoder guesses length sizes and patches them: every boundary of a varint length
   * (127/128 and 16383/16384 bytes), non-ASCII text of 2, 3 and 4 UTF-8 bytes, unpaired surrogates,
   * negative and huge timestamps, and a scratch buffer reused across requests of different sizes
   * must all give protobuf's own bytes.
   */
  @Test
  public void onePassEncoderMatchesProtobufOnEveryLengthBoundaryAndAnyText() throws IOException {
    java.util.Random random = new java.util.Random(7);
    String[] alphabet = {"a", "Z", "_", "é", "€", "\uD83D\uDE00", "\uD800", "\uDC00x", "0"};
    int[] lengths = {0, 1, 41, 42, 43, 126, 127, 128, 129, 5461, 16383, 16384, 70000};
    for (int round = 0; round < 40; round++) {
      List<TimeSeries> request = new java.util.ArrayList<>();
      int seriesCount = 1 + random.nextInt(5);
      for (int s = 0; s < seriesCount; s++) {
        TimeSeries.Builder b = TimeSeries.builder("m" + s);
        int labels = random.nextInt(4);
        for (int l = 0; l < labels; l++) {
          b.label("l" + l, text(random, alphabet, lengths[random.nextInt(lengths.length)]));
        }
        int samples = random.nextInt(4);
        for (int i = 0; i < samples; i++) {
          long[] ts = {0, 1, 127, 128, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1_700_000_000_000L};
          double[] vs = {0.0, -0.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY};
          b.sample(ts[random.nextInt(ts.length)] + i, vs[random.nextInt(vs.length)]);
        }
        request.add(b.build());
      }
      byte[] expected = reference(request).toByteArray();
      assertArrayEquals("round " + round, expected, new RemoteWriteV1Encoder().encode(request));
      RemoteWriteCodec.Body body =
          RemoteWriteCodec.encodeCompressed(new RemoteWriteV1Encoder(), request);
      assertEquals(expected.length, body.uncompressedBytes);
      assertArrayEquals("round " + round, expected, Snappy.uncompress(body.compressed));
      // As the writer gets them after a shuffle: label sets in their encoded form.
      List<TimeSeries> shuffled = new java.util.ArrayList<>();
      for (TimeSeries ts : request) {
        shuffled.add(
            org.apache.beam.sdk.util.CoderUtils.clone(io.prombeam.model.TimeSeriesCoder.of(), ts));
      }
      assertArrayEquals("round " + round, expected, new RemoteWriteV1Encoder().encode(shuffled));
    }
  }

  private static String text(java.util.Random random, String[] alphabet, int length) {
    StringBuilder sb = new StringBuilder();
    boolean ascii = random.nextBoolean();
    while (sb.length() < length) {
      sb.append(ascii ? "x" : alphabet[random.nextInt(alphabet.length)]);
    }
    return sb.toString();
  }

  private static PrometheusRemote.WriteRequest reference(List<TimeSeries> series) {
    PrometheusRemote.WriteRequest.Builder w = PrometheusRemote.WriteRequest.newBuilder();
    for (TimeSeries ts : series) {
      PrometheusRemote.TimeSeries.Builder t = PrometheusRemote.TimeSeries.newBuilder();
      for (int i = 0; i < ts.labels().size(); i++) {
        t.addLabels(
            PrometheusRemote.Label.newBuilder()
                .setName(ts.labels().name(i))
                .setValue(ts.labels().value(i)));
      }
      for (int i = 0; i < ts.sampleCount(); i++) {
        t.addSamples(
            PrometheusRemote.Sample.newBuilder()
                .setTimestamp(ts.timestamp(i))
                .setValue(ts.value(i)));
      }
      w.addTimeseries(t);
    }
    return w.build();
  }

  @Test
  public void roundTripsThroughSnappyAndTheGeneratedParser() throws IOException {
    byte[] wire = RemoteWriteCodec.encodeV1Compressed(SERIES);
    List<TimeSeries> back = RemoteWriteCodec.decodeWriteRequest(wire);
    assertEquals(SERIES, back);
    assertEquals(StaleMarker.BITS, Double.doubleToRawLongBits(back.get(0).value(2)));
  }

  @Test
  public void usesSnappyBlockFormatNotFramed() throws IOException {
    byte[] raw = new RemoteWriteV1Encoder().encode(SERIES);
    byte[] wire = RemoteWriteCodec.compress(raw);
    // Block format starts with the uncompressed length as a varint; the framed format would
    // start with the stream identifier chunk 0xff 0x06 0x00 0x00 "sNaPpY".
    assertFalse((wire[0] & 0xff) == 0xff);
    assertEquals(raw.length, Snappy.uncompressedLength(wire));
    assertArrayEquals(raw, Snappy.uncompress(wire));
    byte[] framed = {(byte) 0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y'};
    assertThrows(IOException.class, () -> RemoteWriteCodec.decodeWriteRequest(framed));
  }

  @Test
  public void refusesBodiesThatInflatePastTheLimit() throws IOException {
    byte[] big = Snappy.compress(new byte[1024]);
    assertThrows(IOException.class, () -> RemoteWriteCodec.decompress(big, 1000));
    assertEquals(1024, RemoteWriteCodec.decompress(big, 1024).length);
  }

  @Test
  public void decoderSortsLabelsFromSendersThatDoNot() throws IOException {
    PrometheusRemote.WriteRequest req =
        PrometheusRemote.WriteRequest.newBuilder()
            .addTimeseries(
                PrometheusRemote.TimeSeries.newBuilder()
                    .addLabels(PrometheusRemote.Label.newBuilder().setName("zz").setValue("1"))
                    .addLabels(
                        PrometheusRemote.Label.newBuilder().setName("__name__").setValue("m"))
                    .addSamples(PrometheusRemote.Sample.newBuilder().setTimestamp(5).setValue(1)))
            .build();
    TimeSeries ts = RemoteWriteCodec.decodeWriteRequestUncompressed(req.toByteArray()).get(0);
    assertEquals("__name__", ts.labels().name(0));
    assertTrue(ts.labels().get("zz").equals("1"));
  }
}
