package io.prombeam.it;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteProtocol;
import io.prombeam.sink.FailureReason;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Remote-write 2.0 from the sink against a real Prometheus 2.42, which does not speak it: it
 * decodes a 2.0 body as an empty 1.0 request and answers 204 without the written counts. The spec
 * says to take that as 415; strict {@code V2} then reports every series as {@code REJECTED} and
 * nothing is stored, and {@code V2_WITH_V1_FALLBACK} resends in 1.0 and every sample is stored
 * (asked through the query API). On DirectRunner and embedded Flink.
 */
@RunWith(Parameterized.class)
public class RemoteWriteV2IT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public RemoteWriteV2IT(String runner) {
    this.runner = runner;
  }

  private static List<TimeSeries> input(String metric, String run, long base) {
    List<TimeSeries> out = new ArrayList<>();
    for (int s = 0; s < 300; s++) {
      TimeSeries.Builder b =
          TimeSeries.builder(metric)
              .label("run", run)
              .label("series", Integer.toString(s))
              .type(MetricType.COUNTER)
              .help("Things counted.");
      for (int i = 0; i < 5; i++) {
        b.sample(base + i * 10_000L, s * 10.0 + i);
      }
      out.add(b.build());
    }
    return out;
  }

  /** Writes {@code input} with {@code protocol}; the pipeline's result and its failures. */
  private PipelineResult write(
      List<TimeSeries> input, RemoteWriteProtocol protocol, String failuresBin) {
    Pipeline p = Pipeline.create(Runners.options(runner));
    p.apply(Create.of(input))
        .apply(
            PrometheusIO.remoteWrite()
                // a URL of its own (Prometheus ignores the query): the fallback, remembered per
                // URL in the JVM, starts from 2.0 on each runner
                .withUrl(PROMETHEUS.remoteWriteUrl() + "?case=" + failuresBin)
                .withProtocol(protocol)
                .withShards(2))
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<>(failuresBin)));
    PipelineResult pr = p.run();
    assertEquals(PipelineResult.State.DONE, pr.waitUntilFinish());
    return pr;
  }

  @Test
  public void theFallbackDeliversEverySampleToAOnePointOhReceiver() throws Exception {
    String run = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    List<TimeSeries> input = input("prombeam_v2_fallback_total", run, now - 60_000L);
    String bin = "v2-fallback-" + run;
    PipelineResult pr = write(input, RemoteWriteProtocol.V2_WITH_V1_FALLBACK, bin);
    assertEquals(List.of(), Runners.Collect.get(bin));
    Map<Map<String, String>, TreeMap<Long, Double>> stored =
        PROMETHEUS.rawSamples("prombeam_v2_fallback_total{run=\"" + run + "\"}", "5m", now);
    assertEquals(300, stored.size());
    for (TimeSeries ts : input) {
      TreeMap<Long, Double> want = new TreeMap<>();
      for (int i = 0; i < ts.sampleCount(); i++) {
        want.put(ts.timestamp(i), ts.value(i));
      }
      assertEquals(want, stored.get(new TreeMap<>(ts.labels().asMap())));
    }
    assertEquals(1500, RemoteWriteIT.counter(pr, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT));
  }

  @Test
  public void strictTwoPointOhToAOnePointOhReceiverFailsEverySeriesAsRejected() throws Exception {
    String run = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    String bin = "v2-strict-" + run;
    write(input("prombeam_v2_strict_total", run, now - 60_000L), RemoteWriteProtocol.V2, bin);
    List<WriteFailure> failures = Runners.Collect.get(bin);
    assertEquals(300, failures.size());
    for (WriteFailure f : failures) {
      assertEquals(FailureReason.REJECTED, f.reason());
      assertEquals(415, f.httpStatus());
      assertEquals(1, f.attempts());
      assertThat(f.message(), containsString("does not speak remote-write 2.0"));
    }
    assertEquals(
        0,
        PROMETHEUS.rawSamples("prombeam_v2_strict_total{run=\"" + run + "\"}", "5m", now).size());
  }
}
