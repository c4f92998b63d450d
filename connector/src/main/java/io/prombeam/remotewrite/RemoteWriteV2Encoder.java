package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.LabelsWireForm;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.RemoteWriteV2;
import java.util.List;

/**
 * Writes a remote-write 2.0 {@code io.prometheus.write.v2.Request} straight from our model, as the
 * 1.0 encoder does: every string of the request goes once into the symbol table ({@code ""} first)
 * and series refer to it by index, so ten labels repeated on every series cost ten small varints
 * each instead of their text.
 *
 * <p>Label strings are interned on their UTF-8 bytes, taken from the label set's encoded form (the
 * same bytes 1.0 copies whole), so no string is decoded ({@link SymbolTable}). The series are
 * written first, into a per-thread scratch buffer, while the symbols are interned; then the symbols
 * and the series are written out in field order (symbols, field 4, before series, field 5), so a
 * receiver that resolves references while it reads finds every symbol before its first use.
 * Stateless: one instance is shared by concurrent senders.
 */
final class RemoteWriteV2Encoder implements WriteRequestEncoder {
  private static final long serialVersionUID = 1L;

  private static final int REQ_SYMBOLS = RemoteWriteV2.Request.SYMBOLS_FIELD_NUMBER;
  private static final int REQ_TIMESERIES = RemoteWriteV2.Request.TIMESERIES_FIELD_NUMBER;
  private static final int TS_LABELS_REFS = RemoteWriteV2.TimeSeries.LABELS_REFS_FIELD_NUMBER;
  private static final int TS_SAMPLES = RemoteWriteV2.TimeSeries.SAMPLES_FIELD_NUMBER;
  private static final int TS_METADATA = RemoteWriteV2.TimeSeries.METADATA_FIELD_NUMBER;
  private static final int TS_HISTOGRAMS = RemoteWriteV2.TimeSeries.HISTOGRAMS_FIELD_NUMBER;
  private static final int TS_EXEMPLARS = RemoteWriteV2.TimeSeries.EXEMPLARS_FIELD_NUMBER;
  private static final int S_VALUE = RemoteWriteV2.Sample.VALUE_FIELD_NUMBER;
  private static final int S_TIMESTAMP = RemoteWriteV2.Sample.TIMESTAMP_FIELD_NUMBER;
  private static final int S_START_TIMESTAMP = RemoteWriteV2.Sample.START_TIMESTAMP_FIELD_NUMBER;
  private static final int MD_TYPE = RemoteWriteV2.Metadata.TYPE_FIELD_NUMBER;
  private static final int MD_HELP_REF = RemoteWriteV2.Metadata.HELP_REF_FIELD_NUMBER;
  private static final int MD_UNIT_REF = RemoteWriteV2.Metadata.UNIT_REF_FIELD_NUMBER;

