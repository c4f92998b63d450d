package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.LabelsWireForm;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A reusable, growable protobuf output buffer that writes every message in <em>one</em> pass.
 *
 * <p>Protobuf's own {@code CodedOutputStream} needs each nested message's length before its bytes,
 * so encoders walk the data twice (size, then write) and UTF-8-scan every string twice. Here a
 * nested message reserves a guessed number of length bytes, its body is written, and the length is
 * patched in afterwards; when the guess was wrong the body is moved by a byte or two (a short
 * {@code arraycopy}). Lengths stay minimal varints, so the output is byte-for-byte what protobuf
 * itself writes. Strings take an ASCII fast path (one pass, one store per char) and fall back to a
 * full UTF-8 encoder at the first non-ASCII char; unpaired surrogates become {@code '?'} as in
 * {@link String#getBytes(java.nio.charset.Charset)}.
 *
 * <p>Not thread-safe: one buffer per thread, {@link #reset()} between requests.
 */
final class WireBuffer {
  static final int WIRETYPE_FIXED64 = 1;
  static final int WIRETYPE_LENGTH_DELIMITED = 2;
  static final int WIRETYPE_VARINT = 0;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] buf;
  private int pos;

  WireBuffer(int initialCapacity) {
    buf = new byte[Math.max(64, initialCapacity)];
  }

  void reset() {
    pos = 0;
  }

  int length() {
    return pos;
  }

  /** The backing array; bytes {@code [0, length())} are the message. */
  byte[] array() {
    return buf;
  }

  int capacity() {
    return buf.length;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int more) {
    if (buf.length - pos < more) {
      long wanted = Math.max((long) buf.length * 2, (long) pos + more);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("remote-write request over 2 GiB");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }

  void tag(int field, int wireType) {
    varint32((field << 3) | wireType);
  }

  void varint32(int v) {
    ensure(5);
    while ((v & ~0x7F) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  void varint64(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  /** A tagged double field (raw bits), written even when zero: the caller omits defaults. */
  void doubleField(int field, double d) {
    tag(field, WIRETYPE_FIXED64);
    fixed64(Double.doubleToRawLongBits(d));
  }

  /** A tagged varint field, written even when zero. */
  void varintField(int field, long v) {
    tag(field, WIRETYPE_VARINT);
    varint64(v);
  }

  /** A zig-zag encoded varint ({@code sint32}/{@code sint64}). */
  void sint64(long v) {
    varint64((v << 1) ^ (v >> 63));
  }

  /** Little-endian fixed 64 bits: the raw bits, so NaN payloads (stale markers) survive. */
  void fixed64(long v) {
    ensure(8);
    LONG_LE.set(buf, pos, v);
    pos += 8;
  }

  /**
   * One remote-write {@code Sample} as a length-delimited field: a double (field 1, raw bits, so
   * the stale-marker NaN survives) and an int64 timestamp (field 2), each omitted when zero as
   * protobuf omits defaults. The hot path of 10-samples-per-series requests: one capacity check.
   */
  void sample(int field, long valueBits, long timestamp) {
    ensure(2 + 9 + 11);
    byte[] b = buf;
    int p = pos;
    b[p++] = (byte) ((field << 3) | WIRETYPE_LENGTH_DELIMITED);
    int lengthAt = p++; // a sample is at most 20 bytes: a one-byte length
    if (valueBits != 0) {
      b[p++] = (byte) ((1 << 3) | WIRETYPE_FIXED64);
      LONG_LE.set(b, p, valueBits);
      p += 8;
    }
    if (timestamp != 0) {
      b[p++] = (byte) ((2 << 3) | WIRETYPE_VARINT);
      long v = timestamp;
      while ((v & ~0x7FL) != 0) {
        b[p++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      b[p++] = (byte) v;
    }
    b[lengthAt] = (byte) (p - lengthAt - 1);
    pos = p;
  }

  /**
   * A label set's encoded form (its remote-write {@code Label} fields, computed by the label set on
   * first need and kept), copied whole; false, writing nothing, for a label set UTF-8 cannot carry
   * (an unpaired surrogate).
   */
  boolean encodedLabels(Labels labels) {
    int n = LabelsWireForm.length(labels);
    if (n < 0) {
      return false;
    }
    ensure(n);
    LabelsWireForm.copy(labels, buf, pos);
    pos += n;
    return true;
  }

  /** Appends {@code length} bytes of {@code src} from {@code offset} as they are. */
  void raw(byte[] src, int offset, int length) {
    ensure(length);
    System.arraycopy(src, offset, buf, pos, length);
    pos += length;
  }

  static int varint32Size(int v) {
    if ((v & (~0 << 7)) == 0) return 1;
    if ((v & (~0 << 14)) == 0) return 2;
    if ((v & (~0 << 21)) == 0) return 3;
    if ((v & (~0 << 28)) == 0) return 4;
    return 5;
  }

  /**
   * Starts a length-delimited field: writes the tag and reserves {@code guessedLengthBytes} for the
   * length. Returns the mark to hand to {@link #endLengthDelimited}.
   */
  long beginLengthDelimited(int field, int guessedLengthBytes) {
    tag(field, WIRETYPE_LENGTH_DELIMITED);
    ensure(guessedLengthBytes);
    int start = pos;
    pos += guessedLengthBytes;
    return ((long) start << 3) | guessedLengthBytes; // guesses are 1..5
  }

  void endLengthDelimited(long mark) {
    int reserved = (int) (mark & 7);
    int start = (int) (mark >>> 3);
    int bodyStart = start + reserved;
    int bodyLength = pos - bodyStart;
    int needed = varint32Size(bodyLength);
    if (needed != reserved) {
      ensure(needed - reserved);
      System.arraycopy(buf, bodyStart, buf, start + needed, bodyLength);
      pos += needed - reserved;
    }
    int p = start;
    int v = bodyLength;
    while ((v & ~0x7F) != 0) {
      buf[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[p] = (byte) v;
  }

  /** A string field (the caller skips empty strings, as protobuf omits default values). */
  void string(int field, String s) {
    int n = s.length();
    // Guess ASCII (one byte per char); other text costs a short move in endLengthDelimited.
    ensure(5 + 5 + 3 * n);
    long mark = beginLengthDelimited(field, varint32Size(n));
    byte[] b = buf;
    int p = pos;
    int i = 0;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        break;
      }
      b[p++] = (byte) c;
    }
    pos = i == n ? p : utf8(s, i, p);
    endLengthDelimited(mark);
  }

  private int utf8(String s, int i, int p) {
    byte[] b = buf;
    int n = s.length();
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b[p++] = (byte) c;
      } else if (c < 0x800) {
        b[p++] = (byte) (0xC0 | (c >>> 6));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        int cp = i + 1 < n ? Character.codePointAt(s, i) : c;
        if (Character.isSupplementaryCodePoint(cp)) {
          i++;
          b[p++] = (byte) (0xF0 | (cp >>> 18));
          b[p++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
          b[p++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
          b[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          b[p++] = '?'; // unpaired surrogate, as String.getBytes(UTF_8) does
        }
      } else {
        b[p++] = (byte) (0xE0 | (c >>> 12));
        b[p++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return p;
  }
}
