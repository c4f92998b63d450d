package io.prombeam.metrics;

import java.util.List;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;

/**
 * Registers prombeam's pipeline options (found through META-INF/services), so that {@code
 * --prometheusPushgatewayUrl=...} and friends parse without an explicit {@code
 * PipelineOptionsFactory.register}.
 */
@Internal
public final class PrometheusOptionsRegistrar implements PipelineOptionsRegistrar {
  @Override
  public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
    return List.of(PrometheusMetricsOptions.class);
  }
}
