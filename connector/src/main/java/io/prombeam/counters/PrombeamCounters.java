package io.prombeam.counters;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads prombeam's own counters from a pipeline's result. */
public final class PrombeamCounters {
  private PrombeamCounters() {}

  /**
   * The attempted value of {@code counter} summed over all steps; 0 when it was never incremented.
   */
  public static long get(PipelineResult result, PrombeamCounter counter) {
    long sum = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(PrombeamCounter.NAMESPACE, counter.metricName()))
                    .build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}
