package io.prombeam.metrics;

import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@link PrometheusMetricsSink}: use with {@code
 * --metricsSink=io.prombeam.metrics.PrometheusMetricsSink --metricsPushPeriod=N}.
 */
public interface PrometheusMetricsOptions extends MetricsOptions {
  @Description("Remote-write URL to send the pipeline's Beam metrics to")
  String getPrometheusRemoteWriteUrl();

  void setPrometheusRemoteWriteUrl(String value);

  @Description("Pushgateway base URL to push the pipeline's Beam metrics to")
  String getPrometheusPushgatewayUrl();

  void setPrometheusPushgatewayUrl(String value);

  @Description("job label (and Pushgateway job) of the exported metrics; defaults to --jobName")
  String getPrometheusJobName();

  void setPrometheusJobName(String value);

  @Description("Prefix of every exported metric name")
  @Default.String("beam")
  String getPrometheusMetricPrefix();

  void setPrometheusMetricPrefix(String value);
}
