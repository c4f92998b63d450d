package io.prombeam.model;

import java.util.Optional;

/**
 * The rules for what a series' points carry beyond a float: native histograms (Prometheus'
 * histogram validation, which its receiver applies and refuses the whole request over), exemplars
 * and start timestamps, and the rule that one series holds floats or histograms but not both.
 */
final class PointRules {
  /** Relative slack for float histograms, whose bucket totals are sums of floats. */
  private static final double FLOAT_SLACK = 1e-9;

  private PointRules() {}

  /** The first of these rules {@code series} breaks. */
  static Optional<SeriesViolation> check(TimeSeries series) {
    Labels labels = series.labels();
    if (series.hasHistograms()) {
      for (int i = 0; i < series.sampleCount(); i++) {
        NativeHistogram h = series.histogram(i);
        if (h == null && !StaleMarker.isStale(series.value(i))) {
          return SeriesValidator.violation(
              SeriesRule.MIXED_SAMPLES_AND_HISTOGRAMS,
              labels,
              "float sample at " + series.timestamp(i) + " in histogram series " + labels);
        }
        String problem = h == null ? null : histogramProblem(h);
        if (problem != null) {
          return SeriesValidator.violation(
              SeriesRule.INVALID_HISTOGRAM,
              labels,
              problem + " in the histogram at " + series.timestamp(i) + " of series " + labels);
        }
      }
    }
    if (series.hasStartTimestamps()) {
      for (int i = 0; i < series.sampleCount(); i++) {
        long start = series.startTimestamp(i);
        if (start != 0 && start > series.timestamp(i)) {
          return SeriesValidator.violation(
              SeriesRule.INVALID_START_TIMESTAMP,
              labels,
              "start timestamp "
                  + start
                  + " after the sample's timestamp "
                  + series.timestamp(i)
                  + " in series "
                  + labels);
        }
      }
    }
    for (int i = 0; i < series.exemplarCount(); i++) {
      String problem = exemplarProblem(series.exemplar(i));
      if (problem != null) {
        return SeriesValidator.violation(
            SeriesRule.INVALID_EXEMPLAR, labels, problem + " of series " + labels);
      }
    }
    return Optional.empty();
  }

  /** What is wrong with {@code h}, in Prometheus' terms, or null. */
  static String histogramProblem(NativeHistogram h) {
    boolean custom = h.schema() == NativeHistogram.CUSTOM_BUCKETS_SCHEMA;
    if (!custom
        && (h.schema() < NativeHistogram.MIN_SCHEMA || h.schema() > NativeHistogram.MAX_SCHEMA)) {
      return "schema " + h.schema() + " outside -4..8 and not -53";
    }
    if (custom) {
      if (h.negative().bucketCount() > 0 || h.zeroCount() != 0 || h.zeroThreshold() != 0) {
        return "custom-bucket histogram (schema -53) with negative or zero buckets";
      }
      for (int i = 0; i < h.customValueCount(); i++) {
        double b = h.customValue(i);
        if (Double.isNaN(b) || Double.isInfinite(b) || (i > 0 && b <= h.customValue(i - 1))) {
          return "custom bound " + b + " at " + i + " is not finite and increasing";
        }
      }
      if (h.positive().bucketCount() > 0
          && h.positive().index(h.positive().bucketCount() - 1) > h.customValueCount()) {
        return "bucket index beyond the " + h.customValueCount() + " custom bounds (+Inf bucket)";
      }
    } else if (h.customValueCount() > 0) {
      return "custom bounds on exponential schema " + h.schema();
    }
    if (!(h.zeroThreshold() >= 0) || Double.isInfinite(h.zeroThreshold())) {
      return "zero threshold " + h.zeroThreshold() + " is not a finite non-negative number";
    }
    if (h.positive().isFloat() != h.isFloat() || h.negative().isFloat() != h.isFloat()) {
      return "buckets and counts mix integer and float";
    }
    String side = spansProblem("negative", h.negative());
    if (side == null) {
      side = spansProblem("positive", h.positive());
    }
    if (side != null) {
      return side;
    }
    if (!(h.count() >= 0) || !(h.zeroCount() >= 0)) {
      return "negative count " + h.count() + " or zero count " + h.zeroCount();
    }
    double buckets = h.zeroCount() + h.negative().total() + h.positive().total();
    double slack = h.isFloat() ? FLOAT_SLACK * Math.max(1, buckets) : 0;
    boolean nanSum = Double.isNaN(h.sum());
    // A NaN observation counts but lands in no bucket, so then count may exceed the buckets.
    if (buckets > h.count() + slack || (!nanSum && buckets < h.count() - slack)) {
      return buckets + " observations in buckets but a count of " + h.count();
    }
    return null;
  }

  private static String spansProblem(String side, HistogramBuckets b) {
    for (int s = 1; s < b.spanCount(); s++) {
      if (b.spanOffset(s) < 0) {
        return side + " span " + s + " has negative offset " + b.spanOffset(s);
      }
    }
    for (int s = 0; s < b.spanCount(); s++) {
      if (b.spanLength(s) < 0) {
        return side + " span " + s + " has negative length " + b.spanLength(s);
      }
    }
    if (b.spannedBuckets() != b.bucketCount()) {
      return side
          + " spans cover "
          + b.spannedBuckets()
          + " buckets, "
          + b.bucketCount()
          + " given";
    }
    double c = 0;
    for (int i = 0; i < b.bucketCount(); i++) {
      c = b.isFloat() ? b.count(i) : c + b.delta(i);
      if (!(c >= 0)) {
        return side + " bucket " + i + " has count " + c;
      }
    }
    return null;
  }

  private static String exemplarProblem(Exemplar e) {
    Labels l = e.labels();
    int runes = 0;
    for (int i = 0; i < l.size(); i++) {
      String name = l.name(i);
      if (!SeriesValidator.isValidLabelName(name)) {
        return "exemplar label name \"" + name + "\"";
      }
      if (!SeriesValidator.isWellFormedUtf16(l.value(i))) {
        return "exemplar label \"" + name + "\" with ill-formed UTF-16";
      }
      runes += name.codePointCount(0, name.length());
      runes += l.value(i).codePointCount(0, l.value(i).length());
    }
    if (runes > Exemplar.MAX_LABELS_RUNES) {
      return "exemplar labels of " + runes + " characters (> " + Exemplar.MAX_LABELS_RUNES + ")";
    }
    return null;
  }
}
