package io.prombeam.sink;

import io.prombeam.counters.PrombeamCounter;
import java.util.EnumMap;
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
  private final Map<PrombeamCounter, long[]> counters = new EnumMap<>(PrombeamCounter.class);
  private final Map<String, long[]> distributions = new LinkedHashMap<>(); // sum, count, min, max

  /** Adds {@code n} to {@code counter}, applied at the next {@link #flush()}. */
  public void inc(PrombeamCounter counter, long n) {
    if (n != 0) {
      counters.computeIfAbsent(counter, k -> new long[1])[0] += n;
    }
  }

  /** Adds one to {@code counter}. */
  public void inc(PrombeamCounter counter) {
    inc(counter, 1);
  }

  /** Records {@code value} in distribution {@code distribution} of prombeam's namespace. */
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
    for (Map.Entry<PrombeamCounter, long[]> e : counters.entrySet()) {
      if (e.getValue()[0] != 0) {
        Counter c = e.getKey().counter();
        c.inc(e.getValue()[0]);
        e.getValue()[0] = 0;
      }
    }
    for (Map.Entry<String, long[]> e : distributions.entrySet()) {
      long[] d = e.getValue();
      if (d[1] > 0) {
        Distribution dist = Metrics.distribution(PrombeamCounter.NAMESPACE, e.getKey());
        dist.update(d[0], d[1], d[2], d[3]);
        d[0] = 0;
        d[1] = 0;
        d[2] = Long.MAX_VALUE;
        d[3] = Long.MIN_VALUE;
      }
    }
  }
}
