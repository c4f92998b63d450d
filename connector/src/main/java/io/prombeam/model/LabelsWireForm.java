package io.prombeam.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.util.VarInt;

/**
 * The wire form of a {@link Labels}: its labels as the repeated {@code Label} fields of a
 * remote-write {@code TimeSeries} message, the bytes the encoder copies into a request as they are
 * and the coder writes. Kept apart from the value type; {@code Labels} caches the bytes.
 */
@Internal
public final class LabelsWireForm {
  /** Marks a label set whose strings UTF-8 cannot carry (compared by identity). */
  static final byte[] NOT_ENCODABLE = new byte[0];

  static final int NAME_TAG = (1 << 3) | 2; // Label.name, length-delimited
  static final int VALUE_TAG = (2 << 3) | 2; // Label.value, length-delimited
  static final int LABEL_TAG = (1 << 3) | 2; // TimeSeries.labels, length-delimited

  /** {@link #hashAsciiEncoded} when the bytes are not all ASCII. */
  static final int NOT_ASCII = 0;

  private static final byte[] METRIC_NAME_BYTES =
      Labels.METRIC_NAME.getBytes(StandardCharsets.US_ASCII);

  private LabelsWireForm() {}

  /**
   * {@code Labels.hashStrings} computed on the encoded form without decoding it: for ASCII text a
   * string's hash is the same polynomial over its bytes. {@link #NOT_ASCII} when a byte is not
   * ASCII (or the hash happens to be 0), and the caller decodes instead.
   */
  static int hashAsciiEncoded(byte[] e, int size) {
    int h = 1;
    int seen = 0;
    int p = 0;
    for (int i = 0; i < size; i++) {
      long label = readVarint(e, p + 1);
      p = (int) (label >>> 32);
      int end = p + (int) label;
      int nameHash = 0;
      if (e[p] == NAME_TAG) {
        long name = readVarint(e, p + 1);
        int start = (int) (name >>> 32);
        for (int k = start; k < start + (int) name; k++) {
          nameHash = 31 * nameHash + e[k];
          seen |= e[k];
        }
        p = start + (int) name;
      }
      long value = readVarint(e, p + 1);
      int start = (int) (value >>> 32);
      int valueHash = 0;
      for (int k = start; k < start + (int) value; k++) {
        valueHash = 31 * valueHash + e[k];
        seen |= e[k];
      }
      h = 31 * (31 * h + nameHash) + valueHash;
      p = end;
    }
    return seen < 0 || h == NOT_ASCII ? NOT_ASCII : h;
  }

  /**
   * For the validator: whether this label set, held only in its encoded form (as after a coder), is
   * ASCII and passes the label rules, checked on the bytes without decoding a string. False means
   * "not known": the validator then checks the strings and names what is wrong.
   */
  static boolean isValidAscii(Labels labels, int maxValueLength) {
    byte[] e = labels.encodedIfOnlyForm();
    int size = labels.size();
    if (e == null) {
      return false;
    }
    boolean hasMetricName = false;
    int prevName = -1;
    int prevNameLength = 0;
    int p = 0;
    for (int i = 0; i < size; i++) {
      long label = readVarint(e, p + 1);
      p = (int) (label >>> 32);
      int end = p + (int) label;
      if (e[p] != NAME_TAG) {
        return false; // empty name
      }
      long name = readVarint(e, p + 1);
      int nameStart = (int) (name >>> 32);
      int nameLength = (int) name;
      if (prevName >= 0
          && Arrays.compare(
                  e, prevName, prevName + prevNameLength, e, nameStart, nameStart + nameLength)
              >= 0) {
        return false; // a repeated name
      }
      boolean isMetricName =
          Arrays.equals(
              e, nameStart, nameStart + nameLength, METRIC_NAME_BYTES, 0, METRIC_NAME_BYTES.length);
      if (!isMetricName
          && (!isNameAscii(e, nameStart, nameLength, false)
              || (nameLength > 1 && e[nameStart] == '_' && e[nameStart + 1] == '_'))) {
        return false;
      }
      p = nameStart + nameLength;
      long value = readVarint(e, p + 1);
      int valueStart = (int) (value >>> 32);
      int valueLength = (int) value;
      if (valueLength > maxValueLength) {
        return false;
      }
      int seen = 0;
      for (int k = valueStart; k < valueStart + valueLength; k++) {
        seen |= e[k];
      }
      if (seen < 0 || (isMetricName && !isNameAscii(e, valueStart, valueLength, true))) {
        return false;
      }
      hasMetricName |= isMetricName;
      prevName = nameStart;
      prevNameLength = nameLength;
      p = end;
    }
    return hasMetricName;
  }

