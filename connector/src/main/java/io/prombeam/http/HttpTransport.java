package io.prombeam.http;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The transport settings every prombeam transform that sends HTTP requests takes, in one place: an
 * {@link HttpEndpoint} (URL, authentication, headers, TLS, client certificate, timeout) and a
 * {@link RetryPolicy}. The shortcuts ({@code withUrl}, {@code withBasicAuth}, ...) are defined here
 * once, so every transform has all of them and they behave the same everywhere.
 *
 * <p>Retry defaults by kind of transform: sinks ({@code remoteWrite}, {@code pushgateway}) {@link
 * RetryPolicy#forSinks()}, reads ({@code read}, {@code remoteRead}) {@link RetryPolicy#forReads()},
 * scrapes {@link RetryPolicy#forScrapes()}.
 *
 * @param <T> the transform's own type, returned by every {@code with*} method
 */
public interface HttpTransport<T extends HttpTransport<T>> {
  /** Where and how requests are sent. */
  HttpEndpoint endpoint();

  /** How failed requests are retried. */
  RetryPolicy retryPolicy();

  /** Replaces the whole endpoint; the shortcuts below change one setting of it. */
  T withEndpoint(HttpEndpoint endpoint);

  /** Replaces the whole retry policy; the shortcuts below change one bound of it. */
  T withRetryPolicy(RetryPolicy policy);

  /** The server's URL, e.g. {@code http://prometheus:9090/api/v1/write}. */
  default T withUrl(String url) {
    return withEndpoint(endpoint().withUrl(url));
  }

  /** HTTP basic authentication; the password is never shown. Replaces a bearer token. */
  default T withBasicAuth(String user, String password) {
    return withEndpoint(endpoint().withBasicAuth(user, password));
  }

  /** {@code Authorization: Bearer <token>}; never shown. Replaces basic authentication. */
  default T withBearerToken(String token) {
    return withEndpoint(endpoint().withBearerToken(token));
  }

  /** An extra header on every request, e.g. {@code X-Scope-OrgID}; its value is never shown. */
  default T withHeader(String name, String value) {
    return withEndpoint(endpoint().withHeader(name, value));
  }

  /** Credentials added per request by {@code authenticator}: OAuth2, AWS SigV4, Azure AD, .... */
  default T withAuthenticator(RequestAuthenticator authenticator) {
    return withEndpoint(endpoint().withAuthenticator(authenticator));
  }

  /** PEM file of the CA(s) that sign the server's certificate; the JVM's trust store otherwise. */
  default T withTlsCaFile(String pemPath) {
    return withEndpoint(endpoint().withTlsCaFile(pemPath));
  }

  /** Client certificate for mutual TLS, with its PKCS#8 key in {@code keyPemPath} or in it. */
  default T withTlsClientCertificate(String certPemPath, @Nullable String keyPemPath) {
    return withEndpoint(endpoint().withTlsClientCertificate(certPemPath, keyPemPath));
  }

  /** Timeout of one request attempt (connect, send, answer); see each transform's default. */
  default T withTimeout(Duration timeout) {
    return withEndpoint(endpoint().withTimeout(timeout));
  }

  /** The first retry's delay, doubled per retry up to {@link #withMaxBackoff}. */
  default T withMinBackoff(Duration d) {
    return withRetryPolicy(retryPolicy().withMinBackoff(d));
  }

  /** The longest delay between two retries ({@code Retry-After} may ask for more). */
  default T withMaxBackoff(Duration d) {
    return withRetryPolicy(retryPolicy().withMaxBackoff(d));
  }

  /** Retries of one request at most; 0 turns retrying off. */
  default T withMaxRetries(int n) {
    return withRetryPolicy(retryPolicy().withMaxRetries(n));
  }

  /** How long one request is retried at most, in wall time, before it is a failure. */
  default T withMaxRetryDuration(Duration d) {
    return withRetryPolicy(retryPolicy().withMaxRetryDuration(d));
  }
}
