package io.prombeam.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One Prometheus time series: a label set ({@code __name__} included) and its points, each a
 * millisecond timestamp with either a float value (a sample) or a {@link NativeHistogram}, and
 * optionally {@link Exemplar}s. A float sample may carry its start timestamp (when the counter
 * started counting; remote-write 2.0 sends it). Immutable.
 *
 * <pre>{@code
 * TimeSeries ts = TimeSeries.builder("http_requests_total")
 *     .label("job", "api")
 *     .sample(tsMillis, 42.0)
 *     .build();
 * }</pre>
 *
 * <p>Points and exemplars are kept sorted by timestamp (stable, so two with one timestamp keep
 * their order). Values are stored bit-exactly: the {@link StaleMarker} survives coding and the
 * wire. "Sample" in method names means any point, float or histogram. Construction does not enforce
 * Prometheus' rules (naming, a series holding floats or histograms but not both), so that bad input
 * can be reported rather than thrown; {@link SeriesValidator} checks them and the sinks apply it.
 */
@DefaultCoder(TimeSeriesCoder.class)
public final class TimeSeries implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final Exemplar[] NO_EXEMPLARS = new Exemplar[0];

  private final Labels labels;
  private final long[] timestamps;
  private final double[] values; // 0 at histogram points
  private final long[] startTimestamps; // nullable: none set
  private final NativeHistogram[] histograms; // nullable: floats only; null entries are floats
  private final Exemplar[] exemplars;
  private final MetricMetadata metadata; // nullable

  TimeSeries(Labels labels, long[] timestamps, double[] values, MetricMetadata metadata) {
    this(labels, timestamps, values, null, null, NO_EXEMPLARS, metadata);
  }

  TimeSeries(
      Labels labels,
      long[] timestamps,
      double[] values,
      long[] startTimestamps,
      NativeHistogram[] histograms,
      Exemplar[] exemplars,
      MetricMetadata metadata) {
    this.labels = labels;
    this.timestamps = timestamps;
    this.values = values;
    this.startTimestamps = startTimestamps;
    this.histograms = histograms;
    this.exemplars = exemplars;
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

  /** The number of points: float samples and histograms. */
  public int sampleCount() {
    return timestamps.length;
  }

  /** The {@code i}-th sample's timestamp, in milliseconds since the epoch. */
  public long timestamp(int i) {
    return timestamps[i];
  }

  /**
   * The {@code i}-th sample's value (raw bits kept: a staleness marker stays one); 0 at a histogram
   * point.
   */
  public double value(int i) {
    return values[i];
  }

  /** The {@code i}-th point's histogram, or null when it is a float sample. */
  public NativeHistogram histogram(int i) {
    return histograms == null ? null : histograms[i];
  }

  /** True when any point is a histogram. */
  public boolean hasHistograms() {
    if (histograms != null) {
      for (NativeHistogram h : histograms) {
        if (h != null) {
          return true;
        }
      }
    }
    return false;
  }

  /** True when any point is a float sample. */
  public boolean hasFloats() {
    if (histograms == null) {
      return timestamps.length > 0;
    }
    for (NativeHistogram h : histograms) {
      if (h == null) {
        return true;
      }
    }
    return false;
  }

  /**
   * The {@code i}-th sample's start timestamp (when its counter started counting), or 0 when unset.
   */
  public long startTimestamp(int i) {
    return startTimestamps == null ? 0 : startTimestamps[i];
  }

  /** True when any sample has a start timestamp. */
  public boolean hasStartTimestamps() {
    return startTimestamps != null;
  }

  /** The exemplars, sorted by timestamp. */
  public List<Exemplar> exemplars() {
    return List.of(exemplars);
  }

  /** The number of exemplars. */
  public int exemplarCount() {
    return exemplars.length;
  }

  /** The {@code i}-th exemplar. */
  public Exemplar exemplar(int i) {
    return exemplars[i];
  }

  /**
   * True when point {@code i} of this series and point {@code j} of {@code other} are the same:
   * same timestamp and bit-identical value or histogram (a repeat Prometheus takes as a no-op).
   */
  @Internal
  public boolean samePoint(int i, TimeSeries other, int j) {
    if (timestamps[i] != other.timestamps[j]) {
      return false;
    }
    NativeHistogram a = histogram(i);
    NativeHistogram b = other.histogram(j);
    if (a != null || b != null) {
      return a != null && a.equals(b);
    }
    return Double.doubleToRawLongBits(values[i]) == Double.doubleToRawLongBits(other.values[j]);
  }

  /**
   * A 64-bit fingerprint of point {@code i}'s value: the raw bits of a float, a hash of a
   * histogram. Lets a sender remember the last point sent without keeping it.
   */
  @Internal
  public long pointFingerprint(int i) {
    NativeHistogram h = histogram(i);
    if (h == null) {
      return Double.doubleToRawLongBits(values[i]);
    }
    long bits = Double.doubleToRawLongBits(h.zeroCount()) * 31 + h.resetHint().ordinal();
    return ((long) h.hashCode() << 32) ^ (bits * 0x9E3779B97F4A7C15L);
  }

  /** Point {@code i}'s value for messages: the float or the histogram. */
  @Internal
  public String formatPoint(int i) {
    NativeHistogram h = histogram(i);
    return h != null ? h.toString() : formatValue(values[i]);
  }

  /** Type, help and unit, or null. */
  public MetricMetadata metadata() {
    return metadata;
  }

  /** This series with other metadata. */
  public TimeSeries withMetadata(MetricMetadata m) {
    return new TimeSeries(labels, timestamps, values, startTimestamps, histograms, exemplars, m);
  }

  /** This series' samples under other labels. */
  public TimeSeries withLabels(Labels newLabels) {
    return new TimeSeries(
        newLabels, timestamps, values, startTimestamps, histograms, exemplars, metadata);
  }

  /**
   * The points {@code [from, to)} as a series of their own (same labels and metadata). Exemplars go
   * with the slice whose time range holds them, the first slice taking those before its first point
   * and the last those after its last, so that slicing a series into consecutive parts keeps each
   * exemplar exactly once.
   */
  public TimeSeries slice(int from, int to) {
    if (from == 0 && to == timestamps.length) {
      return this;
    }
    Exemplar[] ex = NO_EXEMPLARS;
    if (exemplars.length > 0) {
      long lo = from == 0 ? Long.MIN_VALUE : timestamps[from];
      long hi = to >= timestamps.length ? Long.MAX_VALUE : timestamps[to];
      List<Exemplar> kept = new ArrayList<>();
      for (Exemplar e : exemplars) {
        if (e.timestamp() >= lo && (e.timestamp() < hi || hi == Long.MAX_VALUE)) {
          kept.add(e);
        }
      }
      ex = kept.toArray(NO_EXEMPLARS);
    }
    return new TimeSeries(
        labels,
        Arrays.copyOfRange(timestamps, from, to),
        Arrays.copyOfRange(values, from, to),
        startTimestamps == null ? null : Arrays.copyOfRange(startTimestamps, from, to),
        histograms == null ? null : Arrays.copyOfRange(histograms, from, to),
        ex,
        metadata);
  }

  /** A builder holding this series, to add samples or labels to. */
  public Builder toBuilder() {
    Builder b = builder(labels);
    for (int i = 0; i < timestamps.length; i++) {
      b.point(this, i);
    }
    for (Exemplar e : exemplars) {
      b.exemplar(e);
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
        || values.length != t.values.length
        || !Arrays.equals(startTimestamps, t.startTimestamps)
        || !Arrays.equals(histograms, t.histograms)
        || !Arrays.equals(exemplars, t.exemplars)) {
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
      sb.append(timestamps[i]).append('=').append(formatPoint(i));
    }
    if (shown < timestamps.length) {
      sb.append(", ...");
    }
    sb.append(']');
    if (exemplars.length > 0) {
      sb.append(" + ").append(exemplars.length).append(" exemplar(s)");
    }
    return sb.toString();
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

  long[] startTimestampsArray() {
    return startTimestamps;
  }

  NativeHistogram[] histogramsArray() {
    return histograms;
  }

  Exemplar[] exemplarsArray() {
    return exemplars;
  }

  /** Builds a {@link TimeSeries}. */
  public static final class Builder {
    private Labels base; // kept as is (encoded form and all) until a label is added
    private Labels.Builder labels = Labels.builder();
    private long[] ts = new long[4];
    private double[] vs = new double[4];
    private long[] starts; // allocated at the first start timestamp
    private NativeHistogram[] hs; // allocated at the first histogram
    private List<Exemplar> exemplars;
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
        grow();
      }
      ts[n] = timestampMillis;
      vs[n] = value;
      n++;
      return this;
    }

    /**
     * Adds a sample of a counter (or a histogram's or summary's count or sum) that started counting
     * at {@code startTimestampMillis}, which remote-write 2.0 sends; 0 means unknown.
     */
    public Builder sample(long timestampMillis, double value, long startTimestampMillis) {
      sample(timestampMillis, value);
      if (startTimestampMillis != 0) {
        if (starts == null) {
          starts = new long[ts.length];
        }
        starts[n - 1] = startTimestampMillis;
      }
      return this;
    }

    /** Adds a native histogram point. */
    public Builder histogram(long timestampMillis, NativeHistogram histogram) {
      Objects.requireNonNull(histogram, "histogram");
      sample(timestampMillis, 0);
      if (hs == null) {
        hs = new NativeHistogram[ts.length];
      }
      hs[n - 1] = histogram;
      return this;
    }

    /** Adds an exemplar. */
    public Builder exemplar(Exemplar e) {
      if (exemplars == null) {
        exemplars = new ArrayList<>(2);
      }
      exemplars.add(Objects.requireNonNull(e, "exemplar"));
      return this;
    }

    /** Adds point {@code i} of {@code from}: its timestamp, value or histogram, start timestamp. */
    public Builder point(TimeSeries from, int i) {
      NativeHistogram h = from.histogram(i);
      if (h != null) {
        return histogram(from.timestamp(i), h);
      }
      return sample(from.timestamp(i), from.value(i), from.startTimestamp(i));
    }

    /** Adds every exemplar of {@code from}. */
    public Builder exemplars(TimeSeries from) {
      for (Exemplar e : from.exemplars) {
        exemplar(e);
      }
      return this;
    }

    private void grow() {
      ts = Arrays.copyOf(ts, n * 2);
      vs = Arrays.copyOf(vs, n * 2);
      if (starts != null) {
        starts = Arrays.copyOf(starts, n * 2);
      }
      if (hs != null) {
        hs = Arrays.copyOf(hs, n * 2);
      }
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

    /** The series; points and exemplars sorted by timestamp (stable). */
    public TimeSeries build() {
      long[] t = Arrays.copyOf(ts, n);
      double[] v = Arrays.copyOf(vs, n);
      long[] st = starts == null ? null : Arrays.copyOf(starts, n);
      NativeHistogram[] h = hs == null ? null : Arrays.copyOf(hs, n);
      int[] order = sortOrder(t);
      if (order != null) {
        long[] t2 = t.clone();
        double[] v2 = v.clone();
        long[] st2 = st == null ? null : st.clone();
        NativeHistogram[] h2 = h == null ? null : h.clone();
        for (int i = 0; i < order.length; i++) {
          t[i] = t2[order[i]];
          v[i] = v2[order[i]];
          if (st != null) {
            st[i] = st2[order[i]];
          }
          if (h != null) {
            h[i] = h2[order[i]];
          }
        }
      }
      Exemplar[] ex = NO_EXEMPLARS;
      if (exemplars != null) {
        ex = exemplars.toArray(NO_EXEMPLARS);
        Arrays.sort(ex, Comparator.comparingLong(Exemplar::timestamp)); // stable
        ex = withoutRepeats(ex);
      }
      return new TimeSeries(base != null ? base : labels.build(), t, v, st, h, ex, metadata);
    }
  }

  /**
   * Sorted exemplars without exact repeats (a merged series gets one from each copy of a repeated
   * element; a receiver would drop the second anyway).
   */
  private static Exemplar[] withoutRepeats(Exemplar[] sorted) {
    int kept = 0;
    outer:
    for (int i = 0; i < sorted.length; i++) {
      for (int j = kept - 1; j >= 0 && sorted[j].timestamp() == sorted[i].timestamp(); j--) {
        if (sorted[j].equals(sorted[i])) {
          continue outer;
        }
      }
      sorted[kept++] = sorted[i];
    }
    return kept == sorted.length ? sorted : Arrays.copyOf(sorted, kept);
  }

  /**
   * The positions of {@code t} in a stable timestamp order, or null when already sorted. Samples
   * almost always arrive sorted, which costs one pass; otherwise (merged from unordered
   * single-sample elements) a merge sort of positions, on primitives.
   */
  static int[] sortOrder(long[] t) {
    int firstDescent = -1;
    for (int i = 1; i < t.length; i++) {
      if (t[i] < t[i - 1]) {
        firstDescent = i;
        break;
      }
    }
    if (firstDescent < 0) {
      return null;
    }
    int[] order = new int[t.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    mergeSort(order, new int[order.length], 0, order.length, t);
    return order;
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
