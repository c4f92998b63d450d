package io.prombeam.bench;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * A finite stream with a real watermark: {@code rounds} rounds, one every {@code intervalMillis}
 * from {@code startMillis}, each of {@code series} elements (the series numbers, timestamped with
 * the round's time). Split {@code i} of {@code n} emits the rounds {@code r} with {@code r % n ==
 * i}, each when its time has come, and holds its watermark just under its next round's time; at the
 * end the watermark goes to the maximum and the source finishes. So every series gets its samples
 * from all splits, in no guaranteed order, while the watermark tells when a time is done.
 */
final class RoundsSource extends UnboundedSource<Long, RoundsSource.Mark> {
  private final long startMillis;
  private final long intervalMillis;
  private final int rounds;
  private final int series;
  private final int split;
  private final int splits;

  RoundsSource(long startMillis, long intervalMillis, int rounds, int series) {
    this(startMillis, intervalMillis, rounds, series, 0, 1);
  }

  private RoundsSource(
      long startMillis, long intervalMillis, int rounds, int series, int split, int splits) {
    this.startMillis = startMillis;
    this.intervalMillis = intervalMillis;
    this.rounds = rounds;
    this.series = series;
    this.split = split;
    this.splits = splits;
  }

  /** The next round a reader will emit, as checkpointed. */
  static final class Mark implements UnboundedSource.CheckpointMark, Serializable {
    final int nextRound;

    Mark(int nextRound) {
      this.nextRound = nextRound;
    }

    @Override
    public void finalizeCheckpoint() {}
  }

  @Override
  public List<RoundsSource> split(int desired, PipelineOptions options) {
    int n = Math.max(2, desired);
    List<RoundsSource> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new RoundsSource(startMillis, intervalMillis, rounds, series, i, n));
    }
    return out;
  }

  @Override
  public UnboundedReader<Long> createReader(PipelineOptions options, Mark mark) {
    return new Reader(mark == null ? split : mark.nextRound);
  }

  @Override
  public Coder<Mark> getCheckpointMarkCoder() {
    return SerializableCoder.of(Mark.class);
  }

  @Override
  public Coder<Long> getOutputCoder() {
    return VarLongCoder.of();
  }

  private final class Reader extends UnboundedReader<Long> {
    private int round;
    private int next = -1; // the series number within the round; -1 before the round starts
    private long current;

    Reader(int firstRound) {
      this.round = firstRound;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      if (next >= 0 && next + 1 < series) {
        current = ++next;
        return true;
      }
      if (next >= 0) {
        round += splits; // this round is done
        next = -1;
      }
      if (round >= rounds || System.currentTimeMillis() < roundTime(round)) {
        return false;
      }
      next = 0;
      current = 0;
      return true;
    }

    private long roundTime(int r) {
      return startMillis + r * intervalMillis;
    }

    @Override
    public Long getCurrent() {
      if (next < 0) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      return new Instant(roundTime(round));
    }

    @Override
    public Instant getWatermark() {
      if (round >= rounds) {
        return BoundedWindow.TIMESTAMP_MAX_VALUE;
      }
      // nothing older than the round being read (or, between rounds, the next) is still to come
      return new Instant(roundTime(round) - 1);
    }

    @Override
    public Mark getCheckpointMark() {
      return new Mark(round);
    }

    @Override
    public RoundsSource getCurrentSource() {
      return RoundsSource.this;
    }

    @Override
    public void close() throws IOException {}
  }
}
