package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers, per series, the newest timestamp a shard has delivered, so that a sample arriving
 * after a newer one was sent is reported as {@link SeriesRule#OUT_OF_ORDER} instead of being sent:
 * Prometheus (without an out-of-order window) would refuse it, and with it the whole request.
 *
 * <p>Bounded: an LRU of {@code capacity} series, in memory. One guard per sink and shard per JVM,
 * shared by the DoFn instances of that JVM (runners may move a key between instances; a shard's
 * work is never concurrent, as it is one key of a stateful DoFn). A series evicted from it, or seen
 * first after a worker restart, is not checked — which costs nothing but the protection.
 */
final class OrderGuard {
  private static final java.util.concurrent.ConcurrentHashMap<String, OrderGuard> GUARDS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The guard of shard {@code shard} of the sink {@code sinkId} in this JVM. */
  static OrderGuard forShard(String sinkId, int shard, int capacity) {
    return GUARDS.computeIfAbsent(sinkId + "/" + shard, k -> new OrderGuard(capacity));
  }

  /** Per series: the newest timestamp sent and its value's bits. */
  private final Map<Labels, long[]> newestSent;

  OrderGuard(int capacity) {
    this.newestSent =
        new LinkedHashMap<Labels, long[]>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Labels, long[]> eldest) {
            return size() > capacity;
          }
        };
  }

  /**
   * The part of {@code ts} newer than what was sent. A repeat of the newest sample sent (same
   * timestamp, same value bits) is dropped and counted in {@code plan}, as Prometheus would accept
   * it as a no-op; other samples at or before it go to {@code plan.conflicts} as {@code
   * OUT_OF_ORDER} (or {@code DUPLICATE_TIMESTAMP} at the newest timestamp with another value).
   */
  TimeSeries admit(TimeSeries ts, RequestBuilder.Plan plan) {
    long[] newest = newestSent.get(ts.labels());
    if (newest == null || ts.timestamp(0) > newest[0]) {
      return ts; // samples are sorted: all newer
    }
    int firstNew = 0;
    while (firstNew < ts.sampleCount() && ts.timestamp(firstNew) <= newest[0]) {
      firstNew++;
    }
    int older = firstNew;
    if (ts.timestamp(firstNew - 1) == newest[0]) {
      older--; // ts.slice(older, firstNew) is the one sample at the newest timestamp (deduplicated)
      if (ts.pointFingerprint(older) == newest[1]) {
        plan.duplicateSamplesDropped++;
      } else {
        plan.conflicts.add(
            violation(
                ts.slice(older, firstNew),
                SeriesRule.DUPLICATE_TIMESTAMP,
                newest,
                "has another value"));
      }
    }
    if (older > 0) {
      plan.conflicts.add(
          violation(ts.slice(0, older), SeriesRule.OUT_OF_ORDER, newest, "was already sent"));
    }
    return firstNew == ts.sampleCount() ? null : ts.slice(firstNew, ts.sampleCount());
  }

  private static WriteFailure violation(
      TimeSeries samples, SeriesRule rule, long[] newest, String what) {
    return WriteFailure.invalid(
        samples,
        new SeriesViolation(
            rule,
            rule.name()
                + ": "
                + samples.sampleCount()
                + " sample(s) of series "
                + samples.labels()
                + " at or before "
                + newest[0]
                + ", which "
                + what
                + ": "
                + rule.description()));
  }

  /** Records a delivered request. */
  void sent(List<TimeSeries> request) {
    for (TimeSeries ts : request) {
      int last = ts.sampleCount() - 1;
      long[] newest = newestSent.get(ts.labels());
      if (newest == null || ts.timestamp(last) > newest[0]) {
        newestSent.put(ts.labels(), new long[] {ts.timestamp(last), ts.pointFingerprint(last)});
      }
    }
  }
}
