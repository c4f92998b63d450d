package io.prombeam.source;

import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import io.prombeam.remotewrite.proto.RemoteWriteV2;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One remote-write request split as Prometheus' receiver treats it: the valid series (float
 * samples, native histograms, exemplars), taken; the invalid ones, refused by name.
 */
final class ReceivedRequest {
  /** How many refused series a 400's message names. */
  private static final int NAMED_AT_MOST = 10;

  final List<TimeSeries> valid = new ArrayList<>();
  final List<String> invalid = new ArrayList<>();

  /** Whether it came as remote-write 2.0, whose answer carries the written counts. */
  final boolean v2;

  private ReceivedRequest(boolean v2) {
    this.v2 = v2;
  }

  /** Float samples of the series taken. */
  long samplesWritten() {
    long n = 0;
    for (TimeSeries ts : valid) {
      for (int i = 0; i < ts.sampleCount(); i++) {
        n += ts.histogram(i) == null ? 1 : 0;
      }
    }
    return n;
  }

  /** Native histogram samples of the series taken. */
  long histogramsWritten() {
    long n = 0;
    for (TimeSeries ts : valid) {
      for (int i = 0; i < ts.sampleCount(); i++) {
        n += ts.histogram(i) == null ? 0 : 1;
      }
    }
    return n;
  }

  /** Exemplars of the series taken. */
  long exemplarsWritten() {
    long n = 0;
    for (TimeSeries ts : valid) {
      n += ts.exemplarCount();
    }
    return n;
  }

  /** Whether anything sent was not taken: answered 400 rather than 204. */
  boolean partial() {
    return !invalid.isEmpty();
  }

  /** A request with more series than the receiver takes. */
  static final class TooManySeries extends IOException {
    private static final long serialVersionUID = 1L;

    TooManySeries(int series, int max) {
      super("request of " + series + " series, over the limit of " + max);
    }
  }

  /**
   * Decodes a snappy-compressed body of remote-write 1.0, or 2.0 when {@code v2}, already checked
   * against the decoded-size limit.
   */
  static ReceivedRequest decode(byte[] compressed, int maxSeries, boolean v2) throws IOException {
    byte[] raw = RemoteWriteCodec.decompress(compressed, Integer.MAX_VALUE - 8);
    int series =
        countSeries(
            raw,
            v2
                ? RemoteWriteV2.Request.TIMESERIES_FIELD_NUMBER
                : PrometheusRemote.WriteRequest.TIMESERIES_FIELD_NUMBER);
    if (series > maxSeries) {
      // counted on the bytes: a request of a million tiny series is refused before a million
      // objects are built for it
      throw new TooManySeries(series, maxSeries);
    }
    return v2 ? decodeV2(raw) : decodeV1(raw);
  }

  private static ReceivedRequest decodeV1(byte[] raw) throws IOException {
    PrometheusRemote.WriteRequest req = PrometheusRemote.WriteRequest.parseFrom(raw);
    Map<String, io.prombeam.model.MetricMetadata> metadata = new HashMap<>();
    for (PrometheusRemote.MetricMetadata m : req.getMetadataList()) {
      metadata.put(m.getMetricFamilyName(), RemoteWriteCodec.metadataFromProto(m));
    }
    ReceivedRequest out = new ReceivedRequest(false);
    List<TimeSeries> decoded = new ArrayList<>(req.getTimeseriesCount());
    for (PrometheusRemote.TimeSeries proto : req.getTimeseriesList()) {
      decoded.add(RemoteWriteCodec.fromProto(proto, metadata));
    }
    out.takeAll(decoded);
    return out;
  }

