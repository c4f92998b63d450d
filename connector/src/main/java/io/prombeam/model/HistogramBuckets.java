package io.prombeam.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One side (positive or negative) of a {@link NativeHistogram}'s buckets in Prometheus' sparse
 * form: spans of consecutive bucket indexes, and per bucket either a delta to the previous bucket's
 * count (integer histograms) or an absolute count (float histograms). Immutable.
 *
 * <p>A span's offset is the gap to the index after the previous span (for the first span, the first
 * index itself); its length is how many buckets it holds. Bucket {@code i} of the flat list belongs
 * to the span whose lengths it falls into.
 */
public final class HistogramBuckets implements Serializable {
  private static final long serialVersionUID = 1L;

  static final HistogramBuckets EMPTY = new HistogramBuckets(new int[0], new long[0], null);

  private final int[] spans; // offset, length pairs
  private final long[] deltas; // integer histograms; empty for float ones
  private final double[] counts; // float histograms; null for integer ones
  private transient double[] absolute; // integer histograms' running sums, made on first need

  private HistogramBuckets(int[] spans, long[] deltas, double[] counts) {
    this.spans = spans;
    this.deltas = deltas;
    this.counts = counts;
  }

  /**
   * Integer buckets as they are on the wire: {@code spans} as (offset, length) pairs and one delta
   * per bucket. Not checked here; {@link SeriesValidator} checks them against the spec.
   */
  public static HistogramBuckets ofDeltas(int[] spans, long[] deltas) {
    checkPairs(spans);
    return new HistogramBuckets(spans.clone(), deltas.clone(), null);
  }

  /** Float buckets: {@code spans} as (offset, length) pairs and one absolute count per bucket. */
  public static HistogramBuckets ofCounts(int[] spans, double[] counts) {
    checkPairs(spans);
    return new HistogramBuckets(spans.clone(), new long[0], counts.clone());
  }

  private static void checkPairs(int[] spans) {
    if (spans.length % 2 != 0) {
      throw new IllegalArgumentException(
          "spans are (offset, length) pairs; got " + spans.length + " numbers");
    }
  }

  /** True when the buckets hold absolute float counts, false for integer deltas. */
  public boolean isFloat() {
    return counts != null;
  }

  /** The number of spans. */
  public int spanCount() {
    return spans.length / 2;
  }

  /** Span {@code i}'s offset. */
  public int spanOffset(int i) {
    return spans[2 * i];
  }

  /** Span {@code i}'s length. */
  public int spanLength(int i) {
    return spans[2 * i + 1];
  }

  /** The number of buckets (deltas or counts). */
  public int bucketCount() {
    return counts != null ? counts.length : deltas.length;
  }

  /** Bucket {@code i}'s delta to the previous bucket (integer histograms). */
  public long delta(int i) {
    return deltas[i];
  }

  /**
   * Bucket {@code i}'s absolute count: the count of float histograms, the running sum of the deltas
   * for integer ones.
   */
  public double count(int i) {
    if (counts != null) {
      return counts[i];
    }
    double[] a = absolute;
    if (a == null) {
      a = new double[deltas.length];
      long c = 0;
      for (int j = 0; j < deltas.length; j++) {
        c += deltas[j];
        a[j] = c;
      }
      absolute = a; // benign race: every thread computes the same values
    }
    return a[i];
  }

  /** The bucket index of bucket {@code i} of the flat list (spans resolved). */
  public int index(int i) {
    int idx = 0;
    int seen = 0;
    for (int s = 0; s < spanCount(); s++) {
      idx += spanOffset(s);
      if (i < seen + spanLength(s)) {
        return idx + (i - seen);
      }
      seen += spanLength(s);
      idx += spanLength(s);
    }
    throw new IndexOutOfBoundsException("bucket " + i + " of " + seen + " in spans");
  }

  /** The sum of the spans' lengths (must equal {@link #bucketCount()}). */
  long spannedBuckets() {
    long n = 0;
    for (int s = 0; s < spanCount(); s++) {
      n += spanLength(s);
    }
    return n;
  }

  /** The sum of all buckets' absolute counts. */
  double total() {
    double t = 0;
    long c = 0;
    for (int i = 0; i < bucketCount(); i++) {
      if (counts != null) {
        t += counts[i];
      } else {
        c += deltas[i];
        t += c;
      }
    }
    return t;
  }

  int[] spansArray() {
    return spans;
  }

  long[] deltasArray() {
    return deltas;
  }

  double[] countsArray() {
    return counts;
  }

  static HistogramBuckets raw(int[] spans, long[] deltas, double[] counts) {
    return new HistogramBuckets(spans, deltas, counts);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HistogramBuckets)) {
      return false;
    }
    HistogramBuckets b = (HistogramBuckets) o;
    return Arrays.equals(spans, b.spans)
        && Arrays.equals(deltas, b.deltas)
        && NativeHistogram.bitsEqual(counts, b.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(spans) + Arrays.hashCode(deltas) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < Math.min(bucketCount(), 8); i++) {
      sb.append(i == 0 ? "" : ", ").append(index(i)).append(':').append(count(i));
    }
    return sb.append(bucketCount() > 8 ? ", ...}" : "}").toString();
  }
}
