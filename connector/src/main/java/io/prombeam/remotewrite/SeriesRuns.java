package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import io.prombeam.model.LabelsCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * The sample runs of several series, by label set: what bounded input is merged into, one per
 * bucket of series (see {@link MergeSeriesFn}).
 */
final class SeriesRuns {
  final Map<Labels, SampleRun> runs;

  SeriesRuns() {
    this(new LinkedHashMap<>());
  }

  private SeriesRuns(Map<Labels, SampleRun> runs) {
    this.runs = runs;
  }

  /** Adds {@code other}'s samples to this, series by series. */
  void addAll(SeriesRuns other) {
    for (Map.Entry<Labels, SampleRun> e : other.runs.entrySet()) {
      SampleRun mine = runs.get(e.getKey());
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
