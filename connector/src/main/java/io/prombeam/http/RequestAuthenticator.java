package io.prombeam.http;

import java.io.IOException;
import java.io.Serializable;

/**
 * Adds credentials to each HTTP request a prombeam transform sends, for schemes basic auth and
 * bearer tokens do not cover: request signing (AWS SigV4 for Amazon Managed Service for
 * Prometheus), Azure AD or any token service. Set it with {@link
 * HttpEndpoint#withAuthenticator(RequestAuthenticator)} or a transform's {@code
 * withAuthenticator(...)}; {@link OAuth2ClientCredentials} is one.
 *
 * <p>It is called on the worker before every attempt of every request, retries included (a
 * signature's timestamp stays fresh), and sees the method, URL, headers and body bytes. It is
 * serialized with the pipeline: keep secrets in {@link Secret}s and caches in {@code transient} or
 * static fields. It may be called from several threads at once.
 */
@FunctionalInterface
public interface RequestAuthenticator extends Serializable {
  /**
   * Adds headers to {@code request}.
   *
   * @throws IOException when credentials cannot be obtained now; the attempt then fails like a
   *     network error and is retried under the transform's {@link RetryPolicy}
   */
  void authenticate(SignableRequest request) throws IOException;
}
