package io.prombeam.source;

import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One remote-write request split as Prometheus' receiver treats it: the valid series, taken; the
 * invalid ones, refused by name; and series carrying only native histograms or exemplars, which the
 * model does not hold yet, accepted and counted as dropped rather than refused.
 */
final class ReceivedRequest {
  /** How many refused series a 400's message names. */
  private static final int NAMED_AT_MOST = 10;

  final List<TimeSeries> valid = new ArrayList<>();
  final List<String> invalid = new ArrayList<>();
  int unsupported;

  /** A request with more series than the receiver takes. */
  static final class TooManySeries extends IOException {
    private static final long serialVersionUID = 1L;

    TooManySeries(int series, int max) {
      super("request of " + series + " series, over the limit of " + max);
    }
  }

  /** Decodes a snappy-compressed body, already checked against the decoded-size limit. */
  static ReceivedRequest decode(byte[] compressed, int maxSeries) throws IOException {
    byte[] raw = RemoteWriteCodec.decompress(compressed, Integer.MAX_VALUE - 8);
    int series = countSeries(raw);
    if (series > maxSeries) {
      // counted on the bytes: a request of a million tiny series is refused before a million
      // objects are built for it
      throw new TooManySeries(series, maxSeries);
    }
    PrometheusRemote.WriteRequest req = PrometheusRemote.WriteRequest.parseFrom(raw);
    Map<String, io.prombeam.model.MetricMetadata> metadata = new HashMap<>();
    for (PrometheusRemote.MetricMetadata m : req.getMetadataList()) {
      metadata.put(m.getMetricFamilyName(), RemoteWriteCodec.metadataFromProto(m));
    }
    ReceivedRequest out = new ReceivedRequest();
    for (PrometheusRemote.TimeSeries proto : req.getTimeseriesList()) {
      TimeSeries ts = RemoteWriteCodec.fromProto(proto, metadata);
      if (ts.sampleCount() == 0
          && (proto.getExemplarsCount() > 0 || proto.getUnknownFields().hasField(4))) {
        out.unsupported++; // native histograms (field 4) or exemplars only: not refused
        continue;
      }
      Optional<SeriesViolation> v = RemoteWriteReceiverSource.ANY_TIMESTAMP.validate(ts);
      if (v.isPresent()) {
        out.invalid.add(v.get().message());
      } else {
        out.valid.add(ts);
      }
    }
    return out;
  }

  /**
   * The {@code timeseries} fields (number 1) of a {@code WriteRequest}, skipping their contents.
   */
  static int countSeries(byte[] raw) throws IOException {
    com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(raw);
    int count = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (com.google.protobuf.WireFormat.getTagFieldNumber(tag) == 1) {
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
