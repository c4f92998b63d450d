package io.prombeam.http;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Where and how to reach an HTTP endpoint: URL, credentials, extra headers, TLS and timeout. Shared
 * by every prombeam sink and source, so auth and TLS behave the same everywhere.
 *
 * <p>Credentials are held as {@link Secret}s; header values are never displayed either (they may be
 * API keys), only their names.
 */
@AutoValue
public abstract class HttpEndpoint implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One attempt's timeout unless set: 30 s, Prometheus' {@code remote_timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.standardSeconds(30);

  /** The server's URL. */
  public abstract @Nullable String url();

  /** The basic-auth user, if any. */
  public abstract @Nullable String basicAuthUser();

  /** The basic-auth password, if any; never shown. */
  public abstract @Nullable Secret basicAuthPassword();

  /** The bearer token, if any; never shown. */
  public abstract @Nullable Secret bearerToken();

  /** Extra headers, e.g. {@code X-Scope-OrgID} for Mimir/Cortex tenants. */
  public abstract Map<String, Secret> headers();

  /** PEM file of the CA(s) that sign the server's certificate; the JVM's trust store otherwise. */
  public abstract @Nullable String tlsCaFile();

  /** PEM file with the client certificate (and optionally its private key) for mutual TLS. */
  public abstract @Nullable String tlsClientCertFile();

  /** PEM file with the client's PKCS#8 private key, when not in the certificate file. */
  public abstract @Nullable String tlsClientKeyFile();

  /** Per-request timeout (connect, read, write and whole call); 30 s by default. */
  public abstract Duration timeout();

  /** Adds credentials to each request (OAuth2, request signing), besides any basic or bearer. */
  public abstract @Nullable RequestAuthenticator authenticator();

  abstract Builder toBuilder();

  /** An endpoint with no URL yet, no authentication and the default timeout. */
  public static HttpEndpoint create() {
    return new AutoValue_HttpEndpoint.Builder()
        .setHeaders(Collections.emptyMap())
        .setTimeout(DEFAULT_TIMEOUT)
        .build();
  }

