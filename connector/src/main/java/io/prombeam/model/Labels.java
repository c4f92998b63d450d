package io.prombeam.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 */
@org.apache.beam.sdk.coders.DefaultCoder(LabelsCoder.class)
public final class Labels implements Serializable, Comparable<Labels> {
  private static final long serialVersionUID = 1L;

  /** The label that holds the metric name. */
  public static final String METRIC_NAME = "__name__";

  public static final Labels EMPTY = new Labels(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;
  private transient int hash;

  /** Takes ownership of the arrays, which must already be sorted by name with no empty values. */
  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
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

  public static Labels fromMap(Map<String, String> labels) {
    Builder b = builder();
    labels.forEach(b::add);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    for (int i = 0; i < names.length; i++) {
      b.add(names[i], values[i]);
    }
    return b;
  }

  public int size() {
    return names.length;
  }

  public boolean isEmpty() {
    return names.length == 0;
  }

  public String name(int i) {
    return names[i];
  }

  public String value(int i) {
    return values[i];
  }

  /** The value of the first label with this name, or null when absent. */
  public String get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  /** The metric name ({@code __name__}), or null when absent. */
  public String metricName() {
    return get(METRIC_NAME);
  }

  /** Index of the first label with this name, or -1. */
  public int indexOf(String name) {
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
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.putIfAbsent(names[i], values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Labels)) {
      return false;
    }
    Labels other = (Labels) o;
    return Arrays.equals(names, other.names) && Arrays.equals(values, other.values);
  }

  /** Deterministic across JVMs (String hash codes are specified), so it can pick a shard. */
  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 1;
      for (int i = 0; i < names.length; i++) {
        h = 31 * h + names[i].hashCode();
        h = 31 * h + values[i].hashCode();
      }
      hash = h;
    }
    return h;
  }

  @Override
  public int compareTo(Labels o) {
    int n = Math.min(names.length, o.names.length);
    for (int i = 0; i < n; i++) {
      int c = names[i].compareTo(o.names[i]);
      if (c != 0) {
        return c;
      }
      c = values[i].compareTo(o.values[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(names.length, o.names.length);
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

  /** Builds a {@link Labels}; sorting by name happens in {@link #build()}. */
  public static final class Builder {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    private Builder() {}

    /** Adds a label; an empty value is ignored (absent label), a repeated name is kept. */
    public Builder add(String name, String value) {
      Objects.requireNonNull(name, "label name");
      Objects.requireNonNull(value, () -> "value of label " + name);
      if (!value.isEmpty()) {
        names.add(name);
        values.add(value);
      }
      return this;
    }

    /** Sets a label, replacing every earlier label of that name; an empty value removes it. */
    public Builder set(String name, String value) {
      Objects.requireNonNull(name, "label name");
      Objects.requireNonNull(value, () -> "value of label " + name);
      for (int i = names.size() - 1; i >= 0; i--) {
        if (names.get(i).equals(name)) {
          names.remove(i);
          values.remove(i);
        }
      }
      return add(name, value);
    }

    public Builder addAll(Map<String, String> labels) {
      labels.forEach(this::add);
      return this;
    }

    public Labels build() {
      int n = names.size();
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      // Stable: repeated names keep insertion order, so validation can report them.
      Arrays.sort(order, (a, b) -> names.get(a).compareTo(names.get(b)));
      String[] sortedNames = new String[n];
      String[] sortedValues = new String[n];
      for (int i = 0; i < n; i++) {
        sortedNames[i] = names.get(order[i]);
        sortedValues[i] = values.get(order[i]);
      }
      return n == 0 ? EMPTY : new Labels(sortedNames, sortedValues);
    }
  }

  /** For coders and decoders: arrays already sorted by name, no empty values. Not copied. */
  static Labels ofSorted(String[] names, String[] values) {
    return names.length == 0 ? EMPTY : new Labels(names, values);
  }
}
