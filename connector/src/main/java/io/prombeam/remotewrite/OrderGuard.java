package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.WriteFailure;
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
 * work is never concurrent, as it is one key of a stateful DoFn). A series evicted from it, or
 * seen first after a worker restart, is not checked — which costs nothing but the protection.
 */
final class OrderGuard {
  private static final java.util.concurrent.ConcurrentHashMap<String, OrderGuard> GUARDS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The guard of shard {@code shard} of the sink {@code sinkId} in this JVM. */
  static OrderGuard forShard(String sinkId, int shard, int capacity) {
    return GUARDS.computeIfAbsent(sinkId + "/" + shard, k -> new OrderGuard(capacity));
  }

  private final Map<Labels, Long> newestSent;

  OrderGuard(int capacity) {
    this.newestSent =
        new LinkedHashMap<Labels, Long>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Labels, Long> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The part of {@code ts} newer than what was sent; older samples go to {@code rejected}. */
  TimeSeries admit(TimeSeries ts, List<WriteFailure> rejected) {
    Long newest = newestSent.get(ts.labels());
    if (newest == null || ts.timestamp(0) > newest) {
      return ts; // samples are sorted: all newer
    }
    int firstNew = 0;
    while (firstNew < ts.sampleCount() && ts.timestamp(firstNew) <= newest) {
      firstNew++;
    }
    TimeSeries old = ts.slice(0, firstNew);
    rejected.add(
        WriteFailure.invalid(
            old,
            new SeriesViolation(
                SeriesRule.OUT_OF_ORDER,
                SeriesRule.OUT_OF_ORDER.name()
                    + ": "
                    + old.sampleCount()
                    + " sample(s) of series "
                    + ts.labels()
                    + " at or before "
                    + newest
                    + ", which was already sent: "
                    + SeriesRule.OUT_OF_ORDER.description())));
    return firstNew == ts.sampleCount() ? null : ts.slice(firstNew, ts.sampleCount());
  }

  /** Records a delivered request. */
  void sent(List<TimeSeries> request) {
    for (TimeSeries ts : request) {
      long last = ts.timestamp(ts.sampleCount() - 1);
      newestSent.merge(ts.labels(), last, Math::max);
    }
  }
}
