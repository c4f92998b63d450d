package io.prombeam.aggregate;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.Labels;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The cardinality guard: per window and admission shard, admits label sets up to the shard's quota
 * and rewrites the rest to the overflow label set, so memory and series counts stay bounded. State
 * is scoped to (shard, window) and freed when the window expires.
 */
final class AdmitFn extends DoFn<KV<Integer, KV<Labels, Observation>>, KV<Labels, Observation>> {
  static final String OVERFLOW_LABEL = "prombeam_overflow";

  private final int[] quotas;
  private final Labels overflowLabels;
  private final @Nullable TupleTag<BadRecord> badTag;
  private final Counter overflowed = PrombeamCounter.AGGREGATE_OVERFLOW_ELEMENTS.counter();

  @StateId("admitted")
  private final StateSpec<MapState<Labels, Boolean>> admittedSpec =
      StateSpecs.map(io.prombeam.model.LabelsCoder.of(), BooleanCoder.of());

  @StateId("count")
  private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

  AdmitFn(int[] quotas, Labels overflowLabels, @Nullable TupleTag<BadRecord> badTag) {
    this.quotas = quotas;
    this.overflowLabels = overflowLabels;
    this.badTag = badTag;
  }

  static final TupleTag<KV<Labels, Observation>> MAIN =
      new TupleTag<KV<Labels, Observation>>("admitted") {};

  @ProcessElement
  public void process(
      @Element KV<Integer, KV<Labels, Observation>> e,
      @StateId("admitted") MapState<Labels, Boolean> admitted,
      @StateId("count") ValueState<Integer> count,
      MultiOutputReceiver out)
      throws Exception {
    KV<Labels, Observation> kv = e.getValue();
    Boolean known = admitted.get(kv.getKey()).read();
    if (known == null) {
      Integer n = count.read();
      int c = n == null ? 0 : n;
      if (c < quotas[e.getKey()]) {
        admitted.put(kv.getKey(), true);
        count.write(c + 1);
      } else {
        overflowed.inc();
        if (badTag != null) {
          out.get(badTag)
              .output(
                  BadRecord.fromExceptionInformation(
                      kv.getKey().toString(),
                      org.apache.beam.sdk.coders.StringUtf8Coder.of(),
                      null,
                      "cardinality guard: label set over maxSeriesPerWindow; its value went to the"
                          + " overflow series "
                          + overflowLabels));
        }
        out.get(MAIN).output(KV.of(overflowLabels, kv.getValue()));
        return;
      }
    }
    out.get(MAIN).output(kv);
  }
}
