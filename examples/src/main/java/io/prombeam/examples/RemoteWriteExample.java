package io.prombeam.examples;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteResult;
import io.prombeam.sink.WriteFailure;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A small realistic stream written to Prometheus: synthetic HTTP request events (route, status,
 * latency) are summarised per route and status every 10 s window, as the request count and the
 * slowest request of the window, and sent with {@code PrometheusIO.remoteWrite()}.
 *
 * <pre>
 * java -cp ... io.prombeam.examples.RemoteWriteExample \
 *     --remoteWriteUrl=http://127.0.0.1:9090/api/v1/write --runner=DirectRunner
 * </pre>
 *
 * <p>Events are spread over the {@code --minutes} before now (event time), so the result is
 * queryable at once. With {@code --runner=FlinkRunner --flinkMaster=[local]} the same code runs on
 * embedded Flink.
 */
public class RemoteWriteExample {

  public interface Options extends DemoOptions {
    @Description("Parallel senders")
    @Default.Integer(4)
    int getShards();

    void setShards(int value);
  }

  static final String[] ROUTES = {"/", "/api/users", "/api/orders", "/api/search", "/health"};
  static final int[] STATUSES = {200, 200, 200, 200, 200, 200, 200, 201, 404, 500};

  /** One synthetic request, derived deterministically from its sequence number. */
  static KV<String, Double> event(long i) {
    String route = ROUTES[(int) (mix(i) % ROUTES.length)];
    int status = STATUSES[(int) (mix(i * 31 + 7) % STATUSES.length)];
    double latency =
        0.005 + (mix(i * 17 + 3) % 1000) / 1000.0 * (route.equals("/api/search") ? 2.0 : 0.3);
    return KV.of(route + " " + status, latency);
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x & Long.MAX_VALUE;
  }

  public static PipelineResult run(Options options) {
    long end = System.currentTimeMillis();
    long span = options.getMinutes() * 60_000L;
    long n = options.getNumEvents();
    Pipeline p = Pipeline.create(options);

    PCollection<KV<String, Double>> events =
        p.apply("Events", GenerateSequence.from(0).to(n))
            .apply(
                "EventTime",
                WithTimestamps.of(
                    (Long i) -> new Instant(end - span + (i * span) / Math.max(1, n))))
            .apply(
                "ToRequest",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.doubles()))
                    .via(RemoteWriteExample::event))
            .apply("10sWindows", Window.into(FixedWindows.of(Duration.standardSeconds(10))));

    PCollection<TimeSeries> counts =
        events
            .apply("Count", Combine.perKey(new CountFn()))
            .apply(
                "CountSeries",
                ParDo.of(
                    new ToSeries(
                        options.getJobLabel(),
                        "demo_http_requests_in_window",
                        MetricType.GAUGE,
                        "HTTP requests served in the 10 s window ending at the sample.")));
    PCollection<TimeSeries> slowest =
        events
            .apply("Max", Max.doublesPerKey())
            .apply(
                "MaxSeries",
                ParDo.of(
                    new ToSeries(
                        options.getJobLabel(),
                        "demo_http_request_duration_seconds_max",
                        MetricType.GAUGE,
                        "Slowest HTTP request of the 10 s window ending at the sample.")));

    RemoteWriteResult result =
        org.apache.beam.sdk.values.PCollectionList.of(counts)
            .and(slowest)
            .apply(org.apache.beam.sdk.transforms.Flatten.pCollections())
            .apply(
                "RemoteWrite",
                PrometheusIO.remoteWrite()
                    .withUrl(options.getRemoteWriteUrl())
                    .withShards(options.getShards()));
    result
        .getFailures()
        .apply(
            "LogFailures",
            MapElements.into(TypeDescriptor.of(String.class))
                .via(
                    (WriteFailure f) -> {
                      System.err.println("not delivered: " + f);
                      return f.toString();
                    }));
    return p.run();
  }

  /** Counts events per key (a Combine, so runners pre-aggregate before the shuffle). */
  static final class CountFn extends Combine.CombineFn<Double, long[], Double> {
    @Override
    public long[] createAccumulator() {
      return new long[1];
    }

    @Override
    public long[] addInput(long[] acc, Double input) {
      acc[0]++;
      return acc;
    }

    @Override
    public long[] mergeAccumulators(Iterable<long[]> accs) {
      long[] out = new long[1];
      for (long[] a : accs) {
        out[0] += a[0];
      }
      return out;
    }

    @Override
    public Double extractOutput(long[] acc) {
      return (double) acc[0];
    }
  }

  /** "route status" → value becomes a series stamped at the window's last millisecond. */
  static final class ToSeries extends DoFn<KV<String, Double>, TimeSeries> {
    private final String job;
    private final String name;
    private final MetricType type;
    private final String help;

    ToSeries(String job, String name, MetricType type, String help) {
      this.job = job;
      this.name = name;
      this.type = type;
      this.help = help;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Double> kv, BoundedWindow window, OutputReceiver<TimeSeries> out) {
      String[] routeStatus = kv.getKey().split(" ");
      out.output(
          TimeSeries.builder(name)
              .label("job", job)
              .label("route", routeStatus[0])
              .label("status", routeStatus[1])
              .sample(window.maxTimestamp().getMillis(), kv.getValue())
              .type(type)
              .help(help)
              .build());
    }
  }

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    long t0 = System.nanoTime();
    PipelineResult result = run(options);
    PipelineResult.State state = result.waitUntilFinish();
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "RemoteWriteExample: %s in %.1f s: %d events -> %d samples sent in %d requests (%d bytes"
            + " compressed), %d samples failed, to %s%n",
        state,
        secs,
        options.getNumEvents(),
        counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT),
        counter(result, PrombeamCounter.REMOTE_WRITE_REQUESTS),
        counter(result, PrombeamCounter.REMOTE_WRITE_COMPRESSED_BYTES),
        counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED),
        options.getRemoteWriteUrl());
    if (state != PipelineResult.State.DONE
        || counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED) > 0) {
      System.exit(1);
    }
  }

  static long counter(PipelineResult result, PrombeamCounter name) {
    return io.prombeam.counters.PrombeamCounters.get(result, name);
  }
}
