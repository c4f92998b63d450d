package io.prombeam.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Splits a time range into consecutive, non-overlapping sub-ranges read in parallel. */
final class TimeRanges {
  private TimeRanges() {}

  /** A closed range [startMillis, endMillis]. */
  public static final class Range implements Serializable {
    private static final long serialVersionUID = 1L;
    public final long startMillis;
    public final long endMillis;

    public Range(long startMillis, long endMillis) {
      this.startMillis = startMillis;
      this.endMillis = endMillis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Range
          && ((Range) o).startMillis == startMillis
          && ((Range) o).endMillis == endMillis;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(startMillis) * 31 + Long.hashCode(endMillis);
    }

    @Override
    public String toString() {
      return "[" + startMillis + ", " + endMillis + "]";
    }
  }

  /**
   * query_range sub-ranges: each evaluates at most {@code maxPoints} steps (Prometheus refuses more
   * than 11,000 points per series), on the same step grid as the whole range.
   */
  public static List<Range> forQueryRange(long start, long end, long step, int maxPoints) {
    if (step <= 0 || end < start || maxPoints < 1) {
      throw new IllegalArgumentException(
          "bad range: start " + start + ", end " + end + ", step " + step);
    }
    List<Range> out = new ArrayList<>();
    long chunk = step * maxPoints;
    for (long s = start; s <= end; s += chunk) {
      out.add(new Range(s, Math.min(end, s + chunk - step)));
    }
    return out;
  }

  /** remote_read sub-ranges of at most {@code span} ms each, covering [start, end] exactly once. */
  public static List<Range> bySpan(long start, long end, long span) {
    if (span <= 0 || end < start) {
      throw new IllegalArgumentException(
          "bad range: start " + start + ", end " + end + ", span " + span);
    }
    List<Range> out = new ArrayList<>();
    for (long s = start; s <= end; s += span) {
      out.add(new Range(s, Math.min(end, s + span - 1)));
    }
    return out;
  }
}
