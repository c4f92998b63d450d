package io.prombeam.metrics;

import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.StringSetResult;

/**
 * Maps a pipeline's Beam metrics to Prometheus series; the one mapping behind both {@link
 * PrometheusMetricsSink} and {@link PrometheusMetricsExporter}. See docs/beam-metrics.md.
 *
 * <table>
 *   <tr><th>Beam</th><th>Prometheus</th></tr>
 *   <tr><td>Counter</td><td>counter {@code <prefix>_<namespace>_<name>_total}</td></tr>
 *   <tr><td>Distribution</td><td>summary {@code _count}, {@code _sum}; gauges {@code _min}, {@code _max}</td></tr>
 *   <tr><td>Gauge</td><td>gauge {@code <prefix>_<namespace>_<name>}, at the gauge's own timestamp</td></tr>
 *   <tr><td>StringSet</td><td>gauge {@code <prefix>_<namespace>_<name>_info} = 1 per string (label {@code value})</td></tr>
 * </table>
 *
 * <p>Every series has the labels {@code job}, {@code namespace} and (when known) {@code step}.
 * Names are sanitized deterministically (every character outside {@code [a-zA-Z0-9_:]} becomes
 * {@code _}, a leading digit gets a {@code _}); two Beam metrics that map to the same Prometheus
 * name are a collision: the first in sorted order is kept, the other reported, never merged.
 */
