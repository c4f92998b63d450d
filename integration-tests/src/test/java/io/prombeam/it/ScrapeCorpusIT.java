package io.prombeam.it;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.prombeam.PrometheusIO;
import io.prombeam.model.TimeSeries;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * A corpus of malformed expositions, each served from a file-like endpoint and scraped both by a
 * real Prometheus 2.42 and by {@code scrape()}. Each case states the outcome Prometheus gives
 * ({@code up}, and {@code scrape_samples_scraped} when it succeeds), checked here against the real
 * server, and the outcome {@code scrape()} gives, which is the same except where noted: a failed
 * scrape is {@code up 0} with nothing of it emitted.
 */
public class ScrapeCorpusIT {
  private static final String OM = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** A served exposition and what Prometheus and scrape() make of it. */
  private static final class Case {
    final String contentType;
    final byte[] body;
    final int prometheusUp;
    final int ourUp;
    final int samples; // exposed samples kept when the scrape succeeds

    Case(String contentType, byte[] body, int prometheusUp, int ourUp, int samples) {
      this.contentType = contentType;
      this.body = body;
      this.prometheusUp = prometheusUp;
      this.ourUp = ourUp;
      this.samples = samples;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String prefix, byte[] middle, String suffix) {
    byte[] a = utf8(prefix);
    byte[] c = utf8(suffix);
    byte[] out = new byte[a.length + middle.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(middle, 0, out, a.length, middle.length);
    System.arraycopy(c, 0, out, a.length + middle.length, c.length);
    return out;
  }

  /** Cases scraped without limits. */
  private static final Map<String, Case> CASES = new LinkedHashMap<>();

  /** Cases scraped with body_size_limit 100 B and sample_limit 2, by both. */
  private static final Map<String, Case> LIMITED = new LinkedHashMap<>();

  static {
    CASES.put("valid_text", new Case(TEXT, utf8("# TYPE a gauge\na 1\nb{x=\"y\"} 2\n"), 1, 1, 2));
    CASES.put(
        "valid_openmetrics",
        new Case(OM, utf8("# TYPE a gauge\na 1\nb{x=\"y\"} 2\n# EOF\n"), 1, 1, 2));
    CASES.put(
        "invalid_utf8",
        new Case(TEXT, bytes("a{x=\"", new byte[] {(byte) 0xff, (byte) 0xfe}, "\"} 1\n"), 0, 0, 0));
    // Prometheus 2.42 reports 3 samples scraped, stores the first "a" and drops the repeat (counted
    // in
    // prometheus_target_scrapes_sample_duplicate_timestamp_total), up stays 1; scrape() fails the
    // scrape instead of emitting one series twice at one timestamp with two values
    CASES.put("duplicate_series", new Case(TEXT, utf8("a 1\nb 5\na 2\n"), 1, 0, 3));
    CASES.put("no_metric_name", new Case(TEXT, utf8("{x=\"y\"} 1\n"), 0, 0, 0));
    CASES.put("openmetrics_without_eof", new Case(OM, utf8("# TYPE a gauge\na 1\n"), 0, 0, 0));
    CASES.put("openmetrics_after_eof", new Case(OM, utf8("a 1\n# EOF\nb 2\n"), 0, 0, 0));
    LIMITED.put("within_limits", new Case(TEXT, utf8("a 1\nb 2\n"), 1, 1, 2));
    LIMITED.put(
        "over_body_size_limit",
        new Case(TEXT, utf8("a{padding=\"" + "x".repeat(200) + "\"} 1\n"), 0, 0, 0));
    LIMITED.put("over_sample_limit", new Case(TEXT, utf8("a 1\nb 2\nc 3\n"), 0, 0, 0));
  }

  private static final HttpServer TARGETS = startTargets();

  private static HttpServer startTargets() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      Map<String, Case> all = new HashMap<>(CASES);
      all.putAll(LIMITED);
      for (Map.Entry<String, Case> e : all.entrySet()) {
        server.createContext(
            "/" + e.getKey(),
            ex -> {
              ex.getResponseHeaders().set("Content-Type", e.getValue().contentType);
              ex.sendResponseHeaders(200, e.getValue().body.length);
              try (OutputStream out = ex.getResponseBody()) {
                out.write(e.getValue().body);
              }
            });
      }
      // a target whose body never ends: the scrape timeout must still cover it
      server.createContext(
          "/endless",
          ex -> {
            ex.getResponseHeaders().set("Content-Type", TEXT);
            ex.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = ex.getResponseBody()) {
              for (long i = 0; ; i++) {
                out.write(utf8("endless_" + i + " 1\n"));
                out.flush();
                Thread.sleep(1);
              }
            } catch (IOException | InterruptedException stop) {
              // the scraper hung up
            }
          });
      server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String target() {
    return "127.0.0.1:" + TARGETS.getAddress().getPort();
  }

  /** One scrape job per case, the limited ones with Prometheus' own limits. */
  @ClassRule
  public static final PrometheusServer PROMETHEUS =
      new PrometheusServer()
          .withConfig(
              () -> {
                StringBuilder yaml = new StringBuilder("scrape_configs:\n");
                for (String name : CASES.keySet()) {
                  yaml.append(job(name, ""));
                }
                for (String name : LIMITED.keySet()) {
                  yaml.append(job(name, "    body_size_limit: 100B\n    sample_limit: 2\n"));
                }
                return yaml.toString();
              });

  private static String job(String name, String limits) {
    return "  - job_name: "
        + name
        + "\n    metrics_path: /"
        + name
        + "\n"
        + limits
        + "    static_configs:\n      - targets: ['"
        + target()
        + "']\n";
  }

