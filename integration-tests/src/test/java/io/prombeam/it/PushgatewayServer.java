package io.prombeam.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Request;
import okhttp3.Response;

/** A real Prometheus Pushgateway on a free loopback port, read back through /api/v1/metrics. */
public final class PushgatewayServer extends ServerProcess {
  private final ObjectMapper json = new ObjectMapper();

  @Override
  protected String name() {
    return "pushgateway";
  }

  @Override
  protected String readinessPath() {
    return "/-/ready";
  }

  @Override
  protected List<String> command() throws IOException {
    String bin =
        ServerBinaries.find(
            "PUSHGATEWAY_BIN", "prometheus-pushgateway", "prometheus-pushgateway", "pushgateway");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(bin, "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
    command.addAll(webConfigArgs());
    return command;
  }

  String url() {
    return baseUrl();
  }

  String hostPort() {
    return "127.0.0.1:" + port;
  }

  /**
   * Every group the gateway holds: its grouping labels (job included) to metric name to (series
   * labels to value).
   */
  Map<Map<String, String>, Map<String, Map<Map<String, String>, String>>> groups()
      throws IOException {
    try (Response r =
        http.newCall(new Request.Builder().url(baseUrl() + "/api/v1/metrics").build()).execute()) {
      JsonNode data = json.readTree(r.body().string()).get("data");
      Map<Map<String, String>, Map<String, Map<Map<String, String>, String>>> out =
          new LinkedHashMap<>();
      for (JsonNode group : data) {
        Map<String, String> key = new TreeMap<>();
        group
            .get("labels")
            .fields()
            .forEachRemaining(e -> key.put(e.getKey(), e.getValue().asText()));
        Map<String, Map<Map<String, String>, String>> metrics = new TreeMap<>();
        group
            .fields()
            .forEachRemaining(
                e -> {
                  JsonNode family = e.getValue();
                  if (!family.has("metrics")) {
                    return;
                  }
                  for (JsonNode m : family.get("metrics")) {
                    Map<String, String> labels = new TreeMap<>();
                    m.get("labels")
                        .fields()
                        .forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
                    String value = m.has("value") ? m.get("value").asText() : m.toString();
                    metrics
                        .computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
                        .put(labels, value);
                  }
                });
        out.put(key, metrics);
      }
      return out;
    }
  }

  /** The metrics of the group with exactly these grouping labels (job included), or null. */
  Map<String, Map<Map<String, String>, String>> group(Map<String, String> groupingLabels)
      throws IOException {
    return groups().get(new TreeMap<>(groupingLabels));
  }
}
