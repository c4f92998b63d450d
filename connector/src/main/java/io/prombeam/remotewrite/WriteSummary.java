package io.prombeam.remotewrite;

import java.io.Serializable;
import org.apache.beam.sdk.annotations.Internal;

/** One delivered remote-write request: what it carried and what it took. */
public final class WriteSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int shard;
  private final int series;
  private final int samples;
  private final int compressedBytes;
  private final int httpStatus;
  private final int attempts;
  private final long latencyMillis;

  /** One delivered request's figures. */
  @Internal
  public WriteSummary(
      int shard,
      int series,
      int samples,
      int compressedBytes,
      int httpStatus,
      int attempts,
      long latencyMillis) {
    this.shard = shard;
    this.series = series;
    this.samples = samples;
    this.compressedBytes = compressedBytes;
    this.httpStatus = httpStatus;
    this.attempts = attempts;
    this.latencyMillis = latencyMillis;
  }

  /** The shard that sent it (unbounded input), or -1 for bounded input, which has no shards. */
  public int shard() {
    return shard;
  }

  /** Series in the request. */
  public int series() {
    return series;
  }

  /** Samples in the request. */
  public int samples() {
    return samples;
  }

  /** Bytes on the wire (snappy). */
  public int compressedBytes() {
    return compressedBytes;
  }

  /** The receiver's answer. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Tries it took, retries included. */
  public int attempts() {
    return attempts;
  }

  /** Latency of the successful try. */
  public long latencyMillis() {
    return latencyMillis;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WriteSummary)) {
      return false;
    }
    WriteSummary w = (WriteSummary) o;
    return shard == w.shard
        && series == w.series
        && samples == w.samples
        && compressedBytes == w.compressedBytes
        && httpStatus == w.httpStatus
        && attempts == w.attempts
        && latencyMillis == w.latencyMillis;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(
        shard, series, samples, compressedBytes, httpStatus, attempts, latencyMillis);
  }

  @Override
  public String toString() {
    return "shard "
        + shard
        + ": "
        + series
        + " series, "
        + samples
        + " samples, "
        + compressedBytes
        + " B, HTTP "
        + httpStatus
        + " after "
        + attempts
        + " tries, "
        + latencyMillis
        + " ms";
  }
}
