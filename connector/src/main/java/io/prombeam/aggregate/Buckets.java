package io.prombeam.aggregate;

import java.math.BigDecimal;
import java.util.Arrays;

/** Histogram bucket bounds: helpers, checks and the {@code le} label's text. */
final class Buckets {
  private Buckets() {}

  /** {@code count} bounds {@code start, start+width, ...}. */
  public static double[] linear(double start, double width, int count) {
    if (count < 1 || !(width > 0)) {
      throw new IllegalArgumentException("linear buckets need count >= 1 and width > 0");
    }
    double[] b = new double[count];
    for (int i = 0; i < count; i++) {
      b[i] = start + i * width;
    }
    return b;
  }

  /** {@code count} bounds {@code start, start*factor, ...}. */
  public static double[] exponential(double start, double factor, int count) {
    if (count < 1 || !(start > 0) || !(factor > 1)) {
      throw new IllegalArgumentException(
          "exponential buckets need count >= 1, start > 0, factor > 1");
    }
    double[] b = new double[count];
    double v = start;
    for (int i = 0; i < count; i++) {
      b[i] = v;
      v *= factor;
    }
    return b;
  }

  /** Sorted, distinct, finite upper bounds; a trailing +Inf is dropped (it is always added). */
  static double[] check(String metric, double[] bounds) {
    double[] b = bounds.clone();
    int n = b.length;
    if (n > 0 && b[n - 1] == Double.POSITIVE_INFINITY) {
      n--;
    }
    b = Arrays.copyOf(b, n);
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(b[i]) || (i > 0 && b[i] <= b[i - 1])) {
        throw new IllegalArgumentException(
            "histogram "
                + metric
                + ": bucket bounds must be finite and strictly increasing: "
                + Arrays.toString(bounds));
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException(
          "histogram " + metric + " needs at least one finite bucket bound");
    }
    return b;
  }

  /** The {@code le} value as Prometheus' clients write it: "0.005", "1", "+Inf". */
  static String le(double bound) {
    if (bound == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    if (bound == Math.rint(bound) && Math.abs(bound) < 1e15) {
      return Long.toString((long) bound);
    }
    return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
  }

  /** Index of the first bucket whose bound is >= v (bounds.length for the +Inf bucket). */
  static int indexOf(double[] bounds, double v) {
    int i = Arrays.binarySearch(bounds, v);
    if (i >= 0) {
      while (i > 0 && bounds[i - 1] == v) {
        i--;
      }
      return i;
    }
    return -i - 1;
  }
}
