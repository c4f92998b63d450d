package io.prombeam.it;

import io.prombeam.PrometheusIO;
import io.prombeam.model.TimeSeries;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;

/**
 * A pipeline that only receives, run in its own small-heap JVM by {@link ReceiverUnderAttackIT}:
 * {@code receive()} with its defaults on the given runner (DirectRunner or embedded Flink) for the
 * given seconds, with any further pipeline options (e.g. Flink checkpointing, which makes the
 * default ack mode wait for checkpoints), then prints how many series it emitted, how many
 * distinct.
 */
public final class ReceiverProcess {
  static final AtomicLong EMITTED = new AtomicLong();
  static final Set<String> DISTINCT = ConcurrentHashMap.newKeySet();

  private ReceiverProcess() {}

  static final class Count extends DoFn<TimeSeries, Void> {
    @ProcessElement
    public void process(@Element TimeSeries ts) {
      EMITTED.incrementAndGet();
      DISTINCT.add(ts.labels().toString());
    }
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    Pipeline p =
        Pipeline.create(
            Runners.options(args[2], Arrays.copyOfRange(args, 3, args.length, String[].class)));
    p.apply(
            PrometheusIO.receive()
                .withUrl("http://127.0.0.1:" + port + "/api/v1/write")
                .withStopAfter(Duration.standardSeconds(seconds)))
        .apply(ParDo.of(new Count()));
    p.run().waitUntilFinish();
    // the DoFn runs in this JVM on both runners
    System.out.println("EMITTED " + EMITTED.get() + " DISTINCT " + DISTINCT.size());
    System.out.println("MAX_HEAP_MB " + Runtime.getRuntime().maxMemory() / (1 << 20));
  }
}
