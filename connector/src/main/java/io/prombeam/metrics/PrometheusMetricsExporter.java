package io.prombeam.metrics;

import com.google.auto.value.AutoValue;
import io.prombeam.http.HttpEndpoint;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver-side export of a running pipeline's Beam metrics, for every runner (Dataflow included):
 *
 * <pre>{@code
 * PipelineResult result = pipeline.run();
 * try (PrometheusMetricsExporter exporter = PrometheusMetricsExporter.start(result,
 *     PrometheusMetricsExporter.config("my-job").withPushgatewayUrl("http://gw:9091"))) {
 *   result.waitUntilFinish();
 * } // close() exports once more, the final values
 * }</pre>
 *
 * <p>Polls {@code PipelineResult.metrics()} every period. Values are committed where the runner
 * reports them (DirectRunner), attempted otherwise (FlinkRunner); {@link #lastExportCommitted()}
 * says which.
 */
public final class PrometheusMetricsExporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricsExporter.class);

  /** What to export where; immutable, each {@code with*} returns a new config. */
  @AutoValue
  public abstract static class Config {
    /** The {@code job} label of every exported series. */
    public abstract String job();

    /** Where to remote-write the metrics, if anywhere. */
    public abstract @Nullable HttpEndpoint remoteWrite();

    /** Which Pushgateway to push the metrics to, if any. */
    public abstract @Nullable HttpEndpoint pushgateway();

    /** Prefix of every exported metric name (default {@code beam}). */
    public abstract String prefix();

    /** Time between two exports (default 10 s). */
    public abstract Duration period();

    /** Pushgateway grouping labels besides the job. */
    public abstract Map<String, String> groupingKey();

    abstract Builder toBuilder();

    /** Remote-writes the metrics to {@code url}. */
    public Config withRemoteWriteUrl(String url) {
      return withRemoteWrite(HttpEndpoint.create().withUrl(url));
    }

    /** A remote-write endpoint with auth/TLS settings. */
    public Config withRemoteWrite(HttpEndpoint endpoint) {
      return toBuilder().setRemoteWrite(endpoint).build();
    }

    /** Pushes the metrics to the Pushgateway at {@code url}. */
    public Config withPushgatewayUrl(String url) {
      return withPushgateway(HttpEndpoint.create().withUrl(url));
    }

    /** A Pushgateway endpoint with auth/TLS settings. */
    public Config withPushgateway(HttpEndpoint endpoint) {
      return toBuilder().setPushgateway(endpoint).build();
    }

    /** Prefix of every exported metric name. */
    public Config withPrefix(String prefix) {
      return toBuilder().setPrefix(prefix).build();
    }

    /** Time between two exports. */
    public Config withPeriod(Duration period) {
      if (period == null || period.getMillis() <= 0) {
        throw new IllegalArgumentException("period must be positive, got " + period);
      }
      return toBuilder().setPeriod(period).build();
    }

    /** Extra Pushgateway grouping labels besides the job. */
    public Config withGroupingKey(Map<String, String> key) {
      return toBuilder().setGroupingKey(Map.copyOf(key)).build();
    }

    @AutoValue.Builder
    abstract static class Builder {
      abstract Builder setJob(String job);

      abstract Builder setRemoteWrite(@Nullable HttpEndpoint e);

      abstract Builder setPushgateway(@Nullable HttpEndpoint e);

      abstract Builder setPrefix(String prefix);

      abstract Builder setPeriod(Duration period);

      abstract Builder setGroupingKey(Map<String, String> key);

      abstract Config build();
    }
  }

  /**
   * A config exporting under {@code job}, to nowhere yet: add a remote-write URL or Pushgateway.
   */
  public static Config config(String job) {
    return new AutoValue_PrometheusMetricsExporter_Config.Builder()
        .setJob(job)
        .setPrefix("beam")
        .setPeriod(Duration.standardSeconds(10))
        .setGroupingKey(Collections.emptyMap())
        .build();
  }

  private final PipelineResult result;
  private final BeamMetricsMapping mapping;
  private final MetricsPublisher publisher;
  private final ScheduledExecutorService scheduler;
  private final ScheduledFuture<?> task;
  private volatile boolean lastCommitted;
  private volatile int exports;

  private PrometheusMetricsExporter(PipelineResult result, Config c) {
    this.result = result;
    this.mapping = new BeamMetricsMapping(c.prefix(), c.job());
    this.publisher =
        new MetricsPublisher(c.remoteWrite(), c.pushgateway(), c.job(), c.groupingKey());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "prombeam-metrics-exporter");
              t.setDaemon(true);
              return t;
            });
    long ms = c.period().getMillis();
    this.task =
        scheduler.scheduleWithFixedDelay(this::exportQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts exporting {@code result}'s metrics every period; close it to export the final values.
   */
  public static PrometheusMetricsExporter start(PipelineResult result, Config config) {
    return new PrometheusMetricsExporter(result, config);
  }

  /** Exports the current values now. */
  public synchronized void export() throws IOException, InterruptedException {
    MetricQueryResults all = result.metrics().allMetrics();
    BeamMetricsMapping.Mapped mapped = mapping.map(all, System.currentTimeMillis());
    mapped.problems.forEach(p -> LOG.warn("Beam metrics export: {}", p));
    publisher.publish(mapped.series);
    lastCommitted = mapped.allCommitted;
    exports++;
    LOG.info(
        "exported {} series of Beam metrics ({} values)",
        mapped.series.size(),
        mapped.allCommitted ? "committed" : "attempted");
  }

  private void exportQuietly() {
    try {
      export();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("periodic Beam metrics export failed (will retry next period): {}", e.getMessage());
    }
  }

  /** Whether the last export used committed values only. */
  public boolean lastExportCommitted() {
    return lastCommitted;
  }

  /** Exports done so far. */
  public int exportCount() {
    return exports;
  }

  /** Stops polling and exports the final values; throws when that final export fails. */
  @Override
  public void close() throws IOException {
    task.cancel(false);
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(1, TimeUnit.MINUTES);
      export();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during the final metrics export", e);
    }
  }
}
