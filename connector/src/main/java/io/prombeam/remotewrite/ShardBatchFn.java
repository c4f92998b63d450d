package io.prombeam.remotewrite;

import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Pins each series to its shard and gathers, within one bundle, a shard's series into one list of
 * up to {@code maxSamplesPerSend} samples. The shuffle and the stateful {@link ShardWriterFn} then
 * handle one element per batch instead of one per series: per-element runner costs (state access,
 * serialization across the keyed exchange, timers) are paid once per ~thousand samples.
 *
 * <p>Nothing is held past the bundle: runners finish a bundle before they checkpoint (Flink) or
 * commit it (Dataflow), so the lists are in the shuffle before any checkpoint that covers their
 * input. A series keeps its order: one bundle's series of a shard stay in arrival order in the list.
 */
final class ShardBatchFn extends DoFn<TimeSeries, KV<Integer, List<TimeSeries>>> {
  private final int shards;
  private final int maxSamplesPerBatch;

  private transient Map<Integer, Batch> batches;

  private static final class Batch {
    final List<TimeSeries> series = new ArrayList<>();
    long samples;
    Instant minTimestamp = GlobalWindow.TIMESTAMP_MAX_VALUE;
  }

  ShardBatchFn(int shards, int maxSamplesPerBatch) {
    this.shards = shards;
    this.maxSamplesPerBatch = maxSamplesPerBatch;
  }

  @StartBundle
  public void startBundle() {
    batches = new HashMap<>();
  }

  @ProcessElement
  public void process(
      @Element TimeSeries ts,
      @Timestamp Instant timestamp,
      OutputReceiver<KV<Integer, List<TimeSeries>>> out) {
    int shard = RemoteWrite.shardOf(ts, shards);
    Batch batch = batches.computeIfAbsent(shard, s -> new Batch());
    batch.series.add(ts);
    batch.samples += ts.sampleCount();
    if (timestamp.isBefore(batch.minTimestamp)) {
      batch.minTimestamp = timestamp;
    }
    if (batch.samples >= maxSamplesPerBatch) {
      batches.remove(shard);
      out.output(KV.of(shard, batch.series));
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    for (Map.Entry<Integer, Batch> e : batches.entrySet()) {
      Batch batch = e.getValue();
      context.output(KV.of(e.getKey(), batch.series), batch.minTimestamp, GlobalWindow.INSTANCE);
    }
    batches = null;
  }
}
