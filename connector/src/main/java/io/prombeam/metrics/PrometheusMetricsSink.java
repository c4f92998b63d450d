package io.prombeam.metrics;

import io.prombeam.http.HttpEndpoint;
import java.util.Collections;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.metrics.MetricsSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Beam {@link MetricsSink} for runners whose {@code MetricsPusher} calls sinks: {@code
 * --metricsSink=io.prombeam.metrics.PrometheusMetricsSink --metricsPushPeriod=N} plus {@link
 * PrometheusMetricsOptions}. In Beam 2.62 the classic FlinkRunner calls it when an attached job
 * ends; DirectRunner and Dataflow never do, so use {@link PrometheusMetricsExporter} there.
 */
public class PrometheusMetricsSink implements MetricsSink {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricsSink.class);

  private final BeamMetricsMapping mapping;
  private final String remoteWriteUrl;
  private final String pushgatewayUrl;
  private final String job;
  private transient MetricsPublisher publisher;

  /** The constructor {@code MetricsPusher} calls. */
  public PrometheusMetricsSink(MetricsOptions options) {
    PrometheusMetricsOptions o = options.as(PrometheusMetricsOptions.class);
    this.job = o.getPrometheusJobName() != null ? o.getPrometheusJobName() : o.getJobName();
    this.mapping = new BeamMetricsMapping(o.getPrometheusMetricPrefix(), job);
    this.remoteWriteUrl = o.getPrometheusRemoteWriteUrl();
    this.pushgatewayUrl = o.getPrometheusPushgatewayUrl();
    if (remoteWriteUrl == null && pushgatewayUrl == null) {
      throw new IllegalArgumentException(
          "PrometheusMetricsSink needs --prometheusRemoteWriteUrl and/or"
              + " --prometheusPushgatewayUrl");
    }
  }

  @Override
  public void writeMetrics(MetricQueryResults results) throws Exception {
    if (publisher == null) {
      publisher =
          new MetricsPublisher(
              remoteWriteUrl == null ? null : HttpEndpoint.create().withUrl(remoteWriteUrl),
              pushgatewayUrl == null ? null : HttpEndpoint.create().withUrl(pushgatewayUrl),
              job,
              Collections.emptyMap());
    }
    BeamMetricsMapping.Mapped mapped = mapping.map(results, System.currentTimeMillis());
    mapped.problems.forEach(p -> LOG.warn("Beam metrics export: {}", p));
    publisher.publish(mapped.series);
    LOG.info("exported {} series of Beam metrics for job {}", mapped.series.size(), job);
  }
}
