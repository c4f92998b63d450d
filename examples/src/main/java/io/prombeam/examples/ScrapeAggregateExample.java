package io.prombeam.examples;

import io.prombeam.PrometheusIO;
import io.prombeam.aggregate.GaugeReduction;
import io.prombeam.aggregate.PrometheusAggregate;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import io.prombeam.model.TimeSeries;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Scrape → windowed aggregation → remote write: scrapes node exporters every few seconds and
 * writes, per instance and {@code --windowSeconds} window, the highest 1-minute load average as
 * {@code prombeam_node_load1_max}, and how many scrapes failed as the counter {@code
 * prombeam_scrapes_failed_total}. Runs for {@code --runSeconds}.
 *
 * <pre>
 * java -cp ... io.prombeam.examples.ScrapeAggregateExample --runner=DirectRunner \
 *     --targets=http://127.0.0.1:9100/metrics --remoteWriteUrl=http://127.0.0.1:9090/api/v1/write
 * </pre>
 */
public class ScrapeAggregateExample {
  /** Shares --remoteWriteUrl with the other demos (Beam forbids two definitions of one option). */
  public interface Options extends DemoOptions {
    @Description("Comma-separated node-exporter metrics URLs")
    @Validation.Required
    String getTargets();

    void setTargets(String v);

    @Default.Integer(2)
    int getScrapeSeconds();

    void setScrapeSeconds(int v);

    @Default.Integer(10)
    int getWindowSeconds();

    void setWindowSeconds(int v);

    @Default.Integer(60)
    int getRunSeconds();

    void setRunSeconds(int v);
  }

  public static PipelineResult run(Options o) {
    Instant start = Instant.now().plus(Duration.standardSeconds(1));
    Pipeline p = Pipeline.create(o);
    var scraped =
        p.apply(
                "Scrape",
                PrometheusIO.scrape()
                    .withTargets("node", o.getTargets().split(","))
                    .withInterval(Duration.standardSeconds(o.getScrapeSeconds()))
                    .withTimeout(Duration.standardSeconds(Math.min(o.getScrapeSeconds(), 5)))
                    .withStartAt(start)
                    .withStopAt(start.plus(Duration.standardSeconds(o.getRunSeconds()))))
            .apply(
                "Windows",
                Window.into(FixedWindows.of(Duration.standardSeconds(o.getWindowSeconds()))));
    var load =
        scraped
            .apply("Load1", Filter.by((TimeSeries ts) -> "node_load1".equals(ts.metricName())))
            .apply(
                "MaxLoad",
                PrometheusAggregate.<TimeSeries>gauge("prombeam_node_load1_max")
                    .withLabels(ts -> Map.of("instance", ts.labels().get("instance")))
                    .withValue(ts -> ts.value(0))
                    .withReduction(GaugeReduction.MAX));
    var failures =
        scraped
            .apply(
                "Down",
                Filter.by((TimeSeries ts) -> "up".equals(ts.metricName()) && ts.value(0) == 0))
            .apply(
                "FailedScrapes",
                PrometheusAggregate.<TimeSeries>counter("prombeam_scrapes_failed_total")
                    .withLabels(ts -> Map.of("instance", ts.labels().get("instance"))));
    org.apache.beam.sdk.values.PCollectionList.of(load)
        .and(failures)
        .apply(org.apache.beam.sdk.transforms.Flatten.pCollections())
        .apply("Write", PrometheusIO.remoteWrite().withUrl(o.getRemoteWriteUrl()));
    return p.run();
  }

  public static void main(String[] args) {
    Options o = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    PipelineResult r = run(o);
    PipelineResult.State state = r.waitUntilFinish();
    System.out.printf(
        "ScrapeAggregateExample: %s: %d scrapes (%d failed), %d samples scraped, %d aggregated"
            + " samples written (%d failed)%n",
        state,
        PrombeamCounters.get(r, PrombeamCounter.SCRAPES),
        PrombeamCounters.get(r, PrombeamCounter.SCRAPES_FAILED),
        PrombeamCounters.get(r, PrombeamCounter.SCRAPE_SAMPLES),
        PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT),
        PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED));
  }
}
