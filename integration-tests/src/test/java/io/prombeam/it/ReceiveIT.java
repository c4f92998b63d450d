package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteClient;
import io.prombeam.remotewrite.RemoteWriteProtocol;
import io.prombeam.source.AckMode;
import io.prombeam.source.Receive;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * receive() fed by a real Prometheus whose remote_write points at the pipeline, and by our own
 * client: series arrive, acknowledgements come only once the data is in the pipeline, bad data is
 * refused with 400. DirectRunner and embedded Flink (checkpointing on, acks on checkpoint).
 */
@RunWith(Parameterized.class)
public class ReceiveIT {
  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public ReceiveIT(String runner) {
    this.runner = runner;
  }

  @Test
  public void seriesFromARealPrometheusAndFromOurClientArrive() throws Throwable {
    int port = ServerBinaries.freePort();
    String bin = "recv-" + UUID.randomUUID();
    Pipeline p =
        Pipeline.create(
            runner.equals(Runners.FLINK_LOCAL)
                ? Runners.options(runner, "--checkpointingInterval=500", "--streaming=true")
                : Runners.options(runner));
    Receive receive =
        PrometheusIO.receive()
            .withUrl("http://127.0.0.1:" + port + "/api/v1/write")
            .withStopAfter(Duration.standardSeconds(35));
    // Flink finalizes checkpoints every 500 ms: acks wait for them. DirectRunner finalizes a
    // checkpoint only once a later bundle reads data, so a lone sender needs acks on read there.
    p.apply(runner.equals(Runners.DIRECT) ? receive.withAckMode(AckMode.ON_READ) : receive)
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    CompletableFuture<PipelineResult.State> done =
        CompletableFuture.supplyAsync(() -> p.run().waitUntilFinish());

    // 1. Our own remote-write client: the 204 comes only once the pipeline holds the data.
    RemoteWriteClient client =
        new RemoteWriteClient(
            HttpEndpoint.create().withUrl("http://127.0.0.1:" + port + "/api/v1/write"),
            RetryPolicy.forSinks().withMaxRetryDuration(Duration.standardSeconds(40)),
            RemoteWriteProtocol.V1);
    List<TimeSeries> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(
          TimeSeries.builder("prombeam_recv_test")
              .label("i", "" + i)
              .sample(1_700_000_000_000L + i, i)
              .build());
    }
    var ok = client.write(sent, (s, r, d) -> {}).get(0).outcome;
    assertTrue(ok.toString(), ok.success());
    List<TimeSeries> got = received(bin, "prombeam_recv_test");
    if (runner.equals(Runners.DIRECT)) {
      // ON_READ: the source has read them all, the step after it may still be processing some
      long deadline = System.currentTimeMillis() + 10_000;
      while (!got.containsAll(sent) && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        got = received(bin, "prombeam_recv_test");
      }
    }
    assertTrue(
        "acknowledged only after the pipeline read all: " + got.size(), got.containsAll(sent));

    // 1b. The same through remote-write 2.0: taken, and answered with the written count.
    RemoteWriteClient v2 =
        new RemoteWriteClient(
            HttpEndpoint.create().withUrl("http://127.0.0.1:" + port + "/api/v1/write"),
            RetryPolicy.forSinks().withMaxRetryDuration(Duration.standardSeconds(40)),
            RemoteWriteProtocol.V2);
    List<TimeSeries> sentV2 = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sentV2.add(
          TimeSeries.builder("prombeam_recv_v2_test")
              .label("i", "" + i)
              .sample(1_700_000_000_000L + i, i)
              .build());
    }
    var okV2 = v2.write(sentV2, (s, r, d) -> {}).get(0).outcome;
    assertTrue(okV2.toString(), okV2.success());
    assertEquals("50", okV2.header("X-Prometheus-Remote-Write-Samples-Written"));
    List<TimeSeries> gotV2 = received(bin, "prombeam_recv_v2_test");
    long deadlineV2 = System.currentTimeMillis() + 10_000;
    while (!gotV2.containsAll(sentV2) && System.currentTimeMillis() < deadlineV2) {
      Thread.sleep(100); // ON_READ: the step after the source may still be processing some
      gotV2 = received(bin, "prombeam_recv_v2_test");
    }
    assertTrue("2.0 series received: " + gotV2.size(), gotV2.containsAll(sentV2));

    // 2. Invalid data is refused with the rule, not acknowledged.
    var bad =
        client
            .write(List.of(TimeSeries.builder("bad-name").sample(1, 1).build()), (s, r, d) -> {})
            .get(0)
            .outcome;
    assertEquals(400, bad.status());
    assertTrue(bad.message(), bad.message().contains("INVALID_METRIC_NAME"));

    // 3. A real Prometheus scraping itself, remote-writing to the pipeline.
    PrometheusServer[] self = new PrometheusServer[1];
    self[0] =
        new PrometheusServer()
            .withConfig(
                () ->
                    "scrape_configs:\n"
                        + "  - job_name: self\n"
                        + "    scrape_interval: 2s\n"
                        + "    static_configs:\n"
                        + "      - targets: ['127.0.0.1:"
                        + self[0].port
                        + "']\n"
                        + "remote_write:\n  - url: http://127.0.0.1:"
                        + port
                        + "/api/v1/write\n"
                        + "    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms,"
                        + " max_backoff: 1s}\n")
            .withLogLevel("info");
    self[0].before();
    try {
      long deadline = System.currentTimeMillis() + 40_000;
      while (received(bin, "prometheus_build_info").isEmpty()
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      assertTrue(
          "prometheus_build_info received from a real Prometheus; its log:\n" + self[0].logTail(),
          !received(bin, "prometheus_build_info").isEmpty());
    } finally {
      self[0].after();
    }
    List<TimeSeries> info = received(bin, "prometheus_build_info");
    assertEquals("self", info.get(0).labels().get("job"));
    assertEquals(PipelineResult.State.DONE, done.get(2, TimeUnit.MINUTES));
  }

  static List<TimeSeries> received(String bin, String name) {
    List<TimeSeries> out = new ArrayList<>();
    for (Object o : Runners.Collect.get(bin)) {
      TimeSeries ts = (TimeSeries) o;
      if (name.equals(ts.metricName())) {
        out.add(ts);
      }
    }
    return out;
  }
}
