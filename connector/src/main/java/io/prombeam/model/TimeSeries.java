package io.prombeam.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One Prometheus time series: a label set ({@code __name__} included) and its samples, a sample
 * being a millisecond timestamp and a double value. Immutable.
 *
 * <pre>{@code
 * TimeSeries ts = TimeSeries.builder("http_requests_total")
 *     .label("job", "api")
 *     .sample(tsMillis, 42.0)
 *     .build();
 * }</pre>
 *
 * <p>Samples are kept sorted by timestamp (stable, so two samples with one timestamp keep their
 * order). Values are stored bit-exactly: the {@link StaleMarker} survives coding and the wire.
 * Construction does not enforce Prometheus' naming rules, so that bad input can be reported rather
 * than thrown; {@link SeriesValidator} checks them and the sinks apply it.
 */
@DefaultCoder(TimeSeriesCoder.class)
public final class TimeSeries implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Labels labels;
  private final long[] timestamps;
  private final double[] values;
  private final MetricMetadata metadata; // nullable

  TimeSeries(Labels labels, long[] timestamps, double[] values, MetricMetadata metadata) {
    this.labels = labels;
    this.timestamps = timestamps;
    this.values = values;
    this.metadata = metadata;
  }

  /** A builder for a series of the given metric name. */
  public static Builder builder(String metricName) {
    return new Builder()
        .label(Labels.METRIC_NAME, Objects.requireNonNull(metricName, "metric name"));
  }

  /** A builder with all labels, {@code __name__} included, taken from {@code labels}. */
  public static Builder builder(Labels labels) {
    Builder b = new Builder();
    b.base = Objects.requireNonNull(labels, "labels");
    return b;
  }

  /** A series with one sample. */
  public static TimeSeries of(Labels labels, long timestampMillis, double value) {
    return new TimeSeries(labels, new long[] {timestampMillis}, new double[] {value}, null);
  }

  /** The series' labels, {@code __name__} included. */
  public Labels labels() {
    return labels;
  }

  /** The metric name, or null when the series has none (which is invalid). */
  public String metricName() {
    return labels.metricName();
  }

  /** The number of samples. */
  public int sampleCount() {
    return timestamps.length;
  }

  /** The {@code i}-th sample's timestamp, in milliseconds since the epoch. */
  public long timestamp(int i) {
    return timestamps[i];
  }

  /** The {@code i}-th sample's value (raw bits kept: a staleness marker stays one). */
  public double value(int i) {
    return values[i];
  }

  /** Type, help and unit, or null. */
  public MetricMetadata metadata() {
    return metadata;
  }

  /** This series with other metadata. */
  public TimeSeries withMetadata(MetricMetadata m) {
    return new TimeSeries(labels, timestamps, values, m);
  }

  /** This series' samples under other labels. */
  public TimeSeries withLabels(Labels newLabels) {
    return new TimeSeries(newLabels, timestamps, values, metadata);
  }

  /** The samples {@code [from, to)} as a series of their own (same labels and metadata). */
  public TimeSeries slice(int from, int to) {
    if (from == 0 && to == timestamps.length) {
      return this;
    }
    return new TimeSeries(
        labels,
        Arrays.copyOfRange(timestamps, from, to),
        Arrays.copyOfRange(values, from, to),
        metadata);
  }

  /** A builder holding this series, to add samples or labels to. */
  public Builder toBuilder() {
    Builder b = builder(labels);
    for (int i = 0; i < timestamps.length; i++) {
      b.sample(timestamps[i], values[i]);
    }
    return b.metadata(metadata);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TimeSeries)) {
      return false;
    }
    TimeSeries t = (TimeSeries) o;
    if (!labels.equals(t.labels)
        || !Arrays.equals(timestamps, t.timestamps)
        || !Objects.equals(metadata, t.metadata)
        || values.length != t.values.length) {
      return false;
    }
    for (int i = 0; i < values.length; i++) {
      if (Double.doubleToRawLongBits(values[i]) != Double.doubleToRawLongBits(t.values[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = labels.hashCode();
    h = 31 * h + Arrays.hashCode(timestamps);
    for (double v : values) {
      h = 31 * h + Long.hashCode(Double.doubleToRawLongBits(v));
    }
    return h;
  }

  /** Labels and at most a few samples; bounded in length whatever the series holds. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    labels.appendTo(sb, Labels.TO_STRING_LIMIT);
    sb.append(' ')
        .append(timestamps.length)
        .append(timestamps.length == 1 ? " sample [" : " samples [");
    int shown = Math.min(timestamps.length, 3);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(timestamps[i]).append('=').append(formatValue(values[i]));
    }
    if (shown < timestamps.length) {
      sb.append(", ...");
    }
    return sb.append(']').toString();
  }

  static String formatValue(double v) {
    return StaleMarker.isStale(v) ? "stale" : Double.toString(v);
  }

  // Package-private raw access for the coder.
  long[] timestampsArray() {
    return timestamps;
  }

  double[] valuesArray() {
    return values;
  }

  /** Builds a {@link TimeSeries}. */
  public static final class Builder {
    private Labels base; // kept as is (encoded form and all) until a label is added
    private Labels.Builder labels = Labels.builder();
    private long[] ts = new long[4];
    private double[] vs = new double[4];
    private int n;
    private MetricMetadata metadata;

    private Builder() {}

    /** Adds a label. An empty value means "absent" and is ignored. */
    public Builder label(String name, String value) {
      editableLabels().add(name, value);
      return this;
    }

    /** Adds every entry of {@code more} as a label. */
    public Builder labels(Map<String, String> more) {
      editableLabels().addAll(more);
      return this;
    }

    private Labels.Builder editableLabels() {
      if (base != null) {
        labels = base.toBuilder();
        base = null;
      }
      return labels;
    }

    /** Adds a sample. */
    public Builder sample(long timestampMillis, double value) {
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        vs = Arrays.copyOf(vs, n * 2);
      }
      ts[n] = timestampMillis;
      vs[n] = value;
      n++;
      return this;
    }

    /** Adds a staleness marker, ending the series at {@code timestampMillis}. */
    public Builder staleMarker(long timestampMillis) {
      return sample(timestampMillis, StaleMarker.VALUE);
    }

    /** Sets the metric family's metadata. */
    public Builder metadata(MetricMetadata m) {
      this.metadata = m;
      return this;
    }

    /** Sets the metric family's type, keeping help and unit. */
    public Builder type(MetricType type) {
      this.metadata =
          metadata == null
              ? MetricMetadata.of(type, "")
              : MetricMetadata.of(type, metadata.help(), metadata.unit());
      return this;
    }

    /** Sets the metric family's help text, keeping type and unit. */
    public Builder help(String help) {
      MetricMetadata m = metadata == null ? MetricMetadata.of(MetricType.UNKNOWN, "") : metadata;
      this.metadata = MetricMetadata.of(m.type(), help, m.unit());
      return this;
    }

    /** The series; samples stay in the order added. */
    public TimeSeries build() {
      long[] t = Arrays.copyOf(ts, n);
      double[] v = Arrays.copyOf(vs, n);
      sortByTimestamp(t, v);
      return new TimeSeries(base != null ? base : labels.build(), t, v, metadata);
    }
  }

  /**
   * Stable sort by timestamp; samples almost always arrive sorted, which costs one pass. Otherwise
   * (merged from unordered single-sample elements) a merge sort of positions, on primitives.
   */
  static void sortByTimestamp(long[] t, double[] v) {
    int firstDescent = -1;
    for (int i = 1; i < t.length; i++) {
      if (t[i] < t[i - 1]) {
        firstDescent = i;
        break;
      }
    }
    if (firstDescent < 0) {
      return;
    }
    int[] order = new int[t.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    mergeSort(order, new int[order.length], 0, order.length, t);
    long[] t2 = t.clone();
    double[] v2 = v.clone();
    for (int i = 0; i < order.length; i++) {
      t[i] = t2[order[i]];
      v[i] = v2[order[i]];
    }
  }

  /** Sorts {@code order[from, to)} by {@code t[order[i]]}, stably (equal keys keep their order). */
  private static void mergeSort(int[] order, int[] scratch, int from, int to, long[] t) {
    if (to - from <= 16) {
      for (int i = from + 1; i < to; i++) {
        int x = order[i];
        int j = i - 1;
        while (j >= from && t[order[j]] > t[x]) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = x;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(order, scratch, from, mid, t);
    mergeSort(order, scratch, mid, to, t);
    if (t[order[mid - 1]] <= t[order[mid]]) {
      return; // already in order across the halves
    }
    System.arraycopy(order, from, scratch, from, to - from);
    int a = from;
    int b = mid;
    for (int k = from; k < to; k++) {
      if (b >= to || (a < mid && t[scratch[a]] <= t[scratch[b]])) {
        order[k] = scratch[a++];
      } else {
        order[k] = scratch[b++];
      }
    }
  }
}
