package io.prombeam.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4), as in Prometheus' {@code oauth2:} block: a token is
 * requested from {@code tokenUrl} with the client id and secret (HTTP basic, each form-encoded
 * first, as Go's oauth2 package sends them) and the scopes, then sent as {@code Authorization:
 * Bearer} on every request until 10 s before it expires, when the next request fetches a new one.
 * Tokens are cached per worker JVM and configuration, so the DoFn instances of a worker share one.
 *
 * <pre>{@code
 * PrometheusIO.remoteWrite()
 *     .withUrl("https://prometheus.example.com/api/v1/write")
 *     .withAuthenticator(
 *         OAuth2ClientCredentials.create("https://login.example.com/token", "beam", secret)
 *             .withScopes("metrics.write"));
 * }</pre>
 *
 * <p>The client secret and the tokens never appear in logs, exceptions, {@code toString} or display
 * data.
 */
@AutoValue
public abstract class OAuth2ClientCredentials implements RequestAuthenticator {
  private static final long serialVersionUID = 1L;

  /** A token is renewed this long before it expires, as Go's oauth2 package does. */
  static final long EXPIRY_MARGIN_MILLIS = 10_000;

  private static final Map<OAuth2ClientCredentials, Token> TOKENS = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The token endpoint's URL. */
  public abstract String tokenUrl();

  /** The client id. */
  public abstract String clientId();

  /** The client secret. */
  public abstract Secret clientSecret();

  /** Scopes asked for, sent space-separated as {@code scope}; none by default. */
  public abstract List<String> scopes();

  /** Extra form parameters of the token request (Prometheus' {@code endpoint_params}). */
  public abstract Map<String, String> endpointParams();

  abstract Builder toBuilder();

  /** Client credentials for {@code tokenUrl}. */
  public static OAuth2ClientCredentials create(
      String tokenUrl, String clientId, String clientSecret) {
    if (HttpUrl.parse(tokenUrl) == null) {
      throw new IllegalArgumentException("not an http(s) token URL: " + tokenUrl);
    }
    if (clientId == null || clientId.isEmpty() || clientSecret == null) {
      throw new IllegalArgumentException("OAuth2 client id and secret are required");
    }
    return new AutoValue_OAuth2ClientCredentials.Builder()
        .setTokenUrl(tokenUrl)
        .setClientId(clientId)
        .setClientSecret(Secret.of(clientSecret))
        .setScopes(List.of())
        .setEndpointParams(Map.of())
        .build();
  }

  /** The scopes to ask for. */
  public OAuth2ClientCredentials withScopes(String... scopes) {
    return toBuilder().setScopes(List.of(scopes)).build();
  }

  /** Adds a form parameter to the token request, e.g. {@code audience} or {@code resource}. */
  public OAuth2ClientCredentials withEndpointParam(String name, String value) {
    Map<String, String> params = new TreeMap<>(endpointParams());
    params.put(name, value);
    return toBuilder().setEndpointParams(Collections.unmodifiableMap(params)).build();
  }

  @Override
  public void authenticate(SignableRequest request) throws IOException {
    request.setHeader("Authorization", "Bearer " + token().value.reveal());
  }

  /** The cached token, or a new one when there is none or it is about to expire. */
  private Token token() throws IOException {
    Token t = TOKENS.get(this);
    if (t != null && t.fresh()) {
      return t;
    }
    synchronized (TOKENS) {
      t = TOKENS.get(this);
      if (t == null || !t.fresh()) {
        t = fetch();
        TOKENS.put(this, t);
      }
      return t;
    }
  }

  private Token fetch() throws IOException {
    FormBody.Builder form = new FormBody.Builder().add("grant_type", "client_credentials");
    if (!scopes().isEmpty()) {
      form.add("scope", String.join(" ", scopes()));
    }
    endpointParams().forEach(form::add);
    String user = URLEncoder.encode(clientId(), StandardCharsets.UTF_8);
    String password = URLEncoder.encode(clientSecret().reveal(), StandardCharsets.UTF_8);
    Request request =
        new Request.Builder()
            .url(tokenUrl())
            .header("Authorization", okhttp3.Credentials.basic(user, password))
            .header("Accept", "application/json")
            .header("User-Agent", Version.userAgent())
            .post(form.build())
            .build();
    OkHttpClient client = HttpClients.forEndpoint(HttpEndpoint.create());
    long now = System.currentTimeMillis();
    try (Response response = client.newCall(request).execute()) {
      ResponseBody body = response.body();
      String text = body == null ? "" : body.string();
      JsonNode json = parse(text);
      if (!response.isSuccessful()) {
        throw new IOException(
            "OAuth2 token request to "
                + redactedTokenUrl()
                + " failed: HTTP "
                + response.code()
                + errorOf(json));
      }
      JsonNode token = json == null ? null : json.get("access_token");
      if (token == null || !token.isTextual() || token.asText().isEmpty()) {
        throw new IOException(
            "OAuth2 token response from " + redactedTokenUrl() + " has no access_token");
      }
      JsonNode type = json.get("token_type");
      if (type != null && !type.asText().equalsIgnoreCase("bearer")) {
        throw new IOException(
            "OAuth2 token from "
                + redactedTokenUrl()
                + " is of type "
                + type.asText()
                + ", only bearer tokens are supported");
      }
      JsonNode expiresIn = json.get("expires_in");
      long expiresAt =
          expiresIn != null && expiresIn.asLong() > 0
              ? now + expiresIn.asLong() * 1000
              : Long.MAX_VALUE;
      return new Token(Secret.of(token.asText()), now, expiresAt);
    }
  }

  private static JsonNode parse(String text) {
    try {
      return text.isEmpty() ? null : JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  /** RFC 6749 §5.2's error and description; never the request's credentials. */
  private static String errorOf(JsonNode json) {
    if (json == null || json.get("error") == null) {
      return "";
    }
    JsonNode description = json.get("error_description");
    return ": "
        + json.get("error").asText()
        + (description == null ? "" : " (" + description.asText() + ")");
  }

  private String redactedTokenUrl() {
    return HttpUrl.get(tokenUrl()).redact();
  }

  /** Token URL, client id and scopes; never the secret or a token. */
  @Override
  public final String toString() {
    return "OAuth2ClientCredentials{tokenUrl="
        + redactedTokenUrl()
        + ", clientId="
        + clientId()
        + ", scopes="
        + scopes()
        + ", endpointParams="
        + endpointParams().keySet()
        + "}";
  }

  /** A token and when it is renewed, in epoch milliseconds. */
  private static final class Token {
    final Secret value;
    final long renewAt;

    /** Renewed 10 s before expiry, or halfway through a lifetime shorter than 20 s. */
    Token(Secret value, long fetchedAt, long expiresAt) {
      this.value = value;
      this.renewAt =
          expiresAt == Long.MAX_VALUE
              ? Long.MAX_VALUE
              : expiresAt - Math.min(EXPIRY_MARGIN_MILLIS, (expiresAt - fetchedAt) / 2);
    }

    boolean fresh() {
      return System.currentTimeMillis() < renewAt;
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setTokenUrl(String url);

    abstract Builder setClientId(String id);

    abstract Builder setClientSecret(Secret secret);

    abstract Builder setScopes(List<String> scopes);

    abstract Builder setEndpointParams(Map<String, String> params);

    abstract OAuth2ClientCredentials build();
  }
}
