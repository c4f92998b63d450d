package io.prombeam.pushgateway;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * A Pushgateway group: the job and the grouping labels, as the URL path {@code
 * /metrics/job/<job>/<label>/<value>...}. A value that contains {@code /} or is empty goes as
 * {@code <label>@base64/<url-safe base64>} (an empty value as {@code =}), as the Pushgateway
 * requires; others are percent-escaped by OkHttp.
 */
final class GroupingKey {
  private GroupingKey() {}

  /** The group's URL under the Pushgateway's base URL. */
  public static HttpUrl url(HttpUrl base, String job, Map<String, String> labels) {
    HttpUrl.Builder b = base.newBuilder();
    // drop a trailing empty segment of the base ("http://h:9091/")
    int last = base.pathSize() - 1;
    if (last >= 0 && base.pathSegments().get(last).isEmpty()) {
      b.removePathSegment(last);
    }
    b.addPathSegment("metrics");
    addPair(b, "job", job);
    for (Map.Entry<String, String> e : new LinkedHashMap<>(labels).entrySet()) {
      addPair(b, e.getKey(), e.getValue());
    }
    return b.build();
  }

  static void addPair(HttpUrl.Builder b, String name, String value) {
    if (value.isEmpty() || value.contains("/")) {
      b.addPathSegment(name + "@base64");
      b.addPathSegment(
          value.isEmpty()
              ? "="
              : Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    } else {
      b.addPathSegment(name);
      b.addPathSegment(value);
    }
  }
}
