package io.prombeam.remotewrite;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.RetryingHttpSender;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.apache.beam.sdk.annotations.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends remote-write requests (encode, snappy, POST with the protocol's headers, retries). Plain
 * Java, no Beam: the sink's writers and the driver-side metrics exporter both use it.
 *
 * <p>A request whose encoding passes the byte bound is sent as several, split between series or,
 * for one series, between its samples in time order. Under 2.0 the answer's {@code
 * X-Prometheus-Remote-Write-*-Written} counts are read: a 2xx without any is a 1.0 receiver that
 * ignored the content type (the spec says to take it as 415), and fewer samples written than sent
 * is a partial write, reported as a failure of the request.
 */
@Internal
public final class RemoteWriteClient {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteClient.class);

  /** Default of {@link #RemoteWriteClient}'s byte bound: safely under Prometheus' 32 MiB. */
  public static final int DEFAULT_MAX_BYTES_PER_SEND = 16 << 20;

  static final String SAMPLES_WRITTEN = "X-Prometheus-Remote-Write-Samples-Written";
  static final String HISTOGRAMS_WRITTEN = "X-Prometheus-Remote-Write-Histograms-Written";
  static final String EXEMPLARS_WRITTEN = "X-Prometheus-Remote-Write-Exemplars-Written";

  /**
   * Endpoints that refused 2.0, by URL: {@link RemoteWriteProtocol#V2_WITH_V1_FALLBACK} remembers.
   */
  private static final Set<String> SPEAK_V1_ONLY = ConcurrentHashMap.newKeySet();

  private static final WriteRequestEncoder V1_ENCODER = new RemoteWriteV1Encoder();
  private static final WriteRequestEncoder V2_ENCODER = new RemoteWriteV2Encoder();

  private final HttpEndpoint endpoint;
  private final RemoteWriteProtocol protocol;
  private final RetryingHttpSender sender;
  private final int maxBytesPerSend;

  /**
   * A client of the receiver at {@code endpoint}, retrying under {@code retryPolicy}, speaking
   * {@code protocol}, with the default byte bound.
   */
  public RemoteWriteClient(
      HttpEndpoint endpoint, RetryPolicy retryPolicy, RemoteWriteProtocol protocol) {
    this(endpoint, retryPolicy, protocol, DEFAULT_MAX_BYTES_PER_SEND);
  }

  /** As above, no request body over {@code maxBytesPerSend} bytes before compression. */
  public RemoteWriteClient(
      HttpEndpoint endpoint,
      RetryPolicy retryPolicy,
      RemoteWriteProtocol protocol,
      int maxBytesPerSend) {
    this.endpoint = endpoint;
    this.protocol = protocol;
    this.sender = new RetryingHttpSender(endpoint, retryPolicy);
    this.maxBytesPerSend = maxBytesPerSend;
  }

  /** What one request carried and how it went. */
  public static final class Delivery {
    /** The series this request carried (a part of what was handed to {@link #write}). */
    public final List<TimeSeries> request;

    /** How it went: status, tries, the receiver's answer (2.0's rules applied). */
    public final SendOutcome outcome;

    /** Series in the request. */
    public final int series;

    /** Samples in the request. */
    public final int samples;

    /** Body bytes on the wire (snappy). */
    public final int compressedBytes;

    /** Body bytes before compression. */
    public final int uncompressedBytes;

    /** The protocol the request went out in. */
    public final RemoteWriteProtocol protocol;

    Delivery(
        List<TimeSeries> request,
        SendOutcome outcome,
        int samples,
        int compressedBytes,
        int uncompressedBytes,
        RemoteWriteProtocol protocol) {
      this.request = request;
      this.outcome = outcome;
      this.series = request.size();
      this.samples = samples;
      this.compressedBytes = compressedBytes;
      this.uncompressedBytes = uncompressedBytes;
      this.protocol = protocol;
    }
  }

  /**
   * Sends the series, as one request or, past the byte bound, several in order. Callers pass one
   * entry per label set with samples sorted (as {@link RequestBuilder} plans them).
   */
  public List<Delivery> write(List<TimeSeries> request, RetryingHttpSender.RetryListener listener)
      throws InterruptedException {
    List<Delivery> out = new ArrayList<>(1);
    write(request, listener, out);
    return out;
  }

  private void write(
      List<TimeSeries> request, RetryingHttpSender.RetryListener listener, List<Delivery> out)
      throws InterruptedException {
    RemoteWriteProtocol speak = protocolFor(endpoint);
    RemoteWriteCodec.Body body =
        RemoteWriteCodec.encodeCompressed(speak.isV2() ? V2_ENCODER : V1_ENCODER, request);
    if (body.uncompressedBytes > maxBytesPerSend) {
      List<List<TimeSeries>> halves = halves(request);
      if (halves != null) {
        for (List<TimeSeries> half : halves) {
          write(half, listener, out);
        }
        return;
      }
      // one sample of one series over the bound: sent as it is; the receiver may refuse it
    }
    int samples = 0;
    int histograms = 0;
    for (TimeSeries ts : request) {
      samples += ts.sampleCount();
      if (ts.hasHistograms()) {
        for (int i = 0; i < ts.sampleCount(); i++) {
          histograms += ts.histogram(i) != null ? 1 : 0;
        }
      }
    }
    SendOutcome outcome = post(speak, body, listener);
    if (speak.isV2()) {
      outcome = judgeV2(outcome, samples - histograms, histograms);
      if (outcome.status() == 415 && protocol == RemoteWriteProtocol.V2_WITH_V1_FALLBACK) {
        LOG.info(
            "{} does not take remote-write 2.0 ({}); sending 1.0 to it from now on",
            endpoint.redactedUrl(),
            outcome.message());
        SPEAK_V1_ONLY.add(key(endpoint));
        write(request, listener, out);
        return;
      }
    }
    out.add(
        new Delivery(
            request, outcome, samples, body.compressed.length, body.uncompressedBytes, speak));
  }

  private RemoteWriteProtocol protocolFor(HttpEndpoint e) {
    return protocol == RemoteWriteProtocol.V2_WITH_V1_FALLBACK && SPEAK_V1_ONLY.contains(key(e))
        ? RemoteWriteProtocol.V1
        : protocol;
  }

  private static String key(HttpEndpoint e) {
    return String.valueOf(e.url());
  }

  private SendOutcome post(
      RemoteWriteProtocol speak,
      RemoteWriteCodec.Body body,
      RetryingHttpSender.RetryListener listener)
      throws InterruptedException {
    RequestBody requestBody =
        RequestBody.create(body.compressed, MediaType.get(speak.contentType()));
    return sender.send(
        () ->
            endpoint
                .newRequest()
                .post(requestBody)
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", speak.versionHeader())
                .build(),
        listener);
  }

  /**
   * A 2.0 answer as the spec has it: a 2xx without any written count is a 415 (a 1.0 receiver
   * decoded an empty request); a 2xx that wrote fewer float samples or histograms than sent, or a
   * refusal that wrote some, is a partial write, whose counts the failure names. Exemplars are not
   * judged: receivers drop repeated or out-of-order exemplars by design (Prometheus does), and an
   * exemplar is an illustration, not data a query adds up.
   */
  static SendOutcome judgeV2(SendOutcome o, int samplesSent, int histogramsSent) {
    String written = o.header(SAMPLES_WRITTEN);
    String histogramsHeader = o.header(HISTOGRAMS_WRITTEN);
    boolean anyCount =
        written != null || histogramsHeader != null || o.header(EXEMPLARS_WRITTEN) != null;
    if (o.success() && !anyCount) {
      return o.failedAs(
          415,
          "HTTP "
              + o.status()
              + " without X-Prometheus-Remote-Write-*-Written headers: a receiver that does not"
              + " speak remote-write 2.0 (taken as 415, as the spec says)");
    }
    long wrote = parseCount(written);
    long wroteHistograms = parseCount(histogramsHeader);
    String counts =
        wrote
            + " of "
            + samplesSent
            + " samples"
            + (histogramsSent > 0 || wroteHistograms > 0
                ? " and " + wroteHistograms + " of " + histogramsSent + " histograms"
                : "");
    if (o.success() && (wrote < samplesSent || wroteHistograms < histogramsSent)) {
      return o.failedAs(
          o.status(),
          "partial write: HTTP "
              + o.status()
              + " but the receiver wrote "
              + counts
              + "; the request is reported whole (sending it again is safe: a receiver"
              + " drops samples it already has)");
    }
    if (!o.success() && anyCount && (wrote > 0 || wroteHistograms > 0)) {
      return o.failedAs(
          o.status(), o.message() + " (partial write: the receiver wrote " + counts + ")");
    }
    return o;
  }

  private static long parseCount(String header) {
    if (header == null) {
      return 0; // the spec: a missing count means none of that kind was written
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The request in two, in order: its series split in the middle, or its one series' samples (time
   * order kept, the earlier half first); null when it is one series of one sample.
   */
  static List<List<TimeSeries>> halves(List<TimeSeries> request) {
    if (request.size() > 1) {
      int mid = request.size() / 2;
      return List.of(request.subList(0, mid), request.subList(mid, request.size()));
    }
    TimeSeries only = request.get(0);
    int n = only.sampleCount();
    if (n < 2) {
      return null;
    }
    return List.of(List.of(only.slice(0, n / 2)), List.of(only.slice(n / 2, n)));
  }

  /** The receiver this client writes to. */
  public HttpEndpoint endpoint() {
    return endpoint;
  }
}
