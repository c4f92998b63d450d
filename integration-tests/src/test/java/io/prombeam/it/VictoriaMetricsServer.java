package io.prombeam.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A real VictoriaMetrics single-node server (Debian package {@code victoria-metrics}), data in a
 * temporary directory: a second remote-write receiver, one that accepts samples in any order and
 * keeps a sample sent twice twice, so reading back tells whether each was delivered exactly once.
 */
public final class VictoriaMetricsServer extends ServerProcess {
  private final ObjectMapper json = new ObjectMapper();

  @Override
  protected String name() {
    return "victoria-metrics";
  }

  @Override
  protected String readinessPath() {
    return "/health";
  }

  @Override
  protected List<String> command() {
    String bin =
        ServerBinaries.find("VICTORIA_METRICS_BIN", "victoria-metrics", "victoria-metrics");
    return List.of(
        bin,
        "-storageDataPath=" + dir.resolve("data"),
        "-httpListenAddr=127.0.0.1:" + port,
        "-retentionPeriod=100y",
        "-loggerLevel=WARN");
  }

  public String remoteWriteUrl() {
    return baseUrl() + "/api/v1/write";
  }

  /**
   * {@link #export}, polled until it holds at least {@code samples} samples or {@code
   * timeoutMillis} passed: VictoriaMetrics answers a write before the rows are searchable, and
   * under load even a forced flush may not yet cover the last request.
   */
  public Map<Map<String, String>, List<long[]>> awaitExport(
      String selector, long samples, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      Map<Map<String, String>, List<long[]>> out = export(selector);
      long n = 0;
      for (List<long[]> s : out.values()) {
        n += s.size();
      }
      if (n >= samples || System.currentTimeMillis() > deadline) {
        return out;
      }
      Thread.sleep(250);
    }
  }

  /**
   * Every stored sample of the series matching {@code selector}, through {@code /api/v1/export}
   * (raw samples, repeats included), after making what was written searchable: labels to a list of
   * {timestamp ms, value bits} in timestamp order.
   */
  public Map<Map<String, String>, List<long[]>> export(String selector) throws IOException {
    try (Response r =
        http.newCall(new Request.Builder().url(baseUrl() + "/internal/force_flush").build())
            .execute()) {
      if (r.code() != 200) {
        throw new IOException("force_flush: HTTP " + r.code());
      }
    }
    HttpUrl url =
        HttpUrl.get(baseUrl() + "/api/v1/export")
            .newBuilder()
            .addQueryParameter("match[]", selector)
            .build();
    Map<Map<String, String>, List<long[]>> out = new LinkedHashMap<>();
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      String body = r.body().string();
      if (r.code() != 200) {
        throw new IOException("export " + selector + ": HTTP " + r.code() + " " + body);
      }
      for (String line : body.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode series = json.readTree(line);
        Map<String, String> labels = new TreeMap<>();
        series
            .get("metric")
            .fields()
            .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode ts = series.get("timestamps");
        JsonNode vs = series.get("values");
        List<long[]> samples = out.computeIfAbsent(labels, k -> new ArrayList<>());
        for (int i = 0; i < ts.size(); i++) {
          double v = PrometheusServer.parseValue(vs.get(i).asText());
          samples.add(new long[] {ts.get(i).asLong(), Double.doubleToRawLongBits(v)});
        }
      }
    }
    for (List<long[]> samples : out.values()) {
      samples.sort((a, b) -> Long.compare(a[0], b[0]));
    }
    return out;
  }
}
