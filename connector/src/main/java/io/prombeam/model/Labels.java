package io.prombeam.model;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.util.VarInt;

/**
 * An immutable label set, sorted by label name, {@code __name__} included.
 *
 * <p>Labels with an empty value are dropped on construction: in Prometheus' data model an empty
 * value means the label is absent. Everything else is kept as given, including names that break
 * Prometheus' rules and repeated names, so that the sinks can route such series to their failure
 * output naming the rule (see {@link SeriesValidator}) instead of losing them in a constructor
 * exception.
 *
 * <p><b>Two forms.</b> A label set is held as strings, as its <em>encoded form</em>, or both; each
 * is derived from the other on first need. The encoded form is exactly the remote-write protobuf
 * bytes of the label set: one {@code Label} message (name field 1, value field 2, UTF-8) per label,
 * each as field 1 of its {@code TimeSeries}. It is what {@link TimeSeriesCoder} stores and what
 * {@link #equals}/{@link #hashCode} compare, so a label set that crosses a shuffle on its way to a
 * remote-write sink is decoded without creating a single {@code String} and encoded with one array
 * copy (Prometheus keeps its own labels as one byte string for the same reason). Label sets with
 * ill-formed UTF-16 (an unpaired surrogate, which UTF-8 cannot carry) have no encoded form and stay
 * strings, so validation can still name them.
 */
@org.apache.beam.sdk.coders.DefaultCoder(LabelsCoder.class)
public final class Labels implements Serializable, Comparable<Labels> {
  private static final long serialVersionUID = 2L;

  /** The label that holds the metric name. */
  public static final String METRIC_NAME = "__name__";

  /** The empty label set. */
  public static final Labels EMPTY = new Labels(new String[0], new String[0]);

  /** Marks a label set whose strings UTF-8 cannot carry (compared by identity). */
  private static final byte[] NOT_ENCODABLE = new byte[0];

  private static final int NAME_TAG = (1 << 3) | 2; // Label.name, length-delimited
  private static final int VALUE_TAG = (2 << 3) | 2; // Label.value, length-delimited
  private static final int LABEL_TAG = (1 << 3) | 2; // TimeSeries.labels, length-delimited

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Names and values together, so one volatile read publishes both arrays safely. */
  private static final class Strings {
    final String[] names;
    final String[] values;

    Strings(String[] names, String[] values) {
      this.names = names;
      this.values = values;
    }
  }

  private final int size;
  private transient volatile Strings strings; // null until decoded from the encoded form
  private transient volatile byte[] encoded; // null until computed; NOT_ENCODABLE if impossible
  private transient int hash;

  /** Takes ownership of the arrays, which must already be sorted by name with no empty values. */
  private Labels(String[] names, String[] values) {
    this.size = names.length;
    this.strings = new Strings(names, values);
  }

  private Labels(byte[] encoded, int size) {
    this.size = size;
    this.encoded = encoded;
  }

