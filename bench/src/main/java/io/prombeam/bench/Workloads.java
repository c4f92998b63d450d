package io.prombeam.bench;

import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Realistic request contents: 10 labels per series (job, instance, route, ... as exporters have).
 */
public final class Workloads {
  private Workloads() {}

  /** {@code samples} samples in all, {@code perSeries} per series, deterministic values. */
  public static List<TimeSeries> request(int samples, int perSeries, long seed) {
    List<TimeSeries> out = new ArrayList<>();
    long t0 = 1_700_000_000_000L;
    int series = samples / perSeries;
    for (int s = 0; s < series; s++) {
      long id = seed * 1_000_003L + s;
      TimeSeries.Builder b = labelled(id);
      for (int i = 0; i < perSeries; i++) {
        b.sample(t0 + i * 15_000L, (double) ((id * 31 + i * 17) % 100_000));
      }
      out.add(b.build());
    }
    return out;
  }

  /** The 10 labels of series {@code id} (metric name included); ids far apart may share them. */
  public static TimeSeries.Builder labelled(long id) {
    return TimeSeries.builder("http_server_requests_seconds_count")
        .label("job", "checkout-api")
        .label("instance", "10.0." + (id % 250) + "." + (id % 7) + ":8080")
        .label("namespace", "shop-prod")
        .label("pod", "checkout-api-7d9f8b6c4-" + Long.toString(id % 100_000, 36))
        .label("method", id % 3 == 0 ? "POST" : "GET")
        .label("status", id % 10 == 0 ? "500" : "200")
        .label("uri", "/api/v1/orders/{id}/items/" + (id % 40))
        .label("outcome", id % 10 == 0 ? "SERVER_ERROR" : "SUCCESS")
        .label("region", "eu-west-1");
  }

  /**
   * Series {@code id}: the 10 labels of {@link #labelled} plus {@code series_id} (so every id is a
   * distinct series) and {@code bench_run} (so a run's samples can be told apart in a shared
   * Prometheus), {@code samples} samples one second apart from {@code t0}.
   */
  public static final class DistinctSeries extends DoFn<Long, TimeSeries> {
    private final String run;
    private final int samples;
    private final long t0;

    public DistinctSeries(String run, int samples, long t0) {
      this.run = run;
      this.samples = samples;
      this.t0 = t0;
    }

    @ProcessElement
    public void process(@Element Long id, OutputReceiver<TimeSeries> out) {
      TimeSeries.Builder b =
          labelled(id).label("bench_run", run).label("series_id", Long.toString(id));
      for (int i = 0; i < samples; i++) {
        b.sample(t0 + i * 1000L, (double) ((id * 31 + i * 17) % 100_000));
      }
      out.output(b.build());
    }
  }
}