  @AfterClass
  public static void stopTargets() {
    TARGETS.stop(0);
  }

  /** {@code up} and the samples scraped per job, as the real Prometheus reports them. */
  private static Map<String, double[]> prometheusOutcomes(int jobs) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    Map<String, double[]> out = new HashMap<>();
    while (System.currentTimeMillis() < deadline) {
      out.clear();
      long now = System.currentTimeMillis();
      for (JsonNode s : PROMETHEUS.query("up", now).get("result")) {
        String job = s.get("metric").get("job").asText();
        out.put(job, new double[] {Double.parseDouble(s.get("value").get(1).asText()), -1});
      }
      for (JsonNode s : PROMETHEUS.query("scrape_samples_scraped", now).get("result")) {
        double[] o = out.get(s.get("metric").get("job").asText());
        if (o != null) {
          o[1] = Double.parseDouble(s.get("value").get(1).asText());
        }
      }
      if (out.size() == jobs) {
        return out;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("Prometheus scraped " + out.keySet() + " of " + jobs + " jobs");
  }

  @Test
  public void eachMalformedExpositionEndsAsPrometheusEndsIt() throws Exception {
    // what scrape() makes of the corpus: two scrapes of each target, with and without limits
    Pipeline p = Pipeline.create(Runners.options(Runners.DIRECT));
    Instant start = Instant.now();
    PCollection<TimeSeries> open = p.apply("Open", scrapeOf(CASES, start, PrometheusIO.scrape()));
    PCollection<TimeSeries> limited =
        p.apply(
            "Limited",
            scrapeOf(
                LIMITED, start, PrometheusIO.scrape().withBodySizeLimit(100).withSampleLimit(2)));
    String bin = "corpus-" + UUID.randomUUID();
    PCollectionList.of(open)
        .and(limited)
        .apply(Flatten.pCollections())
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    Map<String, List<Double>> ups = new HashMap<>();
    Map<String, Integer> kept = new HashMap<>();
    for (TimeSeries ts : Runners.Collect.<TimeSeries>get(bin)) {
      String job = ts.labels().get("job");
      String name = ts.labels().metricName();
      if (name.equals("up")) {
        ups.computeIfAbsent(job, k -> new ArrayList<>()).add(ts.value(0));
      } else if (!name.equals("scrape_duration_seconds")) {
        kept.merge(job, 1, Integer::sum);
      }
    }

    Map<String, double[]> prometheus = prometheusOutcomes(CASES.size() + LIMITED.size());
    Map<String, Case> all = new LinkedHashMap<>(CASES);
    all.putAll(LIMITED);
    List<String> report = new ArrayList<>();
    for (Map.Entry<String, Case> e : all.entrySet()) {
      String job = e.getKey();
      Case c = e.getValue();
      double[] theirs = prometheus.get(job);
      assertEquals("Prometheus' up for " + job, c.prometheusUp, theirs[0], 0);
      if (c.prometheusUp == 1) {
        assertEquals("Prometheus' samples for " + job, c.samples, theirs[1], 0);
      }
      List<Double> ourUps = ups.get(job);
      assertEquals(job + " scraped twice", 2, ourUps.size());
      for (double up : ourUps) {
        assertEquals("scrape()'s up for " + job, c.ourUp, up, 0);
      }
      assertEquals(
          "samples scrape() emitted for " + job,
          c.ourUp == 1 ? 2 * c.samples : 0,
          (int) kept.getOrDefault(job, 0));
      report.add(job + ": prometheus up " + (int) theirs[0] + ", scrape() up " + c.ourUp);
    }
    System.out.println("scrape corpus: " + report);
  }

  @Test
  public void theTimeoutCoversABodyThatNeverEnds() {
    Pipeline p = Pipeline.create(Runners.options(Runners.DIRECT));
    Instant start = Instant.now();
    String bin = "endless-" + UUID.randomUUID();
    p.apply(
            PrometheusIO.scrape()
                .withTargets("endless", "http://" + target() + "/endless")
                .withInterval(Duration.standardSeconds(2))
                .withTimeout(Duration.standardSeconds(1))
                .withStartAt(start)
                .withStopAt(start.plus(Duration.millis(500))))
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    long t0 = System.currentTimeMillis();
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    List<TimeSeries> got = Runners.Collect.get(bin);
    double up = -1;
    double seconds = -1;
    for (TimeSeries ts : got) {
      if (ts.labels().metricName().equals("up")) {
        up = ts.value(0);
      } else if (ts.labels().metricName().equals("scrape_duration_seconds")) {
        seconds = ts.value(0);
      }
    }
    assertEquals("the endless scrape fails", 0, up, 0);
    assertEquals("nothing of it is emitted", 2, got.size());
    org.junit.Assert.assertTrue("ended by the 1 s timeout: " + seconds, seconds < 3);
    org.junit.Assert.assertTrue(System.currentTimeMillis() - t0 < 60_000);
  }

  private static io.prombeam.source.Scrape scrapeOf(
      Map<String, Case> cases, Instant start, io.prombeam.source.Scrape scrape) {
    io.prombeam.source.Scrape s = scrape;
    for (String name : cases.keySet()) {
      s = s.withTargets(name, "http://" + target() + "/" + name);
    }
    return s.withInterval(Duration.standardSeconds(1))
        .withTimeout(Duration.standardSeconds(1))
        .withStartAt(start)
        .withStopAt(start.plus(Duration.millis(1500)));
  }
}
