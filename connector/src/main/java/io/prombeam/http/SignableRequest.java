package io.prombeam.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One outgoing request as a {@link RequestAuthenticator} sees it: method, URL, the headers it
 * already has and its body, with a way to add headers. The body is the exact bytes sent (for remote
 * write, the snappy-compressed protobuf), as a signature over the payload needs.
 */
public final class SignableRequest {
  private final String method;
  private final String url;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final Map<String, String> added = new LinkedHashMap<>();

  SignableRequest(String method, String url, Map<String, List<String>> headers, byte[] body) {
    this.method = method;
    this.url = url;
    this.headers = Collections.unmodifiableMap(headers);
    this.body = body;
  }

  /** {@code GET}, {@code POST}, {@code PUT} or {@code DELETE}. */
  public String method() {
    return method;
  }

  /** The full URL, query included. */
  public String url() {
    return url;
  }

  /** The headers the request already carries, by lower-case name. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The body bytes, empty for a request without one. Not a copy: do not modify. */
  public byte[] body() {
    return body;
  }

  /** Sets header {@code name} to {@code value}, replacing any value it had. */
  public SignableRequest setHeader(String name, String value) {
    added.put(name, value);
    return this;
  }

  Map<String, String> addedHeaders() {
    return added;
  }
}
