package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.RemoteWriteV2;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Writes a remote-write 2.0 {@code io.prometheus.write.v2.Request} straight from our model, as the
 * 1.0 encoder does: every string of the request goes once into the symbol table ({@code ""} first)
 * and series refer to it by index, so ten labels repeated on every series cost ten small varints
 * each instead of their text.
 *
 * <p>The series are written first, into a per-thread scratch buffer, while the symbols are
 * interned; then the symbols and the series are written out in field order (symbols, field 4,
 * before series, field 5), so a receiver that resolves references while it reads finds every symbol
 * before its first use. Stateless: one instance is shared by concurrent senders.
 */
final class RemoteWriteV2Encoder implements WriteRequestEncoder {
  private static final long serialVersionUID = 1L;

  private static final int REQ_SYMBOLS = RemoteWriteV2.Request.SYMBOLS_FIELD_NUMBER;
  private static final int REQ_TIMESERIES = RemoteWriteV2.Request.TIMESERIES_FIELD_NUMBER;
  private static final int TS_LABELS_REFS = RemoteWriteV2.TimeSeries.LABELS_REFS_FIELD_NUMBER;
  private static final int TS_SAMPLES = RemoteWriteV2.TimeSeries.SAMPLES_FIELD_NUMBER;
  private static final int TS_METADATA = RemoteWriteV2.TimeSeries.METADATA_FIELD_NUMBER;
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
    final HashMap<String, Integer> index = new HashMap<>(256);
    final List<String> symbols = new ArrayList<>(256);
    int[] refs = new int[64];

    void reset() {
      if (series.capacity() > (8 << 20)) {
        series = new WireBuffer(64 << 10); // one huge request must not pin its memory
      }
      series.reset();
      index.clear();
      symbols.clear();
      ref(""); // the spec: the first symbol is the empty string
    }

    int ref(String s) {
      Integer r = index.get(s);
      if (r == null) {
        r = symbols.size();
        index.put(s, r);
        symbols.add(s);
      }
      return r;
    }
  }

  @Override
  public void encodeTo(List<TimeSeries> series, WireBuffer out) {
    Scratch scratch = SCRATCH.get();
    scratch.reset();
    WireBuffer body = scratch.series;
    for (int i = 0, n = series.size(); i < n; i++) {
      long mark = body.beginLengthDelimited(REQ_TIMESERIES, 2);
      writeSeries(body, series.get(i), scratch);
      body.endLengthDelimited(mark);
    }
    List<String> symbols = scratch.symbols;
    for (int i = 0, n = symbols.size(); i < n; i++) {
      out.string(REQ_SYMBOLS, symbols.get(i)); // "" too: a repeated element is never omitted
    }
    out.raw(body.array(), 0, body.length());
  }

  private static void writeSeries(WireBuffer out, TimeSeries ts, Scratch scratch) {
    Labels labels = ts.labels();
    int pairs = labels.size();
    if (scratch.refs.length < 2 * pairs) {
      scratch.refs = new int[2 * pairs];
    }
    int[] refs = scratch.refs;
    int packedLength = 0;
    for (int j = 0; j < pairs; j++) {
      int name = scratch.ref(labels.name(j));
      int value = scratch.ref(labels.value(j));
      refs[2 * j] = name;
      refs[2 * j + 1] = value;
      packedLength += WireBuffer.varint32Size(name) + WireBuffer.varint32Size(value);
    }
    if (pairs > 0) { // packed repeated uint32: one length, then the varints
      out.tag(TS_LABELS_REFS, WireBuffer.WIRETYPE_LENGTH_DELIMITED);
      out.varint32(packedLength);
      for (int j = 0; j < 2 * pairs; j++) {
        out.varint32(refs[j]);
      }
    }
    for (int j = 0, n = ts.sampleCount(); j < n; j++) {
      out.sample(TS_SAMPLES, Double.doubleToRawLongBits(ts.value(j)), ts.timestamp(j));
    }
    MetricMetadata m = ts.metadata();
    if (m != null) {
      long mark = out.beginLengthDelimited(TS_METADATA, 1);
      int type = protoType(m);
      if (type != 0) {
        out.tag(MD_TYPE, WireBuffer.WIRETYPE_VARINT);
        out.varint32(type);
      }
      int help = scratch.ref(m.help());
      if (help != 0) {
        out.tag(MD_HELP_REF, WireBuffer.WIRETYPE_VARINT);
        out.varint32(help);
      }
      int unit = scratch.ref(m.unit());
      if (unit != 0) {
        out.tag(MD_UNIT_REF, WireBuffer.WIRETYPE_VARINT);
        out.varint32(unit);
      }
      out.endLengthDelimited(mark);
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
