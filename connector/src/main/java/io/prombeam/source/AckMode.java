package io.prombeam.source;

/** When {@code PrometheusIO.receive()} answers a sender 2xx for its request. */
public enum AckMode {
  /**
   * When the runner finalizes the checkpoint holding the request: at-least-once, nothing read is
   * lost in a crash, but a runner that never finalizes (Flink without checkpointing) never
   * acknowledges, and the DirectRunner does so only when a later bundle reads something.
   */
  ON_CHECKPOINT,
  /**
   * As soon as the pipeline has read the request: for runners that never finalize checkpoints. Data
   * read but lost in a crash before the next checkpoint is not re-sent.
   */
  ON_READ
}
