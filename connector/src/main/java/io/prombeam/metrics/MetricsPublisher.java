package io.prombeam.metrics;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.TimeSeries;
import io.prombeam.pushgateway.PushMethod;
import io.prombeam.pushgateway.PushgatewayClient;
import io.prombeam.pushgateway.TextFormat;
import io.prombeam.remotewrite.RemoteWriteClient;
import io.prombeam.remotewrite.RemoteWriteProtocol;
import io.prombeam.remotewrite.RequestBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Sends mapped Beam metrics to the configured targets: a remote-write receiver and/or a Pushgateway
 * group (replaced with PUT on every publish, so it always shows the latest values).
 */
final class MetricsPublisher {
  private final @Nullable RemoteWriteClient remoteWrite;
  private final @Nullable PushgatewayClient pushgateway;
  private final String job;
  private final Map<String, String> groupingKey;

  public MetricsPublisher(
      @Nullable HttpEndpoint remoteWrite,
      @Nullable HttpEndpoint pushgateway,
      String job,
      Map<String, String> groupingKey) {
    if (remoteWrite == null && pushgateway == null) {
      throw new IllegalArgumentException(
          "no metrics target: set a remote-write URL and/or a Pushgateway URL");
    }
    // Metrics export must not block a pipeline's end for long: bounded retries.
    RetryPolicy retry = RetryPolicy.forMetricsExport();
    this.remoteWrite =
        remoteWrite == null
            ? null
            : new RemoteWriteClient(remoteWrite, retry, RemoteWriteProtocol.V1);
    this.pushgateway = pushgateway == null ? null : new PushgatewayClient(pushgateway, retry);
    this.job = job;
    this.groupingKey = groupingKey;
  }

  /** Publishes to every target; throws naming each one that failed, after trying all. */
  public void publish(List<TimeSeries> series) throws IOException, InterruptedException {
    List<String> errors = new ArrayList<>();
    if (remoteWrite != null && !series.isEmpty()) {
      requests:
      for (List<TimeSeries> request : RequestBuilder.requests(series, 2000)) {
        for (RemoteWriteClient.Delivery d : remoteWrite.write(request, (s, r, delay) -> {})) {
          if (!d.outcome.success()) {
            errors.add(
                "remote write to " + remoteWrite.endpoint().redactedUrl() + ": " + d.outcome);
            break requests;
          }
        }
      }
    }
    if (pushgateway != null) {
      // The job label is the group's; the Pushgateway adds it back to every series.
      List<TimeSeries> withoutJob = new ArrayList<>(series.size());
      for (TimeSeries ts : series) {
        withoutJob.add(ts.withLabels(ts.labels().without("job")));
      }
      String body = TextFormat.write(TextFormat.families(withoutJob).values());
      SendOutcome o = pushgateway.push(PushMethod.PUT, job, groupingKey, body);
      if (!o.success()) {
        errors.add("Pushgateway push of job " + job + ": " + o);
      }
    }
    if (!errors.isEmpty()) {
      throw new IOException("metrics export failed: " + String.join("; ", errors));
    }
  }
}
