package io.prombeam.remotewrite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;

/**
 * A remote-write 2.0 request's symbols, interned on their UTF-8 bytes: label strings come from a
 * label set's encoded form as byte ranges, so no {@code String} is decoded, hashed or kept for them
 * (that cost the first version of the 2.0 encoder 4/5 of its speed). Symbol 0 is {@code ""}.
 *
 * <p>Open addressing over one {@code long[]} whose entries hold a symbol's hash and index together,
 * so a probe compares hashes without touching the symbols; bytes are hashed eight at a time. Reused
 * per thread; {@link #clear()} between requests.
 */
final class SymbolTable {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] bytes = new byte[16 << 10]; // every symbol's bytes, one after another
  private int used;
  private int[] start = new int[512];
  private int[] length = new int[512];
  private int count;
  private long[] slots = new long[1024]; // (hash << 32) | (index + 1); 0 = free

  /** Strings interned as strings (metadata help and unit). */
  private final HashMap<String, Integer> strings = new HashMap<>();

  SymbolTable() {
    clear();
  }

  void clear() {
    if (bytes.length > (4 << 20)) {
      bytes = new byte[16 << 10]; // one huge request must not pin its memory
    }
    if (slots.length > (1 << 18)) {
      slots = new long[1024];
      start = new int[512];
      length = new int[512];
    } else {
      Arrays.fill(slots, 0L);
    }
    used = 0;
    count = 0;
    strings.clear();
    ref(bytes, 0, 0); // "" first, as the spec requires
  }

  int size() {
    return count;
  }

  /** The index of the symbol with the UTF-8 bytes {@code src[from, from + len)}, added if new. */
  int ref(byte[] src, int from, int len) {
    int h = hash(src, from, len);
    int mask = slots.length - 1;
    int slot = h & mask;
    while (true) {
      long s = slots[slot];
      if (s == 0) {
        break;
      }
      if ((int) (s >>> 32) == h) {
        int i = (int) s - 1;
        if (length[i] == len && same(bytes, start[i], src, from, len)) {
          return i;
        }
      }
      slot = (slot + 1) & mask;
    }
    int i = add(src, from, len);
    slots[slot] = ((long) h << 32) | (i + 1);
    if (count * 2 > slots.length) {
      rehash();
    }
    return i;
  }

  /** The index of {@code s}, added if new. */
  int ref(String s) {
    Integer r = strings.get(s);
    if (r == null) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      r = ref(b, 0, b.length);
      strings.put(s, r);
    }
    return r;
  }

  /** Writes every symbol, in index order, as the request's {@code field}. */
  void writeTo(WireBuffer out, int field) {
    for (int i = 0; i < count; i++) {
      out.tag(field, WireBuffer.WIRETYPE_LENGTH_DELIMITED);
      out.varint32(length[i]);
      out.raw(bytes, start[i], length[i]);
    }
  }

  /**
   * A well-mixed hash of the bytes, eight at a time: strings that differ only in their last
   * character (pod-7, pod-8) must not land in neighbouring slots, where linear probing would walk
   * long runs.
   */
  static int hash(byte[] b, int from, int len) {
    long h = 0x9E3779B97F4A7C15L ^ len;
    int i = from;
    int end = from + len;
    for (; i + 8 <= end; i += 8) {
      h = (h ^ (long) LONG_LE.get(b, i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 29;
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (b[i] & 0xFFL) << shift;
    }
    h = (h ^ tail) * 0x94D049BB133111EBL;
    h ^= h >>> 31;
    return (int) h ^ (int) (h >>> 32);
  }

  /**
   * Whether {@code a[ai, ai + len)} and {@code b[bi, bi + len)} hold the same bytes, compared eight
   * at a time: label strings are short, where {@code Arrays.equals}' setup costs more than the
   * compare (measured: half the 2.0 encoder's time went there).
   */
  static boolean same(byte[] a, int ai, byte[] b, int bi, int len) {
    if (len < 8) {
      for (int i = 0; i < len; i++) {
        if (a[ai + i] != b[bi + i]) {
          return false;
        }
      }
      return true;
    }
    int i = 0;
    for (; i + 8 < len; i += 8) {
      if ((long) LONG_LE.get(a, ai + i) != (long) LONG_LE.get(b, bi + i)) {
        return false;
      }
    }
    // the last eight bytes, overlapping what was compared: no byte-by-byte tail
    return (long) LONG_LE.get(a, ai + len - 8) == (long) LONG_LE.get(b, bi + len - 8);
  }

  private int add(byte[] src, int from, int len) {
    if (bytes.length - used < len) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + len));
    }
    System.arraycopy(src, from, bytes, used, len);
    if (count == start.length) {
      start = Arrays.copyOf(start, count * 2);
      length = Arrays.copyOf(length, count * 2);
    }
    start[count] = used;
    length[count] = len;
    used += len;
    return count++;
  }

  private void rehash() {
    long[] old = slots;
    slots = new long[old.length * 2];
    int mask = slots.length - 1;
    for (long s : old) {
      if (s != 0) {
        int slot = (int) (s >>> 32) & mask;
        while (slots[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        slots[slot] = s;
      }
    }
  }
}
