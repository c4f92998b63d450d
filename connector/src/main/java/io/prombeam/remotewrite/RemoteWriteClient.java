package io.prombeam.remotewrite;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.RetryingHttpSender;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.TimeSeries;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.apache.beam.sdk.annotations.Internal;

/**
 * Sends one remote-write request (encode, snappy, POST with the protocol's headers, retries). Plain
 * Java, no Beam: the sink's shard writer and the driver-side metrics exporter both use it.
 */
@Internal
public final class RemoteWriteClient {
  private final HttpEndpoint endpoint;
  private final RemoteWriteProtocol protocol;
  private final WriteRequestEncoder encoder;
  private final RetryingHttpSender sender;
  private final MediaType mediaType;

  /**
   * A client of the receiver at {@code endpoint}, retrying under {@code retryPolicy}, speaking
   * {@code protocol}.
   */
  public RemoteWriteClient(
      HttpEndpoint endpoint, RetryPolicy retryPolicy, RemoteWriteProtocol protocol) {
    this.endpoint = endpoint;
    this.protocol = protocol;
    this.encoder = protocol.newEncoder();
    this.sender = new RetryingHttpSender(endpoint, retryPolicy);
    this.mediaType = MediaType.get(protocol.contentType());
  }

  /** What one request carried and how it went. */
  public static final class Delivery {
    public final SendOutcome outcome;
    public final int series;
    public final int samples;
    public final int compressedBytes;
    public final int uncompressedBytes;

    Delivery(
        SendOutcome outcome, int series, int samples, int compressedBytes, int uncompressedBytes) {
      this.outcome = outcome;
      this.series = series;
      this.samples = samples;
      this.compressedBytes = compressedBytes;
      this.uncompressedBytes = uncompressedBytes;
    }
  }

  /**
   * Sends the series as one request. Callers pass one entry per label set with samples sorted (as
   * {@link RequestBuilder} plans them).
   */
  public Delivery write(List<TimeSeries> request, RetryingHttpSender.RetryListener listener)
      throws InterruptedException {
    int samples = 0;
    for (TimeSeries ts : request) {
      samples += ts.sampleCount();
    }
    RemoteWriteCodec.Body body = RemoteWriteCodec.encodeCompressed(encoder, request);
    RequestBody requestBody = RequestBody.create(body.compressed, mediaType);
    SendOutcome outcome =
        sender.send(
            () ->
                endpoint
                    .newRequest()
                    .post(requestBody)
                    .header("Content-Encoding", "snappy")
                    .header("X-Prometheus-Remote-Write-Version", protocol.versionHeader())
                    .build(),
            listener);
    return new Delivery(
        outcome, request.size(), samples, body.compressed.length, body.uncompressedBytes);
  }

  public HttpEndpoint endpoint() {
    return endpoint;
  }
}