  /** Labels from alternating names and values: {@code Labels.of("__name__", "up", "job", "x")}. */
  public static Labels of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "Labels.of takes name/value pairs, got an odd count " + namesAndValues.length);
    }
    Builder b = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      b.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return b.build();
  }

  /** A label set with the entries of {@code labels}, sorted by name. */
  public static Labels fromMap(Map<String, String> labels) {
    Builder b = builder();
    labels.forEach(b::add);
    return b.build();
  }

  /** A builder for a label set; names are sorted when it is built. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these labels, to add to or replace. */
  public Builder toBuilder() {
    Strings s = strings();
    Builder b = new Builder();
    for (int i = 0; i < size; i++) {
      b.add(s.names[i], s.values[i]);
    }
    return b;
  }

  /** The number of labels, {@code __name__} included. */
  public int size() {
    return size;
  }

  /** Whether there are no labels. */
  public boolean isEmpty() {
    return size == 0;
  }

  /** The {@code i}-th label's name, in name order. */
  public String name(int i) {
    return strings().names[i];
  }

  /** The {@code i}-th label's value, in name order. */
  public String value(int i) {
    return strings().values[i];
  }

  /** The value of the first label with this name, or null when absent. */
  public String get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : strings().values[i];
  }

  /** The metric name ({@code __name__}), or null when absent. */
  public String metricName() {
    return get(METRIC_NAME);
  }

  /** Index of the first label with this name, or -1. */
  public int indexOf(String name) {
    String[] names = strings().names;
    int i = Arrays.binarySearch(names, name);
    if (i < 0) {
      return -1;
    }
    while (i > 0 && names[i - 1].equals(name)) {
      i--;
    }
    return i;
  }

  /** These labels with one label set (replaced when present, removed when value is empty). */
  public Labels with(String name, String value) {
    return toBuilder().set(name, value).build();
  }

  /** These labels without the named ones. */
  public Labels without(String... labelNames) {
    String[] names = strings().names;
    String[] values = strings().values;
    Builder b = new Builder();
    outer:
    for (int i = 0; i < names.length; i++) {
      for (String n : labelNames) {
        if (names[i].equals(n)) {
          continue outer;
        }
      }
      b.add(names[i], values[i]);
    }
    return b.build();
  }

  /** An insertion-ordered (that is, name-sorted) map; a repeated name keeps its first value. */
  public Map<String, String> asMap() {
    String[] names = strings().names;
    String[] values = strings().values;
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.putIfAbsent(names[i], values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Equal when the names and values are. Compares the encoded forms (one vectorized array compare)
   * when both label sets have one already; UTF-8 is injective on well-formed text, so that is the
   * same. Otherwise compares the strings, without computing an encoded form only to compare it.
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Labels)) {
      return false;
    }
    Labels other = (Labels) o;
    if (size != other.size) {
      return false;
    }
    byte[] a = encoded;
    byte[] b = other.encoded;
    if (a != null && b != null && a != NOT_ENCODABLE && b != NOT_ENCODABLE) {
      return Arrays.equals(a, b);
    }
    Strings x = strings();
    Strings y = other.strings();
    return Arrays.equals(x.names, y.names) && Arrays.equals(x.values, y.values);
  }

  /**
   * A hash of the names and values as strings: deterministic across JVMs ({@link String#hashCode}
   * is specified), and, for label sets built from strings, computed without encoding them. Unlike
   * {@link #hashCode()}, decodes the strings of a label set that has only its encoded form.
   */
  public int stringHash() {
    Strings s = strings;
    if (s == null) {
      int h = hashAsciiEncoded(encoded, size);
      if (h != NOT_ASCII) {
        return h;
      }
      s = strings();
    }
    return hashStrings(s);
  }

  private static final int NOT_ASCII = 0;

  /**
   * {@link #hashStrings} computed on the encoded form without decoding it: for ASCII text a
   * string's hash is the same polynomial over its bytes. {@link #NOT_ASCII} when a byte is not
   * ASCII (or the hash happens to be 0), and the caller decodes instead.
   */
  private static int hashAsciiEncoded(byte[] e, int size) {
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
   * A hash of the encoded form, 8 bytes per step; deterministic across JVMs, so it can pick a
   * shard. Label sets without an encoded form hash their strings.
   */
  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      byte[] e = encodedOrNull();
      h = e != null ? hashBytes(e) : hashStrings(strings());
      if (h == 0) {
        h = 1; // 0 means "not computed yet"
      }
      hash = h;
    }
    return h;
  }

  private static int hashBytes(byte[] b) {
    long h = 0x9E3779B97F4A7C15L ^ b.length;
    int i = 0;
    for (; i + 8 <= b.length; i += 8) {
      h = (h ^ (long) LONG_LE.get(b, i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    for (; i < b.length; i++) {
      h = (h ^ (b[i] & 0xFF)) * 0x94D049BB133111EBL;
    }
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 32));
  }

  private static int hashStrings(Strings s) {
    int h = 1;
    for (int i = 0; i < s.names.length; i++) {
      h = 31 * h + s.names[i].hashCode();
      h = 31 * h + s.values[i].hashCode();
    }
    return h;
  }

  @Override
  public int compareTo(Labels o) {
    String[] names = strings().names;
    String[] values = strings().values;
    String[] otherNames = o.strings().names;
    String[] otherValues = o.strings().values;
    int n = Math.min(names.length, otherNames.length);
    for (int i = 0; i < n; i++) {
      int c = names[i].compareTo(otherNames[i]);
      if (c != 0) {
        return c;
      }
      c = values[i].compareTo(otherValues[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(names.length, otherNames.length);
  }

  /** Prometheus' notation, {@code name{a="1",b="2"}}, cut at {@value #TO_STRING_LIMIT} chars. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    appendTo(sb, TO_STRING_LIMIT);
    return sb.toString();
  }

  static final int TO_STRING_LIMIT = 256;

  void appendTo(StringBuilder sb, int limit) {
    String[] names = strings().names;
    String[] values = strings().values;
    int start = sb.length();
    String metric = metricName();
    if (metric != null) {
      sb.append(metric);
    }
    boolean first = true;
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(METRIC_NAME) && values[i].equals(metric)) {
        continue;
      }
      sb.append(first ? '{' : ',');
      first = false;
      sb.append(names[i]).append("=\"");
      String v = values[i];
      sb.append(v, 0, Math.min(v.length(), limit));
      sb.append('"');
      if (sb.length() - start > limit) {
        sb.setLength(start + limit);
        sb.append("...");
        return;
      }
    }
    if (!first) {
      sb.append('}');
    } else if (metric == null) {
      sb.append("{}");
    }
  }

  /**
   * Builds a {@link Labels}; sorting by name happens in {@link #build()}. Hot where pipelines make
   * one series per sample: plain arrays, and an insertion sort that costs one comparison per label
   * when the labels come in order.
   */
  public static final class Builder {
    private String[] names = new String[12];
    private String[] values = new String[12];
    private int n;

    private Builder() {}

    /** Adds a label; an empty value is ignored (absent label), a repeated name is kept. */
    public Builder add(String name, String value) {
      Objects.requireNonNull(name, "label name");
      Objects.requireNonNull(value, () -> "value of label " + name);
      if (!value.isEmpty()) {
        if (n == names.length) {
          names = Arrays.copyOf(names, n * 2);
          values = Arrays.copyOf(values, n * 2);
        }
        names[n] = name;
        values[n] = value;
        n++;
      }
      return this;
    }

    /** Sets a label, replacing every earlier label of that name; an empty value removes it. */
    public Builder set(String name, String value) {
      Objects.requireNonNull(name, "label name");
      Objects.requireNonNull(value, () -> "value of label " + name);
      int kept = 0;
      for (int i = 0; i < n; i++) {
        if (!names[i].equals(name)) {
          names[kept] = names[i];
          values[kept] = values[i];
          kept++;
        }
      }
      Arrays.fill(names, kept, n, null);
      Arrays.fill(values, kept, n, null);
      n = kept;
      return add(name, value);
    }

    /** Adds every entry of {@code labels}. */
    public Builder addAll(Map<String, String> labels) {
      labels.forEach(this::add);
      return this;
    }

    /** The label set, sorted by name. */
    public Labels build() {
      if (n == 0) {
        return EMPTY;
      }
      String[] sortedNames = Arrays.copyOf(names, n);
      String[] sortedValues = Arrays.copyOf(values, n);
      if (n > 32) {
        return sortedByMergeSort(sortedNames, sortedValues);
      }
      // Insertion sort, stable: repeated names keep insertion order, so validation can report them.
      for (int i = 1; i < n; i++) {
        String name = sortedNames[i];
        String value = sortedValues[i];
        int j = i - 1;
        while (j >= 0 && sortedNames[j].compareTo(name) > 0) {
          sortedNames[j + 1] = sortedNames[j];
          sortedValues[j + 1] = sortedValues[j];
          j--;
        }
        sortedNames[j + 1] = name;
        sortedValues[j + 1] = value;
      }
      return new Labels(sortedNames, sortedValues);
    }

    /** Many labels: a stable O(n log n) sort of the positions. */
    private static Labels sortedByMergeSort(String[] names, String[] values) {
      Integer[] order = new Integer[names.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> names[a].compareTo(names[b]));
      String[] sortedNames = new String[names.length];
      String[] sortedValues = new String[names.length];
      for (int i = 0; i < order.length; i++) {
        sortedNames[i] = names[order[i]];
        sortedValues[i] = values[order[i]];
      }
      return new Labels(sortedNames, sortedValues);
    }
  }

  /** For coders and decoders: arrays already sorted by name, no empty values. Not copied. */
  static Labels ofSorted(String[] names, String[] values) {
    return names.length == 0 ? EMPTY : new Labels(names, values);
  }

  // ---- the encoded form ----

  private static final byte[] METRIC_NAME_BYTES = METRIC_NAME.getBytes(StandardCharsets.US_ASCII);

  /**
   * For the validator: whether this label set, held only in its encoded form (as after a coder), is
   * ASCII and passes the label rules, checked on the bytes without decoding a string. False means
   * "not known": the validator then checks the strings and names what is wrong.
   */
  boolean isValidAsciiEncodedForm(int maxValueLength) {
    byte[] e = encoded;
    if (strings != null || e == null || e == NOT_ENCODABLE) {
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
  public boolean hasEncodedForm() {
    byte[] e = encoded;
    return e != null && e != NOT_ENCODABLE;
  }

  /**
   * Length of the encoded form (computing it if needed), or -1 when the strings hold an unpaired
   * surrogate, which UTF-8 cannot carry.
   */
  public int encodedFormLength() {
    byte[] e = encodedOrNull();
    return e == null ? -1 : e.length;
  }

  /** Copies the encoded form to {@code dst[offset..]}; see {@link #encodedFormLength()}. */
  public void copyEncodedForm(byte[] dst, int offset) {
    byte[] e = encodedOrNull();
    if (e == null) {
      throw new IllegalStateException(
          "labels with an unpaired surrogate have no encoded form: " + this);
    }
    System.arraycopy(e, 0, dst, offset, e.length);
  }

  /** For the coder: the encoded form itself (not to be modified), or null. */
  byte[] encodedFormArray() {
    return encodedOrNull();
  }

  /**
   * Label set from an encoded form written by {@link #copyEncodedForm} (the coder's bytes). Checks
   * the structure and counts the labels; strings are decoded only when asked for.
   *
   * @throws IllegalArgumentException when the bytes are not an encoded form
   */
  static Labels fromEncodedForm(byte[] e) {
    if (e.length == 0) {
      return EMPTY;
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
    return new Labels(e, count);
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
  private static long readVarint(byte[] e, int p) {
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

  private Strings strings() {
    Strings s = strings;
    if (s == null) {
      s = decodeStrings(encoded, size);
      strings = s;
    }
    return s;
  }

  private static Strings decodeStrings(byte[] e, int size) {
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
    return new Strings(names, values);
  }

  /** The encoded form, computing it on first need; null when the strings cannot be encoded. */
  private byte[] encodedOrNull() {
    byte[] e = encoded;
    if (e == null) {
      e = encode(strings);
      encoded = e;
    }
    return e == NOT_ENCODABLE ? null : e;
  }

  /**
   * Encodes the strings. Sized for ASCII first (label text almost always is), which makes every
   * length known before any text is copied; anything else takes the general UTF-8 path.
   */
  private static byte[] encode(Strings s) {
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
  private static byte[] encodeUtf8(Strings s) {
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

  // ---- Java serialization: the strings, whichever form is held ----

  private Object writeReplace() {
    Strings s = strings();
    return new Serialized(s.names, s.values);
  }

  private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
    throw new java.io.InvalidObjectException("Labels are serialized through their proxy");
  }

  private static final class Serialized implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String[] names;
    private final String[] values;

    Serialized(String[] names, String[] values) {
      this.names = names;
      this.values = values;
    }

    private Object readResolve() {
      return ofSorted(names, values);
    }
  }
}
