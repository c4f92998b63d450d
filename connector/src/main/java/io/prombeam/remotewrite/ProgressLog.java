package io.prombeam.remotewrite;

import org.slf4j.Logger;

/** Logs a sender's throughput at most every 10 s, so long runs show progress with rates. */
final class ProgressLog {
  private static final long INTERVAL_NANOS = 10_000_000_000L;

  private final Logger log;
  private final String target;
  private long windowStart = System.nanoTime();
  private long samples;
  private long bytes;
  private long totalSamples;

  ProgressLog(Logger log, String target) {
    this.log = log;
    this.target = target;
  }

  void sent(long s, long b) {
    samples += s;
    bytes += b;
    totalSamples += s;
    long now = System.nanoTime();
    long elapsed = now - windowStart;
    if (elapsed >= INTERVAL_NANOS) {
      double secs = elapsed / 1e9;
      log.info(
          "sent {} samples to {} in the last {} s ({} samples/s, {} KiB/s compressed); {} in total",
          samples,
          target,
          String.format("%.1f", secs),
          Math.round(samples / secs),
          Math.round(bytes / secs / 1024),
          totalSamples);
      windowStart = now;
      samples = 0;
      bytes = 0;
    }
  }
}
