package io.prombeam.model;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.VarInt;

/**
 * Deterministic Beam coder for {@link TimeSeries}, registered as its default coder.
 *
 * <p>Layout: the label set (see {@link #encodeLabels}); sample count, the first timestamp and then
 * deltas (zig-zag varints: regular scrapes cost a byte or two), each value as its raw 8 bytes (the
 * stale-marker NaN survives); a metadata flag byte and, when set, type, help and unit.
 *
 * <p>Strings are written exactly, even ill-formed ones (an unpaired surrogate would otherwise turn
 * into '?', silently "repairing" a series that validation must reject): a well-formed string as
 * UTF-8, flagged by the low bit of its length, otherwise as UTF-16 code units.
 */
public final class TimeSeriesCoder extends AtomicCoder<TimeSeries> {
  private static final long serialVersionUID = 1L;
  private static final TimeSeriesCoder INSTANCE = new TimeSeriesCoder();
  private static final MetricType[] TYPES = MetricType.values();

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
    long[] t = ts.timestampsArray();
    double[] v = ts.valuesArray();
    VarInt.encode(t.length, out);
    long prev = 0;
    byte[] buf = new byte[8];
    for (int i = 0; i < t.length; i++) {
      long delta = t[i] - prev;
      VarInt.encode((delta << 1) ^ (delta >> 63), out);
      prev = t[i];
      long bits = Double.doubleToRawLongBits(v[i]);
      for (int b = 0; b < 8; b++) {
        buf[b] = (byte) (bits >>> (56 - 8 * b));
      }
      out.write(buf);
    }
    MetricMetadata m = ts.metadata();
    if (m == null) {
      out.write(0);
    } else {
      out.write(m.type().ordinal() + 1);
      encodeString(m.help(), out);
      encodeString(m.unit(), out);
    }
  }

  @Override
  public TimeSeries decode(InputStream in) throws IOException {
    Labels labels = decodeLabels(in);
    int n = VarInt.decodeInt(in);
    long[] t = new long[n];
    double[] v = new double[n];
    long prev = 0;
    byte[] buf = new byte[8];
    for (int i = 0; i < n; i++) {
      long zz = VarInt.decodeLong(in);
      prev += (zz >>> 1) ^ -(zz & 1);
      t[i] = prev;
      readFully(in, buf);
      long bits = 0;
      for (int b = 0; b < 8; b++) {
        bits = (bits << 8) | (buf[b] & 0xff);
      }
      v[i] = Double.longBitsToDouble(bits);
    }
    int flag = in.read();
    MetricMetadata m = null;
    if (flag < 0) {
      throw new EOFException("truncated TimeSeries: no metadata flag");
    } else if (flag > 0) {
      if (flag > TYPES.length) {
        throw new CoderException("unknown metric type code " + flag);
      }
      m = MetricMetadata.of(TYPES[flag - 1], decodeString(in), decodeString(in));
    }
    return new TimeSeries(labels, t, v, m);
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
    byte[] encoded = labels.encodedFormArray();
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

  public static Labels decodeLabels(InputStream in) throws IOException {
    long header = VarInt.decodeLong(in);
    long n = header >>> 1;
    if (n > Integer.MAX_VALUE / 2) {
      throw new CoderException("label set length " + n + " out of range");
    }
    if ((header & 1) == 0) {
      byte[] b = new byte[(int) n];
      readFully(in, b);
      try {
        return Labels.fromEncodedForm(b);
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

  static void encodeString(String s, OutputStream out) throws IOException {
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

  static String decodeString(InputStream in) throws IOException {
    long header = VarInt.decodeLong(in);
    long len = header >>> 1;
    if (len > Integer.MAX_VALUE / 2) {
      throw new CoderException("string length " + len + " out of range");
    }
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
