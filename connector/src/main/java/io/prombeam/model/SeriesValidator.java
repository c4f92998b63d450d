package io.prombeam.model;

import java.io.Serializable;
import java.util.Optional;
import org.apache.beam.sdk.annotations.Internal;

/**
 * Checks a series against Prometheus' data-model rules before it may reach the wire. Returns the
 * first broken rule with a message naming the series and label; the sinks route such series to
 * their failure output.
 */
@Internal
public final class SeriesValidator implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How far ahead of the wall clock a sample may be by default: 10 minutes of clock skew. */
  public static final long DEFAULT_MAX_FUTURE_SKEW_MILLIS = 10 * 60_000L;

  /**
   * No limit on label value length (Prometheus' default); samples at most 10 minutes ahead of the
   * wall clock.
   */
  public static final SeriesValidator DEFAULT =
      new SeriesValidator(Integer.MAX_VALUE, DEFAULT_MAX_FUTURE_SKEW_MILLIS);

  private final int maxLabelValueLength;
  private final long maxFutureSkewMillis;
  private final boolean floatsOnly;

  private SeriesValidator(int maxLabelValueLength, long maxFutureSkewMillis) {
    this(maxLabelValueLength, maxFutureSkewMillis, false);
  }

  private SeriesValidator(int maxLabelValueLength, long maxFutureSkewMillis, boolean floatsOnly) {
    this.maxLabelValueLength = maxLabelValueLength;
    this.maxFutureSkewMillis = maxFutureSkewMillis;
    this.floatsOnly = floatsOnly;
  }

  /**
   * This validator, also rejecting native histograms, as {@link SeriesRule#HISTOGRAM_NOT_PUSHABLE}
   * (for a sink whose format has no place for them).
   */
  public SeriesValidator floatsOnly() {
    return new SeriesValidator(maxLabelValueLength, maxFutureSkewMillis, true);
  }

  /** A validator that also rejects label values longer than {@code chars} characters. */
  public static SeriesValidator withMaxLabelValueLength(int chars) {
    return DEFAULT.maxLabelValueLength(chars);
  }

  /** This validator, rejecting label values longer than {@code chars} characters. */
  public SeriesValidator maxLabelValueLength(int chars) {
    if (chars <= 0) {
      throw new IllegalArgumentException("maxLabelValueLength must be positive, got " + chars);
    }
    return new SeriesValidator(chars, maxFutureSkewMillis, floatsOnly);
  }

  /**
   * This validator, rejecting samples more than {@code millis} ahead of the wall clock at
   * validation; {@link Long#MAX_VALUE} accepts any timestamp.
   */
  public SeriesValidator maxFutureSkewMillis(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException(
          "maxFutureSkew must not be negative, got " + millis + " ms");
    }
    return new SeriesValidator(maxLabelValueLength, millis, floatsOnly);
  }

  /** The first rule {@code series} breaks, with a message naming the series and label. */
  public Optional<SeriesViolation> validate(TimeSeries series) {
    Optional<SeriesViolation> v = validateLabelsAndPresence(series);
    if (v.isPresent()) {
      return v;
    }
    int tooNew = firstTooFarInFuture(series);
    if (tooNew < series.sampleCount()) {
      return Optional.of(tooFarInFuture(series.slice(tooNew, series.sampleCount())));
    }
    for (int i = 1; i < series.sampleCount(); i++) {
      if (series.timestamp(i) == series.timestamp(i - 1) && !series.samePoint(i, series, i - 1)) {
        return violation(
            SeriesRule.DUPLICATE_TIMESTAMP,
            series.labels(),
            "timestamp " + series.timestamp(i) + " of series " + series.labels());
      }
    }
    return Optional.empty();
  }

  /**
   * The rules a series breaks as a whole: its labels, having no sample at all, and the shape of its
   * histograms, exemplars and start timestamps. For a series whose samples the caller checks one by
   * one ({@link #firstTooFarInFuture}, repeated timestamps).
   */
  public Optional<SeriesViolation> validateLabelsAndPresence(TimeSeries series) {
    Optional<SeriesViolation> v = validateLabels(series.labels());
    if (v.isPresent()) {
      return v;
    }
    if (series.sampleCount() == 0) {
      return violation(SeriesRule.NO_SAMPLES, series.labels(), "series " + series.labels());
    }
    if (floatsOnly && series.hasHistograms()) {
      return violation(
          SeriesRule.HISTOGRAM_NOT_PUSHABLE, series.labels(), "series " + series.labels());
    }
    return PointRules.check(series);
  }

  /**
   * The index of the first sample of sorted {@code series} more than the allowed skew ahead of the
   * wall clock now, or its sample count when there is none.
   */
  public int firstTooFarInFuture(TimeSeries series) {
    int n = series.sampleCount();
    if (maxFutureSkewMillis == Long.MAX_VALUE || n == 0) {
      return n;
    }
    long limit = System.currentTimeMillis() + maxFutureSkewMillis;
    int i = n;
    while (i > 0 && series.timestamp(i - 1) > limit) {
      i--;
    }
    return i;
  }

  /** The violation of samples (sorted) that are too far ahead of the wall clock. */
  public SeriesViolation tooFarInFuture(TimeSeries samples) {
    long newest = samples.timestamp(samples.sampleCount() - 1);
    long ahead = newest - System.currentTimeMillis();
    return violation(
            SeriesRule.TIMESTAMP_TOO_FAR_IN_FUTURE,
            samples.labels(),
            samples.sampleCount()
                + " sample(s) up to timestamp "
                + newest
                + ", "
                + ahead
                + " ms ahead of the wall clock (limit "
                + maxFutureSkewMillis
                + " ms), in series "
                + samples.labels())
        .get();
  }

  /** The first rule the label set breaks. */
  public Optional<SeriesViolation> validateLabels(Labels labels) {
    if (LabelsWireForm.isValidAscii(labels, maxLabelValueLength)) {
      return Optional.empty(); // checked on the bytes: no string decoded
    }
    String metric = labels.metricName();
    if (metric == null) {
      return violation(SeriesRule.MISSING_METRIC_NAME, labels, "series " + labels);
    }
    if (!isValidMetricName(metric)) {
      return violation(
          SeriesRule.INVALID_METRIC_NAME, labels, "metric name \"" + clip(metric) + "\"");
    }
    for (int i = 0; i < labels.size(); i++) {
      String name = labels.name(i);
      String value = labels.value(i);
      if (i > 0 && name.equals(labels.name(i - 1))) {
        return violation(
            SeriesRule.DUPLICATE_LABEL_NAME,
            labels,
            "label \"" + clip(name) + "\" of series " + labels);
      }
      if (!name.equals(Labels.METRIC_NAME)) {
        if (!isValidLabelName(name)) {
          return violation(
              SeriesRule.INVALID_LABEL_NAME,
              labels,
              "label \"" + clip(name) + "\" of series " + labels);
        }
        if (name.startsWith("__")) {
          return violation(
              SeriesRule.RESERVED_LABEL_NAME,
              labels,
              "label \"" + clip(name) + "\" of series " + labels);
        }
      }
      if (!isWellFormedUtf16(value)) {
        return violation(
            SeriesRule.INVALID_UTF8,
            labels,
            "value of label \"" + clip(name) + "\" of series " + labels);
      }
      if (value.length() > maxLabelValueLength) {
        return violation(
            SeriesRule.LABEL_VALUE_TOO_LONG,
            labels,
            "value of label \""
                + clip(name)
                + "\" ("
                + value.length()
                + " chars > "
                + maxLabelValueLength
                + ") of series "
                + labels);
      }
    }
    return Optional.empty();
  }

  static Optional<SeriesViolation> violation(SeriesRule rule, Labels labels, String what) {
    return Optional.of(
        new SeriesViolation(rule, rule.name() + ": " + what + ": " + rule.description()));
  }

  private static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, without a regex on the hot path. */
  public static boolean isValidMetricName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || c == ':'
              || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
  public static boolean isValidLabelName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A Java string is valid UTF-8 once encoded iff it has no unpaired surrogate. */
  static boolean isWellFormedUtf16(String s) {
    int n = s.length();
    int i = 0;
    // Hot (every label value, on every validation and coder encode): one comparison per char up to
    // the first char that could be a surrogate; almost all label text never gets there.
    while (i < n && s.charAt(i) < Character.MIN_SURROGATE) {
      i++;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
