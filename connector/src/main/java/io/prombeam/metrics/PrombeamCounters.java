package io.prombeam.metrics;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads prombeam's own counters (namespace {@code prombeam}) from a pipeline's result. */
public final class PrombeamCounters {
  /** The Beam metrics namespace of every prombeam counter. */
  public static final String NAMESPACE = "prombeam";

  private PrombeamCounters() {}

  /**
   * The attempted value of counter {@code name} summed over all steps, e.g. {@code
   * remote_write_samples_sent}; 0 when it was never incremented.
   */
  public static long get(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(NAMESPACE, name))
                    .build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}
