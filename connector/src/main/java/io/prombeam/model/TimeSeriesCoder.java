package io.prombeam.model;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Deterministic Beam coder for {@link TimeSeries}, registered as its default coder.
 *
 * <p>Layout: the label set (see {@link #encodeLabels}); the samples as one length-prefixed block:
 * sample count, the first timestamp and then deltas (zig-zag varints: regular scrapes cost a byte
 * or two), each value as its raw 8 bytes (the stale-marker NaN survives); a flag byte whose low
 * nibble is the metadata (0 none, else the type's ordinal + 1, followed by help and unit) and whose
 * high bits announce, in this order, start timestamps, histograms and exemplars (rare: a plain
 * series pays nothing for them). Histogram counts, sums and bounds are raw 8-byte doubles, so every
 * value is carried bit-exactly.
 *
 * <p>Strings are written exactly, even ill-formed ones (an unpaired surrogate would otherwise turn
 * into '?', silently "repairing" a series that validation must reject): a label set with one keeps
 * the per-string layout, and each string is UTF-8 when well-formed, flagged by the low bit of its
 * length, otherwise UTF-16 code units.
 */
public final class TimeSeriesCoder extends AtomicCoder<TimeSeries> {
  private static final long serialVersionUID = 1L;
  private static final TimeSeriesCoder INSTANCE = new TimeSeriesCoder();
  private static final MetricType[] TYPES = MetricType.values();

  /** The coder. */
  public static TimeSeriesCoder of() {
    return INSTANCE;
  }

  /** Lets {@code @DefaultCoder} on {@link TimeSeries} find this coder. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(TimeSeries.class), INSTANCE);
  }

  private TimeSeriesCoder() {}

  @Override
  public void encode(TimeSeries ts, OutputStream out) throws IOException {
    if (ts == null) {
      throw new CoderException("cannot encode a null TimeSeries");
    }
    encodeLabels(ts.labels(), out);
    byte[] samples = encodeSamples(ts.timestampsArray(), ts.valuesArray());
    VarInt.encode(samples.length, out);
    out.write(samples);
    MetricMetadata m = ts.metadata();
    long[] starts = ts.startTimestampsArray();
    NativeHistogram[] histograms = ts.histogramsArray();
    Exemplar[] exemplars = ts.exemplarsArray();
    int flag =
        (m == null ? 0 : m.type().ordinal() + 1)
            | (starts != null ? HAS_STARTS : 0)
            | (histograms != null ? HAS_HISTOGRAMS : 0)
            | (exemplars.length > 0 ? HAS_EXEMPLARS : 0);
    out.write(flag);
    if (m != null) {
      encodeString(m.help(), out);
      encodeString(m.unit(), out);
    }
    if (starts != null) {
      for (long s : starts) {
        VarInt.encode(zigZag(s), out);
      }
    }
    if (histograms != null) {
      for (NativeHistogram h : histograms) {
        if (h == null) {
          out.write(0);
        } else {
          out.write(1);
          encodeHistogram(h, out);
        }
      }
    }
    if (exemplars.length > 0) {
      VarInt.encode(exemplars.length, out);
      for (Exemplar e : exemplars) {
        encodeLabels(e.labels(), out);
        writeDouble(e.value(), out);
        VarInt.encode(zigZag(e.timestamp()), out);
      }
    }
  }

  private static final int HAS_STARTS = 0x10;
  private static final int HAS_HISTOGRAMS = 0x20;
  private static final int HAS_EXEMPLARS = 0x40;
  private static final NativeHistogram.ResetHint[] HINTS = NativeHistogram.ResetHint.values();

  private static void encodeHistogram(NativeHistogram h, OutputStream out) throws IOException {
    out.write((h.isFloat() ? 1 : 0) | (h.resetHint().ordinal() << 1));
    writeDouble(h.count(), out);
    writeDouble(h.sum(), out);
    VarInt.encode(zigZag(h.schema()), out);
    writeDouble(h.zeroThreshold(), out);
    writeDouble(h.zeroCount(), out);
    encodeBuckets(h.negative(), out);
    encodeBuckets(h.positive(), out);
    VarInt.encode(h.customValueCount(), out);
    for (int i = 0; i < h.customValueCount(); i++) {
      writeDouble(h.customValue(i), out);
    }
  }

  private static void encodeBuckets(HistogramBuckets b, OutputStream out) throws IOException {
    int[] spans = b.spansArray();
    VarInt.encode(spans.length, out);
    for (int x : spans) {
      VarInt.encode(zigZag(x), out);
    }
    out.write(b.isFloat() ? 1 : 0);
    if (b.isFloat()) {
      double[] counts = b.countsArray();
      VarInt.encode(counts.length, out);
      for (double c : counts) {
        writeDouble(c, out);
      }
    } else {
      long[] deltas = b.deltasArray();
      VarInt.encode(deltas.length, out);
      for (long d : deltas) {
        VarInt.encode(zigZag(d), out);
      }
    }
  }

  private static NativeHistogram decodeHistogram(InputStream in) throws IOException {
    int flags = readByte(in);
    if ((flags >>> 1) >= HINTS.length) {
      throw new CoderException("unknown histogram reset hint code " + (flags >>> 1));
    }
    boolean isFloat = (flags & 1) != 0;
    double count = readDouble(in);
    double sum = readDouble(in);
    int schema = (int) unZigZag(VarInt.decodeLong(in));
    double zeroThreshold = readDouble(in);
    double zeroCount = readDouble(in);
    HistogramBuckets negative = decodeBuckets(in);
    HistogramBuckets positive = decodeBuckets(in);
    double[] custom = new double[checkedCount(in, 8)];
    for (int i = 0; i < custom.length; i++) {
      custom[i] = readDouble(in);
    }
    NativeHistogram.Builder b =
        NativeHistogram.builder(schema)
            .sum(sum)
            .zeroThreshold(zeroThreshold)
            .negative(negative)
            .positive(positive)
            .resetHint(HINTS[flags >>> 1])
            .customValues(custom);
    if (isFloat) {
      b.count(count).zeroCount(zeroCount);
    } else {
      b.count((long) count).zeroCount((long) zeroCount);
    }
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new CoderException("histogram mixes integer and float counts");
    }
  }

  private static HistogramBuckets decodeBuckets(InputStream in) throws IOException {
    int[] spans = new int[checkedCount(in, 1)];
    for (int i = 0; i < spans.length; i++) {
      spans[i] = (int) unZigZag(VarInt.decodeLong(in));
    }
    if (readByte(in) == 1) {
      double[] counts = new double[checkedCount(in, 8)];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = readDouble(in);
      }
      return HistogramBuckets.ofCounts(spans, counts);
    }
    long[] deltas = new long[checkedCount(in, 1)];
    for (int i = 0; i < deltas.length; i++) {
      deltas[i] = unZigZag(VarInt.decodeLong(in));
    }
    try {
      return HistogramBuckets.ofDeltas(spans, deltas);
    } catch (IllegalArgumentException e) {
      throw new CoderException(e.getMessage());
    }
  }

  /** A count of items of at least {@code minBytes} each; refuses counts no input could hold. */
  private static int checkedCount(InputStream in, int minBytes) throws IOException {
    int n = VarInt.decodeInt(in);
    if (n < 0 || n > (1 << 28) / minBytes) {
      throw new CoderException("count " + n + " out of range");
    }
    return n;
  }

  private static long zigZag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unZigZag(long zz) {
    return (zz >>> 1) ^ -(zz & 1);
  }

  private static void writeDouble(double d, OutputStream out) throws IOException {
    byte[] b = new byte[8];
    LONG_BE.set(b, 0, Double.doubleToRawLongBits(d));
    out.write(b);
  }

  private static double readDouble(InputStream in) throws IOException {
    byte[] b = new byte[8];
    readFully(in, b);
    return Double.longBitsToDouble((long) LONG_BE.get(b, 0));
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("truncated TimeSeries");
    }
    return b;
  }

  @Override
  public TimeSeries decode(InputStream in) throws IOException {
    Labels labels = decodeLabels(in);
    int blockLength = VarInt.decodeInt(in);
    if (blockLength < 1) {
      throw new CoderException("samples block length " + blockLength + " out of range");
    }
    byte[] block = new byte[blockLength];
    readFully(in, block);
    SamplesReader samples = new SamplesReader(block);
    int n = (int) samples.varint();
    if (n < 0 || n > blockLength / 9) {
      throw new CoderException("sample count " + n + " does not fit a block of " + blockLength);
    }
    long[] t = new long[n];
    double[] v = new double[n];
    long prev = 0;
    for (int i = 0; i < n; i++) {
      long zz = samples.varint();
      prev += (zz >>> 1) ^ -(zz & 1);
      t[i] = prev;
      v[i] = Double.longBitsToDouble(samples.fixed64());
    }
    if (samples.pos != blockLength) {
      throw new CoderException("samples block has " + (blockLength - samples.pos) + " stray bytes");
    }
    int flag = in.read();
    MetricMetadata m = null;
    if (flag < 0) {
      throw new EOFException("truncated TimeSeries: no metadata flag");
    }
    int type = flag & 0x0F;
    if ((flag & 0x80) != 0 || type > TYPES.length) {
      throw new CoderException("unknown metric type code " + flag);
    } else if (type > 0) {
      m = MetricMetadata.of(TYPES[type - 1], decodeString(in), decodeString(in));
    }
    if (flag < HAS_STARTS) {
      return new TimeSeries(labels, t, v, m);
    }
    long[] starts = null;
    if ((flag & HAS_STARTS) != 0) {
      starts = new long[n];
      for (int i = 0; i < n; i++) {
        starts[i] = unZigZag(VarInt.decodeLong(in));
      }
    }
    NativeHistogram[] histograms = null;
    if ((flag & HAS_HISTOGRAMS) != 0) {
      histograms = new NativeHistogram[n];
      for (int i = 0; i < n; i++) {
        histograms[i] = readByte(in) == 1 ? decodeHistogram(in) : null;
      }
    }
    Exemplar[] exemplars = new Exemplar[0];
    if ((flag & HAS_EXEMPLARS) != 0) {
      exemplars = new Exemplar[checkedCount(in, 10)];
      for (int i = 0; i < exemplars.length; i++) {
        Labels el = decodeLabels(in);
        double value = readDouble(in);
        exemplars[i] = Exemplar.of(el, value, unZigZag(VarInt.decodeLong(in)));
      }
    }
    return new TimeSeries(labels, t, v, starts, histograms, exemplars, m);
  }

  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /**
   * The samples as one block, written with one stream call: count, then per sample the zig-zag
   * timestamp delta and the value's raw 8 bytes. A byte-at-a-time stream costs a virtual call per
   * byte on Flink's memory views, more than the encoding itself.
   */
  private static byte[] encodeSamples(long[] t, double[] v) {
    byte[] b = new byte[5 + t.length * (10 + 8)];
    int p = putVarint(b, 0, t.length);
    long prev = 0;
    for (int i = 0; i < t.length; i++) {
      long delta = t[i] - prev;
      p = putVarint(b, p, (delta << 1) ^ (delta >> 63));
      prev = t[i];
      LONG_BE.set(b, p, Double.doubleToRawLongBits(v[i]));
      p += 8;
    }
    return p == b.length ? b : java.util.Arrays.copyOf(b, p);
  }

  /** A non-negative varint at {@code b[p..]}; returns the position after it. */
  static int putVarint(byte[] b, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  /** Reads a samples block, failing with a coder error on truncation. */
  private static final class SamplesReader {
    private final byte[] b;
    int pos;

    SamplesReader(byte[] b) {
      this.b = b;
    }

    long varint() throws CoderException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= b.length) {
          throw new CoderException("truncated samples block");
        }
        byte x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw new CoderException("varint over 64 bits in samples block");
    }

    long fixed64() throws CoderException {
      if (pos + 8 > b.length) {
        throw new CoderException("truncated samples block");
      }
      long v = (long) LONG_BE.get(b, pos);
      pos += 8;
      return v;
    }
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }

  /**
   * A label set: its encoded form (see {@link Labels}), one length-prefixed block, flagged by a
   * clear low bit of the header; or, for label sets with an unpaired surrogate, which have none,
   * the label count with the low bit set and then each name and value.
   */
  public static void encodeLabels(Labels labels, OutputStream out) throws IOException {
    byte[] encoded = LabelsWireForm.array(labels);
    if (encoded != null) {
      VarInt.encode(((long) encoded.length) << 1, out);
      out.write(encoded);
      return;
    }
    VarInt.encode((((long) labels.size()) << 1) | 1, out);
    for (int i = 0; i < labels.size(); i++) {
      encodeString(labels.name(i), out);
      encodeString(labels.value(i), out);
    }
  }

  /** Decodes a label set as this coder writes it, keeping its encoded form for the wire. */
  @Internal
  public static Labels decodeLabels(InputStream in) throws IOException {
    long header = readFlaggedHeader(in, "label set length");
    long n = header >>> 1;
    if ((header & 1) == 0) {
      byte[] b = new byte[(int) n];
      readFully(in, b);
      try {
        return LabelsWireForm.parse(b);
      } catch (IllegalArgumentException e) {
        throw new CoderException(e.getMessage());
      }
    }
    String[] names = new String[(int) n];
    String[] values = new String[(int) n];
    for (int i = 0; i < n; i++) {
      names[i] = decodeString(in);
      values[i] = decodeString(in);
    }
    return Labels.ofSorted(names, values);
  }

  /**
   * Encodes any Java string losslessly, malformed UTF-16 included (a label value may hold a lone
   * surrogate, and so may a message naming it).
   */
  @Internal
  public static void encodeString(String s, OutputStream out) throws IOException {
    if (SeriesValidator.isWellFormedUtf16(s)) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      VarInt.encode(((long) b.length) << 1, out);
      out.write(b);
    } else {
      VarInt.encode((((long) s.length()) << 1) | 1, out);
      byte[] b = new byte[s.length() * 2];
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        b[2 * i] = (byte) (c >>> 8);
        b[2 * i + 1] = (byte) c;
      }
      out.write(b);
    }
  }

  /** Decodes what {@link #encodeString} wrote. */
  @Internal
  public static String decodeString(InputStream in) throws IOException {
    long header = readFlaggedHeader(in, "string length");
    long len = header >>> 1;
    if ((header & 1) == 0) {
      byte[] b = new byte[(int) len];
      readFully(in, b);
      return new String(b, StandardCharsets.UTF_8);
    }
    byte[] b = new byte[(int) len * 2];
    readFully(in, b);
    char[] c = new char[(int) len];
    for (int i = 0; i < c.length; i++) {
      c[i] = (char) (((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff));
    }
    return new String(c);
  }

  /** A varint with a length or count above a one-bit flag; the length must fit an array. */
  private static long readFlaggedHeader(InputStream in, String what) throws IOException {
    long header = VarInt.decodeLong(in);
    if ((header >>> 1) > Integer.MAX_VALUE / 2) {
      throw new CoderException(what + " " + (header >>> 1) + " out of range");
    }
    return header;
  }

  private static void readFully(InputStream in, byte[] b) throws IOException {
    int off = 0;
    while (off < b.length) {
      int r = in.read(b, off, b.length - off);
      if (r < 0) {
        throw new EOFException("truncated TimeSeries");
      }
      off += r;
    }
  }
}
