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
   * @param buckets the number of merge keys series are spread over, or {@link
   *     MergeSeriesFn#PER_SERIES} to key each series by its own label hash
   */
  PreMergeFn(int buckets) {
    this.buckets = buckets;
  }

  private transient SeriesTable runs;
  private transient long heldBytes;
  private transient Instant minTimestamp;

  @StartBundle
  public void startBundle() {
    runs = new SeriesTable();
    heldBytes = 0;
    minTimestamp = GlobalWindow.TIMESTAMP_MAX_VALUE;
  }

  @ProcessElement
  public void process(
      @Element TimeSeries ts,
      @Timestamp Instant timestamp,
      OutputReceiver<KV<Integer, SeriesRuns>> out) {
    // Hashed on its strings: most input here is built from strings, one label set per sample,
    // and hashing those directly skips encoding each one only to hash it.
    Labels labels = ts.labels();
    int held = runs.size();
    SampleRun run = runs.runFor(labels, labels.stringHash());
    if (runs.size() > held) {
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
      runs = new SeriesTable();
      heldBytes = 0;
    }
  }

  /** The runs held, grouped by bucket. */
  private Map<Integer, SeriesRuns> byBucket() {
    Map<Integer, SeriesRuns> buckets = new HashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      buckets
          .computeIfAbsent(bucketOf(runs.hash(i)), b -> new SeriesRuns())
          .runs
          .put(runs.labels(i), runs.run(i));
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
