package io.prombeam.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One Prometheus native histogram value (the timestamp belongs to the {@link TimeSeries} point
 * holding it): count, sum, a zero bucket and sparse positive and negative buckets of an exponential
 * schema, or custom bucket bounds (schema {@value #CUSTOM_BUCKETS_SCHEMA}). Immutable.
 *
 * <p>Counts are either integers (buckets as deltas on the wire) or floats (absolute counts), as in
 * Prometheus; the builder takes absolute counts by bucket index and works out the spans:
 *
 * <pre>{@code
 * NativeHistogram h = NativeHistogram.builder(3)
 *     .count(7).sum(12.5)
 *     .zeroThreshold(1e-128).zeroCount(1)
 *     .positiveBucket(0, 2).positiveBucket(1, 3).positiveBucket(9, 1)
 *     .build();
 * }</pre>
 *
 * <p>Construction does not enforce the spec's rules, so bad input can be reported rather than
 * thrown; {@link SeriesValidator} checks them and the sinks apply it.
 */
public final class NativeHistogram implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The smallest exponential schema (buckets grow by a factor 2^16 each). */
  public static final int MIN_SCHEMA = -4;

  /** The largest exponential schema (buckets grow by a factor 2^(2^-8) each). */
  public static final int MAX_SCHEMA = 8;

  /** The schema of histograms with custom bucket bounds (the "NHCB" of Prometheus 3). */
  public static final int CUSTOM_BUCKETS_SCHEMA = -53;

  /** The reset hint of a histogram, as the wire defines it. */
  public enum ResetHint {
    /** Unknown whether a counter reset happened; the receiver works it out. */
    UNKNOWN,
    /** A counter reset happened right before this histogram. */
    YES,
    /** No counter reset happened. */
    NO,
    /** A gauge histogram: values may go down, resets do not apply. */
    GAUGE
  }

  private final boolean floatCounts;
  private final double count; // a whole number for integer histograms
  private final double sum;
  private final int schema;
  private final double zeroThreshold;
  private final double zeroCount;
  private final HistogramBuckets negative;
  private final HistogramBuckets positive;
  private final ResetHint resetHint;
  private final double[] customValues;

  private NativeHistogram(Builder b, HistogramBuckets negative, HistogramBuckets positive) {
    this.floatCounts = b.floatCounts;
    this.count = b.count;
    this.sum = b.sum;
    this.schema = b.schema;
    this.zeroThreshold = b.zeroThreshold;
    this.zeroCount = b.zeroCount;
    this.negative = negative;
    this.positive = positive;
    this.resetHint = b.resetHint;
    this.customValues = b.customValues;
  }

  /** A builder for a histogram of the given schema (−4..8, or −53 for custom buckets). */
  public static Builder builder(int schema) {
    return new Builder(schema);
  }

  /** True for float counts, false for integer counts. */
  public boolean isFloat() {
    return floatCounts;
  }

  /** The number of observations (a whole number for integer histograms). */
  public double count() {
    return count;
  }

  /** The sum of the observations. */
  public double sum() {
    return sum;
  }

  /** The schema: −4..8 exponential, −53 custom bounds. */
  public int schema() {
    return schema;
  }

  /** The width of the zero bucket: observations with |v| ≤ this count there. */
  public double zeroThreshold() {
    return zeroThreshold;
  }

  /** The zero bucket's count. */
  public double zeroCount() {
    return zeroCount;
  }

  /** The buckets of negative observations. */
  public HistogramBuckets negative() {
    return negative;
  }

  /** The buckets of positive observations. */
  public HistogramBuckets positive() {
    return positive;
  }

  /** Whether a counter reset happened before this histogram. */
  public ResetHint resetHint() {
    return resetHint;
  }

  /** The custom bucket upper bounds (schema −53), empty otherwise. */
  public double[] customValues() {
    return customValues.clone();
  }

  /** The number of custom bucket bounds. */
  public int customValueCount() {
    return customValues.length;
  }

  /** Custom bucket bound {@code i}. */
  public double customValue(int i) {
    return customValues[i];
  }

  /** This histogram with another reset hint. */
  public NativeHistogram withResetHint(ResetHint hint) {
    Builder b = toBuilder();
    b.resetHint = Objects.requireNonNull(hint, "hint");
    return new NativeHistogram(b, negative, positive);
  }

  private Builder toBuilder() {
    Builder b = new Builder(schema);
    b.floatCounts = floatCounts;
    b.countSet = true;
    b.count = count;
    b.sum = sum;
    b.zeroThreshold = zeroThreshold;
    b.zeroCount = zeroCount;
    b.resetHint = resetHint;
    b.customValues = customValues;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof NativeHistogram)) {
      return false;
    }
    NativeHistogram h = (NativeHistogram) o;
    return floatCounts == h.floatCounts
        && bits(count) == bits(h.count)
        && bits(sum) == bits(h.sum)
        && schema == h.schema
        && bits(zeroThreshold) == bits(h.zeroThreshold)
        && bits(zeroCount) == bits(h.zeroCount)
        && resetHint == h.resetHint
        && negative.equals(h.negative)
        && positive.equals(h.positive)
        && bitsEqual(customValues, h.customValues);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(bits(count));
    h = 31 * h + Long.hashCode(bits(sum));
    h = 31 * h + schema;
    h = 31 * h + positive.hashCode();
    return 31 * h + negative.hashCode();
  }

  /** Count, sum, schema and the first buckets; bounded in length. */
  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("histogram{count=")
            .append(count)
            .append(", sum=")
            .append(sum)
            .append(", schema=")
            .append(schema);
    if (zeroCount != 0 || zeroThreshold != 0) {
      sb.append(", zero=").append(zeroCount).append('@').append(zeroThreshold);
    }
    if (negative.bucketCount() > 0) {
      sb.append(", negative=").append(negative);
    }
    if (positive.bucketCount() > 0) {
      sb.append(", positive=").append(positive);
    }
    if (resetHint != ResetHint.UNKNOWN) {
      sb.append(", reset=").append(resetHint);
    }
    return sb.append('}').toString();
  }

  private static long bits(double d) {
    return Double.doubleToRawLongBits(d);
  }

  static boolean bitsEqual(double[] a, double[] b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (bits(a[i]) != bits(b[i])) {
        return false;
      }
    }
    return true;
  }

  /**
   * Builds a {@link NativeHistogram}. Counts are integers when set with {@code long}s, floats when
   * set with {@code double}s; one histogram cannot mix them.
   */
  public static final class Builder {
    private final int schema;
    private Boolean kind; // null until a count is set: TRUE float, FALSE integer
    private boolean floatCounts;
    private boolean countSet;
    private double count;
    private double sum;
    private double zeroThreshold;
    private double zeroCount;
    private ResetHint resetHint = ResetHint.UNKNOWN;
    private double[] customValues = new double[0];
    private HistogramBuckets negative;
    private HistogramBuckets positive;
    private final TreeMap<Integer, Double> negativeByIndex = new TreeMap<>();
    private final TreeMap<Integer, Double> positiveByIndex = new TreeMap<>();

    private Builder(int schema) {
      this.schema = schema;
    }

    private void kind(boolean isFloat) {
      if (kind != null && kind != isFloat) {
        throw new IllegalStateException(
            "a native histogram has either integer or float counts, not both");
      }
      kind = isFloat;
      floatCounts = isFloat;
    }

    /** Sets an integer count of observations. */
    public Builder count(long n) {
      kind(false);
      countSet = true;
      count = n;
      return this;
    }

    /** Sets a float count of observations. */
    public Builder count(double n) {
      kind(true);
      countSet = true;
      count = n;
      return this;
    }

    /** Sets the sum of the observations. */
    public Builder sum(double s) {
      sum = s;
      return this;
    }

    /** Sets the zero bucket's width. */
    public Builder zeroThreshold(double t) {
      zeroThreshold = t;
      return this;
    }

    /** Sets the zero bucket's integer count. */
    public Builder zeroCount(long n) {
      kind(false);
      zeroCount = n;
      return this;
    }

    /** Sets the zero bucket's float count. */
    public Builder zeroCount(double n) {
      kind(true);
      zeroCount = n;
      return this;
    }

    /** Adds {@code n} to positive bucket {@code index} (integer counts). */
    public Builder positiveBucket(int index, long n) {
      kind(false);
      positiveByIndex.merge(index, (double) n, Double::sum);
      return this;
    }

    /** Adds {@code n} to positive bucket {@code index} (float counts). */
    public Builder positiveBucket(int index, double n) {
      kind(true);
      positiveByIndex.merge(index, n, Double::sum);
      return this;
    }

    /** Adds {@code n} to negative bucket {@code index} (integer counts). */
    public Builder negativeBucket(int index, long n) {
      kind(false);
      negativeByIndex.merge(index, (double) n, Double::sum);
      return this;
    }

    /** Adds {@code n} to negative bucket {@code index} (float counts). */
    public Builder negativeBucket(int index, double n) {
      kind(true);
      negativeByIndex.merge(index, n, Double::sum);
      return this;
    }

    /** Sets the positive buckets in wire form (replaces any added by index). */
    public Builder positive(HistogramBuckets b) {
      kind(b.isFloat());
      positive = b;
      return this;
    }

    /** Sets the negative buckets in wire form (replaces any added by index). */
    public Builder negative(HistogramBuckets b) {
      kind(b.isFloat());
      negative = b;
      return this;
    }

    /** Sets the reset hint. */
    public Builder resetHint(ResetHint hint) {
      resetHint = Objects.requireNonNull(hint, "hint");
      return this;
    }

    /** Sets the custom bucket upper bounds (schema −53). */
    public Builder customValues(double... bounds) {
      customValues = bounds.clone();
      return this;
    }

    /**
     * The histogram. When the count was not set, it is the zero bucket's plus every bucket's count.
     */
    public NativeHistogram build() {
      HistogramBuckets neg = negative != null ? negative : sparse(negativeByIndex, floatCounts);
      HistogramBuckets pos = positive != null ? positive : sparse(positiveByIndex, floatCounts);
      if (!countSet) {
        count = zeroCount + neg.total() + pos.total();
      }
      return new NativeHistogram(this, neg, pos);
    }

    /**
     * Spans and deltas (or counts) from absolute counts by index. Gaps of one or two empty buckets
     * are filled with zeros rather than opening a new span, as Prometheus' client libraries do: a
     * span costs more on the wire than two zero deltas.
     */
    private static HistogramBuckets sparse(TreeMap<Integer, Double> byIndex, boolean isFloat) {
      if (byIndex.isEmpty()) {
        return isFloat
            ? HistogramBuckets.ofCounts(new int[0], new double[0])
            : HistogramBuckets.EMPTY;
      }
      int[] spans = new int[2 * byIndex.size()];
      int spanCount = 0;
      double[] flat = new double[byIndex.size() * 3];
      int buckets = 0;
      Integer prev = null;
      for (Map.Entry<Integer, Double> e : byIndex.entrySet()) {
        int idx = e.getKey();
        if (prev == null || idx - prev > 3) {
          spans[2 * spanCount] = prev == null ? idx : idx - prev - 1;
          spans[2 * spanCount + 1] = 1;
          spanCount++;
        } else {
          for (int gap = prev + 1; gap < idx; gap++) {
            flat[buckets++] = 0;
            spans[2 * spanCount - 1]++;
          }
          spans[2 * spanCount - 1]++;
        }
        flat[buckets++] = e.getValue();
        prev = idx;
      }
      int[] s = Arrays.copyOf(spans, 2 * spanCount);
      double[] counts = Arrays.copyOf(flat, buckets);
      if (isFloat) {
        return HistogramBuckets.raw(s, new long[0], counts);
      }
      long[] deltas = new long[buckets];
      long last = 0;
      for (int i = 0; i < buckets; i++) {
        long c = (long) counts[i];
        deltas[i] = c - last;
        last = c;
      }
      return HistogramBuckets.raw(s, deltas, null);
    }
  }
}
