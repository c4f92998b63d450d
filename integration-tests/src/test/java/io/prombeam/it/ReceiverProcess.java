package io.prombeam.it;

import io.prombeam.PrometheusIO;
import io.prombeam.model.TimeSeries;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;

/**
 * A pipeline that only receives, run in its own small-heap JVM by {@link ReceiverUnderAttackIT}:
 * {@code receive()} with its defaults on the given runner (DirectRunner or embedded Flink) for the
 * given seconds, then prints how many series it emitted.
 */
public final class ReceiverProcess {
  static final AtomicLong EMITTED = new AtomicLong();

  private ReceiverProcess() {}

  static final class Count extends DoFn<TimeSeries, Void> {
    @ProcessElement
    public void process(@Element TimeSeries ts) {
      EMITTED.incrementAndGet();
    }
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    Pipeline p = Pipeline.create(Runners.options(args[2]));
    p.apply(
            PrometheusIO.receive()
                .withUrl("http://127.0.0.1:" + port + "/api/v1/write")
                .withStopAfter(Duration.standardSeconds(seconds)))
        .apply(ParDo.of(new Count()));
    p.run().waitUntilFinish();
    System.out.println("EMITTED " + EMITTED.get()); // the DoFn runs in this JVM on both runners
    System.out.println("MAX_HEAP_MB " + Runtime.getRuntime().maxMemory() / (1 << 20));
  }
}
