package io.prombeam.http;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;

/** Runs a {@link RequestAuthenticator} on each call, just before it goes out. */
final class AuthenticatingInterceptor implements Interceptor {
  private final RequestAuthenticator authenticator;

  AuthenticatingInterceptor(RequestAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    byte[] body = new byte[0];
    if (request.body() != null) {
      Buffer buffer = new Buffer();
      request.body().writeTo(buffer);
      body = buffer.readByteArray();
    }
    Map<String, List<String>> headers = new TreeMap<>(request.headers().toMultimap());
    SignableRequest signable =
        new SignableRequest(request.method(), request.url().toString(), headers, body);
    authenticator.authenticate(signable);
    Request.Builder b = request.newBuilder();
    for (Map.Entry<String, String> h : signable.addedHeaders().entrySet()) {
      b.header(h.getKey(), h.getValue());
    }
    return chain.proceed(b.build());
  }
}
