package io.prombeam.source;

import io.prombeam.http.Secret;
import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What {@code receive()} accepts and from whom: size limits checked before the work they protect,
 * and the credentials a sender must present (none by default).
 */
final class ReceiverLimits implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Compressed body bytes at most (413 above): Content-Length first, then while reading. */
  final long maxRequestBytes;

  /** Decoded bytes at most (413 above), from snappy's length header, before inflating. */
  final int maxDecodedBytes;

  /** Series per request at most (413 above). */
  final int maxSeriesPerRequest;

  /** Decoded bytes of all requests being handled at once at most (503 + Retry-After above). */
  final long maxInFlightBytes;

  final @Nullable String basicAuthUser;
  final @Nullable Secret basicAuthPassword;
  final @Nullable Secret bearerToken;

  /** PEM files of the server's certificate and PKCS#8 key: HTTPS when set. */
  @Nullable String tlsCertFile;

  @Nullable String tlsKeyFile;

  /** How long a connection may wait for its next request (0: forever). */
  long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;

  /** How long a request's line and headers may take from its first byte (0: forever). */
  long headerTimeoutMillis = DEFAULT_HEADER_TIMEOUT_MILLIS;

  /** How long a request's body may take from its first read (0: forever). */
  long bodyTimeoutMillis = DEFAULT_BODY_TIMEOUT_MILLIS;

  /** Connections served at once at most; more are answered 503. */
  int maxConnections = DEFAULT_MAX_CONNECTIONS;

  static final long DEFAULT_IDLE_TIMEOUT_MILLIS = Receive.DEFAULT_IDLE_TIMEOUT.getMillis();
  static final long DEFAULT_HEADER_TIMEOUT_MILLIS = Receive.DEFAULT_HEADER_TIMEOUT.getMillis();
  static final long DEFAULT_BODY_TIMEOUT_MILLIS = Receive.DEFAULT_BODY_TIMEOUT.getMillis();
  static final int DEFAULT_MAX_CONNECTIONS = Receive.DEFAULT_MAX_CONNECTIONS;

  ReceiverLimits(
      long maxRequestBytes,
      int maxDecodedBytes,
      int maxSeriesPerRequest,
      long maxInFlightBytes,
      @Nullable String basicAuthUser,
      @Nullable Secret basicAuthPassword,
      @Nullable Secret bearerToken) {
    this.maxRequestBytes = maxRequestBytes;
    this.maxDecodedBytes = maxDecodedBytes;
    this.maxSeriesPerRequest = maxSeriesPerRequest;
    this.maxInFlightBytes = maxInFlightBytes;
    this.basicAuthUser = basicAuthUser;
    this.basicAuthPassword = basicAuthPassword;
    this.bearerToken = bearerToken;
  }

  /** These limits, served over HTTPS with this certificate. */
  ReceiverLimits withTls(@Nullable String certFile, @Nullable String keyFile) {
    ReceiverLimits l = copy();
    l.tlsCertFile = certFile;
    l.tlsKeyFile = keyFile;
    return l;
  }

  /** These limits with these connection time limits (milliseconds, 0: none) and bound. */
  ReceiverLimits withConnections(
      long idleMillis, long headerMillis, long bodyMillis, int maxConnections) {
    ReceiverLimits l = copy();
    l.idleTimeoutMillis = idleMillis;
    l.headerTimeoutMillis = headerMillis;
    l.bodyTimeoutMillis = bodyMillis;
    l.maxConnections = maxConnections;
    return l;
  }

  private ReceiverLimits copy() {
    ReceiverLimits l =
        new ReceiverLimits(
            maxRequestBytes,
            maxDecodedBytes,
            maxSeriesPerRequest,
            maxInFlightBytes,
            basicAuthUser,
            basicAuthPassword,
            bearerToken);
    l.tlsCertFile = tlsCertFile;
    l.tlsKeyFile = tlsKeyFile;
    l.idleTimeoutMillis = idleTimeoutMillis;
    l.headerTimeoutMillis = headerTimeoutMillis;
    l.bodyTimeoutMillis = bodyTimeoutMillis;
    l.maxConnections = maxConnections;
    return l;
  }
}
