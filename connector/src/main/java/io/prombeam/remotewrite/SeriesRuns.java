package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.LabelsCoder;
import io.prombeam.sink.SeriesNotDeliveredException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * The sample runs of one or more series, by label set: what bounded input is merged into, per merge
 * key (see {@link MergeSeriesFn}).
 */
final class SeriesRuns {
  final Map<Labels, SampleRun> runs;

  SeriesRuns() {
    this(new LinkedHashMap<>());
  }

  private SeriesRuns(Map<Labels, SampleRun> runs) {
    this.runs = runs;
  }

  /** The samples held, all series together. */
  long sampleCount() {
    long n = 0;
    for (SampleRun run : runs.values()) {
      n += run.size;
    }
    return n;
  }

  /**
   * Adds {@code other}'s samples to this, series by series.
   *
   * @throws SeriesNotDeliveredException naming the series when one grows past {@code
   *     maxSamplesPerSeries}
   */
  void addAll(SeriesRuns other, int maxSamplesPerSeries, String transformName) {
    for (Map.Entry<Labels, SampleRun> e : other.runs.entrySet()) {
      SampleRun mine = runs.get(e.getKey());
      long size = e.getValue().size + (mine == null ? 0L : mine.size);
      if (size > maxSamplesPerSeries) {
        throw new SeriesNotDeliveredException(
            String.format(
                "%s: series %s has more than %,d samples (withMaxSamplesPerSeries), the most the"
                    + " sink merges on one worker to send a bounded series in timestamp order;"
                    + " split the series in time before the sink (one pipeline run per day, oldest"
                    + " first) or raise the bound",
                transformName, e.getKey(), maxSamplesPerSeries));
      }
      if (mine == null) {
        runs.put(e.getKey(), e.getValue());
      } else {
        mine.addAll(e.getValue());
      }
    }
  }

  /** Codes the runs as a count and then each label set and run. */
  static final class Coder extends AtomicCoder<SeriesRuns> {
    private static final long serialVersionUID = 1L;
    static final Coder INSTANCE = new Coder();

    @Override
    public void encode(SeriesRuns value, OutputStream out) throws IOException {
      VarInt.encode(value.runs.size(), out);
      for (Map.Entry<Labels, SampleRun> e : value.runs.entrySet()) {
        LabelsCoder.of().encode(e.getKey(), out);
        SampleRun.Coder.INSTANCE.encode(e.getValue(), out);
      }
    }

    @Override
    public SeriesRuns decode(InputStream in) throws IOException {
      int n = VarInt.decodeInt(in);
      Map<Labels, SampleRun> runs = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        Labels labels = LabelsCoder.of().decode(in);
        runs.put(labels, SampleRun.Coder.INSTANCE.decode(in));
      }
      return new SeriesRuns(runs);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
