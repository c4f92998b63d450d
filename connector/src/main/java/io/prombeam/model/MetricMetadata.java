package io.prombeam.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * Type, help and unit of a metric family. Optional on a {@link TimeSeries}; remote write sends it
 * in the request's metadata field, keyed by the family name.
 */
public final class MetricMetadata implements Serializable {
  private static final long serialVersionUID = 1L;

  private final MetricType type;
  private final String help;
  private final String unit;

  private MetricMetadata(MetricType type, String help, String unit) {
    this.type = Objects.requireNonNull(type, "type");
    this.help = help == null ? "" : help;
    this.unit = unit == null ? "" : unit;
  }

  /** Metadata with a type, help text and unit (empty or null when unknown). */
  public static MetricMetadata of(MetricType type, String help, String unit) {
    return new MetricMetadata(type, help, unit);
  }

  /** Metadata with a type and help text, no unit. */
  public static MetricMetadata of(MetricType type, String help) {
    return new MetricMetadata(type, help, "");
  }

  /** The metric family's type. */
  public MetricType type() {
    return type;
  }

  /** Never null; empty when unknown. */
  public String help() {
    return help;
  }

  /** Never null; empty when unknown. */
  public String unit() {
    return unit;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MetricMetadata)) {
      return false;
    }
    MetricMetadata m = (MetricMetadata) o;
    return type == m.type && help.equals(m.help) && unit.equals(m.unit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, help, unit);
  }

  @Override
  public String toString() {
    String h = help.length() > 80 ? help.substring(0, 80) + "..." : help;
    return type.textName()
        + (unit.isEmpty() ? "" : " unit=" + unit)
        + (h.isEmpty() ? "" : " help=" + h);
  }
}
