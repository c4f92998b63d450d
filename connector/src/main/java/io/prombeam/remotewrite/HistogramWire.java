package io.prombeam.remotewrite;

import io.prombeam.model.Exemplar;
import io.prombeam.model.HistogramBuckets;
import io.prombeam.model.NativeHistogram;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import io.prombeam.remotewrite.proto.RemoteWriteV2;

/**
 * Writes native histograms and exemplars in one pass, for both protocols: 1.0's {@code
 * prometheus.Histogram} and 2.0's {@code io.prometheus.write.v2.Histogram} share their field
 * numbers (checked below against both generated schemas), and the two exemplars differ only in how
 * their labels are written. Defaults are omitted as protobuf's serializer does, except the members
 * of the two {@code oneof}s, which protobuf writes whenever set.
 */
final class HistogramWire {
  private static final int H_COUNT_INT = PrometheusRemote.Histogram.COUNT_INT_FIELD_NUMBER;
  private static final int H_COUNT_FLOAT = PrometheusRemote.Histogram.COUNT_FLOAT_FIELD_NUMBER;
  private static final int H_SUM = PrometheusRemote.Histogram.SUM_FIELD_NUMBER;
  private static final int H_SCHEMA = PrometheusRemote.Histogram.SCHEMA_FIELD_NUMBER;
  private static final int H_ZERO_THRESHOLD =
      PrometheusRemote.Histogram.ZERO_THRESHOLD_FIELD_NUMBER;
  private static final int H_ZERO_COUNT_INT =
      PrometheusRemote.Histogram.ZERO_COUNT_INT_FIELD_NUMBER;
  private static final int H_ZERO_COUNT_FLOAT =
      PrometheusRemote.Histogram.ZERO_COUNT_FLOAT_FIELD_NUMBER;
  private static final int H_NEGATIVE_SPANS =
      PrometheusRemote.Histogram.NEGATIVE_SPANS_FIELD_NUMBER;
  private static final int H_NEGATIVE_DELTAS =
      PrometheusRemote.Histogram.NEGATIVE_DELTAS_FIELD_NUMBER;
  private static final int H_NEGATIVE_COUNTS =
      PrometheusRemote.Histogram.NEGATIVE_COUNTS_FIELD_NUMBER;
  private static final int H_POSITIVE_SPANS =
      PrometheusRemote.Histogram.POSITIVE_SPANS_FIELD_NUMBER;
  private static final int H_POSITIVE_DELTAS =
      PrometheusRemote.Histogram.POSITIVE_DELTAS_FIELD_NUMBER;
  private static final int H_POSITIVE_COUNTS =
      PrometheusRemote.Histogram.POSITIVE_COUNTS_FIELD_NUMBER;
  private static final int H_RESET_HINT = PrometheusRemote.Histogram.RESET_HINT_FIELD_NUMBER;
  private static final int H_TIMESTAMP = PrometheusRemote.Histogram.TIMESTAMP_FIELD_NUMBER;
  private static final int H_CUSTOM_VALUES = PrometheusRemote.Histogram.CUSTOM_VALUES_FIELD_NUMBER;
  private static final int SPAN_OFFSET = PrometheusRemote.BucketSpan.OFFSET_FIELD_NUMBER;
  private static final int SPAN_LENGTH = PrometheusRemote.BucketSpan.LENGTH_FIELD_NUMBER;
  private static final int EX_LABELS = PrometheusRemote.Exemplar.LABELS_FIELD_NUMBER;
  private static final int EX_VALUE = PrometheusRemote.Exemplar.VALUE_FIELD_NUMBER;
  private static final int EX_TIMESTAMP = PrometheusRemote.Exemplar.TIMESTAMP_FIELD_NUMBER;
  private static final int LABEL_NAME = PrometheusRemote.Label.NAME_FIELD_NUMBER;
  private static final int LABEL_VALUE = PrometheusRemote.Label.VALUE_FIELD_NUMBER;

  static {
    if (RemoteWriteV2.Histogram.COUNT_INT_FIELD_NUMBER != H_COUNT_INT
        || RemoteWriteV2.Histogram.ZERO_COUNT_FLOAT_FIELD_NUMBER != H_ZERO_COUNT_FLOAT
        || RemoteWriteV2.Histogram.POSITIVE_COUNTS_FIELD_NUMBER != H_POSITIVE_COUNTS
        || RemoteWriteV2.Histogram.NEGATIVE_SPANS_FIELD_NUMBER != H_NEGATIVE_SPANS
        || RemoteWriteV2.Histogram.RESET_HINT_FIELD_NUMBER != H_RESET_HINT
        || RemoteWriteV2.Histogram.TIMESTAMP_FIELD_NUMBER != H_TIMESTAMP
        || RemoteWriteV2.Histogram.CUSTOM_VALUES_FIELD_NUMBER != H_CUSTOM_VALUES
        || RemoteWriteV2.BucketSpan.LENGTH_FIELD_NUMBER != SPAN_LENGTH
        || RemoteWriteV2.Exemplar.VALUE_FIELD_NUMBER != EX_VALUE
        || RemoteWriteV2.Exemplar.TIMESTAMP_FIELD_NUMBER != EX_TIMESTAMP) {
      throw new AssertionError("1.0 and 2.0 histogram/exemplar field numbers diverged");
    }
  }

