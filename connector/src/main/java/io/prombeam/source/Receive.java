package io.prombeam.source;

import com.google.auto.value.AutoValue;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.model.TimeSeries;
import okhttp3.HttpUrl;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * A remote-write receiver inside the pipeline (unbounded): Prometheus servers and agents point
 * their {@code remote_write} at the URL given to {@link #withUrl} and the series they send come out
 * as {@link TimeSeries}. Create with {@code PrometheusIO.receive()}; see docs/sources.md for the
 * delivery guarantee.
 */
@AutoValue
public abstract class Receive extends PTransform<PBegin, PCollection<TimeSeries>> {
  private static final long serialVersionUID = 1L;

  /** Compressed body bytes at most, unless set: 16 MiB (a 2,000-sample request is ~20 KiB). */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 16L << 20;

  /** Decoded body bytes at most, unless set: 32 MiB, as Prometheus' own receiver. */
  public static final int DEFAULT_MAX_DECODED_BYTES = 32 << 20;

  /** Series per request at most, unless set. */
  public static final int DEFAULT_MAX_SERIES_PER_REQUEST = 100_000;

  /** Decoded bytes of the requests being handled at once at most, unless set: 256 MiB. */
  public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 256L << 20;

  /** How long a connection may wait for its next request, unless set: 5 minutes. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.standardMinutes(5);

  /** How long a request's line and headers may take, unless set: 10 seconds. */
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.standardSeconds(10);

  /** How long a request's body may take, unless set: 1 minute. */
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.standardMinutes(1);

  /** Connections served at once, unless set: 512, as Prometheus' {@code --web.max-connections}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 512;

  /** The URL to listen on, e.g. {@code http://0.0.0.0:9201/api/v1/write}. */
  public abstract @Nullable String url();

  /** Requests queued at most before senders get 503. */
  public abstract int maxQueuedRequests();

  /** How long a sender waits for its acknowledgement before 503. */
  public abstract Duration ackTimeout();

  /** When a sender gets its 2xx; null: chosen per runner, see {@link #withAckMode}. */
  public abstract @Nullable AckMode ackMode();

  /** Compressed request bytes at most; see {@link #withMaxRequestBytes}. */
  public abstract long maxRequestBytes();

  /** Decoded request bytes at most; see {@link #withMaxDecodedBytes}. */
  public abstract int maxDecodedBytes();

  /** Series per request at most; see {@link #withMaxSeriesPerRequest}. */
  public abstract int maxSeriesPerRequest();

  /**
   * Decoded bytes of all requests being handled at once at most; see {@link #withMaxInFlightBytes}.
   */
  public abstract long maxInFlightBytes();

  /** How long a connection may wait for its next request; see {@link #withIdleTimeout}. */
  public abstract Duration idleTimeout();

  /** How long a request's line and headers may take; see {@link #withHeaderTimeout}. */
  public abstract Duration headerTimeout();

  /** How long a request's body may take; see {@link #withBodyTimeout}. */
  public abstract Duration bodyTimeout();

  /** Connections served at once at most; see {@link #withMaxConnections}. */
  public abstract int maxConnections();

  /** The credentials senders must present, held as a client would send them. */
  abstract HttpEndpoint credentials();

  abstract @Nullable String tlsCertFile();

  abstract @Nullable String tlsKeyFile();

  /** When the source ends by itself; never when null. */
  public abstract @Nullable Duration stopAfter();

  abstract Builder toBuilder();

  /** A receiver with the defaults; prefer {@code PrometheusIO.receive()}. */
  public static Receive create() {
    return new AutoValue_Receive.Builder()
        .setMaxQueuedRequests(100)
        .setAckTimeout(Duration.standardSeconds(30))
        .setMaxRequestBytes(DEFAULT_MAX_REQUEST_BYTES)
        .setMaxDecodedBytes(DEFAULT_MAX_DECODED_BYTES)
        .setMaxSeriesPerRequest(DEFAULT_MAX_SERIES_PER_REQUEST)
        .setMaxInFlightBytes(DEFAULT_MAX_IN_FLIGHT_BYTES)
        .setIdleTimeout(DEFAULT_IDLE_TIMEOUT)
        .setHeaderTimeout(DEFAULT_HEADER_TIMEOUT)
        .setBodyTimeout(DEFAULT_BODY_TIMEOUT)
        .setMaxConnections(DEFAULT_MAX_CONNECTIONS)
        .setCredentials(HttpEndpoint.create())
        .build();
  }

  /**
   * Where to listen (required), as a URL like every other transform's: host or address to bind
   * ({@code 0.0.0.0} for all interfaces), port and path, e.g. {@code
   * http://0.0.0.0:9201/api/v1/write}. Senders use the same URL with the worker's address.
   */
  public Receive withUrl(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw new IllegalArgumentException("receive() listens on an http(s):// URL, got " + url);
    }
    if (parsed.query() != null || !parsed.username().isEmpty()) {
      throw new IllegalArgumentException(
          "receive()'s URL is host, port and path only, without user info or query");
    }
    return toBuilder().setUrl(url).build();
  }

  /** Requests queued at most before the receiver answers 503 (backpressure to the senders). */
  public Receive withMaxQueuedRequests(int n) {
    return toBuilder().setMaxQueuedRequests(n).build();
  }

  /** How long a sender waits for its acknowledgement before getting 503 (it then retries). */
  public Receive withAckTimeout(Duration d) {
    return toBuilder().setAckTimeout(d).build();
  }

  /**
   * When a sender gets its 2xx (default {@link AckMode#ON_CHECKPOINT}). {@link AckMode#ON_READ} for
   * runners that never finalize checkpoints (Flink without checkpointing) or do so only when later
   * data arrives (the DirectRunner finalizes a checkpoint when a later bundle reads something, so a
   * lone sender would wait for its own retry).
   */
  public Receive withAckMode(AckMode mode) {
    return toBuilder().setAckMode(mode).build();
  }

  /** A larger compressed body is answered 413 without being read past the limit. */
  public Receive withMaxRequestBytes(long bytes) {
    checkPositive("maxRequestBytes", bytes);
    return toBuilder().setMaxRequestBytes(bytes).build();
  }

  /** A body that would decode to more is answered 413, judged from snappy's header. */
  public Receive withMaxDecodedBytes(int bytes) {
    checkPositive("maxDecodedBytes", bytes);
    return toBuilder().setMaxDecodedBytes(bytes).build();
  }

  /** A request with more series is answered 413. */
  public Receive withMaxSeriesPerRequest(int series) {
    checkPositive("maxSeriesPerRequest", series);
    return toBuilder().setMaxSeriesPerRequest(series).build();
  }

  /**
   * Decoded bytes of all requests being handled at once at most: a request that would pass it is
   * answered 503 with {@code Retry-After}, and the receiver takes no more memory.
   */
  public Receive withMaxInFlightBytes(long bytes) {
    checkPositive("maxInFlightBytes", bytes);
    return toBuilder().setMaxInFlightBytes(bytes).build();
  }

  /**
   * How long a connection may stay open waiting for its next request (a sender's pooled connection)
   * before the receiver closes it; {@link Duration#ZERO}: as long as it likes.
   */
  public Receive withIdleTimeout(Duration d) {
    return toBuilder().setIdleTimeout(checkNotNegative("idleTimeout", d)).build();
  }

  /**
   * How long a request's line and headers may take from their first byte: a sender slower than that
   * (or one trickling bytes to hold a connection) is answered 408 and disconnected; {@link
   * Duration#ZERO}: no limit.
   */
  public Receive withHeaderTimeout(Duration d) {
    return toBuilder().setHeaderTimeout(checkNotNegative("headerTimeout", d)).build();
  }

  /**
   * How long a request's body may take from its first byte: a slower one is answered 408, nothing
   * of it taken; {@link Duration#ZERO}: no limit.
   */
  public Receive withBodyTimeout(Duration d) {
    return toBuilder().setBodyTimeout(checkNotNegative("bodyTimeout", d)).build();
  }

  /**
   * Connections served at once at most; one more is answered 503 with {@code Retry-After} and
   * closed. Each connection holds a thread while open.
   */
  public Receive withMaxConnections(int n) {
    checkPositive("maxConnections", n);
    return toBuilder().setMaxConnections(n).build();
  }

  /**
   * Senders must present these basic-auth credentials (401 otherwise); checked in constant time.
   */
  public Receive withBasicAuth(String user, String password) {
    return toBuilder().setCredentials(credentials().withBasicAuth(user, password)).build();
  }

  /** Senders must present this bearer token (401 otherwise); checked in constant time. */
  public Receive withBearerToken(String token) {
    return toBuilder().setCredentials(credentials().withBearerToken(token)).build();
  }

  /**
   * Serves HTTPS with this certificate (PEM) and its PKCS#8 key ({@code keyPemPath}, or after the
   * certificate in its file); give senders the {@code https://} URL.
   */
  public Receive withTlsCertificate(String certPemPath, @Nullable String keyPemPath) {
    if (certPemPath == null) {
      throw new IllegalArgumentException("receiver TLS needs a certificate file");
    }
    return toBuilder().setTlsCertFile(certPemPath).setTlsKeyFile(keyPemPath).build();
  }

  private static Duration checkNotNegative(String what, Duration d) {
    if (d == null || d.getMillis() < 0) {
      throw new IllegalArgumentException(what + " must be zero (none) or positive, got " + d);
    }
    return d;
  }

  private static void checkPositive(String what, long n) {
    if (n <= 0) {
      throw new IllegalArgumentException(what + " must be positive, got " + n);
    }
  }

  /**
   * End the source this long after it started listening (tests, bounded runs): from then on new
   * requests are answered 503, those already queued are read, and the source ends.
   */
  public Receive withStopAfter(Duration d) {
    return toBuilder().setStopAfter(d).build();
  }

  @Override
  public PCollection<TimeSeries> expand(PBegin input) {
    if (url() == null) {
      throw new IllegalArgumentException(
          getName() + ": withUrl(\"http://<bind address>:<port>/<path>\") is required");
    }
    HttpUrl listen = HttpUrl.get(url());
    if (listen.isHttps() != (tlsCertFile() != null)) {
      throw new IllegalArgumentException(
          getName()
              + ": an https:// URL needs withTlsCertificate(...), and a certificate an https://"
              + " URL");
    }
    return input.apply(
        Read.from(
            new RemoteWriteReceiverSource(
                listen.host(),
                listen.port(),
                listen.encodedPath(),
                maxQueuedRequests(),
                ackTimeout(),
                ackMode() != null ? ackMode() : defaultAckMode(input.getPipeline().getOptions()),
                stopAfter(),
                new ReceiverLimits(
                        maxRequestBytes(),
                        maxDecodedBytes(),
                        maxSeriesPerRequest(),
                        maxInFlightBytes(),
                        credentials().basicAuthUser(),
                        credentials().basicAuthPassword(),
                        credentials().bearerToken())
                    .withTls(tlsCertFile(), tlsKeyFile())
                    .withConnections(
                        idleTimeout().getMillis(),
                        headerTimeout().getMillis(),
                        bodyTimeout().getMillis(),
                        maxConnections()))));
  }

  /**
   * Flink's own option, read by name so that the connector needs no Flink classes. Public only
   * because Beam's options proxy requires it.
   */
  @Internal
  public interface CheckpointingOption extends PipelineOptions {
    /** Flink's checkpointing interval in milliseconds, if set. */
    @org.apache.beam.sdk.options.Description("Flink's checkpointing interval, if set")
    @org.apache.beam.sdk.options.Default.Long(-1L) // as FlinkPipelineOptions declares it
    Long getCheckpointingInterval();

    /** Sets it. */
    void setCheckpointingInterval(Long interval);
  }

  /** The ack mode that gives at-least-once without endless re-sends on {@code options}' runner. */
  static AckMode defaultAckMode(PipelineOptions options) {
    String runner = options.getRunner() == null ? "" : options.getRunner().getSimpleName();
    if (runner.equals("DirectRunner")) {
      return AckMode.ON_READ;
    }
    if (runner.startsWith("Flink")) {
      Long interval = options.as(CheckpointingOption.class).getCheckpointingInterval();
      return interval != null && interval > 0 ? AckMode.ON_CHECKPOINT : AckMode.ON_READ;
    }
    return AckMode.ON_CHECKPOINT;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder b) {
    super.populateDisplayData(b);
    b.add(DisplayData.item("listen", url()).withLabel("Listens on"))
        .add(
            DisplayData.item("maxQueuedRequests", maxQueuedRequests())
                .withLabel("Max queued requests"))
        .add(DisplayData.item("ackTimeout", ackTimeout()).withLabel("Ack timeout"))
        .add(DisplayData.item("maxRequestBytes", maxRequestBytes()).withLabel("Max request bytes"))
        .add(DisplayData.item("maxDecodedBytes", maxDecodedBytes()).withLabel("Max decoded bytes"))
        .add(
            DisplayData.item("maxSeriesPerRequest", maxSeriesPerRequest())
                .withLabel("Max series per request"))
        .add(
            DisplayData.item("maxInFlightBytes", maxInFlightBytes())
                .withLabel("Max bytes in flight"))
        .add(DisplayData.item("idleTimeout", idleTimeout()).withLabel("Idle connection timeout"))
        .add(DisplayData.item("headerTimeout", headerTimeout()).withLabel("Request header timeout"))
        .add(DisplayData.item("bodyTimeout", bodyTimeout()).withLabel("Request body timeout"))
        .add(DisplayData.item("maxConnections", maxConnections()).withLabel("Max connections"))
        .add(
            DisplayData.item(
                    "auth",
                    credentials().basicAuthUser() != null
                        ? "basic (user " + credentials().basicAuthUser() + ")"
                        : credentials().bearerToken() != null ? "bearer token" : "none")
                .withLabel("Senders must authenticate"))
        .addIfNotNull(DisplayData.item("tlsCertFile", tlsCertFile()).withLabel("TLS certificate"))
        .add(
            DisplayData.item("ackMode", ackMode() == null ? "per runner" : ackMode().toString())
                .withLabel("Acknowledge"));
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setUrl(@Nullable String url);

    abstract Builder setMaxQueuedRequests(int n);

    abstract Builder setAckTimeout(Duration d);

    abstract Builder setAckMode(@Nullable AckMode mode);

    abstract Builder setMaxRequestBytes(long bytes);

    abstract Builder setMaxDecodedBytes(int bytes);

    abstract Builder setMaxSeriesPerRequest(int series);

    abstract Builder setMaxInFlightBytes(long bytes);

    abstract Builder setIdleTimeout(Duration d);

    abstract Builder setHeaderTimeout(Duration d);

    abstract Builder setBodyTimeout(Duration d);

    abstract Builder setMaxConnections(int n);

    abstract Builder setCredentials(HttpEndpoint credentials);

    abstract Builder setTlsCertFile(@Nullable String path);

    abstract Builder setTlsKeyFile(@Nullable String path);

    abstract Builder setStopAfter(@Nullable Duration d);

    abstract Receive build();
  }
}
