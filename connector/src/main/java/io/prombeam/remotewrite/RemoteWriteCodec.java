package io.prombeam.remotewrite;

import com.google.protobuf.InvalidProtocolBufferException;
import io.prombeam.model.Exemplar;
import io.prombeam.model.HistogramBuckets;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricFamilies;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import io.prombeam.remotewrite.proto.RemoteWriteV2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.annotations.Internal;
import org.xerial.snappy.Snappy;

/**
 * The one codec of remote write and remote read, shared by the sinks and the sources: snappy
 * <em>block</em> format (what the spec requires; not the framed/stream format) around protobuf.
 */
@Internal
public final class RemoteWriteCodec {
  /** Largest decompressed body accepted, as Prometheus' own receiver limits it (32 MiB). */
  public static final int MAX_DECOMPRESSED_BYTES = 32 << 20;

  private RemoteWriteCodec() {}

  /** Snappy block compression. */
  public static byte[] compress(byte[] raw) {
    try {
      return Snappy.compress(raw);
    } catch (IOException e) {
      throw new UncheckedIOException("snappy compression failed", e);
    }
  }

  /** Snappy block decompression, refusing bodies that would inflate past {@code maxBytes}. */
  public static byte[] decompress(byte[] compressed, int maxBytes) throws IOException {
    if (!Snappy.isValidCompressedBuffer(compressed)) {
      throw new IOException("body is not a snappy block (the framed format is not remote write)");
    }
    int len = Snappy.uncompressedLength(compressed);
    if (len < 0 || len > maxBytes) {
      throw new IOException(
          "snappy body inflates to " + len + " bytes, over the limit of " + maxBytes);
    }
    return Snappy.uncompress(compressed);
  }

  /** Encodes a remote-write 1.0 request, uncompressed. */
  public static byte[] encodeV1(List<TimeSeries> series) {
    return V1.encode(series);
  }

  /** Encodes and compresses a remote-write 1.0 request. */
  public static byte[] encodeV1Compressed(List<TimeSeries> series) {
    return encodeCompressed(V1, series).compressed;
  }

  /** Encodes a remote-write 2.0 request, uncompressed. */
  public static byte[] encodeV2(List<TimeSeries> series) {
    return V2.encode(series);
  }

  /** Encodes and compresses a remote-write 2.0 request. */
  public static byte[] encodeV2Compressed(List<TimeSeries> series) {
    return encodeCompressed(V2, series).compressed;
  }

  /** A compressed request body and its size before compression. */
  public static final class Body {
    public final byte[] compressed;
    public final int uncompressedBytes;

    Body(byte[] compressed, int uncompressedBytes) {
      this.compressed = compressed;
      this.uncompressedBytes = uncompressedBytes;
    }
  }

  /**
   * Encodes and snappy-compresses one request through per-thread scratch buffers, so the only array
   * allocated per request is the compressed body itself.
   */
  public static Body encodeCompressed(WriteRequestEncoder encoder, List<TimeSeries> series) {
    Scratch scratch = SCRATCH.get();
    WireBuffer raw = scratch.raw;
    raw.reset();
    encoder.encodeTo(series, raw);
    int rawLength = raw.length();
    int max = Snappy.maxCompressedLength(rawLength);
    if (scratch.compressed.length < max) {
      scratch.compressed = new byte[Math.max(max, scratch.compressed.length * 2)];
    }
    try {
      int n = Snappy.rawCompress(raw.array(), 0, rawLength, scratch.compressed, 0);
      return new Body(Arrays.copyOf(scratch.compressed, n), rawLength);
    } catch (IOException e) {
      throw new UncheckedIOException("snappy compression failed", e);
    } finally {
      scratch.shrinkIfHuge();
    }
  }

  private static final WriteRequestEncoder V1 = new RemoteWriteV1Encoder();
  private static final WriteRequestEncoder V2 = new RemoteWriteV2Encoder();

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Per-thread buffers; one unusually large request must not pin its memory for good. */
  private static final class Scratch {
    private static final int KEEP_AT_MOST = 8 << 20;
    WireBuffer raw = new WireBuffer(64 << 10);
    byte[] compressed = new byte[Snappy.maxCompressedLength(64 << 10)];

    void shrinkIfHuge() {
      if (raw.capacity() > KEEP_AT_MOST) {
        raw = new WireBuffer(64 << 10);
      }
      if (compressed.length > KEEP_AT_MOST) {
        compressed = new byte[Snappy.maxCompressedLength(64 << 10)];
      }
    }
  }

