package io.prombeam.examples;

import io.prombeam.PrometheusIO;
import io.prombeam.aggregate.GaugeReduction;
import io.prombeam.aggregate.PrometheusAggregate;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import io.prombeam.model.TimeSeries;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Read → aggregate → write: downsamples history. Raw samples of the series matching {@code
 * --selector} over the last {@code --historyMinutes} are read from {@code --sourceUrl} by remote
 * read, reduced to their maximum per series and {@code --resolutionMinutes} window, and written as
 * {@code prombeam_downsampled_max{metric="<original name>", ...}} to {@code --targetUrl}.
 *
 * <pre>
 * java -cp ... io.prombeam.examples.RoundTripExample --runner=DirectRunner \
 *     --sourceUrl=http://127.0.0.1:9090 --targetUrl=http://127.0.0.1:9091/api/v1/write \
 *     --selector='{job="api"}' --historyMinutes=60
 * </pre>
 */
public class RoundTripExample {
  public interface Options extends PipelineOptions {
    @Description("Prometheus to read from (base URL)")
    @Validation.Required
    String getSourceUrl();

    void setSourceUrl(String v);

    @Description("Remote-write URL to write the downsampled series to")
    @Validation.Required
    String getTargetUrl();

    void setTargetUrl(String v);

    @Description("Series selector to read, e.g. {job=\"api\"}")
    @Validation.Required
    String getSelector();

    void setSelector(String v);

    @Description("How many minutes of history to read")
    @Default.Integer(60)
    int getHistoryMinutes();

    void setHistoryMinutes(int v);

    @Default.Integer(1)
    int getResolutionMinutes();

    void setResolutionMinutes(int v);
  }

  /** Each raw sample becomes (labels with the name moved to "metric", value) at its own time. */
  static final class Explode extends DoFn<TimeSeries, KV<Map<String, String>, Double>> {
    @ProcessElement
    public void process(
        @Element TimeSeries ts, OutputReceiver<KV<Map<String, String>, Double>> out) {
      Map<String, String> labels = new LinkedHashMap<>(ts.labels().without("__name__").asMap());
      labels.put("metric", ts.metricName() == null ? "" : ts.metricName());
      for (int i = 0; i < ts.sampleCount(); i++) {
        if (!Double.isNaN(ts.value(i))) {
          out.outputWithTimestamp(KV.of(labels, ts.value(i)), new Instant(ts.timestamp(i)));
        }
      }
    }

    @Override
    @SuppressWarnings("deprecation") // samples are older than their series' element timestamp
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE / 4);
    }
  }

  public static PipelineResult run(Options o) {
    long now = System.currentTimeMillis();
    Pipeline p = Pipeline.create(o);
    p.apply(
            "Read",
            PrometheusIO.remoteRead()
                .withUrl(o.getSourceUrl())
                .withSelector(o.getSelector())
                .withTimeRange(
                    new Instant(now - o.getHistoryMinutes() * 60_000L), new Instant(now)))
        .apply("Explode", ParDo.of(new Explode()))
        .setCoder(
            KvCoder.of(MapCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), DoubleCoder.of()))
        .apply(
            "Windows",
            Window.into(FixedWindows.of(Duration.standardMinutes(o.getResolutionMinutes()))))
        .apply(
            "Max",
            PrometheusAggregate.<KV<Map<String, String>, Double>>gauge("prombeam_downsampled_max")
                .withLabels(KV::getKey)
                .withValue(KV::getValue)
                .withReduction(GaugeReduction.MAX)
                .withHelp(
                    "Maximum of the original series per window, by prombeam's RoundTripExample."))
        .apply("Write", PrometheusIO.remoteWrite().withUrl(o.getTargetUrl()));
    return p.run();
  }

  public static void main(String[] args) {
    Options o = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    PipelineResult r = run(o);
    PipelineResult.State state = r.waitUntilFinish();
    System.out.printf(
        "RoundTripExample: %s: read %d series / %d samples from %s, wrote %d downsampled samples"
            + " (%d failed) to %s%n",
        state,
        PrombeamCounters.get(r, PrombeamCounter.REMOTE_READ_SERIES),
        PrombeamCounters.get(r, PrombeamCounter.REMOTE_READ_SAMPLES),
        o.getSourceUrl(),
        PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT),
        PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED),
        o.getTargetUrl());
  }
}
