package io.prombeam.remotewrite;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Merges all samples of every series of one bucket (the key), so that each output holds complete
 * series. As a {@link Combine.CombineFn}, runners that lift combiners (Dataflow) merge where the
 * elements are produced, so the shuffle carries a series' labels once per partial run instead of
 * once per sample. Flink batch, whose in-bundle merge already leaves one run per series and worker,
 * groups instead and merges with this class's {@link #mergeAccumulators} ({@link
 * MergeGroupedRunsFn}).
 *
 * <p>The key is normally a series' label hash ({@link #PER_SERIES}), so that a worker holds one
 * series at a time: memory is bounded by the largest series, not by the input (two series whose
 * hashes collide merely share an element). On a runner that hands each key its own bundle and does
 * not lift combiners (the DirectRunner, which holds the whole input of a shuffle anyway) the key is
 * one of {@link #DIRECT_RUNNER_BUCKETS} buckets of series instead, so that a bundle still holds
 * many series to pack into requests.
 */
final class MergeSeriesFn extends Combine.CombineFn<SeriesRuns, SeriesRuns, SeriesRuns> {
  private static final long serialVersionUID = 1L;

  /** Key series by their own label hash. */
  static final int PER_SERIES = 0;

  /** Buckets of series on the DirectRunner; series of one bucket are merged, and sent, together. */
  static final int DIRECT_RUNNER_BUCKETS = 256;

  /**
   * Buckets of series for bounded input on a streaming runner (see {@link HoldUntilInputEndsFn}).
   */
  static final int HELD_BUCKETS = 128;

  private final int maxSamplesPerSeries;
  private final String transformName;

  MergeSeriesFn(int maxSamplesPerSeries, String transformName) {
    this.maxSamplesPerSeries = maxSamplesPerSeries;
    this.transformName = transformName;
  }

  @Override
  public SeriesRuns createAccumulator() {
    return new SeriesRuns();
  }

  @Override
  public SeriesRuns addInput(SeriesRuns acc, SeriesRuns input) {
    acc.addAll(input, maxSamplesPerSeries, transformName);
    return acc;
  }

  @Override
  public SeriesRuns mergeAccumulators(Iterable<SeriesRuns> accumulators) {
    SeriesRuns merged = null;
    for (SeriesRuns a : accumulators) {
      if (merged == null) {
        merged = a; // accumulators may be mutated and returned
      } else {
        merged.addAll(a, maxSamplesPerSeries, transformName);
      }
    }
    return merged == null ? new SeriesRuns() : merged;
  }

  @Override
  public SeriesRuns extractOutput(SeriesRuns acc) {
    return acc;
  }

  @Override
  public Coder<SeriesRuns> getAccumulatorCoder(
      CoderRegistry registry, Coder<SeriesRuns> inputCoder) {
    return SeriesRuns.Coder.INSTANCE;
  }

  @Override
  public Coder<SeriesRuns> getDefaultOutputCoder(
      CoderRegistry registry, Coder<SeriesRuns> inputCoder) {
    return SeriesRuns.Coder.INSTANCE;
  }
}
