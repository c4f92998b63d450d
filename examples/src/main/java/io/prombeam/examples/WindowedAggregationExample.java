package io.prombeam.examples;

import io.prombeam.PrometheusIO;
import io.prombeam.aggregate.PrometheusAggregate;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Request events with a latency become, per route and status and per 10 s window, a monotonic
 * counter {@code demo_http_requests_total}, a classic latency histogram {@code
 * demo_http_request_duration_seconds} and the same latencies as a native histogram {@code
 * demo_http_request_latency_seconds} whose slow requests (over 1 s) leave exemplars with a trace
 * id, written by remote write. Query them with {@code rate(demo_http_requests_total[1m])}, {@code
 * histogram_quantile(0.9, sum by (le, route)
 * (rate(demo_http_request_duration_seconds_bucket[1m])))} and {@code histogram_quantile(0.9, sum by
 * (route) (rate(demo_http_request_latency_seconds[1m])))} (the native histogram needs Prometheus
 * 2.40+ with {@code --enable-feature=native-histograms}, or 3.x; without it Prometheus drops it and
 * keeps the rest).
 *
 * <pre>
 * java -cp ... io.prombeam.examples.WindowedAggregationExample \
 *     --remoteWriteUrl=http://127.0.0.1:9090/api/v1/write --runner=DirectRunner
 * </pre>
 */
public class WindowedAggregationExample {
  /** The shared demo options; the job label defaults to prombeam_demo. */
  public interface Options extends DemoOptions {}

  public static final double[] LATENCY_BUCKETS =
      PrometheusAggregate.exponentialBuckets(0.005, 2, 10); // 5 ms .. 2.56 s

  public static PipelineResult run(Options o) {
    long end = System.currentTimeMillis();
    long span = o.getMinutes() * 60_000L;
    long n = o.getNumEvents();
    Pipeline p = Pipeline.create(o);
    // KV<"route status", latency seconds>, stamped with event time
    PCollection<KV<String, Double>> requests =
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

    Map<String, String> job = Map.of("job", o.getJobLabel());
    PCollection<TimeSeries> counter =
        requests.apply(
            "RequestsTotal",
            PrometheusAggregate.<KV<String, Double>>counter("demo_http_requests_total")
                .withLabels(WindowedAggregationExample::routeAndStatus)
                .withConstantLabels(job)
                .withHelp("HTTP requests served."));
    PCollection<TimeSeries> histogram =
        requests.apply(
            "Latency",
            PrometheusAggregate.<KV<String, Double>>histogram(
                    "demo_http_request_duration_seconds", LATENCY_BUCKETS)
                .withLabels(WindowedAggregationExample::routeAndStatus)
                .withValue(KV::getValue)
                .withConstantLabels(job)
                .withHelp("HTTP request latency."));
    PCollection<TimeSeries> nativeHistogram =
        requests.apply(
            "NativeLatency",
            PrometheusAggregate.<KV<String, Double>>nativeHistogram(
                    "demo_http_request_latency_seconds")
                .withLabels(WindowedAggregationExample::routeAndStatus)
                .withValue(KV::getValue)
                .withConstantLabels(job)
                .withExemplars(WindowedAggregationExample::traceIdOfSlow)
                .withHelp("HTTP request latency, as a native histogram."));
    PCollectionList.of(counter)
        .and(histogram)
        .and(nativeHistogram)
        .apply(Flatten.pCollections())
        .apply("RemoteWrite", PrometheusIO.remoteWrite().withUrl(o.getRemoteWriteUrl()))
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

  /** A made-up trace id for requests slower than a second: they become exemplars. */
  static String traceIdOfSlow(KV<String, Double> request) {
    return request.getValue() > 1.0
        ? String.format("%016x", Double.doubleToLongBits(request.getValue()) * 0x9E3779B97F4A7C15L)
        : null;
  }

  static Map<String, String> routeAndStatus(KV<String, Double> request) {
    String[] rs = request.getKey().split(" ");
    return Map.of("route", rs[0], "status", rs[1]);
  }

  public static void main(String[] args) {
    Options o = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    long t0 = System.nanoTime();
    PipelineResult r = run(o);
    PipelineResult.State state = r.waitUntilFinish();
    System.out.printf(
        "WindowedAggregationExample: %s in %.1f s: %d events -> %d samples of counters, classic"
            + " and native histograms sent in %d requests, %d failed%n",
        state,
        (System.nanoTime() - t0) / 1e9,
        o.getNumEvents(),
        RemoteWriteExample.counter(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT),
        RemoteWriteExample.counter(r, PrombeamCounter.REMOTE_WRITE_REQUESTS),
        RemoteWriteExample.counter(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED));
    if (state != PipelineResult.State.DONE
        || RemoteWriteExample.counter(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED) > 0) {
      System.exit(1);
    }
  }
}
