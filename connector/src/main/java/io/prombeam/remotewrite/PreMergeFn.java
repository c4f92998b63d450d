package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.TimeSeries;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Merges, within a bundle, the samples of each series into one run, and hands them on per bucket of
 * series, before the shuffle of {@link MergeSeriesFn}. Runners that lift combiners do this too; the
 * DirectRunner does not, and without it would hold one element per sample (labels and all) until
 * the input ends.
 *
 * <p>Bounded memory: when the runs held reach about {@value #MAX_HELD_BYTES} bytes they are all
 * emitted and merging starts afresh; nothing is held past the bundle.
 */
final class PreMergeFn extends DoFn<TimeSeries, KV<Integer, SeriesRuns>> {
  private final int buckets;

  static final long MAX_HELD_BYTES = 64L << 20;

  /** A rough per-series cost: map entries, run object and arrays' headers, label set. */
  private static final long BYTES_PER_SERIES = 256;

  private static final long BYTES_PER_SAMPLE = 16;

  /**
   * A series as a map key hashed on its strings: most input here is built from strings, one label
   * set per sample, and hashing those directly skips encoding each one only to hash it.
   */
  private static final class SeriesKey {
    final Labels labels;
    final int hash;

    SeriesKey(Labels labels) {
      this.labels = labels;
      this.hash = labels.stringHash();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SeriesKey && ((SeriesKey) o).labels.equals(labels);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * @param buckets the number of merge keys series are spread over, or {@link
   *     MergeSeriesFn#PER_SERIES} to key each series by its own label hash
   */
  PreMergeFn(int buckets) {
    this.buckets = buckets;
  }

  private transient Map<SeriesKey, SampleRun> runs;
  private transient long heldBytes;
  private transient Instant minTimestamp;

  @StartBundle
  public void startBundle() {
    runs = new HashMap<>();
    heldBytes = 0;
    minTimestamp = GlobalWindow.TIMESTAMP_MAX_VALUE;
  }

  @ProcessElement
  public void process(
      @Element TimeSeries ts,
      @Timestamp Instant timestamp,
      OutputReceiver<KV<Integer, SeriesRuns>> out) {
    SeriesKey key = new SeriesKey(ts.labels());
    SampleRun run = runs.get(key);
    if (run == null) {
      run = new SampleRun();
      runs.put(key, run);
      heldBytes += BYTES_PER_SERIES;
    }
    run.add(ts);
    heldBytes += BYTES_PER_SAMPLE * ts.sampleCount();
    if (timestamp.isBefore(minTimestamp)) {
      minTimestamp = timestamp;
    }
    if (heldBytes >= MAX_HELD_BYTES) {
      for (Map.Entry<Integer, SeriesRuns> e : byBucket().entrySet()) {
        out.output(KV.of(e.getKey(), e.getValue()));
      }
      runs.clear();
      heldBytes = 0;
    }
  }

  /** The runs held, grouped by bucket. */
  private Map<Integer, SeriesRuns> byBucket() {
    Map<Integer, SeriesRuns> buckets = new HashMap<>();
    for (Map.Entry<SeriesKey, SampleRun> e : runs.entrySet()) {
      SeriesKey key = e.getKey();
      buckets
          .computeIfAbsent(bucketOf(key.hash), b -> new SeriesRuns())
          .runs
          .put(key.labels, e.getValue());
    }
    return buckets;
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    for (Map.Entry<Integer, SeriesRuns> e : byBucket().entrySet()) {
      context.output(KV.of(e.getKey(), e.getValue()), minTimestamp, GlobalWindow.INSTANCE);
    }
    runs = null;
  }

  /** A series' merge key from its {@link Labels#stringHash()}: stable across JVMs and runs. */
  private int bucketOf(int stringHash) {
    return buckets == MergeSeriesFn.PER_SERIES ? stringHash : RemoteWrite.mix(stringHash, buckets);
  }
}