final class BeamMetricsMapping implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MAX_STRINGSET_VALUES = 100;

  private final String prefix;
  private final String job;
  private final int maxStringSetValues;

  public BeamMetricsMapping(String prefix, String job, int maxStringSetValues) {
    this.prefix = prefix == null ? "" : prefix;
    this.job = job;
    this.maxStringSetValues = maxStringSetValues;
  }

  public BeamMetricsMapping(String prefix, String job) {
    this(prefix, job, DEFAULT_MAX_STRINGSET_VALUES);
  }

  /**
   * Mapped series, the problems found (collisions, truncated sets), and whether all were committed.
   */
  public static final class Mapped {
    public final List<TimeSeries> series = new ArrayList<>();
    public final List<String> problems = new ArrayList<>();

    /** True when every value came from committed metrics; false when any was attempted. */
    public boolean allCommitted = true;
  }

  /**
   * Maps the results, preferring committed values where the runner has them. Counters and
   * distributions are stamped {@code nowMillis}; gauges keep their own timestamp.
   */
  public Mapped map(MetricQueryResults results, long nowMillis) {
    Mapped out = new Mapped();
    Map<String, String> owners = new HashMap<>(); // prometheus name -> "namespace:name"

    for (MetricResult<Long> c : sorted(results.getCounters())) {
      Long v = value(c, out);
      String base = baseName(c.getName());
      if (claim(owners, out, c.getName(), base + "_total")) {
        out.series.add(
            series(
                base + "_total",
                c,
                MetricType.COUNTER,
                "Beam counter " + c.getName(),
                nowMillis,
                v));
      }
    }
    for (MetricResult<DistributionResult> d : sorted(results.getDistributions())) {
      DistributionResult v = value(d, out);
      String base = baseName(d.getName());
      if (!claim(
          owners, out, d.getName(), base + "_count", base + "_sum", base + "_min", base + "_max")) {
        continue;
      }
      String help = "Beam distribution " + d.getName();
      out.series.add(series(base + "_count", d, MetricType.SUMMARY, help, nowMillis, v.getCount()));
      out.series.add(series(base + "_sum", d, MetricType.SUMMARY, help, nowMillis, v.getSum()));
      if (v.getCount() > 0) {
        out.series.add(
            series(base + "_min", d, MetricType.GAUGE, help + " (min)", nowMillis, v.getMin()));
        out.series.add(
            series(base + "_max", d, MetricType.GAUGE, help + " (max)", nowMillis, v.getMax()));
      }
    }
    for (MetricResult<GaugeResult> g : sorted(results.getGauges())) {
      GaugeResult v = value(g, out);
      String base = baseName(g.getName());
      if (claim(owners, out, g.getName(), base)) {
        long ts =
            v.getTimestamp() != null && v.getTimestamp().getMillis() > 0
                ? v.getTimestamp().getMillis()
                : nowMillis;
        out.series.add(
            series(base, g, MetricType.GAUGE, "Beam gauge " + g.getName(), ts, v.getValue()));
      }
    }
    for (MetricResult<StringSetResult> s : sorted(results.getStringSets())) {
      StringSetResult v = value(s, out);
      String base = baseName(s.getName()) + "_info";
      if (!claim(owners, out, s.getName(), base)) {
        continue;
      }
      TreeSet<String> strings = new TreeSet<>(v.getStringSet());
      int n = 0;
      for (String str : strings) {
        if (n++ == maxStringSetValues) {
          out.problems.add(
              "StringSet "
                  + s.getName()
                  + " has "
                  + strings.size()
                  + " values; exported the first "
                  + maxStringSetValues
                  + " in sorted order");
          break;
        }
        TimeSeries.Builder b = builder(base, s, MetricType.GAUGE, "Beam string set " + s.getName());
        out.series.add(b.label("value", str).sample(nowMillis, 1).build());
      }
    }
    return out;
  }

  /** {@code <prefix>_<namespace>_<name>}, sanitized. */
  public String baseName(MetricName name) {
    String raw =
        (prefix.isEmpty() ? "" : prefix + "_") + name.getNamespace() + "_" + name.getName();
    return sanitize(raw);
  }

  /** Every character outside [a-zA-Z0-9_:] becomes '_'; a leading digit gets a '_' before it. */
  public static String sanitize(String raw) {
    StringBuilder sb = new StringBuilder(raw.length() + 1);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == ':';
      sb.append(ok ? c : '_');
    }
    if (sb.length() == 0 || Character.isDigit(sb.charAt(0))) {
      sb.insert(0, '_');
    }
    return sb.toString();
  }

  private boolean claim(Map<String, String> owners, Mapped out, MetricName owner, String... names) {
    String who = owner.getNamespace() + ":" + owner.getName();
    for (String n : names) {
      String prev = owners.get(n);
      if (prev != null && !prev.equals(who)) {
        out.problems.add(
            "name collision: Beam metrics "
                + prev
                + " and "
                + who
                + " both map to "
                + n
                + "; "
                + who
                + " not exported");
        return false;
      }
    }
    for (String n : names) {
      owners.put(n, who);
    }
    return true;
  }

  private TimeSeries series(
      String name, MetricResult<?> r, MetricType type, String help, long ts, double value) {
    return builder(name, r, type, help).sample(ts, value).build();
  }

  private TimeSeries.Builder builder(String name, MetricResult<?> r, MetricType type, String help) {
    TimeSeries.Builder b =
        TimeSeries.builder(name).label("job", job).label("namespace", r.getName().getNamespace());
    String step = r.getKey().stepName();
    if (step != null) {
      b.label("step", step);
    }
    return b.metadata(MetricMetadata.of(type, help));
  }

  private static <T> T value(MetricResult<T> r, Mapped out) {
    T committed = null;
    try {
      committed = r.getCommittedOrNull();
    } catch (UnsupportedOperationException e) {
      // runner without committed metrics
    }
    if (committed != null) {
      return committed;
    }
    out.allCommitted = false;
    return r.getAttempted();
  }

  private static <T> List<MetricResult<T>> sorted(Iterable<MetricResult<T>> in) {
    List<MetricResult<T>> out = new ArrayList<>();
    in.forEach(out::add);
    out.sort(
        Comparator.comparing((MetricResult<T> r) -> r.getName().getNamespace())
            .thenComparing(r -> r.getName().getName())
            .thenComparing(r -> String.valueOf(r.getKey().stepName())));
    return out;
  }
}