  static {
    // WireBuffer.sample writes value as field 1 and timestamp as field 2, as 1.0's Sample has them.
    if (RemoteWriteV2.Sample.VALUE_FIELD_NUMBER != 1
        || RemoteWriteV2.Sample.TIMESTAMP_FIELD_NUMBER != 2) {
      throw new AssertionError("Sample field numbers changed in remote_write_v2.proto");
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Per-thread working state, cleared for each request. */
  private static final class Scratch {
    WireBuffer series = new WireBuffer(64 << 10);
    final SymbolTable symbols = new SymbolTable();
    int[] refs = new int[64];

    /**
     * The previous series' encoded labels, and per label position its field's range and the
     * references of its name and value.
     */
    byte[] previous;

    /** How many labels the previous series had: positions past it hold older series' memos. */
    int previousPairs;

    int[] prevStart = new int[32];
    int[] prevLength = new int[32];
    int[] prevName = new int[32];
    int[] prevNameOffset = new int[32]; // within the label's field
    int[] prevNameLength = new int[32];
    int[] prevValue = new int[32];

    void reset() {
      if (series.capacity() > (8 << 20)) {
        series = new WireBuffer(64 << 10); // one huge request must not pin its memory
      }
      series.reset();
      symbols.clear();
      previous = null;
    }

    void ensurePositions(int n) {
      if (prevStart.length < n) {
        prevStart = java.util.Arrays.copyOf(prevStart, n);
        prevLength = java.util.Arrays.copyOf(prevLength, n);
        prevName = java.util.Arrays.copyOf(prevName, n);
        prevNameOffset = java.util.Arrays.copyOf(prevNameOffset, n);
        prevNameLength = java.util.Arrays.copyOf(prevNameLength, n);
        prevValue = java.util.Arrays.copyOf(prevValue, n);
      }
    }
  }

  @Override
  public void encodeTo(List<TimeSeries> series, WireBuffer out) {
    Scratch scratch = SCRATCH.get();
    scratch.reset();
    WireBuffer body = scratch.series;
    for (int i = 0, n = series.size(); i < n; i++) {
      writeSeries(body, series.get(i), scratch);
    }
    scratch.symbols.writeTo(out, REQ_SYMBOLS);
    out.raw(body.array(), 0, body.length());
  }

  private static void writeSeries(WireBuffer out, TimeSeries ts, Scratch scratch) {
    Labels labels = ts.labels();
    int pairs = labels.size();
    if (scratch.refs.length < 2 * pairs) {
      scratch.refs = new int[2 * pairs];
    }
    int[] refs = scratch.refs;
    SymbolTable symbols = scratch.symbols;
    byte[] e = LabelsWireForm.array(labels);
    if (e != null) {
      symbolsOfEncoded(e, pairs, symbols, refs, scratch);
    } else { // an unpaired surrogate: '?' on the wire, as in 1.0 (validation rejects these)
      for (int j = 0; j < pairs; j++) {
        refs[2 * j] = symbols.ref(labels.name(j));
        refs[2 * j + 1] = symbols.ref(labels.value(j));
      }
    }
    int packedLength = 0;
    for (int j = 0; j < 2 * pairs; j++) {
      packedLength += WireBuffer.varint32Size(refs[j]);
    }
    MetricMetadata m = ts.metadata();
    int help = m == null ? 0 : symbols.ref(m.help());
    int unit = m == null ? 0 : symbols.ref(m.unit());
    int n = ts.sampleCount();
    if (!ts.hasHistograms() && ts.exemplarCount() == 0 && !ts.hasStartTimestamps()) {
      long mark = out.beginLengthDelimited(REQ_TIMESERIES, 2);
      writeRefs(out, refs, pairs, packedLength);
      for (int j = 0; j < n; j++) {
        out.sample(TS_SAMPLES, Double.doubleToRawLongBits(ts.value(j)), ts.timestamp(j));
      }
      writeMetadata(out, m, help, unit);
      out.endLengthDelimited(mark);
      return;
    }
    // Floats and histograms never share an entry (the spec); a histogram series ending in a
    // staleness marker becomes entries in time order, the exemplars going with the last (a
    // receiver appends them after the entry's samples and histograms, once the series exists).
    int from = 0;
    do {
      boolean histograms = n > 0 && ts.histogram(from) != null;
      int to = from + 1;
      while (to < n && (ts.histogram(to) != null) == histograms) {
        to++;
      }
      long mark = out.beginLengthDelimited(REQ_TIMESERIES, 2);
      writeRefs(out, refs, pairs, packedLength);
      for (int j = from; j < to; j++) {
        if (histograms) {
          HistogramWire.write(out, TS_HISTOGRAMS, ts.histogram(j), ts.timestamp(j));
        } else {
          writeSample(out, ts, j);
        }
      }
      if (to == n) {
        for (int j = 0; j < ts.exemplarCount(); j++) {
          HistogramWire.writeV2Exemplar(out, TS_EXEMPLARS, ts.exemplar(j), symbols);
        }
      }
      writeMetadata(out, m, help, unit);
      out.endLengthDelimited(mark);
      from = to;
    } while (from < n);
  }

  private static void writeSample(WireBuffer out, TimeSeries ts, int j) {
    long start = ts.startTimestamp(j);
    if (start == 0) {
      out.sample(TS_SAMPLES, Double.doubleToRawLongBits(ts.value(j)), ts.timestamp(j));
      return;
    }
    long mark = out.beginLengthDelimited(TS_SAMPLES, 1);
    if (Double.doubleToRawLongBits(ts.value(j)) != 0) {
      out.doubleField(S_VALUE, ts.value(j));
    }
    if (ts.timestamp(j) != 0) {
      out.varintField(S_TIMESTAMP, ts.timestamp(j));
    }
    out.varintField(S_START_TIMESTAMP, start);
    out.endLengthDelimited(mark);
  }

  private static void writeRefs(WireBuffer out, int[] refs, int pairs, int packedLength) {
    if (pairs > 0) { // packed repeated uint32: one length, then the varints
      out.tag(TS_LABELS_REFS, WireBuffer.WIRETYPE_LENGTH_DELIMITED);
      out.varint32(packedLength);
      for (int j = 0; j < 2 * pairs; j++) {
        out.varint32(refs[j]);
      }
    }
  }

  private static void writeMetadata(WireBuffer out, MetricMetadata m, int help, int unit) {
    if (m == null) {
      return;
    }
    long mark = out.beginLengthDelimited(TS_METADATA, 1);
    int type = protoType(m);
    if (type != 0) {
      out.tag(MD_TYPE, WireBuffer.WIRETYPE_VARINT);
      out.varint32(type);
    }
    if (help != 0) {
      out.tag(MD_HELP_REF, WireBuffer.WIRETYPE_VARINT);
      out.varint32(help);
    }
    if (unit != 0) {
      out.tag(MD_UNIT_REF, WireBuffer.WIRETYPE_VARINT);
      out.varint32(unit);
    }
    out.endLengthDelimited(mark);
  }

  /**
   * The name and value references of the labels in encoded form {@code e} (see {@link
   * LabelsWireForm#array}): each string interned on its bytes where it lies. Series of a request
   * mostly share their label names and many values position by position, so each label (name and
   * value in one field) is first compared with the one at the same position in the previous series
   * and its strings are looked up only when it differs.
   */
  private static void symbolsOfEncoded(
      byte[] e, int pairs, SymbolTable symbols, int[] refs, Scratch memo) {
    memo.ensurePositions(pairs);
    byte[] previous = memo.previous;
    int known = previous == null ? 0 : memo.previousPairs;
    int p = 0;
    for (int j = 0; j < pairs; j++) {
      int labelStart = p;
      p++; // the Label field's tag
      int labelLength = varint(e, p);
      p += WireBuffer.varint32Size(labelLength);
      int end = p + labelLength;
      int whole = end - labelStart;
      int ps = memo.prevStart[j];
      if (j < known
          && memo.prevLength[j] == whole
          && SymbolTable.same(previous, ps, e, labelStart, whole)) {
        // the same label (name and value) as the previous series at this position
        refs[2 * j] = memo.prevName[j];
        refs[2 * j + 1] = memo.prevValue[j];
      } else {
        int name = 0; // an empty name is omitted: symbol 0
        int nameOffset = 0;
        int nameLength = -1;
        if (e[p] == NAME_TAG) {
          int n = varint(e, p + 1);
          int at = p + 1 + WireBuffer.varint32Size(n);
          nameOffset = at - labelStart;
          nameLength = n;
          // mostly only the value changed: the same name as the previous series' here
          int pn = memo.prevStart[j] + memo.prevNameOffset[j];
          name =
              j < known && memo.prevNameLength[j] == n && SymbolTable.same(previous, pn, e, at, n)
                  ? memo.prevName[j]
                  : symbols.ref(e, at, n);
          p = at + n;
        }
        int v = varint(e, p + 1); // the value's tag, then its length
        int at = p + 1 + WireBuffer.varint32Size(v);
        refs[2 * j] = name;
        refs[2 * j + 1] = symbols.ref(e, at, v);
        memo.prevLength[j] = whole;
        memo.prevName[j] = name;
        memo.prevNameOffset[j] = nameOffset;
        memo.prevNameLength[j] = nameLength;
        memo.prevValue[j] = refs[2 * j + 1];
      }
      memo.prevStart[j] = labelStart;
      p = end;
    }
    memo.previous = e;
    memo.previousPairs = pairs;
  }

  private static final int NAME_TAG = (1 << 3) | WireBuffer.WIRETYPE_LENGTH_DELIMITED;

  private static int varint(byte[] b, int p) {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[p++];
      v |= (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
  }

  /** The spec's type number of each of our types, by ordinal: the same kinds, named apart. */
  private static final int[] TYPE_NUMBERS = new int[MetricType.values().length];

  static {
    for (MetricType t : MetricType.values()) {
      String name = t == MetricType.UNKNOWN ? "UNSPECIFIED" : t.name();
      TYPE_NUMBERS[t.ordinal()] =
          RemoteWriteV2.Metadata.MetricType.valueOf("METRIC_TYPE_" + name).getNumber();
    }
  }

  private static int protoType(MetricMetadata m) {
    return TYPE_NUMBERS[m.type().ordinal()];
  }
}
