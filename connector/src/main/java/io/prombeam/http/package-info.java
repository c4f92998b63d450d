/**
 * The HTTP transport every prombeam transform shares: the endpoint (URL, authentication, headers,
 * TLS, timeouts), the retry policy and the retrying sender built on OkHttp. Secrets kept here are
 * never shown in logs, exceptions, {@code toString} or display data.
 */
package io.prombeam.http;
