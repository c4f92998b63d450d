package io.prombeam.remotewrite;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;

/**
 * The merge for bounded input read by a streaming runner (Flink with {@code --streaming=true},
 * Dataflow streaming): each bucket of series appends its partial runs to a bag, compacts the bag
 * now and then, and sends the merged series once the input has ended.
 *
 * <p>Why not {@link MergeSeriesFn} as a {@code Combine.perKey} there: a streaming runner keeps a
 * global window's combine in keyed state and touches it for every element (a read, a merge, a write
 * and an end-of-window timer), and with a key per series that is one round of it per sample of
 * single-sample input; on Flink it cost more than the rest of the sink together. Here a bucket of
 * series (one key for many) takes a bundle's partial runs in one append. With a state backend that
 * serializes (RocksDB) an append stays cheap where a growing combine accumulator would be read and
 * rewritten whole every time.
 *
 * <p>Compaction: appended parts carry each series' labels again, so once the samples appended since
 * the last compaction reach 1/{@value #COMPACT_RATIO} of the merged ones (and at least {@value
 * #MIN_COMPACT_SAMPLES}) the bag is merged into one part. Each sample is thus rewritten a bounded
 * number of times (amortized), and the parts awaiting compaction stay a small share of memory.
 *
 * <p>Memory: a streaming runner holds a bounded input in keyed state until it ends (its global
 * window fires only then), as it did with the combine: 16 bytes per merged sample, each series'
 * labels once, and the parts awaiting compaction with their own labels (5 M single samples of
 * 50,000 series peaked at 440–500 MiB of Flink's heap state); at the end one bucket at a time is
 * merged and sent.
 */
final class HoldUntilInputEndsFn extends DoFn<KV<Integer, SeriesRuns>, KV<Integer, SeriesRuns>> {
  static final int COMPACT_RATIO = 16;
  static final long MIN_COMPACT_SAMPLES = 1_024;

  private final int maxSamplesPerSeries;
  private final String transformName;

  @StateId("runs")
  private final StateSpec<BagState<SeriesRuns>> runsSpec =
      StateSpecs.bag(SeriesRuns.Coder.INSTANCE);

  /** Samples merged at the last compaction, and appended since (null: nothing yet, no timer). */
  @StateId("counts")
  private final StateSpec<ValueState<KV<Long, Long>>> countsSpec =
      StateSpecs.value(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));

  @TimerId("end")
  private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  HoldUntilInputEndsFn(int maxSamplesPerSeries, String transformName) {
    this.maxSamplesPerSeries = maxSamplesPerSeries;
    this.transformName = transformName;
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, SeriesRuns> element,
      @StateId("runs") BagState<SeriesRuns> runs,
      @StateId("counts") ValueState<KV<Long, Long>> counts,
      @TimerId("end") Timer end) {
    KV<Long, Long> held = counts.read();
    if (held == null) {
      // Fires when the watermark passes the global window's end: when the bounded input has ended.
      end.set(GlobalWindow.INSTANCE.maxTimestamp());
      held = KV.of(0L, 0L);
    }
    long merged = held.getKey();
    long appended = held.getValue() + element.getValue().sampleCount();
    runs.add(element.getValue());
    if (appended >= Math.max(MIN_COMPACT_SAMPLES, merged / COMPACT_RATIO)) {
      SeriesRuns all = merge(runs.read());
      runs.clear();
      runs.add(all);
      merged += appended;
      appended = 0;
    }
    counts.write(KV.of(merged, appended));
  }

  @OnTimer("end")
  public void onEnd(
      @Key Integer bucket,
      @StateId("runs") BagState<SeriesRuns> runs,
      @StateId("counts") ValueState<KV<Long, Long>> counts,
      OutputReceiver<KV<Integer, SeriesRuns>> out) {
    SeriesRuns all = merge(runs.read());
    runs.clear();
    counts.clear();
    out.output(KV.of(bucket, all));
  }

  private SeriesRuns merge(Iterable<SeriesRuns> parts) {
    SeriesRuns all = new SeriesRuns();
    for (SeriesRuns part : parts) {
      all.addAll(part, maxSamplesPerSeries, transformName);
    }
    return all;
  }
}
