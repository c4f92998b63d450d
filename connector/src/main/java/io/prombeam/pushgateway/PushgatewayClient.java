package io.prombeam.pushgateway;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.RetryingHttpSender;
import io.prombeam.http.SendOutcome;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.apache.beam.sdk.annotations.Internal;

/**
 * Pushes text-format bodies to, and deletes groups from, a Pushgateway, with the shared retry
 * policy (5xx and connection errors retried; a 400, e.g. a type conflict, is final). Plain Java:
 * the sink's DoFn and the metrics exporter both use it.
 */
@Internal
public final class PushgatewayClient {
  private static final MediaType TEXT = MediaType.get(TextFormat.CONTENT_TYPE);

  private final HttpEndpoint endpoint;
  private final RetryingHttpSender sender;

  /** A client of the gateway at {@code endpoint}, retrying under {@code retryPolicy}. */
  public PushgatewayClient(HttpEndpoint endpoint, RetryPolicy retryPolicy) {
    this.endpoint = endpoint;
    this.sender = new RetryingHttpSender(endpoint, retryPolicy);
  }

  /** Pushes a text-format body to the group ({@link PushMethod#PUT} replaces the group). */
  public SendOutcome push(
      PushMethod method, String job, Map<String, String> groupingKey, String body)
      throws InterruptedException {
    HttpUrl url = GroupingKey.url(HttpUrl.get(endpoint.url()), job, groupingKey);
    RequestBody rb = RequestBody.create(body, TEXT);
    return sender.send(
        () -> endpoint.newRequest(url).method(method.name(), rb).build(), (s, r, d) -> {});
  }

  /** Deletes the whole group. */
  public SendOutcome delete(String job, Map<String, String> groupingKey)
      throws InterruptedException {
    HttpUrl url = GroupingKey.url(HttpUrl.get(endpoint.url()), job, groupingKey);
    return sender.send(() -> endpoint.newRequest(url).delete().build(), (s, r, d) -> {});
  }
}
