package io.prombeam.aggregate;

import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.TimeSeries;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Turns one label set's aggregate values into the series Prometheus expects. */
abstract class Renderer implements Serializable {
  private static final long serialVersionUID = 1L;

  protected final MetricMetadata metadata;

  Renderer(MetricType type, String help) {
    this.metadata = MetricMetadata.of(type, help);
  }

  /**
   * {@code key} carries {@code __name__} = the metric's base name; {@code values} has no timestamp.
   */
  abstract List<TimeSeries> render(Labels key, double[] values, long ts);

  /**
   * The running total after adding a pane's {@code delta} to {@code total} (cumulative kinds):
   * value by value, except where a kind's values have another layout.
   */
  double[] accumulate(double[] total, double[] delta) {
    double[] sum = delta.clone();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += total[i];
    }
    return sum;
  }

  protected TimeSeries one(Labels labels, long ts, double v) {
    return TimeSeries.builder(labels).sample(ts, v).metadata(metadata).build();
  }

  protected static Labels rename(Labels key, String name) {
    return key.with(Labels.METRIC_NAME, name);
  }

  /** Counter or gauge: one series with values[0]. */
  static final class Single extends Renderer {
    private static final long serialVersionUID = 1L;

    Single(MetricType type, String help) {
      super(type, help);
    }

    @Override
    List<TimeSeries> render(Labels key, double[] values, long ts) {
      return List.of(one(key, ts, values[0]));
    }
  }

  /** Histogram: _bucket{le} made cumulative over le, +Inf, _sum, _count. */
  static final class Histogram extends Renderer {
    private static final long serialVersionUID = 1L;
    private final double[] bounds;

    Histogram(double[] bounds, MetricType type, String help) {
      super(type, help);
      this.bounds = bounds;
    }

    @Override
    List<TimeSeries> render(Labels key, double[] values, long ts) {
      String base = key.metricName();
      List<TimeSeries> out = new ArrayList<>(bounds.length + 3);
      Labels bucket = rename(key, base + "_bucket");
      double cumulative = 0;
      for (int i = 0; i <= bounds.length; i++) {
        cumulative =
            io.prombeam.model.StaleMarker.isStale(values[i]) ? values[i] : cumulative + values[i];
        String le = i == bounds.length ? "+Inf" : Buckets.le(bounds[i]);
        out.add(one(bucket.with("le", le), ts, cumulative));
      }
      out.add(one(rename(key, base + "_sum"), ts, values[bounds.length + 1]));
      out.add(one(rename(key, base + "_count"), ts, values[bounds.length + 2]));
      return out;
    }
  }

  /**
   * Native histogram: one series holding the histogram (values in {@link NativeBuckets}' layout),
   * or a staleness marker; a gauge histogram (per window) carries the GAUGE reset hint.
   */
  static final class Native extends Renderer {
    private static final long serialVersionUID = 1L;
    private final double zeroThreshold;
    private final int maxBuckets;

    Native(double zeroThreshold, int maxBuckets, MetricType type, String help) {
      super(type, help);
      this.zeroThreshold = zeroThreshold;
      this.maxBuckets = maxBuckets;
    }

    @Override
    double[] accumulate(double[] total, double[] delta) {
      NativeBuckets sum = NativeBuckets.fromArray(total);
      sum.add(NativeBuckets.fromArray(delta), maxBuckets);
      return sum.toArray();
    }

    @Override
    List<TimeSeries> render(Labels key, double[] values, long ts) {
      if (io.prombeam.model.StaleMarker.isStale(values[0])) {
        return List.of(TimeSeries.builder(key).staleMarker(ts).metadata(metadata).build());
      }
      NativeHistogram h =
          NativeBuckets.fromArray(values)
              .toHistogram(
                  zeroThreshold,
                  metadata.type() == MetricType.GAUGEHISTOGRAM
                      ? NativeHistogram.ResetHint.GAUGE
                      : NativeHistogram.ResetHint.UNKNOWN);
      return List.of(TimeSeries.builder(key).histogram(ts, h).metadata(metadata).build());
    }
  }

  /** Summary quantiles: name{quantile="q"}. */
  static final class Quantiles extends Renderer {
    private static final long serialVersionUID = 1L;
    private final double[] quantiles;

    Quantiles(double[] quantiles, String help) {
      super(MetricType.SUMMARY, help);
      this.quantiles = quantiles;
    }

    @Override
    List<TimeSeries> render(Labels key, double[] values, long ts) {
      List<TimeSeries> out = new ArrayList<>(quantiles.length);
      for (int i = 0; i < quantiles.length; i++) {
        out.add(one(key.with("quantile", Buckets.le(quantiles[i])), ts, values[i]));
      }
      return out;
    }
  }

  /** Summary running part: key named {@code <base>_sum}; emits _sum and _count. */
  static final class SumCount extends Renderer {
    private static final long serialVersionUID = 1L;

    SumCount(String help) {
      super(MetricType.SUMMARY, help);
    }

    @Override
    List<TimeSeries> render(Labels key, double[] values, long ts) {
      String sum = key.metricName();
      String base = sum.substring(0, sum.length() - "_sum".length());
      return List.of(one(key, ts, values[0]), one(rename(key, base + "_count"), ts, values[1]));
    }
  }
}
