package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.annotations.Internal;

/**
 * Turns a shard's buffered series into remote-write requests that follow the spec:
 *
 * <ul>
 *   <li>one entry per label set: parts of one series are merged, and their samples sorted by
 *       timestamp (stable, so arrival order breaks ties);
 *   <li>an exact repeat of a sample (same timestamp, same value bits) is sent once — Prometheus
 *       treats it as a no-op, and a repeat inside one request would be refused as out of order;
 *   <li>a second sample at one timestamp with a <em>different</em> value is not sent (Prometheus
 *       would reject the whole request) but becomes a {@link SeriesRule#DUPLICATE_TIMESTAMP}
 *       failure;
 *   <li>at most {@code maxSamplesPerSend} samples per request; a larger series is split into
 *       consecutive requests in timestamp order, which the shard sends one after another.
 * </ul>
 */
@Internal
public final class RequestBuilder {

  /** The requests to send, in order, and what could not be sent. */
  static final class Plan {
    public final List<List<TimeSeries>> requests = new ArrayList<>();
    public final List<WriteFailure> conflicts = new ArrayList<>();
    public long duplicateSamplesDropped;
    public long samples;
  }

  private RequestBuilder() {}

  /**
   * {@code series} as requests of at most {@code maxSamplesPerSend} samples, one entry per series
   * per request, samples merged, sorted and deduplicated.
   */
  public static List<List<TimeSeries>> requests(
      Iterable<TimeSeries> series, int maxSamplesPerSend) {
    return plan(series, maxSamplesPerSend, null).requests;
  }

  /** As {@link #plan(Iterable, int)}, holding back samples the guard has seen newer ones of. */
  static Plan plan(Iterable<TimeSeries> buffered, int maxSamplesPerSend, OrderGuard guard) {
    Map<Labels, List<TimeSeries>> byLabels = new LinkedHashMap<>();
    for (TimeSeries ts : buffered) {
      byLabels.computeIfAbsent(ts.labels(), k -> new ArrayList<>(1)).add(ts);
    }
    Plan plan = new Plan();
    List<TimeSeries> current = new ArrayList<>();
    int currentSamples = 0;
    for (List<TimeSeries> parts : byLabels.values()) {
      TimeSeries merged = mergeAndDedupe(parts, plan);
      if (guard != null) {
        merged = guard.admit(merged, plan);
        if (merged == null) {
          continue;
        }
      }
      int offset = 0;
      while (offset < merged.sampleCount()) {
        int room = maxSamplesPerSend - currentSamples;
        if (room == 0) {
          plan.requests.add(current);
          current = new ArrayList<>();
          currentSamples = 0;
          room = maxSamplesPerSend;
        }
        int take = Math.min(room, merged.sampleCount() - offset);
        current.add(merged.slice(offset, offset + take));
        currentSamples += take;
        offset += take;
      }
      plan.samples += merged.sampleCount();
    }
    if (!current.isEmpty()) {
      plan.requests.add(current);
    }
    return plan;
  }

  /**
   * One series from its parts: samples sorted, exact repeats dropped, conflicting ones to {@code
   * plan.conflicts}.
   */
  static TimeSeries mergeAndDedupe(List<TimeSeries> parts, Plan plan) {
    TimeSeries first = parts.get(0);
    if (parts.size() == 1 && !hasRepeatedTimestamp(first)) {
      return first; // the common case: no copy
    }
    TimeSeries.Builder all = TimeSeries.builder(first.labels());
    MetricMetadata metadata = null;
    for (TimeSeries p : parts) {
      for (int i = 0; i < p.sampleCount(); i++) {
        all.point(p, i);
      }
      all.exemplars(p);
      if (metadata == null) {
        metadata = p.metadata();
      }
    }
    TimeSeries sorted = all.metadata(metadata).build(); // stable sort by timestamp
    TimeSeries.Builder kept =
        TimeSeries.builder(first.labels()).metadata(metadata).exemplars(sorted);
    for (int i = 0; i < sorted.sampleCount(); i++) {
      long t = sorted.timestamp(i);
      if (i > 0 && sorted.timestamp(i - 1) == t) {
        // compare with the first sample kept at this timestamp
        int j = i - 1;
        while (j > 0 && sorted.timestamp(j - 1) == t) {
          j--;
        }
        if (sorted.samePoint(j, sorted, i)) {
          plan.duplicateSamplesDropped++;
        } else {
          TimeSeries rejected =
              TimeSeries.builder(first.labels()).point(sorted, i).metadata(metadata).build();
          plan.conflicts.add(
              WriteFailure.invalid(
                  rejected,
                  new SeriesViolation(
                      SeriesRule.DUPLICATE_TIMESTAMP,
                      SeriesRule.DUPLICATE_TIMESTAMP.name()
                          + ": timestamp "
                          + t
                          + " of series "
                          + first.labels()
                          + " already has value "
                          + sorted.formatPoint(j)
                          + ", this sample has "
                          + sorted.formatPoint(i)
                          + ": "
                          + SeriesRule.DUPLICATE_TIMESTAMP.description())));
        }
        continue;
      }
      kept.point(sorted, i);
    }
    return kept.build();
  }

  private static boolean hasRepeatedTimestamp(TimeSeries ts) {
    for (int i = 1; i < ts.sampleCount(); i++) {
      if (ts.timestamp(i) == ts.timestamp(i - 1)) {
        return true;
      }
    }
    return false;
  }
}
