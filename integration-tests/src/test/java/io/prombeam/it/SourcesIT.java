package io.prombeam.it;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.prombeam.PrometheusIO;
import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Prometheus filled with known data through our sink; read() (query_range, split into sub-ranges)
 * and remoteRead() (split into spans) must return exactly it. DirectRunner and embedded Flink.
 */
@RunWith(Parameterized.class)
public class SourcesIT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final int SERIES = 20;
  static final int SAMPLES = 60;
  static final long STEP = 15_000;
  static long start;
  static List<TimeSeries> written = new ArrayList<>();

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public SourcesIT(String runner) {
    this.runner = runner;
  }

  @BeforeClass
  public static void fill() {
    start = (System.currentTimeMillis() - SAMPLES * STEP - 60_000) / STEP * STEP;
    for (int s = 0; s < SERIES; s++) {
      TimeSeries.Builder b =
          TimeSeries.builder("prombeam_src_value").label("run", RUN).label("s", "" + s);
      for (int i = 0; i < SAMPLES; i++) {
        b.sample(start + i * STEP, s * 1000 + i + 0.5);
      }
      written.add(b.build());
    }
    Pipeline p = Pipeline.create(Runners.options(Runners.DIRECT));
    p.apply(Create.of(written))
        .apply(PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()));
    p.run().waitUntilFinish();
  }

  static Map<Map<String, String>, TreeMap<Long, Double>> collect(String bin) {
    return toMap(Runners.Collect.get(bin));
  }

  static Map<Map<String, String>, TreeMap<Long, Double>> expected() {
    return toMap(written);
  }

  /**
   * Merges the pieces of each series into label set -> (timestamp -> value); a sample seen twice
   * fails.
   */
  static Map<Map<String, String>, TreeMap<Long, Double>> toMap(List<TimeSeries> series) {
    Map<Map<String, String>, TreeMap<Long, Double>> out = new HashMap<>();
    for (TimeSeries ts : series) {
      TreeMap<Long, Double> m =
          out.computeIfAbsent(new TreeMap<>(ts.labels().asMap()), k -> new TreeMap<>());
      for (int i = 0; i < ts.sampleCount(); i++) {
        if (m.put(ts.timestamp(i), ts.value(i)) != null) {
          throw new AssertionError("sample read twice: " + ts.labels() + " @" + ts.timestamp(i));
        }
      }
    }
    return out;
  }

  @Test
  public void queryRangeReturnsExactlyTheStoredSamples() {
    String bin = "qr-" + runner + RUN;
    Pipeline p = Pipeline.create(Runners.options(runner));
    p.apply(
            PrometheusIO.read()
                .withUrl(PROMETHEUS.baseUrl())
                .withQuery("prombeam_src_value{run=\"" + RUN + "\"}")
                .withTimeRange(new Instant(start), new Instant(start + (SAMPLES - 1) * STEP))
                .withStep(Duration.millis(STEP))
                .withMaxPointsPerRequest(7)) // 60 steps -> 9 sub-ranges read in parallel
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals(expected(), collect(bin));
  }

  @Test
  public void remoteReadReturnsExactlyTheStoredSamples() {
    String bin = "rr-" + runner + RUN;
    Pipeline p = Pipeline.create(Runners.options(runner));
    p.apply(
            PrometheusIO.remoteRead()
                .withUrl(PROMETHEUS.baseUrl())
                .withSelector("{__name__=~\"prombeam_src_.*\",run=\"" + RUN + "\"}")
                .withTimeRange(
                    new Instant(start - 60_000), new Instant(start + SAMPLES * STEP + 60_000))
                .withSpan(Duration.standardMinutes(2)))
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals(expected(), collect(bin));
  }

  @Test
  public void remoteReadOfStreamedXorChunksReturnsExactlyTheStoredSamples() {
    String bin = "rrx-" + runner + RUN;
    Pipeline p = Pipeline.create(Runners.options(runner));
    p.apply(
            PrometheusIO.remoteRead()
                .withUrl(PROMETHEUS.baseUrl())
                .withSelector("prombeam_src_value{run=\"" + RUN + "\"}")
                .withTimeRange(
                    new Instant(start - 60_000), new Instant(start + SAMPLES * STEP + 60_000))
                .withSpan(Duration.standardMinutes(3))
                .withStreamedChunks())
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals(expected(), collect(bin));
  }

  @Test
  public void theClientReallyDecodesXorChunks() throws Exception {
    io.prombeam.source.PrometheusApiClient c =
        new io.prombeam.source.PrometheusApiClient(
            io.prombeam.http.HttpEndpoint.create().withUrl(PROMETHEUS.baseUrl()),
            io.prombeam.http.RetryPolicy.forSinks());
    List<TimeSeries> got =
        c.remoteRead(
            io.prombeam.source.SelectorParser.parse("prombeam_src_value{run=\"" + RUN + "\"}"),
            start,
            start + SAMPLES * STEP,
            true);
    assertEquals("STREAMED_XOR_CHUNKS", c.lastReadResponseType());
    assertEquals(expected(), toMap(got));
  }

  @Test
  public void aBadQueryFailsWithPrometheusMessage() {
    Pipeline p = Pipeline.create(Runners.options(runner));
    p.apply(
        PrometheusIO.read()
            .withUrl(PROMETHEUS.baseUrl())
            .withQuery("rate(prombeam_src_value[5m]")
            .withEvaluationTime(new Instant(start)));
    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    assertThat(all.toString(), containsString("bad_data"));
  }
}
