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
    ReceiverLimits l =
        new ReceiverLimits(
            maxRequestBytes,
            maxDecodedBytes,
            maxSeriesPerRequest,
            maxInFlightBytes,
            basicAuthUser,
            basicAuthPassword,
            bearerToken);
    l.tlsCertFile = certFile;
    l.tlsKeyFile = keyFile;
    return l;
  }
}
