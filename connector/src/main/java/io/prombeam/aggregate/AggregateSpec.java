package io.prombeam.aggregate;

import com.google.auto.value.AutoValue;
import io.prombeam.model.Labels;
import io.prombeam.model.LabelsCoder;
import io.prombeam.model.MetricType;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * What a {@link MetricAggregate} does, whatever its kind: the immutable settings and the expansion.
 * The typed transforms in front of it offer each kind only the options that fit it.
 */
@AutoValue
abstract class AggregateSpec<T> extends PTransform<PCollection<T>, PCollection<TimeSeries>> {
  private static final long serialVersionUID = 1L;

  abstract String metric();

  abstract Kind kind();

  abstract @Nullable SerializableFunction<T, Map<String, String>> labelsFn();

  abstract @Nullable SerializableFunction<T, Double> valueFn();

  abstract @Nullable SerializableFunction<T, String> traceIdFn();

  abstract Map<String, String> constantLabels();

  abstract String help();

  abstract GaugeReduction reduction();

  abstract double[] buckets();

  abstract double[] quantiles();

  abstract int maxExactValues();

  abstract boolean cumulativeHistogram();

  abstract int nativeSchema();

  abstract int nativeMaxBuckets();

  abstract double nativeZeroThreshold();

  abstract int maxSeriesPerWindow();

  abstract LatePanePolicy latePanePolicy();

  abstract @Nullable Duration staleAfter();

  abstract boolean createdSeries();

  abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder<T> toBuilder();

  static <T> AggregateSpec<T> create(String metric, Kind kind) {
    return new AutoValue_AggregateSpec.Builder<T>()
        .setMetric(metric)
        .setKind(kind)
        .setConstantLabels(Collections.emptyMap())
        .setHelp("")
        .setReduction(GaugeReduction.LAST)
        .setBuckets(new double[0])
        .setQuantiles(new double[0])
        .setMaxExactValues(Accumulators.QuantilesFn.DEFAULT_MAX_EXACT_VALUES)
        .setCumulativeHistogram(true)
        .setNativeSchema(NativeBuckets.DEFAULT_SCHEMA)
        .setNativeMaxBuckets(NativeBuckets.DEFAULT_MAX_BUCKETS)
        .setNativeZeroThreshold(NativeBuckets.DEFAULT_ZERO_THRESHOLD)
        .setMaxSeriesPerWindow(0)
        .setLatePanePolicy(LatePanePolicy.EMIT_AFTER_LATEST)
        .setCreatedSeries(false)
        .build();
  }

  /** The label set of an element (besides {@code __name__} and constant labels). */
  AggregateSpec<T> withLabels(SerializableFunction<T, Map<String, String>> fn) {
    return toBuilder().setLabelsFn(fn).build();
  }

  /** The value an element contributes (counters: default 1 per element). */
  AggregateSpec<T> withValue(SerializableFunction<T, Double> fn) {
    return toBuilder().setValueFn(fn).build();
  }

  /** Labels added to every series, e.g. {@code job}. */
  AggregateSpec<T> withConstantLabels(Map<String, String> labels) {
    return toBuilder()
        .setConstantLabels(Collections.unmodifiableMap(new LinkedHashMap<>(labels)))
        .build();
  }

  /** The metric family's help text. */
  AggregateSpec<T> withHelp(String help) {
    return toBuilder().setHelp(help).build();
  }

  /** Gauges only: how a window's values reduce to one (default {@link GaugeReduction#LAST}). */
  AggregateSpec<T> withReduction(GaugeReduction r) {
    return toBuilder().setReduction(r).build();
  }

  /** Native histograms only: each bucket's latest observation with a trace id, as an exemplar. */
  AggregateSpec<T> withExemplars(SerializableFunction<T, String> traceIdFn) {
    return toBuilder().setTraceIdFn(traceIdFn).build();
  }

  /** Native histograms only: the starting schema, −4..8 (resolution 2^(2^-schema)). */
  AggregateSpec<T> withNativeSchema(int schema) {
    if (schema < NativeHistogram.MIN_SCHEMA || schema > NativeHistogram.MAX_SCHEMA) {
      throw new IllegalArgumentException(
          "native histogram " + metric() + ": schema must lie in -4..8, got " + schema);
    }
    return toBuilder().setNativeSchema(schema).build();
  }

