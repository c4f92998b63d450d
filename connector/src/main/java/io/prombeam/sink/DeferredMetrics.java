package io.prombeam.sink;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Beam metric updates collected in the DoFn and applied in {@code @FinishBundle}. Some runners do
 * not install a metrics container around every callback (Beam 2.62's Flink batch translation runs
 * {@code @OnWindowExpiration} without one, and the updates are lost with an error log); every
 * runner has one around {@code @FinishBundle}, and fewer metric calls are cheaper too. Not
 * thread-safe: one instance per DoFn instance.
 */
@Internal
public final class DeferredMetrics {
  private final String namespace;
  private final Map<String, long[]> counters = new LinkedHashMap<>();
  private final Map<String, long[]> distributions = new LinkedHashMap<>(); // sum, count, min, max

  public DeferredMetrics(String namespace) {
    this.namespace = namespace;
  }

  public void inc(String counter, long n) {
    if (n != 0) {
      counters.computeIfAbsent(counter, k -> new long[1])[0] += n;
    }
  }

  public void inc(String counter) {
    inc(counter, 1);
  }

  public void update(String distribution, long value) {
    long[] d =
        distributions.computeIfAbsent(
            distribution, k -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
    d[0] += value;
    d[1]++;
    d[2] = Math.min(d[2], value);
    d[3] = Math.max(d[3], value);
  }

  /** Applies and resets everything collected; call from {@code @FinishBundle}. */
  public void flush() {
    for (Map.Entry<String, long[]> e : counters.entrySet()) {
      if (e.getValue()[0] != 0) {
        Counter c = Metrics.counter(namespace, e.getKey());
        c.inc(e.getValue()[0]);
        e.getValue()[0] = 0;
      }
    }
    for (Map.Entry<String, long[]> e : distributions.entrySet()) {
      long[] d = e.getValue();
      if (d[1] > 0) {
        Distribution dist = Metrics.distribution(namespace, e.getKey());
        dist.update(d[0], d[1], d[2], d[3]);
        d[0] = 0;
        d[1] = 0;
        d[2] = Long.MAX_VALUE;
        d[3] = Long.MIN_VALUE;
      }
    }
  }
}
