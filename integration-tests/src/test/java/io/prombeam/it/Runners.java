package io.prombeam.it;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;

/** Pipeline options for the runners every integration test runs on, and an in-JVM collector. */
final class Runners {
  private Runners() {}

  static final String DIRECT = "DirectRunner";
  static final String FLINK_LOCAL = "FlinkRunner[local]";

  static List<Object[]> all() {
    List<Object[]> out = new ArrayList<>();
    out.add(new Object[] {DIRECT});
    out.add(new Object[] {FLINK_LOCAL});
    return out;
  }

  static PipelineOptions options(String runner, String... extra) {
    List<String> args = new ArrayList<>();
    if (runner.equals(DIRECT)) {
      args.add("--runner=DirectRunner");
      args.add("--targetParallelism=2");
    } else if (runner.equals(FLINK_LOCAL)) {
      args.add("--runner=FlinkRunner");
      args.add("--flinkMaster=[local]");
      args.add("--parallelism=2");
    } else {
      throw new IllegalArgumentException(runner);
    }
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
  }

  /**
   * Collects elements into a static queue by key. Works on DirectRunner and embedded Flink, which
   * run the pipeline inside the test JVM.
   */
  static final class Collect<T> extends DoFn<T, Void> {
    static final Map<String, Collection<Object>> BINS = new ConcurrentHashMap<>();
    private final String bin;

    Collect(String bin) {
      this.bin = bin;
    }

    @ProcessElement
    public void process(@Element T element) {
      BINS.computeIfAbsent(bin, k -> new ConcurrentLinkedQueue<>()).add(element);
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> get(String bin) {
      return new ArrayList<>((Collection<T>) (Collection<?>) BINS.getOrDefault(bin, List.of()));
    }
  }
}