  private static ReceivedRequest decodeV2(byte[] raw) throws IOException {
    RemoteWriteV2.Request req = RemoteWriteV2.Request.parseFrom(raw);
    List<String> symbols = req.getSymbolsList();
    if (!symbols.isEmpty() && !symbols.get(0).isEmpty()) {
      throw new IOException(
          "the first symbol must be the empty string, got \"" + symbols.get(0) + "\"");
    }
    ReceivedRequest out = new ReceivedRequest(true);
    List<TimeSeries> decoded = new ArrayList<>(req.getTimeseriesCount());
    for (RemoteWriteV2.TimeSeries proto : req.getTimeseriesList()) {
      TimeSeries ts;
      try {
        ts = RemoteWriteCodec.fromProtoV2(proto, symbols);
      } catch (IOException e) {
        out.invalid.add(e.getMessage());
        continue;
      }
      if (proto.getSamplesCount() > 0 && proto.getHistogramsCount() > 0) {
        out.invalid.add(
            "series "
                + ts.labels()
                + " has both samples and histograms: 2.0 sends them as separate series");
        continue;
      }
      decoded.add(ts);
    }
    out.takeAll(decoded);
    return out;
  }

  /**
   * Sorts a request's entries into series taken and refused. Senders split a series into several
   * entries (a histogram series' staleness marker after its histograms, and in 1.0 its exemplars
   * after them, as prombeam's own sender does): each entry is checked on its own, so one bad entry
   * refuses only itself as Prometheus does, then the good entries of one label set are put back
   * together, an entry of exemplars alone joining the series it belongs to (alone, it is refused as
   * a series without samples).
   */
  private void takeAll(List<TimeSeries> entries) {
    java.util.Set<io.prombeam.model.Labels> seen = new java.util.HashSet<>();
    boolean repeated = false;
    for (TimeSeries ts : entries) {
      if (!seen.add(ts.labels())) {
        repeated = true;
        break;
      }
    }
    if (!repeated) {
      for (TimeSeries ts : entries) {
        take(ts);
      }
      return;
    }
    Map<io.prombeam.model.Labels, TimeSeries.Builder> byLabels = new java.util.LinkedHashMap<>();
    List<TimeSeries> exemplarsAlone = new ArrayList<>();
    for (TimeSeries ts : entries) {
      if (ts.sampleCount() == 0 && ts.exemplarCount() > 0) {
        exemplarsAlone.add(ts);
        continue;
      }
      Optional<SeriesViolation> v = RemoteWriteReceiverSource.ANY_TIMESTAMP.validate(ts);
      if (v.isPresent()) {
        invalid.add(v.get().message());
        continue;
      }
      TimeSeries.Builder b = byLabels.get(ts.labels());
      if (b == null) {
        byLabels.put(ts.labels(), ts.toBuilder());
      } else {
        for (int i = 0; i < ts.sampleCount(); i++) {
          b.point(ts, i);
        }
        b.exemplars(ts);
      }
    }
    for (TimeSeries ts : exemplarsAlone) {
      TimeSeries.Builder b = byLabels.get(ts.labels());
      if (b == null) {
        take(ts); // refused by name: no series of its own to go with
      } else {
        b.exemplars(ts);
      }
    }
    for (TimeSeries.Builder b : byLabels.values()) {
      take(b.build()); // checked again as a whole: repeats across its entries
    }
  }

  /** Sorts one decoded series: taken when valid, named when not. */
  private void take(TimeSeries ts) {
    Optional<SeriesViolation> v = RemoteWriteReceiverSource.ANY_TIMESTAMP.validate(ts);
    if (v.isPresent()) {
      invalid.add(v.get().message());
    } else {
      valid.add(ts);
    }
  }

  /** The {@code timeseries} fields (number {@code field}) of a request, skipping their contents. */
  static int countSeries(byte[] raw, int field) throws IOException {
    com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(raw);
    int count = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (com.google.protobuf.WireFormat.getTagFieldNumber(tag) == field) {
        count++;
      }
      if (!in.skipField(tag)) {
        break;
      }
    }
    return count;
  }

  /** The 400's message: how many were refused and taken, naming the first refused. */
  String refusal() {
    StringBuilder sb =
        new StringBuilder()
            .append(invalid.size())
            .append(" series refused, ")
            .append(valid.size())
            .append(" taken: ");
    for (int i = 0; i < Math.min(NAMED_AT_MOST, invalid.size()); i++) {
      sb.append(i == 0 ? "" : "; ").append(invalid.get(i));
    }
    if (invalid.size() > NAMED_AT_MOST) {
      sb.append("; ...");
    }
    return sb.toString();
  }
}