  /** Decodes a snappy-compressed remote-write 1.0 request into our model. */
  public static List<TimeSeries> decodeWriteRequest(byte[] compressed) throws IOException {
    return decodeWriteRequestUncompressed(decompress(compressed, MAX_DECOMPRESSED_BYTES));
  }

  /**
   * Decodes an uncompressed {@code WriteRequest}. Labels are re-sorted (a sender may not sort),
   * values keep their raw bits, and request metadata is attached to the series of its family.
   */
  public static List<TimeSeries> decodeWriteRequestUncompressed(byte[] raw)
      throws InvalidProtocolBufferException {
    PrometheusRemote.WriteRequest req = PrometheusRemote.WriteRequest.parseFrom(raw);
    Map<String, MetricMetadata> metadata = new HashMap<>();
    for (PrometheusRemote.MetricMetadata m : req.getMetadataList()) {
      metadata.put(m.getMetricFamilyName(), metadataFromProto(m));
    }
    List<TimeSeries> out = new ArrayList<>(req.getTimeseriesCount());
    for (PrometheusRemote.TimeSeries ts : req.getTimeseriesList()) {
      out.add(fromProto(ts, metadata));
    }
    return out;
  }

  /** Converts one protobuf series (remote write or remote read SAMPLES) into our model. */
  public static TimeSeries fromProto(
      PrometheusRemote.TimeSeries ts, Map<String, MetricMetadata> metadataByFamily) {
    Labels.Builder lb = Labels.builder();
    for (PrometheusRemote.Label l : ts.getLabelsList()) {
      lb.add(l.getName(), l.getValue());
    }
    Labels labels = lb.build();
    TimeSeries.Builder b = TimeSeries.builder(labels);
    for (PrometheusRemote.Sample s : ts.getSamplesList()) {
      b.sample(s.getTimestamp(), s.getValue());
    }
    for (PrometheusRemote.Histogram h : ts.getHistogramsList()) {
      b.histogram(h.getTimestamp(), histogramFromProto(h));
    }
    for (PrometheusRemote.Exemplar e : ts.getExemplarsList()) {
      Labels.Builder el = Labels.builder();
      for (PrometheusRemote.Label l : e.getLabelsList()) {
        el.add(l.getName(), l.getValue());
      }
      b.exemplar(Exemplar.of(el.build(), e.getValue(), e.getTimestamp()));
    }
    String name = labels.metricName();
    if (name != null && !metadataByFamily.isEmpty()) {
      MetricMetadata m = metadataByFamily.get(name);
      if (m == null) {
        // histogram/summary children: foo_bucket -> foo
        for (MetricType t : new MetricType[] {MetricType.HISTOGRAM, MetricType.SUMMARY}) {
          m = metadataByFamily.get(MetricFamilies.familyName(name, t));
          if (m != null && m.type() == t) {
            break;
          }
          m = null;
        }
      }
      b.metadata(m);
    }
    return b.build();
  }

  /** Decodes a snappy-compressed remote-write 2.0 request into our model. */
  public static List<TimeSeries> decodeV2Request(byte[] compressed) throws IOException {
    RemoteWriteV2.Request req =
        RemoteWriteV2.Request.parseFrom(decompress(compressed, MAX_DECOMPRESSED_BYTES));
    List<TimeSeries> out = new ArrayList<>(req.getTimeseriesCount());
    for (RemoteWriteV2.TimeSeries ts : req.getTimeseriesList()) {
      out.add(fromProtoV2(ts, req.getSymbolsList()));
    }
    return out;
  }