  private HistogramWire() {}

  /** {@code h} at {@code timestamp} as a length-delimited field {@code field}. */
  static void write(WireBuffer out, int field, NativeHistogram h, long timestamp) {
    long mark = out.beginLengthDelimited(field, 1);
    if (h.isFloat()) {
      out.doubleField(H_COUNT_FLOAT, h.count());
    } else {
      out.varintField(H_COUNT_INT, (long) h.count());
    }
    if (Double.doubleToRawLongBits(h.sum()) != 0) {
      out.doubleField(H_SUM, h.sum());
    }
    if (h.schema() != 0) {
      out.tag(H_SCHEMA, WireBuffer.WIRETYPE_VARINT);
      out.sint64(h.schema());
    }
    if (Double.doubleToRawLongBits(h.zeroThreshold()) != 0) {
      out.doubleField(H_ZERO_THRESHOLD, h.zeroThreshold());
    }
    if (h.isFloat()) {
      out.doubleField(H_ZERO_COUNT_FLOAT, h.zeroCount());
    } else {
      out.varintField(H_ZERO_COUNT_INT, (long) h.zeroCount());
    }
    buckets(out, h.negative(), H_NEGATIVE_SPANS, H_NEGATIVE_DELTAS, H_NEGATIVE_COUNTS);
    buckets(out, h.positive(), H_POSITIVE_SPANS, H_POSITIVE_DELTAS, H_POSITIVE_COUNTS);
    if (h.resetHint() != NativeHistogram.ResetHint.UNKNOWN) {
      out.varintField(H_RESET_HINT, h.resetHint().ordinal()); // the enums share their order
    }
    if (timestamp != 0) {
      out.varintField(H_TIMESTAMP, timestamp);
    }
    if (h.customValueCount() > 0) {
      out.tag(H_CUSTOM_VALUES, WireBuffer.WIRETYPE_LENGTH_DELIMITED);
      out.varint32(8 * h.customValueCount());
      for (int i = 0; i < h.customValueCount(); i++) {
        out.fixed64(Double.doubleToRawLongBits(h.customValue(i)));
      }
    }
    out.endLengthDelimited(mark);
  }

  private static void buckets(
      WireBuffer out, HistogramBuckets b, int spansField, int deltasField, int countsField) {
    for (int s = 0; s < b.spanCount(); s++) {
      long mark = out.beginLengthDelimited(spansField, 1);
      if (b.spanOffset(s) != 0) {
        out.tag(SPAN_OFFSET, WireBuffer.WIRETYPE_VARINT);
        out.sint64(b.spanOffset(s));
      }
      if (b.spanLength(s) != 0) {
        out.varintField(SPAN_LENGTH, Integer.toUnsignedLong(b.spanLength(s)));
      }
      out.endLengthDelimited(mark);
    }
    int n = b.bucketCount();
    if (n == 0) {
      return;
    }
    if (b.isFloat()) { // packed doubles
      out.tag(countsField, WireBuffer.WIRETYPE_LENGTH_DELIMITED);
      out.varint32(8 * n);
      for (int i = 0; i < n; i++) {
        out.fixed64(Double.doubleToRawLongBits(b.count(i)));
      }
    } else { // packed zig-zag varints
      long mark = out.beginLengthDelimited(deltasField, 1);
      for (int i = 0; i < n; i++) {
        out.sint64(b.delta(i));
      }
      out.endLengthDelimited(mark);
    }
  }

  /** A 1.0 exemplar: labels as {@code Label} messages. */
  static void writeV1Exemplar(WireBuffer out, int field, Exemplar e) {
    long mark = out.beginLengthDelimited(field, 1);
    for (int j = 0; j < e.labels().size(); j++) {
      long label = out.beginLengthDelimited(EX_LABELS, 1);
      if (!e.labels().name(j).isEmpty()) {
        out.string(LABEL_NAME, e.labels().name(j));
      }
      if (!e.labels().value(j).isEmpty()) {
        out.string(LABEL_VALUE, e.labels().value(j));
      }
      out.endLengthDelimited(label);
    }
    exemplarValue(out, e);
    out.endLengthDelimited(mark);
  }

  /** A 2.0 exemplar: labels as packed symbol references. */
  static void writeV2Exemplar(WireBuffer out, int field, Exemplar e, SymbolTable symbols) {
    long mark = out.beginLengthDelimited(field, 1);
    int pairs = e.labels().size();
    if (pairs > 0) {
      int[] refs = new int[2 * pairs];
      for (int j = 0; j < pairs; j++) {
        refs[2 * j] = symbols.ref(e.labels().name(j));
        refs[2 * j + 1] = symbols.ref(e.labels().value(j));
      }
      long packed = out.beginLengthDelimited(EX_LABELS, 1);
      for (int r : refs) {
        out.varint32(r);
      }
      out.endLengthDelimited(packed);
    }
    exemplarValue(out, e);
    out.endLengthDelimited(mark);
  }

  private static void exemplarValue(WireBuffer out, Exemplar e) {
    if (Double.doubleToRawLongBits(e.value()) != 0) {
      out.doubleField(EX_VALUE, e.value());
    }
    if (e.timestamp() != 0) {
      out.varintField(EX_TIMESTAMP, e.timestamp());
    }
  }
}
