package io.prombeam.remotewrite;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricFamilies;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a remote-write 1.0 {@code WriteRequest} straight from our model with protobuf's
 * {@link CodedOutputStream}: sizes first, then one pass of bytes into an exactly sized array. No
 * generated message objects per series or sample (those cost most of the time in the usual
 * design). Field numbers come from the generated classes of our {@code .proto}, so the schema has
 * one source; the generated parser decodes what this writes (see {@link RemoteWriteCodec}).
 *
 * <p>Default values are omitted as protobuf's own serializer does (a 0.0 value, a 0 timestamp),
 * so the bytes match the canonical encoding.
 */
final class RemoteWriteV1Encoder implements WriteRequestEncoder {
  private static final long serialVersionUID = 1L;

  private static final int WR_TIMESERIES = PrometheusRemote.WriteRequest.TIMESERIES_FIELD_NUMBER;
  private static final int WR_METADATA = PrometheusRemote.WriteRequest.METADATA_FIELD_NUMBER;
  private static final int TS_LABELS = PrometheusRemote.TimeSeries.LABELS_FIELD_NUMBER;
  private static final int TS_SAMPLES = PrometheusRemote.TimeSeries.SAMPLES_FIELD_NUMBER;
  private static final int LABEL_NAME = PrometheusRemote.Label.NAME_FIELD_NUMBER;
  private static final int LABEL_VALUE = PrometheusRemote.Label.VALUE_FIELD_NUMBER;
  private static final int SAMPLE_VALUE = PrometheusRemote.Sample.VALUE_FIELD_NUMBER;
  private static final int SAMPLE_TIMESTAMP = PrometheusRemote.Sample.TIMESTAMP_FIELD_NUMBER;
  private static final int MD_TYPE = PrometheusRemote.MetricMetadata.TYPE_FIELD_NUMBER;
  private static final int MD_FAMILY = PrometheusRemote.MetricMetadata.METRIC_FAMILY_NAME_FIELD_NUMBER;
  private static final int MD_HELP = PrometheusRemote.MetricMetadata.HELP_FIELD_NUMBER;
  private static final int MD_UNIT = PrometheusRemote.MetricMetadata.UNIT_FIELD_NUMBER;

  @Override
  public byte[] encode(List<TimeSeries> series) {
    int n = series.size();
    int[] seriesSizes = new int[n];
    long total = 0;
    Map<String, MetricMetadata> metadata = null;
    for (int i = 0; i < n; i++) {
      TimeSeries ts = series.get(i);
      int size = seriesSize(ts);
      seriesSizes[i] = size;
      total += lengthDelimitedSize(WR_TIMESERIES, size);
      if (ts.metadata() != null && ts.metricName() != null) {
        if (metadata == null) {
          metadata = new LinkedHashMap<>();
        }
        metadata.putIfAbsent(
            MetricFamilies.familyName(ts.metricName(), ts.metadata().type()), ts.metadata());
      }
    }
    if (metadata != null) {
      for (Map.Entry<String, MetricMetadata> e : metadata.entrySet()) {
        total += lengthDelimitedSize(WR_METADATA, metadataSize(e.getKey(), e.getValue()));
      }
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("remote-write request of " + total + " bytes is too large");
    }
    byte[] buf = new byte[(int) total];
    CodedOutputStream out = CodedOutputStream.newInstance(buf);
    try {
      for (int i = 0; i < n; i++) {
        out.writeTag(WR_TIMESERIES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(seriesSizes[i]);
        writeSeries(out, series.get(i));
      }
      if (metadata != null) {
        for (Map.Entry<String, MetricMetadata> e : metadata.entrySet()) {
          out.writeTag(WR_METADATA, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(metadataSize(e.getKey(), e.getValue()));
          writeMetadata(out, e.getKey(), e.getValue());
        }
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding remote-write request", e);
    }
    return buf;
  }

  private static int lengthDelimitedSize(int field, int size) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  private static int seriesSize(TimeSeries ts) {
    int size = 0;
    Labels labels = ts.labels();
    for (int j = 0; j < labels.size(); j++) {
      size += lengthDelimitedSize(TS_LABELS, labelSize(labels.name(j), labels.value(j)));
    }
    for (int j = 0; j < ts.sampleCount(); j++) {
      size += lengthDelimitedSize(TS_SAMPLES, sampleSize(ts.value(j), ts.timestamp(j)));
    }
    return size;
  }

  private static int labelSize(String name, String value) {
    int size = 0;
    if (!name.isEmpty()) {
      size += CodedOutputStream.computeStringSize(LABEL_NAME, name);
    }
    if (!value.isEmpty()) {
      size += CodedOutputStream.computeStringSize(LABEL_VALUE, value);
    }
    return size;
  }

  private static int sampleSize(double value, long timestamp) {
    int size = 0;
    if (Double.doubleToRawLongBits(value) != 0) {
      size += CodedOutputStream.computeTagSize(SAMPLE_VALUE) + 8;
    }
    if (timestamp != 0) {
      size += CodedOutputStream.computeInt64Size(SAMPLE_TIMESTAMP, timestamp);
    }
    return size;
  }

  private static void writeSeries(CodedOutputStream out, TimeSeries ts) throws IOException {
    Labels labels = ts.labels();
    for (int j = 0; j < labels.size(); j++) {
      String name = labels.name(j);
      String value = labels.value(j);
      out.writeTag(TS_LABELS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(labelSize(name, value));
      if (!name.isEmpty()) {
        out.writeString(LABEL_NAME, name);
      }
      if (!value.isEmpty()) {
        out.writeString(LABEL_VALUE, value);
      }
    }
    for (int j = 0; j < ts.sampleCount(); j++) {
      double v = ts.value(j);
      long t = ts.timestamp(j);
      out.writeTag(TS_SAMPLES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(sampleSize(v, t));
      if (Double.doubleToRawLongBits(v) != 0) {
        // writeDouble copies the raw bits, so the stale-marker NaN is sent exactly.
        out.writeDouble(SAMPLE_VALUE, v);
      }
      if (t != 0) {
        out.writeInt64(SAMPLE_TIMESTAMP, t);
      }
    }
  }

  private static int metadataSize(String family, MetricMetadata m) {
    int size = 0;
    int type = protoType(m);
    if (type != 0) {
      size += CodedOutputStream.computeEnumSize(MD_TYPE, type);
    }
    size += CodedOutputStream.computeStringSize(MD_FAMILY, family);
    if (!m.help().isEmpty()) {
      size += CodedOutputStream.computeStringSize(MD_HELP, m.help());
    }
    if (!m.unit().isEmpty()) {
      size += CodedOutputStream.computeStringSize(MD_UNIT, m.unit());
    }
    return size;
  }

  private static void writeMetadata(CodedOutputStream out, String family, MetricMetadata m)
      throws IOException {
    int type = protoType(m);
    if (type != 0) {
      out.writeEnum(MD_TYPE, type);
    }
    out.writeString(MD_FAMILY, family);
    if (!m.help().isEmpty()) {
      out.writeString(MD_HELP, m.help());
    }
    if (!m.unit().isEmpty()) {
      out.writeString(MD_UNIT, m.unit());
    }
  }

  private static int protoType(MetricMetadata m) {
    // Our MetricType declares the proto enum's constants in its order.
    return PrometheusRemote.MetricMetadata.MetricType.valueOf(m.type().name()).getNumber();
  }
}
