package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.MetricFamilies;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a remote-write 1.0 {@code WriteRequest} straight from our model into a {@link WireBuffer}:
 * one pass over the data, no generated message objects per series or sample (those cost most of the
 * time in the usual design) and no per-request garbage beyond the metadata map. Field numbers come
 * from the generated classes of our {@code .proto}, so the schema has one source; the generated
 * parser decodes what this writes (see {@link RemoteWriteCodec}).
 *
 * <p>Default values are omitted as protobuf's own serializer does (a 0.0 value, a 0 timestamp, an
 * empty string), so the bytes equal the canonical encoding (tested).
 */
final class RemoteWriteV1Encoder implements WriteRequestEncoder {
  private static final long serialVersionUID = 1L;

  private static final int WR_TIMESERIES = PrometheusRemote.WriteRequest.TIMESERIES_FIELD_NUMBER;
  private static final int WR_METADATA = PrometheusRemote.WriteRequest.METADATA_FIELD_NUMBER;
  private static final int TS_LABELS = PrometheusRemote.TimeSeries.LABELS_FIELD_NUMBER;

  private static final int TS_SAMPLES = PrometheusRemote.TimeSeries.SAMPLES_FIELD_NUMBER;
  private static final int TS_EXEMPLARS = PrometheusRemote.TimeSeries.EXEMPLARS_FIELD_NUMBER;
  private static final int TS_HISTOGRAMS = PrometheusRemote.TimeSeries.HISTOGRAMS_FIELD_NUMBER;
  private static final int LABEL_NAME = PrometheusRemote.Label.NAME_FIELD_NUMBER;
  private static final int LABEL_VALUE = PrometheusRemote.Label.VALUE_FIELD_NUMBER;
  private static final int MD_TYPE = PrometheusRemote.MetricMetadata.TYPE_FIELD_NUMBER;
  private static final int MD_FAMILY =
      PrometheusRemote.MetricMetadata.METRIC_FAMILY_NAME_FIELD_NUMBER;
  private static final int MD_HELP = PrometheusRemote.MetricMetadata.HELP_FIELD_NUMBER;
  private static final int MD_UNIT = PrometheusRemote.MetricMetadata.UNIT_FIELD_NUMBER;

  static {
    // WireBuffer.sample and Labels' encoded form hold these fields; keep them honest to the schema.
    if (PrometheusRemote.Sample.VALUE_FIELD_NUMBER != 1
        || PrometheusRemote.Sample.TIMESTAMP_FIELD_NUMBER != 2
        || PrometheusRemote.Label.NAME_FIELD_NUMBER != 1
        || PrometheusRemote.Label.VALUE_FIELD_NUMBER != 2
        || TS_LABELS != 1) { // Labels' encoded form is these Label fields, as field 1
      throw new AssertionError("Sample/Label field numbers changed in prometheus_remote.proto");
    }
  }

  /** Most series with ~10 labels take 128..16383 bytes: a two-byte length, patched afterwards. */
  private static final int SERIES_LENGTH_GUESS = 2;

  @Override
  public void encodeTo(List<TimeSeries> series, WireBuffer out) {
    Map<String, MetricMetadata> metadata = null;
    for (int i = 0, n = series.size(); i < n; i++) {
      TimeSeries ts = series.get(i);
      if (ts.hasHistograms() || ts.exemplarCount() > 0) {
        writeRich(out, ts);
      } else {
        long mark = out.beginLengthDelimited(WR_TIMESERIES, SERIES_LENGTH_GUESS);
        writeLabels(out, ts.labels());
        writeSamples(out, ts, 0, ts.sampleCount());
        out.endLengthDelimited(mark);
      }
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
        long mark = out.beginLengthDelimited(WR_METADATA, 1);
        writeMetadata(out, e.getKey(), e.getValue());
        out.endLengthDelimited(mark);
      }
    }
  }

  /**
   * A series with histograms or exemplars: one entry per run of float samples or histograms, in
   * time order. Prometheus appends an entry's samples, then its exemplars, then its histograms, so
   * a histogram series ending in a staleness marker (a float) must not put both in one entry, and
   * exemplars of a histogram series go in an entry of their own after its histograms (before them,
   * a series the request creates does not exist yet and Prometheus drops them).
   */
  private static void writeRich(WireBuffer out, TimeSeries ts) {
    int n = ts.sampleCount();
    int from = 0;
    boolean lastRunHistograms = false;
    while (from < n) {
      boolean histograms = ts.histogram(from) != null;
      int to = from + 1;
      while (to < n && (ts.histogram(to) != null) == histograms) {
        to++;
      }
      long mark = out.beginLengthDelimited(WR_TIMESERIES, SERIES_LENGTH_GUESS);
      writeLabels(out, ts.labels());
      if (histograms) {
        for (int j = from; j < to; j++) {
          HistogramWire.write(out, TS_HISTOGRAMS, ts.histogram(j), ts.timestamp(j));
        }
      } else {
        writeSamples(out, ts, from, to);
        if (to == n) {
          writeExemplars(out, ts); // field 3, after the samples (2), as protobuf orders them
        }
      }
      out.endLengthDelimited(mark);
      lastRunHistograms = histograms;
      from = to;
    }
    if ((lastRunHistograms || n == 0) && ts.exemplarCount() > 0) {
      long mark = out.beginLengthDelimited(WR_TIMESERIES, SERIES_LENGTH_GUESS);
      writeLabels(out, ts.labels());
      writeExemplars(out, ts);
      out.endLengthDelimited(mark);
    }
  }

  private static void writeExemplars(WireBuffer out, TimeSeries ts) {
    for (int j = 0; j < ts.exemplarCount(); j++) {
      HistogramWire.writeV1Exemplar(out, TS_EXEMPLARS, ts.exemplar(j));
    }
  }

  private static void writeSamples(WireBuffer out, TimeSeries ts, int from, int to) {
    for (int j = from; j < to; j++) {
      out.sample(TS_SAMPLES, Double.doubleToRawLongBits(ts.value(j)), ts.timestamp(j));
    }
  }

  private static void writeLabels(WireBuffer out, Labels labels) {
    // Decoded from a shuffle, or hashed on the way to its shard, a label set has its bytes ready.
    if (!out.encodedLabels(labels)) {
      // An unpaired surrogate: '?' on the wire, as String.getBytes does (validation rejects these).
      for (int j = 0, n = labels.size(); j < n; j++) {
        long mark = out.beginLengthDelimited(TS_LABELS, 1);
        if (!labels.name(j).isEmpty()) {
          out.string(LABEL_NAME, labels.name(j));
        }
        out.string(LABEL_VALUE, labels.value(j));
        out.endLengthDelimited(mark);
      }
    }
  }

  private static void writeMetadata(WireBuffer out, String family, MetricMetadata m) {
    int type = protoType(m);
    if (type != 0) {
      out.tag(MD_TYPE, WireBuffer.WIRETYPE_VARINT);
      out.varint32(type);
    }
    out.string(MD_FAMILY, family);
    if (!m.help().isEmpty()) {
      out.string(MD_HELP, m.help());
    }
    if (!m.unit().isEmpty()) {
      out.string(MD_UNIT, m.unit());
    }
  }

  private static int protoType(MetricMetadata m) {
    // Our MetricType declares the proto enum's constants in its order.
    return PrometheusRemote.MetricMetadata.MetricType.valueOf(m.type().name()).getNumber();
  }
}
