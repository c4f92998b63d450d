package io.prombeam.remotewrite;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Merges all samples of every series of one bucket (the key), so that each output holds complete
 * series. As a {@link Combine.CombineFn}, runners that lift combiners (Flink batch, Dataflow) merge
 * where the elements are produced, so the shuffle carries a series' labels once per partial run
 * instead of once per sample.
 *
 * <p>The key is a bucket of series, not a series: a runner that hands each key to its own bundle
 * (the DirectRunner) still gets many series per bundle to pack into requests.
 */
final class MergeSeriesFn extends Combine.CombineFn<SeriesRuns, SeriesRuns, SeriesRuns> {
  private static final long serialVersionUID = 1L;

  /** Buckets of series; series of one bucket are merged, and sent, together. */
  static final int BUCKETS = 256;

  @Override
  public SeriesRuns createAccumulator() {
    return new SeriesRuns();
  }

  @Override
  public SeriesRuns addInput(SeriesRuns acc, SeriesRuns input) {
    acc.addAll(input);
    return acc;
  }

  @Override
  public SeriesRuns mergeAccumulators(Iterable<SeriesRuns> accumulators) {
    SeriesRuns merged = null;
    for (SeriesRuns a : accumulators) {
      if (merged == null) {
        merged = a; // accumulators may be mutated and returned
      } else {
        merged.addAll(a);
      }
    }
    return merged == null ? new SeriesRuns() : merged;
  }

  @Override
  public SeriesRuns extractOutput(SeriesRuns acc) {
    return acc;
  }

  @Override
  public Coder<SeriesRuns> getAccumulatorCoder(CoderRegistry registry, Coder<SeriesRuns> inputCoder) {
    return SeriesRuns.Coder.INSTANCE;
  }

  @Override
  public Coder<SeriesRuns> getDefaultOutputCoder(CoderRegistry registry, Coder<SeriesRuns> inputCoder) {
    return SeriesRuns.Coder.INSTANCE;
  }
}
