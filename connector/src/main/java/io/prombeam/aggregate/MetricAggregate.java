package io.prombeam.aggregate;

import io.prombeam.model.TimeSeries;
import java.util.Map;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * Aggregates any {@code PCollection<T>} into Prometheus series per window and label set: the
 * options every metric kind has. Each kind's own transform ({@link CounterAggregate}, {@link
 * GaugeAggregate}, {@link HistogramAggregate}, {@link SummaryAggregate}) adds the options that fit
 * it only, so an option that does not fit a kind does not compile. Create them with {@link
 * PrometheusAggregate}; see docs/aggregation.md for the rules they follow.
 *
 * @param <T> the elements aggregated
 * @param <SelfT> the kind's own transform, returned by every {@code with*} method
 */
public abstract class MetricAggregate<T, SelfT extends MetricAggregate<T, SelfT>>
    extends PTransform<PCollection<T>, PCollection<TimeSeries>> {
  private static final long serialVersionUID = 1L;

  final AggregateSpec<T> spec;

  MetricAggregate(AggregateSpec<T> spec) {
    this.spec = spec;
  }

  /** The same kind of transform with other settings. */
  abstract SelfT with(AggregateSpec<T> spec);

  /** The label set of an element (besides {@code __name__} and constant labels). */
  public SelfT withLabels(SerializableFunction<T, Map<String, String>> fn) {
    return with(spec.withLabels(fn));
  }

  /** The value an element contributes (counters: default 1 per element). */
  public SelfT withValue(SerializableFunction<T, Double> fn) {
    return with(spec.withValue(fn));
  }

  /** Labels added to every series, e.g. {@code job}. */
  public SelfT withConstantLabels(Map<String, String> labels) {
    return with(spec.withConstantLabels(labels));
  }

  /** The metric family's help text. */
  public SelfT withHelp(String help) {
    return with(spec.withHelp(help));
  }

  /**
   * At most {@code n} label sets per window; the values of any further label set go to the overflow
   * series ({@code prombeam_overflow="true"} plus the constant labels), and are counted and
   * reported to the bad-record handler. Default 0: no limit (0 turns a limit off everywhere).
   */
  public SelfT withMaxSeriesPerWindow(int n) {
    return with(spec.withMaxSeriesPerWindow(n));
  }

  /** What to do with late panes of a window (default: see {@link LatePanePolicy}). */
  public SelfT withLatePanePolicy(LatePanePolicy policy) {
    return with(spec.withLatePanePolicy(policy));
  }

  /**
   * After {@code gap} of event time without a new sample, write stale markers for the label set, so
   * Prometheus ends its series at once instead of after its 5 minute lookback.
   */
  public SelfT withStaleAfter(Duration gap) {
    return with(spec.withStaleAfter(gap));
  }

  /**
   * Elements that cannot become samples, and label sets over the cardinality guard, go to this
   * dead-letter handler. Without one, such an element fails the pipeline.
   */
  public SelfT withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    return with(spec.withBadRecordErrorHandler(handler));
  }

  @Override
  public PCollection<TimeSeries> expand(PCollection<T> input) {
    return spec.expand(input);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    spec.populateDisplayData(builder);
  }
}