  /** Native histograms only: the most buckets in use before the resolution is halved. */
  AggregateSpec<T> withNativeMaxBuckets(int n) {
    if (n < 1) {
      throw new IllegalArgumentException(
          "native histogram " + metric() + ": maxBuckets must be positive, got " + n);
    }
    return toBuilder().setNativeMaxBuckets(n).build();
  }

  /** Native histograms only: observations with |v| at most this count in the zero bucket. */
  AggregateSpec<T> withNativeZeroThreshold(double t) {
    if (!(t >= 0) || Double.isInfinite(t)) {
      throw new IllegalArgumentException(
          "native histogram " + metric() + ": zero threshold must be finite and >= 0, got " + t);
    }
    return toBuilder().setNativeZeroThreshold(t).build();
  }

  /** Histograms only: bucket counts per window instead of cumulative across windows. */
  AggregateSpec<T> withPerWindowCounts() {
    return toBuilder().setCumulativeHistogram(false).build();
  }

  /**
   * At most {@code n} label sets per window; the values of any further label set go to the overflow
   * series ({@code prombeam_overflow="true"} plus the constant labels), and are counted and
   * reported to the bad-record handler. Default 0: no limit (0 turns a limit off everywhere).
   */
  AggregateSpec<T> withMaxSeriesPerWindow(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxSeriesPerWindow must not be negative, got " + n);
    }
    return toBuilder().setMaxSeriesPerWindow(n).build();
  }

  /** What to do with late panes of a window (default: see {@link LatePanePolicy}). */
  AggregateSpec<T> withLatePanePolicy(LatePanePolicy p) {
    return toBuilder().setLatePanePolicy(p).build();
  }

  /**
   * After {@code gap} of event time without a new sample, write stale markers for the label set, so
   * Prometheus ends its series at once instead of after its 5 minute lookback.
   */
  AggregateSpec<T> withStaleAfter(Duration gap) {
    if (gap == null || gap.getMillis() <= 0) {
      throw new IllegalArgumentException("staleAfter must be positive, got " + gap);
    }
    return toBuilder().setStaleAfter(gap).build();
  }

  /** Summaries only: values kept exactly per window before a t-digest takes over; 0: all. */
  AggregateSpec<T> withMaxExactValues(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxExactValues must not be negative, got " + n);
    }
    return toBuilder().setMaxExactValues(n).build();
  }

  /** Counters only: also emit {@code <name without _total>_created} (Unix seconds). */
  AggregateSpec<T> withCreatedSeries() {
    return toBuilder().setCreatedSeries(true).build();
  }

  /**
   * Elements that cannot become samples, and label sets over the cardinality guard, go to this
   * dead-letter handler. Without one, such an element fails the pipeline.
   */
  AggregateSpec<T> withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  @Override
  public PCollection<TimeSeries> expand(PCollection<T> input) {
    validate(input.getWindowingStrategy());
    TupleTag<BadRecord> badTag =
        badRecordErrorHandler() == null ? null : new TupleTag<BadRecord>() {};
    PCollectionTuple extracted =
        input.apply(
            "Extract",
            ParDo.of(
                    new ExtractFn<>(
                        metric(),
                        kind(),
                        labelsFn(),
                        valueFn(),
                        traceIdFn(),
                        constantLabels(),
                        badTag,
                        input.getCoder()))
                .withOutputTags(
                    ExtractFn.MAIN,
                    badTag == null ? TupleTagList.empty() : TupleTagList.of(badTag)));
    KvCoder<Labels, Observation> obsCoder =
        KvCoder.of(
            LabelsCoder.of(),
            traceIdFn() == null
                ? Observation.ObservationCoder.INSTANCE
                : Observation.TracedObservationCoder.INSTANCE);
    PCollection<KV<Labels, Observation>> obs = extracted.get(ExtractFn.MAIN).setCoder(obsCoder);
    if (badTag != null) {
      badRecordErrorHandler()
          .addErrorCollection(
              extracted.get(badTag).setCoder(BadRecord.getCoder(input.getPipeline())));
    }
    if (maxSeriesPerWindow() > 0) {
      obs = guard(obs, obsCoder);
    }

    String help = help().isEmpty() ? metric() + " aggregated by prombeam" : help();
    PCollectionList<TimeSeries> outputs;
    switch (kind()) {
      case COUNTER:
        outputs =
            PCollectionList.of(
                cumulative(
                    "Counter",
                    obs,
                    Accumulators.SumFn.counter(),
                    new Renderer.Single(MetricType.COUNTER, help)));
        break;
      case GAUGE:
        outputs =
            PCollectionList.of(
                perWindow(
                    "Gauge",
                    obs,
                    new Accumulators.GaugeFn(reduction()),
                    new Renderer.Single(MetricType.GAUGE, help)));
        break;
      case HISTOGRAM:
        outputs =
            PCollectionList.of(
                cumulativeHistogram()
                    ? cumulative(
                        "Histogram",
                        obs,
                        Accumulators.SumFn.histogram(buckets()),
                        new Renderer.Histogram(buckets(), MetricType.HISTOGRAM, help))
                    : perWindow(
                        "Histogram",
                        obs,
                        Accumulators.SumFn.histogram(buckets()),
                        new Renderer.Histogram(buckets(), MetricType.GAUGEHISTOGRAM, help)));
        break;
      case NATIVE_HISTOGRAM:
        outputs = PCollectionList.of(nativeHistograms(obs, help));
        break;
      case SUMMARY:
        String sumName = metric() + "_sum";
        PCollection<KV<Labels, Observation>> renamed =
            obs.apply(
                    "SumKey",
                    MapElements.into(
                            TypeDescriptors.kvs(
                                TypeDescriptor.of(Labels.class),
                                TypeDescriptor.of(Observation.class)))
                        .via(
                            kv ->
                                KV.of(
                                    kv.getKey().with(Labels.METRIC_NAME, sumName), kv.getValue())))
                .setCoder(obsCoder);
        outputs =
            PCollectionList.of(
                    perWindow(
                        "Quantiles",
                        obs,
                        new Accumulators.QuantilesFn(quantiles(), maxExactValues()),
                        new Renderer.Quantiles(quantiles(), help)))
                .and(
                    cumulative(
                        "SumCount",
                        renamed,
                        Accumulators.SumFn.sumAndCount(),
                        new Renderer.SumCount(help)));
        break;
      default:
        throw new IllegalStateException(kind().toString());
    }
    return outputs.apply("Series", Flatten.pCollections()).setCoder(TimeSeriesCoder.of());
  }

  /** Running totals of what {@code fn} combines per window, kept in state across windows. */
  private PCollection<TimeSeries> cumulative(
      String name,
      PCollection<KV<Labels, Observation>> obs,
      Combine.CombineFn<Observation, ?, double[]> fn,
      Renderer renderer) {
    return emit(name, toPanes(name, deltas(name, obs), fn), renderer, true);
  }

  /**
   * Running totals: panes become deltas (discarding), sliding windows become fixed windows of their
   * period (an event must be counted once, not once per overlapping window), totals live in state.
   */
  private PCollection<KV<Labels, Observation>> deltas(
      String name, PCollection<KV<Labels, Observation>> obs) {
    WindowingStrategy<?, ?> ws = obs.getWindowingStrategy();
    WindowFn<?, ?> wf = ws.getWindowFn();
    PCollection<KV<Labels, Observation>> w = obs;
    if (wf instanceof SlidingWindows) {
      SlidingWindows s = (SlidingWindows) wf;
      w =
          w.apply(
                  name + "/OnceEach",
                  ParDo.of(new OnePeriodFn(s.getPeriod().getMillis(), s.getOffset().getMillis())))
              .setCoder(obs.getCoder())
              .apply(
                  name + "/SlidesToPeriods",
                  Window.<KV<Labels, Observation>>into(
                      FixedWindows.of(s.getPeriod()).withOffset(s.getOffset())));
    }
    return w.apply(
        name + "/Deltas",
        Window.<KV<Labels, Observation>>configure()
            .triggering(ws.getTrigger())
            .withAllowedLateness(ws.getAllowedLateness(), ws.getClosingBehavior())
            .discardingFiredPanes());
  }

  private PCollection<TimeSeries> perWindow(
      String name,
      PCollection<KV<Labels, Observation>> obs,
      Combine.CombineFn<Observation, ?, double[]> fn,
      Renderer renderer) {
    return emit(name, toPanes(name, obs, fn), renderer, false);
  }

  /** Combines per key and window, and captures each window as a pane. */
  private static PCollection<KV<Labels, Pane>> toPanes(
      String name,
      PCollection<KV<Labels, Observation>> obs,
      Combine.CombineFn<Observation, ?, double[]> fn) {
    return obs.apply(name + "/Combine", Combine.perKey(fn))
        .setCoder(KvCoder.of(LabelsCoder.of(), Accumulators.DoubleArrayCoder.INSTANCE))
        .apply(name + "/Pane", ParDo.of(new ToPaneFn()));
  }

  /** Native histograms: combined buckets and exemplars per key and window, as panes. */
  private PCollection<TimeSeries> nativeHistograms(
      PCollection<KV<Labels, Observation>> obs, String help) {
    String name = "NativeHistogram";
    boolean running = cumulativeHistogram();
    PCollection<KV<Labels, Pane>> panes =
        (running ? deltas(name, obs) : obs)
            .apply(
                name + "/Combine",
                Combine.perKey(
                    new NativeBuckets.CombineFn(
                        nativeSchema(), nativeMaxBuckets(), nativeZeroThreshold())))
            .setCoder(KvCoder.of(LabelsCoder.of(), NativeBuckets.OutCoder.INSTANCE))
            .apply(name + "/Pane", ParDo.of(new ToPaneFn.OfNative()));
    Renderer renderer =
        new Renderer.Native(
            nativeZeroThreshold(),
            nativeMaxBuckets(),
            running ? MetricType.HISTOGRAM : MetricType.GAUGEHISTOGRAM,
            help);
    return emit(name, panes, renderer, running);
  }

  private PCollection<TimeSeries> emit(
      String name, PCollection<KV<Labels, Pane>> panes, Renderer renderer, boolean cumulative) {
    return panes
        .setCoder(KvCoder.of(LabelsCoder.of(), Pane.PaneCoder.INSTANCE))
        .apply(name + "/GlobalWindow", Window.<KV<Labels, Pane>>into(new GlobalWindows()))
        .apply(
            name + "/Emit",
            ParDo.of(
                new EmitFn(renderer, cumulative, latePanePolicy(), staleAfter(), createdSeries())))
        .setCoder(TimeSeriesCoder.of());
  }

  /** Shards admission ~1000 label sets each; exact for n <= 1000. */
  private PCollection<KV<Labels, Observation>> guard(
      PCollection<KV<Labels, Observation>> obs, KvCoder<Labels, Observation> coder) {
    int n = maxSeriesPerWindow();
    int shards = Math.max(1, Math.min(64, (n + 999) / 1000));
    int[] quotas = new int[shards];
    for (int i = 0; i < shards; i++) {
      quotas[i] = n / shards + (i < n % shards ? 1 : 0);
    }
    Labels.Builder ob = Labels.builder().add(Labels.METRIC_NAME, metric()).addAll(constantLabels());
    Labels overflow = ob.add(AdmitFn.OVERFLOW_LABEL, "true").build();
    TupleTag<BadRecord> badTag =
        badRecordErrorHandler() == null ? null : new TupleTag<BadRecord>() {};
    final int s = shards;
    PCollectionTuple admitted =
        obs.apply(
                "Guard/Shard",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(), coder.getEncodedTypeDescriptor()))
                    .via(kv -> KV.of(Math.floorMod(kv.getKey().hashCode() * 0x9E3779B9, s), kv)))
            .setCoder(KvCoder.of(VarIntCoder.of(), coder))
            .apply(
                "Guard/Admit",
                ParDo.of(new AdmitFn(quotas, overflow, badTag))
                    .withOutputTags(
                        AdmitFn.MAIN,
                        badTag == null ? TupleTagList.empty() : TupleTagList.of(badTag)));
    if (badTag != null) {
      badRecordErrorHandler()
          .addErrorCollection(admitted.get(badTag).setCoder(BadRecord.getCoder(obs.getPipeline())));
    }
    return admitted.get(AdmitFn.MAIN).setCoder(coder);
  }

  private void validate(WindowingStrategy<?, ?> ws) {
    String what = kind().name().toLowerCase() + " " + metric();
    if (!SeriesValidator.isValidMetricName(metric())) {
      throw new IllegalArgumentException(
          what + ": metric names must match [a-zA-Z_:][a-zA-Z0-9_:]*");
    }
    for (String l : constantLabels().keySet()) {
      if (!SeriesValidator.isValidLabelName(l) || l.startsWith("__")) {
        throw new IllegalArgumentException(
            what + ": constant label \"" + l + "\" is not a valid label name");
      }
    }
    if (kind() != Kind.COUNTER && valueFn() == null) {
      throw new IllegalArgumentException(what + ": withValue(...) is required");
    }
    if (maxSeriesPerWindow() > 0 && !ws.getWindowFn().isNonMerging()) {
      throw new IllegalArgumentException(
          what
              + ": withMaxSeriesPerWindow needs non-merging windows (Beam state is not available"
              + " with sessions)");
    }
  }

  @Override
  public void populateDisplayData(DisplayData.Builder b) {
    super.populateDisplayData(b);
    b.add(DisplayData.item("metric", metric()).withLabel("Metric"))
        .add(DisplayData.item("kind", kind().name()).withLabel("Kind"))
        .add(
            DisplayData.item("latePanePolicy", latePanePolicy().name())
                .withLabel("Late pane policy"));
    if (kind() == Kind.HISTOGRAM) {
      b.add(DisplayData.item("buckets", Arrays.toString(buckets())).withLabel("Buckets"));
    }
    if (kind() == Kind.NATIVE_HISTOGRAM) {
      b.add(DisplayData.item("schema", nativeSchema()).withLabel("Starting schema"))
          .add(DisplayData.item("maxBuckets", nativeMaxBuckets()).withLabel("Max buckets"))
          .add(
              DisplayData.item("zeroThreshold", nativeZeroThreshold()).withLabel("Zero threshold"));
    }
    if (kind() == Kind.SUMMARY) {
      b.add(DisplayData.item("quantiles", Arrays.toString(quantiles())).withLabel("Quantiles"));
      b.add(DisplayData.item("maxExactValues", maxExactValues()).withLabel("Values kept exactly"));
    }
    if (maxSeriesPerWindow() > 0) {
      b.add(
          DisplayData.item("maxSeriesPerWindow", maxSeriesPerWindow())
              .withLabel("Max series per window"));
    }
    if (staleAfter() != null) {
      b.add(DisplayData.item("staleAfter", staleAfter()).withLabel("Stale after"));
    }
  }

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setMetric(String m);

    abstract Builder<T> setKind(Kind k);

    abstract Builder<T> setLabelsFn(@Nullable SerializableFunction<T, Map<String, String>> f);

    abstract Builder<T> setValueFn(@Nullable SerializableFunction<T, Double> f);

    abstract Builder<T> setTraceIdFn(@Nullable SerializableFunction<T, String> f);

    abstract Builder<T> setConstantLabels(Map<String, String> l);

    abstract Builder<T> setHelp(String h);

    abstract Builder<T> setReduction(GaugeReduction r);

    abstract Builder<T> setBuckets(double[] b);

    abstract Builder<T> setQuantiles(double[] q);

    abstract Builder<T> setMaxExactValues(int n);

    abstract Builder<T> setCumulativeHistogram(boolean c);

    abstract Builder<T> setNativeSchema(int s);

    abstract Builder<T> setNativeMaxBuckets(int n);

    abstract Builder<T> setNativeZeroThreshold(double t);

    abstract Builder<T> setMaxSeriesPerWindow(int n);

    abstract Builder<T> setLatePanePolicy(LatePanePolicy p);

    abstract Builder<T> setStaleAfter(@Nullable Duration d);

    abstract Builder<T> setCreatedSeries(boolean c);

    abstract Builder<T> setBadRecordErrorHandler(@Nullable ErrorHandler<BadRecord, ?> h);

    abstract AggregateSpec<T> build();
  }
}
