package io.prombeam.model;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Names and values together, so one volatile read publishes both arrays safely. */
  static final class Strings {
    final String[] names;
    final String[] values;

    Strings(String[] names, String[] values) {
      this.names = names;
      this.values = values;
    }
  }

  private final int size;
  private transient volatile Strings strings; // null until decoded from the encoded form
  private transient volatile byte[]
      encoded; // null until computed; LabelsWireForm.NOT_ENCODABLE if impossible
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

  /** For {@link LabelsWireForm#parse}: a label set held in its wire form only. */
  static Labels ofEncoded(byte[] encoded, int size) {
    return new Labels(encoded, size);
  }

  /** The wire form when computed already (maybe {@code NOT_ENCODABLE}), else null. */
  byte[] encodedIfHeld() {
    return encoded;
  }

  /** The wire form when it is the only form held (no strings decoded yet), else null. */
  byte[] encodedIfOnlyForm() {
    byte[] e = encoded;
    return strings != null || e == null || e == LabelsWireForm.NOT_ENCODABLE ? null : e;
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
    if (a != null
        && b != null
        && a != LabelsWireForm.NOT_ENCODABLE
        && b != LabelsWireForm.NOT_ENCODABLE) {
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
      int h = LabelsWireForm.hashAsciiEncoded(encoded, size);
      if (h != LabelsWireForm.NOT_ASCII) {
        return h;
      }
      s = strings();
    }
    return hashStrings(s);
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

  static int hashStrings(Strings s) {
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

  // ---- the wire form (see LabelsWireForm) ----

  private Strings strings() {
    Strings s = strings;
    if (s == null) {
      s = LabelsWireForm.decodeStrings(encoded, size);
      strings = s;
    }
    return s;
  }

  /** The encoded form, computing it on first need; null when the strings cannot be encoded. */
  byte[] encodedOrNull() {
    byte[] e = encoded;
    if (e == null) {
      e = LabelsWireForm.encode(strings);
      encoded = e;
    }
    return e == LabelsWireForm.NOT_ENCODABLE ? null : e;
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
