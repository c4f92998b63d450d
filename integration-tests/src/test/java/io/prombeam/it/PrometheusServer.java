package io.prombeam.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A real Prometheus 2.x with its remote-write receiver on, TSDB in a temporary directory. Tests
 * verify what they wrote by asking it through the HTTP query API.
 */
public final class PrometheusServer extends ServerProcess {
  private final ObjectMapper json = new ObjectMapper();
  private java.util.function.Supplier<String> extraConfig = () -> "";
  private String logLevel = "warn";
  private final List<String> extraFlags = new ArrayList<>();

  /** Extra command-line flags, e.g. {@code --enable-feature=native-histograms}. */
  PrometheusServer withFlags(String... flags) {
    extraFlags.addAll(List.of(flags));
    return this;
  }

  PrometheusServer withLogLevel(String level) {
    this.logLevel = level;
    return this;
  }

  /**
   * Extra prometheus.yml text (e.g. scrape_configs), appended to the global section; asked for at
   * start, so it can name ports of servers started before.
   */
  PrometheusServer withConfig(java.util.function.Supplier<String> yaml) {
    this.extraConfig = yaml;
    return this;
  }

  @Override
  protected String name() {
    return "prometheus";
  }

  @Override
  protected String readinessPath() {
    return "/-/ready";
  }

  @Override
  protected List<String> command() throws IOException {
    String bin = ServerBinaries.find("PROMETHEUS_BIN", "prometheus", "prometheus");
    Files.writeString(
        dir.resolve("prometheus.yml"),
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" + extraConfig.get(),
        StandardCharsets.UTF_8);
    List<String> command =
        new ArrayList<>(
            List.of(
                bin,
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-remote-write-receiver",
                "--web.enable-admin-api",
                "--log.level=" + logLevel));
    command.addAll(extraFlags);
    command.addAll(webConfigArgs());
    return command;
  }

  public String remoteWriteUrl() {
    return baseUrl() + "/api/v1/write";
  }

  /**
   * Raw samples of every series matching {@code selector} within the {@code range} (PromQL
   * duration) before {@code atMillis}: labels (as a sorted map) to timestamp-ms to value.
   */
  public Map<Map<String, String>, TreeMap<Long, Double>> rawSamples(
      String selector, String range, long atMillis) throws IOException {
    JsonNode data = query(selector + "[" + range + "]", atMillis);
    Map<Map<String, String>, TreeMap<Long, Double>> out = new LinkedHashMap<>();
    for (JsonNode series : data.get("result")) {
      Map<String, String> labels = new TreeMap<>();
      series
          .get("metric")
          .fields()
          .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      TreeMap<Long, Double> samples = new TreeMap<>();
      for (JsonNode v : series.get("values")) {
        samples.put(toMillis(v.get(0)), parseValue(v.get(1).asText()));
      }
      out.put(labels, samples);
    }
    return out;
  }

  /** An instant query's {@code data} node. */
  public JsonNode query(String promql, long atMillis) throws IOException {
    HttpUrl url =
        HttpUrl.get(baseUrl() + "/api/v1/query")
            .newBuilder()
            .addQueryParameter("query", promql)
            .addQueryParameter("time", new BigDecimal(atMillis).movePointLeft(3).toPlainString())
            .build();
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      String body = r.body().string();
      if (r.code() != 200) {
        throw new IOException("query " + promql + " failed: HTTP " + r.code() + " " + body);
      }
      return json.readTree(body).get("data");
    }
  }

  /**
   * The exemplars stored for {@code selector} in [start, end]: "labels value@millis" per exemplar
   * (needs {@code --enable-feature=exemplar-storage}).
   */
  public List<String> exemplars(String selector, long startMillis, long endMillis)
      throws IOException {
    HttpUrl url =
        HttpUrl.get(baseUrl() + "/api/v1/query_exemplars")
            .newBuilder()
            .addQueryParameter("query", selector)
            .addQueryParameter(
                "start", new BigDecimal(startMillis).movePointLeft(3).toPlainString())
            .addQueryParameter("end", new BigDecimal(endMillis).movePointLeft(3).toPlainString())
            .build();
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      String body = r.body().string();
      if (r.code() != 200) {
        throw new IOException("query_exemplars " + selector + ": HTTP " + r.code() + " " + body);
      }
      List<String> out = new ArrayList<>();
      for (JsonNode series : json.readTree(body).get("data")) {
        for (JsonNode e : series.get("exemplars")) {
          Map<String, String> labels = new TreeMap<>();
          e.get("labels")
              .fields()
              .forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
          out.add(
              labels
                  + " "
                  + parseValue(e.get("value").asText())
                  + "@"
                  + toMillis(e.get("timestamp")));
        }
      }
      return out;
    }
  }

  /** Scalar values of an instant vector query, by the series' labels. */
  public Map<Map<String, String>, Double> instant(String promql, long atMillis) throws IOException {
    Map<Map<String, String>, Double> out = new LinkedHashMap<>();
    for (JsonNode series : query(promql, atMillis).get("result")) {
      Map<String, String> labels = new TreeMap<>();
      series
          .get("metric")
          .fields()
          .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      out.put(labels, parseValue(series.get("value").get(1).asText()));
    }
    return out;
  }

  static long toMillis(JsonNode seconds) {
    return new BigDecimal(seconds.asText()).movePointRight(3).longValueExact();
  }

  static double parseValue(String s) {
    switch (s) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        return Double.parseDouble(s);
    }
  }

  /** Polls an instant query until it returns {@code expected} series or the timeout passes. */
  public Map<Map<String, String>, Double> awaitSeries(
      String promql, int expected, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    Map<Map<String, String>, Double> r = instant(promql, System.currentTimeMillis());
    while (r.size() < expected && System.currentTimeMillis() < deadline) {
      Thread.sleep(250);
      r = instant(promql, System.currentTimeMillis());
    }
    return r;
  }
}
