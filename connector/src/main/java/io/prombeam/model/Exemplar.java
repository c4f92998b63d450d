package io.prombeam.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * One exemplar of a series: an example observation with its own labels (typically a {@code
 * trace_id}), its value and its timestamp in milliseconds. Immutable.
 *
 * <p>OpenMetrics and Prometheus limit an exemplar's label names and values to 128 UTF-8 characters
 * in total; {@link SeriesValidator} checks that and the label names.
 */
public final class Exemplar implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The most characters an exemplar's label names and values may hold together. */
  public static final int MAX_LABELS_RUNES = 128;

  private final Labels labels;
  private final double value;
  private final long timestampMillis;

  private Exemplar(Labels labels, double value, long timestampMillis) {
    this.labels = Objects.requireNonNull(labels, "labels");
    this.value = value;
    this.timestampMillis = timestampMillis;
  }

  /** An exemplar with the given labels, value and timestamp (milliseconds since the epoch). */
  public static Exemplar of(Labels labels, double value, long timestampMillis) {
    return new Exemplar(labels, value, timestampMillis);
  }

  /** The exemplar's labels (no {@code __name__}). */
  public Labels labels() {
    return labels;
  }

  /** The observed value. */
  public double value() {
    return value;
  }

  /** When it was observed, in milliseconds since the epoch. */
  public long timestamp() {
    return timestampMillis;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Exemplar)) {
      return false;
    }
    Exemplar e = (Exemplar) o;
    return timestampMillis == e.timestampMillis
        && Double.doubleToRawLongBits(value) == Double.doubleToRawLongBits(e.value)
        && labels.equals(e.labels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * labels.hashCode() + Long.hashCode(timestampMillis)) + Double.hashCode(value);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("# ");
    labels.appendTo(sb, Labels.TO_STRING_LIMIT);
    return sb.append(' ').append(value).append(' ').append(timestampMillis).toString();
  }
}
