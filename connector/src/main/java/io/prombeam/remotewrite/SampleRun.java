package io.prombeam.remotewrite;

import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * A growing, unsorted run of one series' samples (its labels are the grouping key, kept elsewhere):
 * what the bounded merge ({@link PreMergeFn}, {@link MergeSeriesFn}) accumulates. Appending is
 * amortized O(1), so merging a series sample by sample costs no more than building it whole. Start
 * timestamps, histograms and exemplars ride along in arrays allocated only when a part brings them.
 */
final class SampleRun {
  /**
   * Sample i's timestamp at [2i] and its value's bits at [2i + 1]: one array, so appending a sample
   * to one of many held runs touches one place in memory rather than two.
   */
  long[] points;

  int size;
  MetricMetadata metadata; // the first one seen; nullable
  long[] starts; // nullable
  NativeHistogram[] histograms; // nullable
  List<Exemplar> exemplars; // nullable

  SampleRun() {
    this(4);
  }

  private SampleRun(int capacity) {
    points = new long[2 * capacity];
  }

  private int capacity() {
    return points.length / 2;
  }

  void add(TimeSeries ts) {
    int n = ts.sampleCount();
    ensureRoom(n);
    boolean rich = ts.hasStartTimestamps() || ts.hasHistograms();
    for (int i = 0; i < n; i++) {
      points[2 * size] = ts.timestamp(i);
      points[2 * size + 1] = Double.doubleToRawLongBits(ts.value(i));
      if (rich) {
        setExtras(size, ts.startTimestamp(i), ts.histogram(i));
      }
      size++;
    }
    for (int i = 0; i < ts.exemplarCount(); i++) {
      exemplars().add(ts.exemplar(i));
    }
    if (metadata == null) {
      metadata = ts.metadata();
    }
  }

  void addAll(SampleRun other) {
    ensureRoom(other.size);
    System.arraycopy(other.points, 0, points, 2 * size, 2 * other.size);
    if (other.starts != null || other.histograms != null) {
      for (int i = 0; i < other.size; i++) {
        setExtras(
            size + i,
            other.starts == null ? 0 : other.starts[i],
            other.histograms == null ? null : other.histograms[i]);
      }
    }
    size += other.size;
    if (other.exemplars != null) {
      exemplars().addAll(other.exemplars);
    }
    if (metadata == null) {
      metadata = other.metadata;
    }
  }

  private void setExtras(int at, long start, NativeHistogram h) {
    if (start != 0) {
      if (starts == null) {
        starts = new long[capacity()];
      }
      starts[at] = start;
    }
    if (h != null) {
      if (histograms == null) {
        histograms = new NativeHistogram[capacity()];
      }
      histograms[at] = h;
    }
  }

  private List<Exemplar> exemplars() {
    if (exemplars == null) {
      exemplars = new ArrayList<>();
    }
    return exemplars;
  }

  private void ensureRoom(int more) {
    if (size + more > capacity()) {
      int capacity = Math.max(size + more, capacity() * 2);
      points = Arrays.copyOf(points, 2 * capacity);
      if (starts != null) {
        starts = Arrays.copyOf(starts, capacity);
      }
      if (histograms != null) {
        histograms = Arrays.copyOf(histograms, capacity);
      }
    }
  }

  /** The samples as a series with the given labels, sorted by timestamp (stable). */
  TimeSeries toSeries(Labels labels) {
    TimeSeries.Builder b = TimeSeries.builder(labels).metadata(metadata);
    for (int i = 0; i < size; i++) {
      long t = points[2 * i];
      if (histograms != null && histograms[i] != null) {
        b.histogram(t, histograms[i]);
      } else {
        b.sample(t, Double.longBitsToDouble(points[2 * i + 1]), starts == null ? 0 : starts[i]);
      }
    }
    if (exemplars != null) {
      exemplars.forEach(b::exemplar);
    }
    return b.build();
  }

  /**
   * Codes a run as a label-less {@link TimeSeries} with {@link TimeSeriesCoder}, so the samples
   * travel in the same compact block (delta timestamps, raw value bits) as everywhere else.
   */
  static final class Coder extends AtomicCoder<SampleRun> {
    private static final long serialVersionUID = 1L;
    static final Coder INSTANCE = new Coder();

    @Override
    public void encode(SampleRun run, OutputStream out) throws IOException {
      TimeSeriesCoder.of().encode(run.toSeries(Labels.EMPTY), out);
    }

    @Override
    public SampleRun decode(InputStream in) throws IOException {
      TimeSeries ts = TimeSeriesCoder.of().decode(in);
      SampleRun run = new SampleRun(Math.max(4, ts.sampleCount()));
      run.add(ts);
      return run;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
