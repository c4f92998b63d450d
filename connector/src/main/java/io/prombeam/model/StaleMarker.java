package io.prombeam.model;

/**
 * Prometheus' staleness marker: a NaN with one exact bit pattern. Writing it ends a series at that
 * timestamp. It differs from an ordinary NaN only in its bits, so everything that carries it must
 * copy raw bits ({@link Double#doubleToRawLongBits}), never canonicalise NaNs.
 */
public final class StaleMarker {
  public static final long BITS = 0x7ff0000000000002L;
  public static final double VALUE = Double.longBitsToDouble(BITS);

  private StaleMarker() {}

  public static boolean isStale(double value) {
    return Double.doubleToRawLongBits(value) == BITS;
  }
}