  /**
   * One remote-write 2.0 series in our model: labels resolved through the request's {@code
   * symbols}, samples, and metadata (a type, help and unit). A reference outside the symbols, or an
   * odd number of them, is an {@link IOException} naming it.
   */
  public static TimeSeries fromProtoV2(RemoteWriteV2.TimeSeries ts, List<String> symbols)
      throws IOException {
    int refs = ts.getLabelsRefsCount();
    if (refs % 2 != 0) {
      throw new IOException(
          "labels_refs of odd length " + refs + ": refs come in name-value pairs");
    }
    Labels.Builder lb = Labels.builder();
    for (int i = 0; i < refs; i += 2) {
      lb.add(symbol(symbols, ts.getLabelsRefs(i)), symbol(symbols, ts.getLabelsRefs(i + 1)));
    }
    TimeSeries.Builder b = TimeSeries.builder(lb.build());
    for (RemoteWriteV2.Sample sample : ts.getSamplesList()) {
      b.sample(sample.getTimestamp(), sample.getValue(), sample.getStartTimestamp());
    }
    for (RemoteWriteV2.Histogram h : ts.getHistogramsList()) {
      // 2.0's Histogram has 1.0's field numbers: one converter for both.
      b.histogram(
          h.getTimestamp(),
          histogramFromProto(PrometheusRemote.Histogram.parseFrom(h.toByteString())));
    }
    for (RemoteWriteV2.Exemplar e : ts.getExemplarsList()) {
      if (e.getLabelsRefsCount() % 2 != 0) {
        throw new IOException("exemplar labels_refs of odd length " + e.getLabelsRefsCount());
      }
      Labels.Builder el = Labels.builder();
      for (int i = 0; i < e.getLabelsRefsCount(); i += 2) {
        el.add(symbol(symbols, e.getLabelsRefs(i)), symbol(symbols, e.getLabelsRefs(i + 1)));
      }
      b.exemplar(Exemplar.of(el.build(), e.getValue(), e.getTimestamp()));
    }
    if (ts.hasMetadata()) {
      RemoteWriteV2.Metadata m = ts.getMetadata();
      MetricType type = MetricType.UNKNOWN;
      String name = m.getType().name();
      if (name.startsWith("METRIC_TYPE_") && !name.equals("METRIC_TYPE_UNSPECIFIED")) {
        type = MetricType.valueOf(name.substring("METRIC_TYPE_".length()));
      }
      String help = symbol(symbols, m.getHelpRef());
      String unit = symbol(symbols, m.getUnitRef());
      if (type != MetricType.UNKNOWN || !help.isEmpty() || !unit.isEmpty()) {
        b.metadata(MetricMetadata.of(type, help, unit));
      }
    }
    return b.build();
  }

  private static String symbol(List<String> symbols, int ref) throws IOException {
    if (ref < 0 || ref >= symbols.size()) {
      throw new IOException(
          "symbol reference "
              + (ref & 0xFFFFFFFFL)
              + " outside the "
              + symbols.size()
              + " symbols");
    }
    return symbols.get(ref);
  }

  /** A protobuf native histogram in our model (its timestamp is the caller's). */
  public static NativeHistogram histogramFromProto(PrometheusRemote.Histogram h) {
    boolean isFloat =
        h.getCountCase() == PrometheusRemote.Histogram.CountCase.COUNT_FLOAT
            || h.getZeroCountCase() == PrometheusRemote.Histogram.ZeroCountCase.ZERO_COUNT_FLOAT
            || h.getPositiveCountsCount() > 0
            || h.getNegativeCountsCount() > 0;
    NativeHistogram.Builder b =
        NativeHistogram.builder(h.getSchema())
            .sum(h.getSum())
            .zeroThreshold(h.getZeroThreshold())
            .customValues(
                h.getCustomValuesList().stream().mapToDouble(Double::doubleValue).toArray())
            .negative(
                buckets(
                    isFloat,
                    h.getNegativeSpansList(),
                    h.getNegativeDeltasList(),
                    h.getNegativeCountsList()))
            .positive(
                buckets(
                    isFloat,
                    h.getPositiveSpansList(),
                    h.getPositiveDeltasList(),
                    h.getPositiveCountsList()));
    if (isFloat) {
      b.count(h.getCountFloat()).zeroCount(h.getZeroCountFloat());
    } else {
      b.count(h.getCountInt()).zeroCount(h.getZeroCountInt());
    }
    int hint = h.getResetHintValue();
    NativeHistogram.ResetHint[] hints = NativeHistogram.ResetHint.values();
    return b.resetHint(
            hint >= 0 && hint < hints.length ? hints[hint] : NativeHistogram.ResetHint.UNKNOWN)
        .build();
  }

  private static HistogramBuckets buckets(
      boolean isFloat,
      List<PrometheusRemote.BucketSpan> spans,
      List<Long> deltas,
      List<Double> counts) {
    int[] s = new int[2 * spans.size()];
    for (int i = 0; i < spans.size(); i++) {
      s[2 * i] = spans.get(i).getOffset();
      s[2 * i + 1] = spans.get(i).getLength();
    }
    if (isFloat) {
      return HistogramBuckets.ofCounts(
          s, counts.stream().mapToDouble(Double::doubleValue).toArray());
    }
    return HistogramBuckets.ofDeltas(s, deltas.stream().mapToLong(Long::longValue).toArray());
  }

  /** A request's metadata entry in our model. */
  public static MetricMetadata metadataFromProto(PrometheusRemote.MetricMetadata m) {
    MetricType type;
    try {
      type = MetricType.valueOf(m.getType().name());
    } catch (IllegalArgumentException e) {
      type = MetricType.UNKNOWN;
    }
    return MetricMetadata.of(type, m.getHelp(), m.getUnit());
  }
}
