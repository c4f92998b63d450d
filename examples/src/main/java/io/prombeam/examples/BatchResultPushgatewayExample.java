package io.prombeam.examples;

import io.prombeam.PrometheusIO;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.pushgateway.PushResult;
import io.prombeam.pushgateway.PushSummary;
import io.prombeam.sink.WriteFailure;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The classic Pushgateway use: a batch job reports its result when it ends. This nightly "billing"
 * job sums synthetic invoices and pushes, per region (a grouping label, so each region is its own
 * group), the total billed, the invoice count and the time it finished.
 *
 * <pre>
 * java -cp ... io.prombeam.examples.BatchResultPushgatewayExample \
 *     --pushgatewayUrl=http://127.0.0.1:9091 --runner=DirectRunner
 * </pre>
 */
public class BatchResultPushgatewayExample {
  public interface Options extends PipelineOptions {
    @Description("Pushgateway base URL")
    @Validation.Required
    String getPushgatewayUrl();

    void setPushgatewayUrl(String value);

    @Default.Long(50_000)
    long getNumInvoices();

    void setNumInvoices(long value);
  }

  public static final String[] REGIONS = {"eu-west", "us-east", "ap-south"};

  static String region(long i) {
    return REGIONS[(int) (i % REGIONS.length)];
  }

  public static double amount(long i) {
    return (i % 1000) / 10.0;
  }

  /** One series per region and metric, at the job's end. */
  static final class ToSeries
      extends DoFn<org.apache.beam.sdk.values.KV<String, Double>, TimeSeries> {
    private final String metric;
    private final MetricType type;
    private final String help;

    ToSeries(String metric, MetricType type, String help) {
      this.metric = metric;
      this.type = type;
      this.help = help;
    }

    @ProcessElement
    public void process(
        @Element org.apache.beam.sdk.values.KV<String, Double> kv, OutputReceiver<TimeSeries> out) {
      long now = System.currentTimeMillis();
      out.output(
          TimeSeries.builder(metric)
              .label("region", kv.getKey())
              .sample(now, kv.getValue())
              .type(type)
              .help(help)
              .build());
      if (metric.equals("billing_invoices")) {
        out.output(
            TimeSeries.builder("billing_last_success_timestamp_seconds")
                .label("region", kv.getKey())
                .sample(now, now / 1000.0)
                .type(MetricType.GAUGE)
                .help("When the billing run last succeeded.")
                .build());
      }
    }
  }

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    Pipeline p = Pipeline.create(options);
    PCollection<Long> invoices = p.apply(GenerateSequence.from(0).to(options.getNumInvoices()));
    PCollection<org.apache.beam.sdk.values.KV<String, Double>> amounts =
        invoices.apply(
            "ByRegion",
            MapElements.into(
                    org.apache.beam.sdk.values.TypeDescriptors.kvs(
                        org.apache.beam.sdk.values.TypeDescriptors.strings(),
                        org.apache.beam.sdk.values.TypeDescriptors.doubles()))
                .via((Long i) -> org.apache.beam.sdk.values.KV.of(region(i), amount(i))));
    PCollection<TimeSeries> totals =
        amounts
            .apply("Total", Sum.doublesPerKey())
            .apply(
                "TotalSeries",
                ParDo.of(
                    new ToSeries(
                        "billing_amount_total",
                        MetricType.GAUGE,
                        "Amount billed by the last run.")));
    PCollection<TimeSeries> counts =
        amounts
            .apply("Count", Count.perKey())
            .apply(
                "AsDouble",
                MapElements.into(
                        org.apache.beam.sdk.values.TypeDescriptors.kvs(
                            org.apache.beam.sdk.values.TypeDescriptors.strings(),
                            org.apache.beam.sdk.values.TypeDescriptors.doubles()))
                    .via(
                        kv ->
                            org.apache.beam.sdk.values.KV.of(kv.getKey(), (double) kv.getValue())))
            .apply(
                "CountSeries",
                ParDo.of(
                    new ToSeries(
                        "billing_invoices", MetricType.GAUGE, "Invoices billed by the last run.")));
    PushResult pushed =
        PCollectionList.of(totals)
            .and(counts)
            .apply(Flatten.pCollections())
            .apply(
                PrometheusIO.pushgateway()
                    .withUrl(options.getPushgatewayUrl())
                    .withJob("billing_batch")
                    .withGroupingLabels("region"));
    pushed
        .getSuccesses()
        .apply(
            "PrintPushes",
            MapElements.into(TypeDescriptor.of(String.class))
                .via(
                    (PushSummary s) -> {
                      System.out.println("pushed " + s);
                      return s.toString();
                    }));
    pushed
        .getFailures()
        .apply(
            "PrintFailures",
            MapElements.into(TypeDescriptor.of(String.class))
                .via(
                    (WriteFailure f) -> {
                      System.err.println("NOT pushed: " + f);
                      return f.toString();
                    }));
    PipelineResult.State state = p.run().waitUntilFinish();
    System.out.println(
        "BatchResultPushgatewayExample: "
            + state
            + ", "
            + options.getNumInvoices()
            + " invoices, pushed groups "
            + List.of(REGIONS)
            + " of job billing_batch to "
            + options.getPushgatewayUrl());
  }
}