  /** The server's URL; an invalid one is refused without echoing user info or query. */
  public HttpEndpoint withUrl(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      // echo only what precedes any user info or query: those may hold credentials
      String shown =
          url == null
              ? "null"
              : url.replaceFirst("^([^:/?#]*://)[^/?#@]*@", "$1").split("[?#]", 2)[0];
      throw new IllegalArgumentException(
          "not an http(s) URL: " + shown + (shown.equals(url) ? "" : "..."));
    }
    return toBuilder().setUrl(url).build();
  }

  /** HTTP basic authentication; replaces a bearer token. */
  public HttpEndpoint withBasicAuth(String user, String password) {
    if (user == null || password == null) {
      throw new IllegalArgumentException("basic auth needs a user and a password");
    }
    return toBuilder()
        .setBasicAuthUser(user)
        .setBasicAuthPassword(Secret.of(password))
        .setBearerToken(null)
        .build();
  }

  /** {@code Authorization: Bearer}; replaces basic authentication. */
  public HttpEndpoint withBearerToken(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("bearer token must not be empty");
    }
    return toBuilder()
        .setBearerToken(Secret.of(token))
        .setBasicAuthUser(null)
        .setBasicAuthPassword(null)
        .build();
  }

  /** An extra header on every request; its value is never shown. */
  public HttpEndpoint withHeader(String name, String value) {
    if (name == null || name.isEmpty() || value == null) {
      throw new IllegalArgumentException("header needs a name and a value");
    }
    Map<String, Secret> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers());
    h.put(name, Secret.of(value));
    return toBuilder().setHeaders(Collections.unmodifiableMap(h)).build();
  }

  /**
   * Runs {@code authenticator} on every request, every attempt, just before it goes out: for OAuth2
   * ({@link OAuth2ClientCredentials}), AWS SigV4, Azure AD or any other scheme.
   */
  public HttpEndpoint withAuthenticator(RequestAuthenticator authenticator) {
    if (authenticator == null) {
      throw new IllegalArgumentException("authenticator must not be null");
    }
    return toBuilder().setAuthenticator(authenticator).build();
  }

  /** PEM file of the CAs trusted for the server's certificate. */
  public HttpEndpoint withTlsCaFile(String pemPath) {
    return toBuilder().setTlsCaFile(pemPath).build();
  }

  /**
   * A client certificate for mutual TLS; its PKCS#8 key in {@code keyPemPath} or after the
   * certificate.
   */
  public HttpEndpoint withTlsClientCertificate(String certPemPath, @Nullable String keyPemPath) {
    return toBuilder().setTlsClientCertFile(certPemPath).setTlsClientKeyFile(keyPemPath).build();
  }

  /** One attempt's timeout: connect, send and answer. */
  public HttpEndpoint withTimeout(Duration timeout) {
    if (timeout == null || timeout.getMillis() <= 0) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return toBuilder().setTimeout(timeout).build();
  }

  /** Checks what {@code expand()} needs; the message names the transform. */
  @Internal
  public void validate(String transformName) {
    if (url() == null) {
      throw new IllegalArgumentException(transformName + ": withUrl(...) is required");
    }
  }

  /**
   * The URL for display data: user info removed and query values masked (a token passed as {@code
   * ?api_key=...} is a secret too); scheme, host, port, path and parameter names stay.
   */
  @Internal
  public @Nullable String displayUrl() {
    if (url() == null) {
      return null;
    }
    HttpUrl u = HttpUrl.get(url());
    HttpUrl.Builder b = u.newBuilder().username("").password("").query(null);
    for (String name : u.queryParameterNames()) {
      b.addQueryParameter(name, "***");
    }
    return b.build().toString();
  }

  /** Like the display data: no credential, no header value, no URL user info or query value. */
  @Override
  public final String toString() {
    return "HttpEndpoint{url="
        + displayUrl()
        + ", auth="
        + authDescription()
        + ", headers="
        + headers().keySet()
        + ", tlsCaFile="
        + tlsCaFile()
        + ", tlsClientCertFile="
        + tlsClientCertFile()
        + ", timeout="
        + timeout()
        + "}";
  }

  /** The kind of authentication, never the credential. */
  private String authDescription() {
    String base =
        basicAuthUser() != null
            ? "basic (user " + basicAuthUser() + ")"
            : bearerToken() != null ? "bearer token" : "none";
    if (authenticator() == null) {
      return base;
    }
    // the class name only: a user's authenticator may print its credentials
    String by = "authenticator " + authenticator().getClass().getSimpleName();
    return base.equals("none") ? by : base + " + " + by;
  }

  /** The URL without user info, query or fragment, for logs and messages. */
  @Internal
  public String redactedUrl() {
    return url() == null ? "(no url)" : HttpUrl.get(url()).redact();
  }

  /** A request to {@link #url()} carrying auth and extra headers. */
  @Internal
  public Request.Builder newRequest() {
    return newRequest(HttpUrl.get(url()));
  }

  /** A request to another URL of the same server, carrying auth and extra headers. */
  @Internal
  public Request.Builder newRequest(HttpUrl target) {
    Request.Builder b = new Request.Builder().url(target).header("User-Agent", Version.userAgent());
    if (basicAuthUser() != null && basicAuthPassword() != null) {
      b.header("Authorization", Credentials.basic(basicAuthUser(), basicAuthPassword().reveal()));
    } else if (bearerToken() != null) {
      b.header("Authorization", "Bearer " + bearerToken().reveal());
    }
    for (Map.Entry<String, Secret> e : headers().entrySet()) {
      b.header(e.getKey(), e.getValue().reveal());
    }
    return b;
  }

  /** URL, auth kind, header names, TLS files and timeout; never a credential or header value. */
  @Internal
  public void populateDisplayData(DisplayData.Builder builder) {
    builder.addIfNotNull(DisplayData.item("url", displayUrl()).withLabel("Endpoint URL"));
    builder.add(DisplayData.item("auth", authDescription()).withLabel("Authentication"));
    if (!headers().isEmpty()) {
      builder.add(
          DisplayData.item("headers", String.join(",", headers().keySet()))
              .withLabel("Extra headers (names only)"));
    }
    builder.addIfNotNull(DisplayData.item("tlsCaFile", tlsCaFile()).withLabel("TLS CA file"));
    builder.addIfNotNull(
        DisplayData.item("tlsClientCertFile", tlsClientCertFile())
            .withLabel("TLS client certificate"));
    builder.add(DisplayData.item("timeout", timeout()).withLabel("Request timeout"));
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setUrl(@Nullable String url);

    abstract Builder setBasicAuthUser(@Nullable String user);

    abstract Builder setBasicAuthPassword(@Nullable Secret password);

    abstract Builder setBearerToken(@Nullable Secret token);

    abstract Builder setHeaders(Map<String, Secret> headers);

    abstract Builder setTlsCaFile(@Nullable String path);

    abstract Builder setTlsClientCertFile(@Nullable String path);

    abstract Builder setTlsClientKeyFile(@Nullable String path);

    abstract Builder setTimeout(Duration timeout);

    abstract Builder setAuthenticator(@Nullable RequestAuthenticator authenticator);

    abstract HttpEndpoint build();
  }
}
