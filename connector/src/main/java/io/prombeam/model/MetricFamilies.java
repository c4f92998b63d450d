package io.prombeam.model;

import org.apache.beam.sdk.annotations.Internal;

/** Maps a series to the name of its metric family, as metadata and the text format use it. */
@Internal
public final class MetricFamilies {
  private static final String[] HISTOGRAM_SUFFIXES = {"_bucket", "_sum", "_count", "_created"};
  private static final String[] SUMMARY_SUFFIXES = {"_sum", "_count", "_created"};

  private MetricFamilies() {}

  /**
   * The family name: the metric name, less {@code _bucket}/{@code _sum}/{@code _count} for
   * histograms and {@code _sum}/{@code _count} for summaries (the classic text format's rule;
   * counters keep their {@code _total}, as Prometheus reports them in remote-write metadata).
   */
  public static String familyName(String metricName, MetricType type) {
    String[] suffixes =
        type == MetricType.HISTOGRAM || type == MetricType.GAUGEHISTOGRAM
            ? HISTOGRAM_SUFFIXES
            : type == MetricType.SUMMARY ? SUMMARY_SUFFIXES : new String[0];
    for (String s : suffixes) {
      if (metricName.endsWith(s) && metricName.length() > s.length()) {
        return metricName.substring(0, metricName.length() - s.length());
      }
    }
    return metricName;
  }
}