  /** {@code [a-zA-Z_][a-zA-Z0-9_]*}, with ':' too for a metric name. */
  private static boolean isNameAscii(byte[] e, int start, int length, boolean metric) {
    if (length == 0) {
      return false;
    }
    for (int k = start; k < start + length; k++) {
      byte c = e[k];
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || (metric && c == ':')
              || (k > start && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the encoded form is at hand without work: true for label sets decoded by the coder and
   * for those already hashed, compared or coded.
   */
  static boolean isAtHand(Labels labels) {
    byte[] e = labels.encodedIfHeld();
    return e != null && e != NOT_ENCODABLE;
  }

  /**
   * Length of the encoded form (computing it if needed), or -1 when the strings hold an unpaired
   * surrogate, which UTF-8 cannot carry.
   */
  @Internal
  public static int length(Labels labels) {
    byte[] e = labels.encodedOrNull();
    return e == null ? -1 : e.length;
  }

  /** Copies the encoded form to {@code dst[offset..]}; see {@link #length(Labels)}. */
  @Internal
  public static void copy(Labels labels, byte[] dst, int offset) {
    byte[] e = labels.encodedOrNull();
    if (e == null) {
      throw new IllegalStateException(
          "labels with an unpaired surrogate have no encoded form: " + labels);
    }
    System.arraycopy(e, 0, dst, offset, e.length);
  }

  /**
   * For the coder and the encoders: the encoded form itself (computed if needed; not to be
   * modified), or null when the strings hold an unpaired surrogate. Its layout: one {@code Label}
   * field (tag {@code 0x0a}, length) per label, holding an optional name (tag {@code 0x0a}, omitted
   * when empty) and the value (tag {@code 0x12}), each a length and UTF-8 bytes.
   */
  @Internal
  public static byte[] array(Labels labels) {
    return labels.encodedOrNull();
  }

  /**
   * Label set from an encoded form written by {@link #copy} (the coder's bytes). Checks the
   * structure and counts the labels; strings are decoded only when asked for.
   *
   * @throws IllegalArgumentException when the bytes are not an encoded form
   */
  static Labels parse(byte[] e) {
    if (e.length == 0) {
      return Labels.EMPTY;
    }
    int count = 0;
    int p = 0;
    while (p < e.length) {
      if (e[p++] != LABEL_TAG) {
        throw malformed(p - 1, "a Label field tag");
      }
      long lengthAndPos = readVarint(e, p);
      int end = (int) lengthAndPos + (int) (lengthAndPos >>> 32);
      p = (int) (lengthAndPos >>> 32);
      if (end > e.length || end < p) {
        throw malformed(p, "a Label length within the bytes");
      }
      p = skipField(e, p, end, NAME_TAG, true);
      p = skipField(e, p, end, VALUE_TAG, false);
      if (p != end) {
        throw malformed(p, "the end of the Label");
      }
      count++;
    }
    return Labels.ofEncoded(e, count);
  }

  /** Skips one string field with the given tag; an optional one may be absent (empty). */
  private static int skipField(byte[] e, int p, int end, int tag, boolean optional) {
    if (p < end && e[p] == tag) {
      long lengthAndPos = readVarint(e, p + 1);
      int start = (int) (lengthAndPos >>> 32);
      int fieldEnd = start + (int) lengthAndPos;
      if (fieldEnd > end || fieldEnd < start) {
        throw malformed(p, "a string length within its Label");
      }
      return fieldEnd;
    }
    if (!optional) {
      throw malformed(p, "a non-empty label value");
    }
    return p;
  }

  /** A varint32 at {@code p}: the value in the low 32 bits, the position after it in the high. */
  static long readVarint(byte[] e, int p) {
    int v = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      if (p >= e.length) {
        throw malformed(p, "a complete length");
      }
      byte b = e[p++];
      v |= (b & 0x7F) << shift;
      if (b >= 0) {
        return ((long) p << 32) | (v & 0xFFFFFFFFL);
      }
    }
    throw malformed(p, "a length under 2^31");
  }

  private static IllegalArgumentException malformed(int at, String expected) {
    return new IllegalArgumentException(
        "not an encoded label set: expected " + expected + " at byte " + at);
  }

  static Labels.Strings decodeStrings(byte[] e, int size) {
    String[] names = new String[size];
    String[] values = new String[size];
    int p = 0;
    for (int i = 0; i < size; i++) {
      long label = readVarint(e, p + 1);
      p = (int) (label >>> 32);
      int end = p + (int) label;
      names[i] = "";
      if (e[p] == NAME_TAG) {
        long name = readVarint(e, p + 1);
        int start = (int) (name >>> 32);
        names[i] = new String(e, start, (int) name, StandardCharsets.UTF_8);
        p = start + (int) name;
      }
      long value = readVarint(e, p + 1);
      int start = (int) (value >>> 32);
      values[i] = new String(e, start, (int) value, StandardCharsets.UTF_8);
      p = end;
    }
    return new Labels.Strings(names, values);
  }

  /**
   * Encodes the strings. Sized for ASCII first (label text almost always is), which makes every
   * length known before any text is copied; anything else takes the general UTF-8 path.
   */
  static byte[] encode(Labels.Strings s) {
    int total = 0;
    for (int i = 0; i < s.names.length; i++) {
      int body = fieldSize(s.names[i].length()) + fieldSize(s.values[i].length());
      total += 1 + VarInt.getLength(body) + body;
    }
    byte[] out = new byte[total];
    int p = 0;
    for (int i = 0; i < s.names.length; i++) {
      String name = s.names[i];
      String value = s.values[i];
      out[p++] = LABEL_TAG;
      p = TimeSeriesCoder.putVarint(out, p, fieldSize(name.length()) + fieldSize(value.length()));
      if (!name.isEmpty()) {
        out[p++] = NAME_TAG;
        p = TimeSeriesCoder.putVarint(out, p, name.length());
        if (!copyAscii(name, out, p)) {
          return encodeUtf8(s);
        }
        p += name.length();
      }
      out[p++] = VALUE_TAG;
      p = TimeSeriesCoder.putVarint(out, p, value.length());
      if (!copyAscii(value, out, p)) {
        return encodeUtf8(s);
      }
      p += value.length();
    }
    return out;
  }

  /** The general path: exact UTF-8, or NOT_ENCODABLE for an unpaired surrogate. */
  private static byte[] encodeUtf8(Labels.Strings s) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] header = new byte[5];
    for (int i = 0; i < s.names.length; i++) {
      if (!SeriesValidator.isWellFormedUtf16(s.names[i])
          || !SeriesValidator.isWellFormedUtf16(s.values[i])) {
        return NOT_ENCODABLE;
      }
      byte[] name = s.names[i].getBytes(StandardCharsets.UTF_8);
      byte[] value = s.values[i].getBytes(StandardCharsets.UTF_8);
      out.write(LABEL_TAG);
      out.write(
          header,
          0,
          TimeSeriesCoder.putVarint(header, 0, fieldSize(name.length) + fieldSize(value.length)));
      if (name.length > 0) {
        out.write(NAME_TAG);
        out.write(header, 0, TimeSeriesCoder.putVarint(header, 0, name.length));
        out.write(name, 0, name.length);
      }
      out.write(VALUE_TAG);
      out.write(header, 0, TimeSeriesCoder.putVarint(header, 0, value.length));
      out.write(value, 0, value.length);
    }
    return out.toByteArray();
  }

  /** Copies ASCII text as bytes; false (bytes then garbage) when any char is not ASCII. */
  private static boolean copyAscii(String s, byte[] b, int at) {
    int n = s.length();
    int seen = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      seen |= c;
      b[at + i] = (byte) c;
    }
    return seen < 0x80;
  }

  /** Size of a string field of {@code n} bytes, omitted (0) when empty as protobuf does. */
  private static int fieldSize(int n) {
    return n == 0 ? 0 : 1 + VarInt.getLength(n) + n;
  }
}
