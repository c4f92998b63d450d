package io.prombeam.examples;

import io.prombeam.metrics.PrometheusMetricsExporter;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.StringSet;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;

/**
 * A pipeline whose own Beam metrics go to Prometheus both ways at once: by remote write and through
 * a Pushgateway, with the driver-side {@link PrometheusMetricsExporter} (works on every runner). It
 * "parses" synthetic orders, counting good and bad ones, the order sizes (a distribution), the last
 * order id (a gauge) and the currencies seen (a string set).
 *
 * <pre>
 * java -cp ... io.prombeam.examples.BeamMetricsExample --runner=DirectRunner \
 *     --remoteWriteUrl=http://127.0.0.1:9090/api/v1/write --pushgatewayUrl=http://127.0.0.1:9091
 * </pre>
 */
public class BeamMetricsExample {

  public interface Options extends PipelineOptions {
    @Description("Remote-write URL for the pipeline's metrics (optional)")
    String getRemoteWriteUrl();

    void setRemoteWriteUrl(String value);

    @Description("Pushgateway base URL for the pipeline's metrics (optional)")
    String getPushgatewayUrl();

    void setPushgatewayUrl(String value);

    @Description("Number of synthetic orders")
    @Default.Long(100_000)
    long getNumOrders();

    void setNumOrders(long value);

    @Description("job label of the exported metrics")
    @Default.String("prombeam_metrics_example")
    String getMetricsJob();

    void setMetricsJob(String value);
  }

  static final String[] CURRENCIES = {"EUR", "USD", "JPY", "GBP"};

  /** Validates synthetic orders, instrumented with one Beam metric of each kind. */
  static final class ParseOrders extends DoFn<Long, Long> {
    private final Counter good = Metrics.counter("orders", "parsed");
    private final Counter bad = Metrics.counter("orders", "rejected");
    private final Distribution size = Metrics.distribution("orders", "items_per_order");
    private final Gauge lastId = Metrics.gauge("orders", "last_order_id");
    private final StringSet currencies = Metrics.stringSet("orders", "currencies");

    @ProcessElement
    public void process(@Element Long id, OutputReceiver<Long> out) {
      if (id % 97 == 0) {
        bad.inc();
        return;
      }
      good.inc();
      size.update(1 + id % 7);
      lastId.set(id);
      currencies.add(CURRENCIES[(int) (id % CURRENCIES.length)]);
      out.output(id);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    if (options.getRemoteWriteUrl() == null && options.getPushgatewayUrl() == null) {
      throw new IllegalArgumentException("give --remoteWriteUrl and/or --pushgatewayUrl");
    }
    Pipeline p = Pipeline.create(options);
    p.apply(GenerateSequence.from(0).to(options.getNumOrders()))
        .apply("ParseOrders", ParDo.of(new ParseOrders()));

    PrometheusMetricsExporter.Config config =
        PrometheusMetricsExporter.config(options.getMetricsJob())
            .withPeriod(Duration.standardSeconds(5));
    if (options.getRemoteWriteUrl() != null) {
      config = config.withRemoteWriteUrl(options.getRemoteWriteUrl());
    }
    if (options.getPushgatewayUrl() != null) {
      config = config.withPushgatewayUrl(options.getPushgatewayUrl());
    }
    PipelineResult result = p.run();
    PipelineResult.State state;
    try (PrometheusMetricsExporter exporter = PrometheusMetricsExporter.start(result, config)) {
      state = result.waitUntilFinish();
    }
    System.out.printf("BeamMetricsExample: %s; exported job %s:%n", state, options.getMetricsJob());
    for (MetricResult<Long> c : result.metrics().allMetrics().getCounters()) {
      System.out.printf(
          "  beam_%s_%s_total = %d%n",
          c.getName().getNamespace(), c.getName().getName(), c.getAttempted());
    }
  }
}
